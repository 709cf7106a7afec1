//! The pooling allocator's reset knobs, compared in one process: a
//! harness per setting, their runs taking turns.

use super::measure::{cores, interleaved, median, reference};
use std::time::Instant;
use wasi_replay::cli_support::PoolTuning;
use wasi_replay::{Allocation, Harness, World, catalog};

/// The settings compared, each with a name; the first is the default.
/// "keep N" resets the first N bytes of each memory (and 64 KiB of each
/// table) in place and hands the rest back to the kernel; "scan" limits
/// the in-place reset to the pages PAGEMAP_SCAN reports written; "batch"
/// is how many slots' pages go back to the kernel in one flush.
fn settings() -> Vec<(String, PoolTuning)> {
    let default = PoolTuning::default();
    let mut all = vec![("default (keep 0, batch 16)".to_string(), default)];
    let handed_back = PoolTuning { keep_memory: 0, keep_tables: 0, pagemap_scan: false, ..default };
    for batch in [1, 4, 64] {
        all.push((format!("keep 0, batch {batch}"), PoolTuning { decommit_batch: batch, ..handed_back }));
    }
    for (keep, label) in [(256 << 10, "256K"), (1 << 20, "1M"), (2 << 20, "2M"), (4 << 20, "4M")] {
        for scan in [true, false] {
            let tuning = PoolTuning { keep_memory: keep, keep_tables: 64 << 10, pagemap_scan: scan, decommit_batch: 1, ..default };
            all.push((format!("keep {label}, scan {}", if scan { "on" } else { "off" }), tuning));
        }
    }
    all.push(("keep 4M, scan on, batch 16".to_string(), PoolTuning { keep_memory: 4 << 20, keep_tables: 64 << 10, pagemap_scan: true, ..default }));
    all.push(("default, stacks 64K".to_string(), PoolTuning { keep_stacks: 64 << 10, ..default }));
    all
}

/// µs per run of fs-tree p2 and p3 under each setting, the runs of all
/// settings taking turns, and `check`'s rate on every core.
pub(super) fn pool(runs: usize) -> anyhow::Result<()> {
    let cores = cores();
    let settings = settings();
    let harnesses: Vec<Harness> = settings
        .iter()
        .map(|(_, t)| Ok(crate::cli::with_cache(Harness::tuned(Allocation::Pooling { concurrent_runs: cores as u32 }, t)?)))
        .collect::<anyhow::Result<_>>()?;
    let mut table: Vec<Vec<f64>> = vec![Vec::new(); settings.len()];
    let mut reference_us = Vec::new();
    // fs-tree in both worlds, then the 18 MB Python guest (a run of about
    // 3 ms, so a twentieth of the samples).
    let columns = [("fs-tree", World::P2, runs), ("fs-tree", World::P3, runs), ("fs-tree-py", World::P2, (runs / 20).max(10))];
    for (name, world, samples) in columns {
        let scenario = catalog::scenario(name)?;
        let path = catalog::component_path(name, world);
        let guests = harnesses.iter().map(|h| h.load(&path)).collect::<Result<Vec<_>, _>>()?;
        let expected = harnesses[0].run(&guests[0], &scenario)?.to_yaml();
        for (h, g) in harnesses.iter().zip(&guests) {
            anyhow::ensure!(h.run(g, &scenario)?.to_yaml() == expected, "a pool setting changed the report of {name}");
        }
        let mut configs: Vec<Box<dyn FnMut() -> anyhow::Result<()> + '_>> = harnesses
            .iter()
            .zip(&guests)
            .map(|(h, g)| {
                let scenario = &scenario;
                Box::new(move || h.run(g, scenario).map(drop).map_err(Into::into)) as Box<dyn FnMut() -> anyhow::Result<()>>
            })
            .collect();
        configs.push(Box::new(|| Ok(reference())));
        let mut refs: Vec<&mut dyn FnMut() -> anyhow::Result<()>> = configs.iter_mut().map(|b| &mut **b as _).collect();
        let m = interleaved(&mut refs, samples)?;
        for (row, us) in table.iter_mut().zip(&m) {
            row.push(*us);
        }
        reference_us.push(m[m.len() - 1]);
    }
    // check's rate on every core, p2, the settings taking turns by round.
    // check's rate on every core, fs-tree p2 and the Python guest, the
    // settings taking turns by round.
    let check_rate = |name: &str, n: usize| -> anyhow::Result<Vec<f64>> {
        let scenario = catalog::scenario(name)?;
        let path = catalog::component_path(name, World::P2);
        let guests = harnesses.iter().map(|h| h.load(&path)).collect::<Result<Vec<_>, _>>()?;
        let mut rates = vec![Vec::new(); settings.len()];
        for round in 0..6 {
            for (i, (h, g)) in harnesses.iter().zip(&guests).enumerate() {
                let t = Instant::now();
                h.run_many(g, &scenario, n, cores)?;
                if round > 0 {
                    rates[i].push(n as f64 / t.elapsed().as_secs_f64());
                }
            }
        }
        Ok(rates.iter_mut().map(|r| median(r)).collect())
    };
    let tree_rates = check_rate("fs-tree", runs)?;
    let py_rates = check_rate("fs-tree-py", columns[2].2 * 4)?;
    println!();
    println!(
        "pool reset settings, pooled: µs per run (medians of {runs}, fs-tree-py of {}, all settings taking turns) and check's rate on {cores} threads (p2, medians of 5 rounds)",
        columns[2].2
    );
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11}",
        "setting", "p2 µs", "p2 loops", "p3 µs", "p3 loops", "py µs", "check/s", "py check/s"
    );
    for (i, ((name, _), row)) in settings.iter().zip(&table).enumerate() {
        println!(
            "{name:<26} {:>9.1} {:>9.2} {:>9.1} {:>9.2} {:>9.0} {:>11.0} {:>11.0}",
            row[0],
            row[0] / reference_us[0],
            row[1],
            row[1] / reference_us[1],
            row[2],
            tree_rates[i],
            py_rates[i]
        );
    }
    println!(
        "reference loop: {:.1} µs (p2 blocks), {:.1} µs (p3 blocks), {:.1} µs (Python blocks)",
        reference_us[0], reference_us[1], reference_us[2]
    );
    Ok(())
}
