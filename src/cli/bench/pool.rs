//! The pooling allocator's reset knobs, compared in one process: a
//! harness per setting, their runs taking turns.

use super::measure::{cores, interleaved, median, reference};
use std::time::Instant;
use wasi_replay::cli_support::{POOL_KEEP_MEMORY, POOL_KEEP_TABLES, PoolTuning};
use wasi_replay::{Allocation, Harness, World, catalog};

/// The settings compared, each with a name; the first is the default.
fn settings() -> Vec<(String, PoolTuning)> {
    let default = PoolTuning::default();
    let mut all = vec![("default".to_string(), default)];
    for (keep, label) in [(0, "0"), (256 << 10, "256K"), (1 << 20, "1M"), (2 << 20, "2M"), (POOL_KEEP_MEMORY, "4M")] {
        for scan in [true, false] {
            if keep == 0 && scan {
                continue; // nothing is kept, so nothing is scanned
            }
            let tables = if keep == 0 { 0 } else { POOL_KEEP_TABLES };
            let tuning = PoolTuning { keep_memory: keep, keep_tables: tables, pagemap_scan: scan, ..default };
            if tuning != default {
                all.push((format!("keep {label}, scan {}", if scan { "on" } else { "off" }), tuning));
            }
        }
    }
    all.push(("keep 0, batch 16".to_string(), PoolTuning { keep_memory: 0, keep_tables: 0, pagemap_scan: false, decommit_batch: 16, ..default }));
    all.push(("default, stacks 64K".to_string(), PoolTuning { keep_stacks: 64 << 10, ..default }));
    all
}

/// µs per run of fs-tree p2 and p3 under each setting, the runs of all
/// settings taking turns, and `check`'s rate on every core.
pub(super) fn pool(runs: usize) -> anyhow::Result<()> {
    let cores = cores();
    let settings = settings();
    let scenario = catalog::scenario("fs-tree")?;
    let harnesses: Vec<Harness> = settings
        .iter()
        .map(|(_, t)| Ok(crate::cli::with_cache(Harness::tuned(Allocation::Pooling { concurrent_runs: cores as u32 }, t)?)))
        .collect::<anyhow::Result<_>>()?;
    let mut table: Vec<Vec<f64>> = vec![Vec::new(); settings.len()];
    let mut reference_us = Vec::new();
    for world in [World::P2, World::P3] {
        let path = catalog::component_path("fs-tree", world);
        let guests = harnesses.iter().map(|h| h.load(&path)).collect::<Result<Vec<_>, _>>()?;
        let expected = harnesses[0].run(&guests[0], &scenario)?.to_yaml();
        for (h, g) in harnesses.iter().zip(&guests) {
            anyhow::ensure!(h.run(g, &scenario)?.to_yaml() == expected, "a pool setting changed the report");
        }
        let mut configs: Vec<Box<dyn FnMut() -> anyhow::Result<()> + '_>> = harnesses
            .iter()
            .zip(&guests)
            .map(|(h, g)| Box::new(|| h.run(g, &scenario).map(drop).map_err(Into::into)) as Box<dyn FnMut() -> anyhow::Result<()>>)
            .collect();
        configs.push(Box::new(|| Ok(reference())));
        let mut refs: Vec<&mut dyn FnMut() -> anyhow::Result<()>> = configs.iter_mut().map(|b| &mut **b as _).collect();
        let m = interleaved(&mut refs, runs)?;
        for (row, us) in table.iter_mut().zip(&m) {
            row.push(*us);
        }
        reference_us.push(m[m.len() - 1]);
    }
    // check's rate on every core, p2, the settings taking turns by round.
    let guests = harnesses.iter().map(|h| h.load(&catalog::component_path("fs-tree", World::P2))).collect::<Result<Vec<_>, _>>()?;
    let mut rates = vec![Vec::new(); settings.len()];
    for round in 0..6 {
        for (i, (h, g)) in harnesses.iter().zip(&guests).enumerate() {
            let t = Instant::now();
            h.run_many(g, &scenario, runs, cores)?;
            if round > 0 {
                rates[i].push(runs as f64 / t.elapsed().as_secs_f64());
            }
        }
    }
    println!();
    println!("pool reset settings, fs-tree, pooled: µs per run (medians of {runs}, all settings taking turns) and check's rate on {cores} threads");
    println!("{:<22} {:>9} {:>9} {:>9} {:>9} {:>12}", "setting", "p2 µs", "p2 loops", "p3 µs", "p3 loops", "check runs/s");
    for ((name, _), (row, r)) in settings.iter().zip(table.iter().zip(&mut rates)) {
        println!(
            "{name:<22} {:>9.1} {:>9.2} {:>9.1} {:>9.2} {:>12.0}",
            row[0],
            row[0] / reference_us[0],
            row[1],
            row[1] / reference_us[1],
            median(r)
        );
    }
    println!("reference loop: {:.1} µs (p2 blocks), {:.1} µs (p3 blocks)", reference_us[0], reference_us[1]);
    Ok(())
}
