//! `check`'s rate on one thread against one per core.

use super::measure::{cores, median, reference};
use std::time::Instant;
use wasi_replay::catalog;
use wasi_replay::World;

/// Target 3: `check`'s rate (runs over the time the runs took, as `check`
/// reports it) on one thread and on one per core, in alternating rounds;
/// every round's reports are also checked to be identical. The same
/// rounds time [`reference`] the same way, as the most the cores give.
pub(super) fn threads(runs: usize) -> anyhow::Result<()> {
    let cores = cores();
    let harness = crate::cli::new_harness(cores)?;
    let guest = harness.load(&catalog::component_path("fs-tree", World::P2))?;
    let scenario = catalog::scenario("fs-tree")?;
    let rounds = 11;
    let (mut one, mut all, mut ref_one, mut ref_all) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        for (threads, rates, ref_rates) in [(1, &mut one, &mut ref_one), (cores, &mut all, &mut ref_all)] {
            let t = Instant::now();
            let reports = harness.run_many(&guest, &scenario, runs, threads)?;
            let rate = runs as f64 / t.elapsed().as_secs_f64();
            let first = reports[0].to_yaml();
            anyhow::ensure!(reports.iter().all(|r| r.to_yaml() == first), "runs differ");
            let t = Instant::now();
            std::thread::scope(|s| {
                for k in 0..threads {
                    s.spawn(move || (k..runs).step_by(threads).for_each(|_| reference()));
                }
            });
            let ref_rate = runs as f64 / t.elapsed().as_secs_f64();
            // Round 0 only warms up.
            if round > 0 {
                rates.push(rate);
                ref_rates.push(ref_rate);
            }
        }
    }
    let (one, all) = (median(&mut one), median(&mut all));
    let (ref_one, ref_all) = (median(&mut ref_one), median(&mut ref_all));
    println!();
    println!("check of fs-tree p2, {runs} runs, {rounds} rounds");
    println!("  1 thread:  {one:>8.0} runs/s");
    println!("  {cores} threads: {all:>8.0} runs/s ({:.2}x)", all / one);
    println!(
        "  reference loop, {runs} calls: {ref_one:.0} calls/s on 1 thread, {ref_all:.0} on {cores} ({:.2}x)",
        ref_all / ref_one
    );
    Ok(())
}


/// The Python and JavaScript catalog guests' rates in `check`, on one
/// thread and on one per core, in alternating rounds.
pub(super) fn languages(runs: usize) -> anyhow::Result<()> {
    let cores = cores();
    let harness = crate::cli::new_harness(cores)?;
    println!();
    println!("check of the foreign catalog guests, {runs} runs a round, medians of 5 rounds");
    for name in ["fs-tree-py", "cli-fetch-js"] {
        let guest = harness.load(&catalog::component_path(name, World::P2))?;
        let scenario = catalog::scenario(name)?;
        let (mut one, mut all) = (Vec::new(), Vec::new());
        for round in 0..=5 {
            for (threads, rates) in [(1, &mut one), (cores, &mut all)] {
                let t = Instant::now();
                harness.run_many(&guest, &scenario, runs, threads)?;
                if round > 0 {
                    rates.push(runs as f64 / t.elapsed().as_secs_f64());
                }
            }
        }
        let (one, all) = (median(&mut one), median(&mut all));
        println!("  {name:<13} 1 thread: {one:>7.0} runs/s   {cores} threads: {all:>7.0} runs/s ({:.2}x)", all / one);
    }
    copy_on_write(runs.clamp(5, 100))
}

/// The Python guest's instantiation with its initial memory mapped
/// copy-on-write (the default) and copied in from its data segments, the
/// two taking turns: a copy would cost the second figure on every run.
fn copy_on_write(runs: usize) -> anyhow::Result<()> {
    use wasi_replay::cli_support::PoolTuning;
    let path = catalog::component_path("fs-tree-py", World::P2);
    let scenario = catalog::scenario("fs-tree-py")?;
    let pooling = wasi_replay::Allocation::Pooling { concurrent_runs: 1 };
    let mapped = crate::cli::with_cache(wasi_replay::Harness::tuned(pooling, &PoolTuning::default())?);
    let copied = crate::cli::with_cache(wasi_replay::Harness::tuned(pooling, &PoolTuning { copy_on_write: false, ..PoolTuning::default() })?);
    let guests = [mapped.load(&path)?, copied.load(&path)?];
    let mut samples = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for round in 0..=runs {
        for (i, (h, g)) in [&mapped, &copied].into_iter().zip(&guests).enumerate() {
            let (_, phases) = h.run_phased(g, &scenario)?;
            if round > 0 {
                samples[2 * i].push(super::measure::micros(phases.instantiate));
                samples[2 * i + 1].push(super::measure::micros(phases.reset));
            }
        }
    }
    let [a, b, c, d] = samples.each_mut().map(|s| median(s));
    println!(
        "  fs-tree-py instantiation: {a:.0} µs copy-on-write (reset {b:.0} µs), {c:.0} µs with the data segments copied in (reset {d:.0} µs); medians of {runs}"
    );
    Ok(())
}
