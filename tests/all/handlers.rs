//! HTTP handlers: requests served in order, fresh or shared instances,
//! and every way a handler can fail to answer, each an entry in the report
//! and never a hang.

use crate::support::{guest, harness};
use wasi_replay::{Exit, HarnessError, MemFs, Request, ResponseReport, RunReport, Scenario, Serve, World};

fn serve(world: World, scenario: &Scenario) -> Result<RunReport, HarnessError> {
    harness().run(&guest("http-handler", world), scenario)
}

fn body(r: &ResponseReport) -> &str {
    r.body.as_ref().and_then(|b| b.text.as_deref()).unwrap_or("")
}

#[test]
fn fresh_instances_start_afresh_and_a_shared_one_carries_its_state() {
    for world in [World::P2, World::P3] {
        let twice = |serve_as| Scenario::new("now").request(Request::get("/now")).request(Request::get("/now")).serve(serve_as);
        let fresh = serve(world, &twice(Serve::Fresh)).unwrap();
        assert_eq!(body(&fresh.responses[0]), body(&fresh.responses[1]), "{world}: a fresh instance draws the same random bytes");
        let shared = serve(world, &twice(Serve::Shared)).unwrap();
        assert_ne!(body(&shared.responses[0]), body(&shared.responses[1]), "{world}: one instance draws on");
        assert_eq!(body(&fresh.responses[0]), body(&shared.responses[0]));
    }
}

#[test]
fn the_filesystem_carries_over_between_fresh_instances() {
    for world in [World::P2, World::P3] {
        let scenario = Scenario::new("log").fs(MemFs::new()).request(Request::get("/a")).request(Request::new("PUT", "/b"));
        let report = serve(world, &scenario).unwrap();
        let log = report.fs.entries().iter().find(|e| e.path == "/requests.log").and_then(|e| e.text.clone());
        assert_eq!(log.as_deref(), Some("GET /a\nPUT /b\n"), "{world}");
    }
}

#[test]
fn a_request_body_and_headers_reach_the_handler() {
    for world in [World::P2, World::P3] {
        let big = vec![b'x'; 200_000];
        let scenario = Scenario::new("echo")
            .request(Request::new("POST", "/echo").header("content-type", "text/plain").body("hi"))
            .request(Request::new("POST", "/echo").body(big.clone()));
        let report = serve(world, &scenario).unwrap();
        assert_eq!(body(&report.responses[0]), "hi");
        assert!(report.responses[0].headers.contains(&"content-type: text/plain".to_string()), "{:?}", report.responses[0]);
        let echoed = report.responses[1].body.as_ref().and_then(|b| b.sha256.clone());
        let want: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&big).iter().map(|b| format!("{b:02x}")).collect()
        };
        assert_eq!(echoed, Some(want), "{world}: a body larger than any pipe comes back whole");
    }
}

#[test]
fn a_handler_that_fails_to_answer_is_an_entry_never_a_hang() {
    for world in [World::P2, World::P3] {
        let scenario = Scenario::new("fail")
            .request(Request::get("/fail"))
            .request(Request::get("/boom"))
            .request(Request::get("/forget"))
            .request(Request::get("/hello"));
        let report = serve(world, &scenario).unwrap();
        let errors: Vec<Option<&str>> = report.responses.iter().map(|r| r.error.as_deref()).collect();
        assert_eq!(errors[0], Some(r#"error-code: ErrorCode::InternalError(Some("the handler gave up"))"#), "{world}");
        assert!(errors[1].is_some_and(|e| e.starts_with("trap: ") && e.contains("unreachable")), "{world}: {errors:?}");
        let forgot = if world == World::P2 {
            "the handler returned without setting a response"
        } else {
            r#"error-code: ErrorCode::InternalError(Some("no response"))"#
        };
        assert_eq!(errors[2], Some(forgot), "{world}");
        assert_eq!((errors[3], report.responses[3].status), (None, Some(200)), "{world}: a fresh instance serves on");
        assert!(matches!(report.exit, Exit::Trap(_)), "{world}: the run's exit is the first that ended an instance");

        let shared = serve(world, &scenario.clone().serve(Serve::Shared)).unwrap();
        let last = shared.responses[3].error.as_deref().unwrap_or("");
        assert!(last.starts_with("not served: the shared instance ended at an earlier request (trap: "), "{world}: {last}");
    }
}

#[test]
fn requests_that_do_not_fit_the_guest_are_bad_input() {
    let err = serve(World::P2, &Scenario::new("none")).unwrap_err();
    assert!(err.to_string().ends_with("requests: it is an HTTP handler; give requests ([[request]] in a scenario, or --request)"), "{err}");
    let err = harness().run(&guest("exit-code", World::P2), &Scenario::new("x").request(Request::get("/"))).unwrap_err();
    assert!(err.to_string().contains("requests: it exports no HTTP handler"), "{err}");
    for bad in ["GET", "GET items", "GET /a b", "G(T /a"] {
        assert!(Request::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Request::parse("/x?y=1").unwrap().line(), "GET /x?y=1");
}
