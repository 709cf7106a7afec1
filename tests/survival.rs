//! Survival: the whole hostile catalog, in both worlds, in one process,
//! three times over. Afterwards a normal guest still gives its committed
//! golden and the process's resident memory is back within 10% of where
//! it started. This is its own test binary so that no other test shares
//! the process whose memory it measures.

use wasi_replay::{catalog, Harness, World};

use wasi_replay::catalog::HOSTILE;

/// Resident set size in bytes, from /proc/self/statm.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).expect("rss field");
    pages * 4096
}

/// The committed golden of a catalog scenario in `world`.
fn golden(name: &str, world: World) -> String {
    let scenario = catalog::scenarios_dir().join(catalog::scenario_file(name));
    let golden = catalog::suite().golden(&scenario, world.as_str());
    golden.read().unwrap().unwrap_or_else(|| panic!("no golden at {}", golden.path.display()))
}

#[test]
fn the_harness_survives_the_hostile_catalog() {
    catalog::build_all().unwrap_or_else(|e| panic!("{e}"));
    let harness = Harness::new().unwrap();
    let normal = harness.load(&catalog::component_path("fs-tree", World::P2)).unwrap();
    let normal_scenario = catalog::scenario("fs-tree").unwrap();
    let hostile: Vec<_> = HOSTILE
        .iter()
        .flat_map(|name| [World::P2, World::P3].map(|w| (*name, w)))
        .map(|(name, w)| {
            let guest = harness.load(&catalog::component_path(name, w)).unwrap();
            (guest, catalog::scenario(name).unwrap())
        })
        .collect();

    // Warm up once, so lazily built state is part of the baseline.
    harness.run(&normal, &normal_scenario).unwrap();
    for (guest, scenario) in &hostile {
        harness.run(guest, scenario).unwrap();
    }
    let before = rss();

    for _ in 0..3 {
        for (guest, scenario) in &hostile {
            harness.run(guest, scenario).unwrap();
        }
    }
    let report = harness.run(&normal, &normal_scenario).unwrap();
    let after = rss();

    assert_eq!(report.to_yaml().trim_end(), golden("fs-tree", World::P2).trim_end());
    let growth = after as f64 / before as f64;
    eprintln!("rss before {} KiB, after {} KiB ({:+.1}%)", before / 1024, after / 1024, (growth - 1.0) * 100.0);
    assert!(growth <= 1.10, "resident memory grew from {before} to {after} bytes");
}
