//! `bench`: in-process run times of catalog scenarios, per world and
//! backend, as medians over repeated runs. Numbers, never assertions.

use std::time::Instant;
use wasi_replay::catalog;
use wasi_replay::host::Backend;
use wasi_replay::report::World;

pub fn bench(scenarios: &[String], runs: usize) -> anyhow::Result<u8> {
    catalog::build_all()?;
    let harness = super::new_harness()?;
    let profile = if cfg!(debug_assertions) { "dev (dependencies at opt-level 2)" } else { "release" };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{runs} runs each, one thread, build profile {profile}, {cores} cores");
    println!("{:<14} {:<5} {:>14} {:>14} {:>8}", "scenario", "world", "direct µs/run", "bridge µs/run", "ratio");
    for name in scenarios {
        for world in [World::P2, World::P3] {
            let guest = harness.load(&catalog::component_path(name, world))?;
            let mut medians = Vec::new();
            for backend in [Backend::Direct, Backend::Bridge] {
                let scenario = catalog::scenario(name)?.backend(backend);
                for _ in 0..runs.min(10) {
                    harness.run(&guest, &scenario)?;
                }
                let mut times: Vec<f64> = (0..runs)
                    .map(|_| {
                        let t = Instant::now();
                        harness.run(&guest, &scenario).map(|_| t.elapsed().as_secs_f64() * 1e6)
                    })
                    .collect::<Result<_, _>>()?;
                times.sort_by(f64::total_cmp);
                medians.push(times[times.len() / 2]);
            }
            println!(
                "{:<14} {:<5} {:>14.1} {:>14.1} {:>7.1}x",
                name,
                world,
                medians[0],
                medians[1],
                medians[1] / medians[0]
            );
        }
    }
    Ok(super::EXIT_OK)
}
