//! The `wasi-replay` command. For now it runs the built-in catalog (the
//! demo); the full command surface comes with the CLI.

use std::process::ExitCode;
use std::time::Instant;
use wasi_replay::catalog;
use wasi_replay::harness::Harness;
use wasi_replay::report::World;

fn main() -> ExitCode {
    match demo() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Builds and runs the catalog in both worlds; prints one row per scenario.
fn demo() -> anyhow::Result<bool> {
    const RUNS: usize = 5;
    eprintln!("building the guest catalog for p2 and p3 ...");
    catalog::build_all()?;
    let harness = Harness::new()?;
    println!("{:<14} {:<9} {:<16} {:>9}", "scenario", "p2 = p3", "deterministic", "ms/run");
    let mut all_ok = true;
    for name in catalog::SCENARIOS {
        let scenario = catalog::scenario(name);
        let mut reports = Vec::new();
        let mut deterministic = true;
        let mut elapsed = 0.0;
        for world in [World::P2, World::P3] {
            let guest = harness.load(&catalog::component_path(name, world))?;
            let start = Instant::now();
            let first = harness.run(&guest, &scenario)?.to_yaml();
            for _ in 1..RUNS {
                deterministic &= harness.run(&guest, &scenario)?.to_yaml() == first;
            }
            elapsed += start.elapsed().as_secs_f64() * 1000.0 / RUNS as f64;
            reports.push(harness.run(&guest, &scenario)?.without_world());
        }
        let same = reports[0] == reports[1];
        all_ok &= same && deterministic;
        let yes = |b: bool| if b { "yes" } else { "NO" };
        println!("{:<14} {:<9} {:<16} {:>9.2}", name, yes(same), yes(deterministic), elapsed / 2.0);
    }
    Ok(all_ok)
}
