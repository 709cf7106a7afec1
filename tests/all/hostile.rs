//! The hostile catalog: each guest in both worlds is byte-identical over
//! five runs and equal across p2 and p3 (its golden,
//! `snapshots/<guest>.<world>.snap`, is checked with the catalog's). The harness
//! reports every one of them; none of them crashes it.

use crate::support::{assert_same_text, guest, harness};
use std::time::Duration;
use wasi_replay::{catalog, Exit, RunReport, World};

const RUNS: usize = 5;

fn run(name: &str, world: World) -> RunReport {
    let scenario = catalog::scenario(name).unwrap();
    harness().run(&guest(name, world), &scenario).unwrap()
}

fn check(name: &str) -> [RunReport; 2] {
    let reports = [World::P2, World::P3].map(|world| {
        let first = run(name, world);
        for i in 1..RUNS {
            let again = run(name, world).to_yaml();
            assert_same_text(&format!("{name} ({world}) runs"), "run 1", &first.to_yaml(), &format!("run {}", i + 1), &again);
        }
        first
    });
    assert_same_text(
        &format!("{name} p2 and p3 reports"),
        "p2",
        &reports[0].without_world().to_yaml(),
        "p3",
        &reports[1].without_world().to_yaml(),
    );
    reports
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    for r in check("hostile-loop") {
        assert_eq!(r.exit, Exit::OutOfFuel);
    }
}

#[test]
fn a_wait_nothing_can_end_is_waits_forever_in_virtual_time() {
    // u64::MAX ns from one second in: past the end of the monotonic clock.
    // The exit says the run ended there, in virtual time; the wall-clock
    // timeout would have said `timeout`.
    for r in check("hostile-sleep") {
        let Exit::WaitsForever { virtual_time_ns } = r.exit else { panic!("{:?}", r.exit) };
        assert!(virtual_time_ns >= u64::MAX - 2_000_000_000, "{virtual_time_ns}");
        let wasi_replay::Output::Text(out) = &r.stdout else { panic!() };
        assert!(!out.contains("woke up"), "{out}");
    }
}

#[test]
fn a_memory_bomb_fails_to_grow_and_traps() {
    for r in check("hostile-memory") {
        assert!(matches!(r.exit, Exit::Trap(_)), "{:?}", r.exit);
    }
}

#[test]
fn a_filesystem_bomb_meets_insufficient_space() {
    for r in check("hostile-fs-bomb") {
        assert_eq!(r.exit, Exit::Status(0));
        assert!(r.to_yaml().contains("failed: insufficient-space"));
    }
}

#[test]
fn an_output_flood_is_truncated_and_the_guest_keeps_running() {
    for r in check("hostile-flood") {
        assert_eq!(r.exit, Exit::Status(0));
        assert_eq!(r.truncated, ["stdout"]);
        assert!(r.to_yaml().contains("still running after the flood"));
    }
}

#[test]
fn unbounded_recursion_exhausts_the_stack() {
    for r in check("hostile-recursion") {
        assert_eq!(r.exit, Exit::Trap("wasm trap: call stack exhausted".into()));
    }
}

#[test]
fn every_escape_attempt_fails() {
    for r in check("hostile-escape") {
        let yaml = r.to_yaml();
        assert!(!yaml.contains("ESCAPED"), "{yaml}");
        assert_eq!(yaml.matches("not-permitted").count(), 9, "{yaml}");
    }
}

#[test]
fn the_wall_clock_timeout_is_a_backstop_marked_nondeterministic() {
    let scenario = catalog::scenario("hostile-loop").unwrap().fuel(None).timeout(Some(Duration::from_millis(300)));
    for world in [World::P2, World::P3] {
        let report = harness().run(&guest("hostile-loop", world), &scenario).unwrap();
        assert_eq!(report.exit, Exit::Timeout { after_ms: 300 });
        assert!(report.to_yaml().contains("nondeterministic: true"), "{}", report.to_yaml());
    }
}
