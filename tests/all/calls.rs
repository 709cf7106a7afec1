//! Calls of exported functions: a library component's state between calls
//! on one instance, each call's result, a call that traps, and the calls a
//! guest cannot take, which are bad input before anything runs.

use crate::support::{guest, harness};
use wasi_replay::{catalog, CallReport, Exit, HarnessError, Scenario, World};

fn calls(world: World, scenario: &Scenario) -> Result<wasi_replay::RunReport, HarnessError> {
    harness().run(&guest("lib-counter", world), scenario)
}

fn made(report: &wasi_replay::RunReport) -> Vec<(&str, Option<&str>, bool)> {
    report.calls.iter().map(|c: &CallReport| (c.invoke.as_str(), c.result.as_deref(), c.ended_run)).collect()
}

#[test]
fn a_library_keeps_state_between_calls_on_one_instance() {
    for world in [World::P2, World::P3] {
        let scenario = Scenario::new("counter").call("add(5)").call("add(7)").call("counter#total()").call("reset()").call("total()");
        let report = calls(world, &scenario).unwrap();
        assert_eq!(report.exit, Exit::Status(0), "{world}");
        assert_eq!(
            made(&report),
            [("add(5)", Some("5"), false), ("add(7)", Some("12"), false), ("counter#total()", Some("12"), false), ("reset()", Some("12"), false), ("total()", Some("0"), false)],
            "{world}"
        );
        // A fresh run is a fresh instance.
        let again = calls(world, &Scenario::new("counter").call("total()")).unwrap();
        assert_eq!(made(&again), [("total()", Some("0"), false)]);
    }
}

#[test]
fn a_call_that_traps_ends_the_run_and_no_later_call_is_made() {
    for world in [World::P2, World::P3] {
        let scenario = Scenario::new("boom").call("add(1)").call(r#"fail("boom")"#).call("total()");
        let report = calls(world, &scenario).unwrap();
        let Exit::Trap(message) = &report.exit else { panic!("{world}: {:?}", report.exit) };
        assert!(message.contains("unreachable"), "{world}: {message}");
        assert_eq!(made(&report), [("add(1)", Some("1"), false), (r#"fail("boom")"#, None, true)], "{world}");
        let wasi_replay::Output::Text(stderr) = &report.stderr else { panic!("{world}: {:?}", report.stderr) };
        assert!(stderr.contains("boom"), "{world}: the panic message reaches stderr: {stderr}");
    }
}

#[test]
fn calls_read_the_virtual_kernel_as_the_seed_says() {
    let roll = |seed| calls(World::P2, &Scenario::new("dice").seed(seed).call("roll(1000000)")).unwrap().calls[0].result.clone();
    assert_eq!(roll(1), roll(1), "one seed, one roll");
    assert_ne!(roll(1), roll(2), "another seed, another roll");
    let now = calls(World::P3, &Scenario::new("now").wall_start(std::time::Duration::from_secs(1_000_000)).call("now()")).unwrap();
    assert_eq!(now.calls[0].result.as_deref(), Some("1000000"));
}

#[test]
fn a_call_that_does_not_fit_is_bad_input() {
    for (call, needle) in [
        ("nope()", "no exported function `nope` (exported: greet, replay:library/counter@0.1.0#add,"),
        ("text#add(1)", "no exported function `text#add`"),
        ("add(\"x\")", "`add` is func(n: u32) -> u64"),
        ("add(1, 2)", "`add` is func(n: u32) -> u64"),
        ("add()", "`add` is func(n: u32) -> u64"),
    ] {
        let err = calls(World::P2, &Scenario::new("bad").call(call)).unwrap_err();
        assert!(matches!(err, HarnessError::Call { .. }), "{call}: {err:?}");
        let text = err.to_string();
        assert!(text.starts_with(&format!("lib_counter: call `{call}`: ")) && text.contains(needle), "{call}: {text}");
        assert!(!text.contains('\n'), "{text}");
    }
}

#[test]
fn a_library_with_no_calls_and_a_module_with_calls_are_bad_input() {
    let err = calls(World::P2, &Scenario::new("none")).unwrap_err();
    assert!(matches!(err, HarnessError::NoRun { .. }), "{err:?}");
    let p1 = harness().load(catalog::component_path("fs-ops", World::P1)).unwrap();
    let err = harness().run(&p1, &Scenario::new("p1").call("f()")).unwrap_err();
    assert!(err.to_string().contains("a p1 module exports no component functions to call"), "{err}");
}

#[test]
fn a_command_can_be_called_through_its_run_export() {
    // `exit-code` exits 3 from inside `run`, so the call never returns.
    let report = harness().run(&guest("exit-code", World::P2), &Scenario::new("run").call("run()")).unwrap();
    assert_eq!(report.exit, Exit::Status(3));
    assert_eq!(report.calls.len(), 1);
    assert!(report.calls[0].ended_run);
}
