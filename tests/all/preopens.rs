//! Preopens as the guest sees them: named, `.`, empty, read-only, several.

use crate::support::{guest, harness};
use wasi_replay::{catalog, Output, RunReport, Scenario, World};
use wasi_replay::host::{Backend, Preopen};
use wasi_replay::memfs::MemFs;

fn fixture_at(path: &str) -> MemFs {
    let mut fs = MemFs::new();
    wasi_replay::memfs::copy_dir_into(&mut fs, &catalog::scenarios_dir().join("tree"), path).unwrap();
    fs
}

fn run(name: &str, world: World, scenario: Scenario) -> RunReport {
    harness().run(&guest(name, world), &scenario).unwrap()
}

fn stdout(r: &RunReport) -> &str {
    match &r.stdout {
        Output::Text(t) => t,
        Output::Binary { .. } => panic!("binary stdout"),
    }
}

#[test]
fn a_named_preopen_appears_under_its_guest_path() {
    for backend in [Backend::Direct, Backend::Bridge] {
        for world in [World::P2, World::P3] {
            let scenario = Scenario::new("named")
                .fs(fixture_at("/data"))
                .preopens(vec![Preopen::rw("/data")])
                .backend(backend);
            let report = run("fs-tree", world, scenario);
            assert!(stdout(&report).starts_with("preopen /data\n"), "{}", stdout(&report));
            let paths: Vec<_> = report.fs.entries().iter().map(|e| e.path.as_str()).collect();
            assert!(paths.contains(&"/data/data/renamed.txt"), "{backend:?} {world}: {paths:?}");
        }
    }
}

#[test]
fn a_dot_preopen_is_the_root() {
    let scenario = Scenario::new("dot").fs(fixture_at("/")).preopens(vec![Preopen::rw(".")]);
    let report = run("fs-tree", World::P3, scenario);
    assert!(stdout(&report).starts_with("preopen .\n"));
    assert!(report.fs.entries().iter().any(|e| e.path == "/data/renamed.txt"));
}

#[test]
fn an_empty_preopen_is_created() {
    let scenario = Scenario::new("empty").preopens(vec![Preopen::rw("/scratch")]);
    let report = run("fs-tree", World::P2, scenario);
    // fs-tree needs its fixture; what matters here is the empty directory.
    assert!(report.fs.entries().iter().any(|e| e.path == "/scratch"));
    assert!(stdout(&report).starts_with("preopen /scratch\n"));
}

#[test]
fn a_read_only_preopen_refuses_changes_with_not_permitted() {
    // As wasmtime-wasi answers through a read-only preopen.
    let scenario = Scenario::new("ro").fs(fixture_at("/")).preopens(vec![Preopen::ro("/")]);
    let report = run("fs-tree", World::P2, scenario);
    assert!(matches!(report.exit, wasi_replay::Exit::Trap(_)), "fs-tree unwraps its first mkdir");
    match &report.stderr {
        Output::Text(t) => assert!(t.contains("\"not-permitted\""), "{t}"),
        Output::Binary { .. } => panic!(),
    }
    assert_eq!(report.fs, run("trap", World::P2, Scenario::new("x").fs(fixture_at("/"))).fs, "nothing changed");
}
