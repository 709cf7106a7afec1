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

