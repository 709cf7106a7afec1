//! The on-disk compile cache: a second harness loads from it and gives the
//! same report; a damaged entry is compiled again; another component never
//! meets this one's entry.

use crate::support::harness;
use wasi_replay::{catalog, Harness, World};

fn entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir).map_or(Vec::new(), |d| d.map(|e| e.unwrap().path()).collect());
    v.sort();
    v
}

#[test]
fn a_cached_component_runs_the_same() {
    harness();
    let dir = tempfile::tempdir().unwrap();
    let path = catalog::component_path("clock-random", World::P3);
    let scenario = catalog::scenario("clock-random").unwrap();
    let first = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let a = first.run(&first.load(&path).unwrap(), &scenario).unwrap();
    let written = entries(dir.path());
    assert_eq!(written.len(), 1, "one entry per component");
    let second = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let b = second.run(&second.load(&path).unwrap(), &scenario).unwrap();
    assert_eq!(a.to_yaml(), b.to_yaml());
    assert_eq!(entries(dir.path()), written);

    // A damaged entry is compiled again and replaced.
    std::fs::write(&written[0], b"not a compiled component").unwrap();
    let third = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let c = third.run(&third.load(&path).unwrap(), &scenario).unwrap();
    assert_eq!(a.to_yaml(), c.to_yaml());
    assert_ne!(std::fs::read(&written[0]).unwrap(), b"not a compiled component");

    // Another component gets an entry of its own.
    third.load(&catalog::component_path("exit-code", World::P3)).unwrap();
    assert_eq!(entries(dir.path()).len(), 2);
}

#[test]
fn a_p1_module_is_kept_in_the_cache_too() {
    harness();
    let dir = tempfile::tempdir().unwrap();
    let path = catalog::component_path("fs-tree-c", World::P1);
    let scenario = catalog::scenario("fs-tree-c").unwrap();
    let h = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let first = h.run(&h.load(&path).unwrap(), &scenario).unwrap();
    let written = entries(dir.path());
    assert_eq!(written.len(), 1, "one compiled module: {written:?}");
    let again = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let g = again.load(&path).unwrap();
    assert_eq!(g.host(), World::P1);
    assert_eq!(again.run(&g, &scenario).unwrap().to_yaml(), first.to_yaml());
    assert_eq!(entries(dir.path()), written);
}

#[test]
fn each_host_world_has_entries_of_its_own() {
    // The p2 host's engine runs without the component model's concurrency,
    // so a p2 component compiled for the p3 host is another artifact.
    harness();
    let dir = tempfile::tempdir().unwrap();
    let path = catalog::component_path("exit-code", World::P2);
    let scenario = catalog::scenario("exit-code").unwrap();
    let h = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let on_p2 = h.load(&path).unwrap();
    assert_eq!(on_p2.host(), World::P2);
    assert_eq!(entries(dir.path()).len(), 1, "its exports are read before it is compiled, once");
    let on_p3 = h.load_on(&path, Some(World::P3)).unwrap();
    assert_eq!(on_p3.host(), World::P3);
    let written = entries(dir.path());
    assert_eq!(written.len(), 2);

    let again = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let a = again.run(&again.load(&path).unwrap(), &scenario).unwrap();
    let b = again.run(&again.load_on(&path, Some(World::P3)).unwrap(), &scenario).unwrap();
    assert_eq!(entries(dir.path()), written);
    assert_eq!((a.world, b.world), (World::P2, World::P3));
    assert_eq!((a.exit, a.stdout), (b.exit, b.stdout));
}

/// Where the artifacts compiled by an older wasmtime are kept.
fn wasmtime_48() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wasmtime-48")
}

/// The name wasi-replay on wasmtime 48.0.8 gave the p2 artifact of
/// `exit-zero.wasm` (see the fixture's README).
const ARTIFACT_48: &str = "6211cb8f3f3a448c9d3464195e243a977ad8c6c9e1a50ac4c1753de044c25c21.cwasm";

#[test]
fn an_artifact_of_wasmtime_48_is_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::fs::read(wasmtime_48().join(ARTIFACT_48)).unwrap();
    std::fs::write(dir.path().join(ARTIFACT_48), &old).unwrap();
    let component = wasmtime_48().join("exit-zero.wasm");
    let scenario = wasi_replay::Scenario::new("exit-zero");

    // This wasmtime's compatibility hash names another entry.
    let h = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let report = h.run(&h.load(&component).unwrap(), &scenario).unwrap();
    assert_eq!(report.exit, wasi_replay::Exit::Status(0));
    let written = entries(dir.path());
    assert_eq!(written.len(), 2, "{written:?}");
    let new = written.iter().find(|p| !p.ends_with(ARTIFACT_48)).unwrap().clone();
    assert_eq!(std::fs::read(dir.path().join(ARTIFACT_48)).unwrap(), old, "the old entry is left alone");

    // Even under this wasmtime's name, wasmtime refuses the old artifact:
    // the harness compiles again and replaces it.
    std::fs::write(&new, &old).unwrap();
    let h = Harness::new().unwrap().with_cache_dir(dir.path().into());
    let again = h.run(&h.load(&component).unwrap(), &scenario).unwrap();
    assert_eq!(again.to_yaml(), report.to_yaml());
    assert_ne!(std::fs::read(&new).unwrap(), old);
}
