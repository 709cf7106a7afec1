//! The catalog in both worlds. Each scenario's report is a committed
//! snapshot (`snapshots/all__catalog__<scenario>_<world>.snap`), is
//! byte-identical over five runs, and is the same in p2 and p3 once the
//! world name is set aside.

use crate::support::{assert_same_text, run};
use wasi_replay::catalog::SCENARIOS;
use wasi_replay::report::World;

const RUNS: usize = 5;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn check(name: &str) {
    let mut yaml = Vec::new();
    for world in [World::P2, World::P3] {
        let first = run(name, world).to_yaml();
        for i in 1..RUNS {
            let again = run(name, world).to_yaml();
            assert_same_text(&format!("{name} ({world}) runs"), "run 1", &first, &format!("run {}", i + 1), &again);
        }
        settings().bind(|| {
            insta::assert_snapshot!(format!("all__catalog__{}_{world}", name.replace('-', "_")), first);
        });
        yaml.push(run(name, world).without_world().to_yaml());
    }
    assert_same_text(&format!("{name} p2 and p3 reports"), "p2", &yaml[0], "p3", &yaml[1]);
}

#[test]
fn catalog_is_complete() {
    assert_eq!(
        SCENARIOS,
        [
            "fs-tree", "clock-random", "cli-io", "net-denied", "exit-code", "trap", "fs-semantics", "http-get", "http-post",
            "http-unmatched", "fs-bulk"
        ]
    );
}

#[test]
fn fs_tree() {
    check("fs-tree");
}

#[test]
fn clock_random() {
    check("clock-random");
}

#[test]
fn cli_io() {
    check("cli-io");
}

#[test]
fn net_denied() {
    check("net-denied");
}

#[test]
fn exit_code() {
    check("exit-code");
}

#[test]
fn trap() {
    check("trap");
}

#[test]
fn fs_semantics() {
    check("fs-semantics");
}

#[test]
fn fs_bulk() {
    check("fs-bulk");
}

#[test]
fn http_get() {
    check("http-get");
}

#[test]
fn http_post() {
    check("http-post");
}

#[test]
fn http_unmatched() {
    check("http-unmatched");
}
