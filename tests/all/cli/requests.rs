//! `run --request`: a handler serving requests.

use super::*;

#[test]
fn run_request_serves_a_handler_and_reports_each_response() {
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), "ping").unwrap();
    let out = cli()
        .arg("run")
        .arg(p3("http-handler"))
        .args(["--request", "GET /hello?name=Grace", "--request", "POST /echo", "--request-body"])
        .arg(body.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    let bodies: Vec<_> = report.responses.iter().map(|r| (r.status, r.body.as_ref().and_then(|b| b.text.clone()))).collect();
    assert_eq!(bodies, [(Some(200), Some("hello, Grace\n".to_string())), (Some(200), Some("ping".to_string()))]);
}

#[test]
fn bad_input_requests() {
    let handler = p2("http-handler");
    let handler = handler.to_str().unwrap();
    bad_input(&["run", handler], "requests: it is an HTTP handler; give requests");
    bad_input(&["run", handler, "--request", "GET items"], "`items` is not a path: it starts with `/` and has no spaces");
    bad_input(&["run", handler, "--request", "GET /a b"], "`GET /a b` is not `METHOD /path`");
    bad_input(&["run", handler, "--request-body", "Cargo.toml"], "--request-body: there is no --request to carry it");
    bad_input(&["run", handler, "--request", "/x", "--request-body", "no/such"], "--request-body: no/such: ");
    bad_input(&["run", p2("exit-code").to_str().unwrap(), "--request", "/x"], "requests: it exports no HTTP handler");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"http-handler\"\n[[request]]\nmethod = \"GET\"\npath = \"nope\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "request #0: `nope` is not a path");
    std::fs::write(&f, "guest = \"http-handler\"\n[[request]]\npath = \"/\"\nheaders = { \"bad name\" = \"x\" }\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "request #0: `bad name` is not an HTTP header name");
}
