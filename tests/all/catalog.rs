//! The catalog. Every scenario file under `scenarios/` (the catalog's,
//! the hostile and bug-finding guests', the journaled twins and the other
//! languages') matching its goldens in `snapshots/` is a test of its own in
//! the `scenarios` test target (`tests/scenarios.rs`). Here: each catalog
//! scenario is byte-identical over five runs and the same in p2 and p3
//! once the world name is set aside, and every golden has its scenario.

use crate::support::{assert_same_text, run};
use wasi_replay::{catalog, World};
use wasi_replay::catalog::SCENARIOS;

const RUNS: usize = 5;

#[test]
fn every_catalog_scenario_is_deterministic_and_the_same_in_p2_and_p3() {
    for name in SCENARIOS {
        let [p2, p3] = [World::P2, World::P3].map(|world| {
            let first = run(name, world);
            let text = first.to_yaml();
            for i in 1..RUNS {
                let again = run(name, world).to_yaml();
                assert_same_text(&format!("{name} ({world}) runs"), "run 1", &text, &format!("run {}", i + 1), &again);
            }
            first.without_world().to_yaml()
        });
        assert_same_text(&format!("{name} p2 and p3 reports"), "p2", &p2, "p3", &p3);
    }
}

/// Every golden in `snapshots/` belongs to a scenario file, in a world it
/// runs in: no golden outlives its scenario.
#[test]
fn every_golden_has_its_scenario() {
    let files = catalog::suite().load([catalog::scenarios_dir()]).unwrap_or_else(|e| panic!("{e}"));
    let mut expected = std::collections::BTreeSet::new();
    for file in &files {
        let stem = file.path.file_stem().unwrap().to_string_lossy().into_owned();
        for target in &file.targets {
            let world = target.world.expect("catalog targets name their world");
            expected.insert(format!("{stem}.{world}.snap"));
            if file.explore.is_some() {
                expected.insert(format!("{stem}.{world}.explore.snap"));
            }
        }
    }
    let found: std::collections::BTreeSet<String> = std::fs::read_dir(catalog::snapshots_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    assert_eq!(found, expected, "snapshots/ against the goldens the scenario files ask for");
}

/// The catalog's lists against what is on disk: every package of
/// `guests/Cargo.toml` is a listed guest (or the support crate, `fs-ops`,
/// or a p1 build of a listed guest), every listed guest has its package or
/// source and its scenario file, and every scenario file names a guest.
#[test]
fn the_catalog_lists_what_is_on_disk() {
    use std::collections::BTreeSet;
    use wasi_replay::catalog;
    use wasi_replay::catalog::{AS_GUESTS, C_GUESTS, HOSTILE, P1_GUESTS};
    let guests = catalog::guests_dir();
    let manifest: toml::Table = std::fs::read_to_string(guests.join("Cargo.toml")).unwrap().parse().unwrap();
    let members: BTreeSet<String> = manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    let listed: BTreeSet<String> = SCENARIOS
        .iter()
        .chain(HOSTILE)
        .chain(catalog::EXPLORED)
        .chain(catalog::SCHEDULED)
        .chain(catalog::FUZZED)
        .chain(catalog::BENCH_GUESTS)
        .map(|s| s.to_string())
        .chain(P1_GUESTS.iter().map(|g| format!("{g}-p1")))
        .chain(["support".to_string(), "fs-ops".to_string()])
        .collect();
    assert_eq!(members, listed, "guests/Cargo.toml members against the catalog's lists");
    for name in catalog::LIBRARIES.iter().chain(catalog::HANDLERS) {
        assert!(SCENARIOS.contains(name), "{name} is a catalog scenario too");
    }

    let scenarios = catalog::scenarios_dir();
    let mut files: Vec<(String, std::path::PathBuf)> = SCENARIOS.iter().map(|s| (s.to_string(), scenarios.join(format!("{s}.toml")))).collect();
    files.extend(HOSTILE.iter().map(|s| (s.to_string(), scenarios.join("hostile").join(format!("{s}.toml")))));
    files.extend(catalog::EXPLORED.iter().map(|s| (s.to_string(), scenarios.join("explore").join(format!("{s}.toml")))));
    files.extend(catalog::SCHEDULED.iter().map(|s| (s.to_string(), scenarios.join("schedule").join(format!("{s}.toml")))));
    files.extend(catalog::FUZZED.iter().map(|s| (s.to_string(), scenarios.join("fuzz").join(format!("{s}.toml")))));
    for (name, src) in C_GUESTS {
        assert!(guests.join("c").join(src).is_file(), "{name}: no guests/c/{src}");
        files.push((name.to_string(), scenarios.join(format!("{name}.toml"))));
    }
    for (name, src) in AS_GUESTS {
        assert!(guests.join("as/assembly").join(src).is_file(), "{name}: no guests/as/assembly/{src}");
        files.push((name.to_string(), scenarios.join(format!("{name}.toml"))));
    }
    for (name, module, _) in catalog::PY_GUESTS {
        assert!(guests.join("py").join(format!("{module}.py")).is_file(), "{name}: no guests/py/{module}.py");
        files.push((name.to_string(), scenarios.join(format!("{name}.toml"))));
    }
    for (name, module, _) in catalog::JS_GUESTS {
        assert!(guests.join("js").join(format!("{module}.js")).is_file(), "{name}: no guests/js/{module}.js");
        files.push((name.to_string(), scenarios.join(format!("{name}.toml"))));
    }
    for (name, file) in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{name}: {}: {e}", file.display()));
        assert!(text.contains(&format!("guest = \"{name}\"")), "{} runs another guest", file.display());
    }
    for dir in [scenarios.clone(), scenarios.join("hostile"), scenarios.join("explore"), scenarios.join("schedule"), scenarios.join("fuzz")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let table: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
                if let Some(guest) = table.get("guest").and_then(|g| g.as_str()) {
                    assert!(catalog::is_guest(guest), "{} names `{guest}`, which no catalog list has", path.display());
                }
            }
        }
    }
}
