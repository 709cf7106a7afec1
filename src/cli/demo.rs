//! `demo`: build the catalog, run it in both worlds, one row per scenario.

use super::style::{color_stdout, paint};
use super::{EXIT_MISMATCH, EXIT_OK};
use std::time::Instant;
use wasi_replay::catalog;
use wasi_replay::World;

/// Runs per scenario and world for the determinism column.
const RUNS: usize = 5;

pub fn demo() -> anyhow::Result<u8> {
    catalog::build_all_with(catalog::Progress::Shown)?;
    let harness = super::new_harness(1)?;
    let color = color_stdout();
    println!("{:<14} {:<9} {:<15} {:>8}", "scenario", "p2 = p3", "deterministic", "ms/run");
    let mut all_ok = true;
    for name in catalog::SCENARIOS {
        let scenario = catalog::scenario(name)?;
        let mut reports = Vec::new();
        let mut deterministic = true;
        let mut ms = 0.0;
        for world in [World::P2, World::P3] {
            let guest = harness.load(&catalog::component_path(name, world))?;
            let start = Instant::now();
            let first = harness.run(&guest, &scenario)?;
            for _ in 1..RUNS {
                deterministic &= harness.run(&guest, &scenario)?.to_yaml() == first.to_yaml();
            }
            ms += start.elapsed().as_secs_f64() * 1000.0 / RUNS as f64;
            reports.push(first.without_world());
        }
        let same = reports[0] == reports[1];
        all_ok &= same && deterministic;
        let yes = |b: bool| paint(&format!("{:<w$}", if b { "yes" } else { "NO" }, w = 3), b, color);
        println!("{:<14} {}       {}             {:>8.2}", name, yes(same), yes(deterministic), ms / 2.0);
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_MISMATCH })
}
