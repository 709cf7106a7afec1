//! Explore's rate against plain runs and `check`, on fs-tree p2.

use super::measure::{cores, rotating};
use std::borrow::Cow;
use std::sync::Mutex;
use std::time::Instant;
use wasi_replay::{catalog, explore, World};
use wasi_replay::explore::Config;

/// Runs/s of four ways to make `runs` runs of fs-tree p2 on every core,
/// in rounds where they take turns in a rotating order: plain runs of the one scenario, plain runs over
/// seeds `0..runs` (a scenario per seed, as explore makes), both with
/// their reports dropped; `check` (each report rendered and compared with
/// the first); and `explore` over the same seeds (each report hashed into
/// its class). Explore's overhead is its time over each plain rate's.
pub(super) fn explore(runs: usize) -> anyhow::Result<()> {
    let threads = cores();
    let harness = crate::cli::new_harness(threads)?;
    let guest = harness.load(&catalog::component_path("fs-tree", World::P2))?;
    let scenario = catalog::scenario("fs-tree")?;
    let config = Config { seeds: 0..runs as u64, faults: 0, kinds: Vec::new(), partition: None, threads };
    let rounds = 16;
    // The ways, in order: one scenario, one per seed, check, explore.
    let one_way = |way: usize| -> anyhow::Result<f64> {
        let t = Instant::now();
        match way {
            0 => harness.run_each(&guest, runs, threads, |_| Cow::Borrowed(&scenario), |_, r| {
                drop(r);
                true
            })?,
            1 => harness.run_each(&guest, runs, threads, |i| Cow::Owned(scenario.clone().seed(i as u64)), |_, r| {
                drop(r);
                true
            })?,
            2 => {
                let first = harness.run(&guest, &scenario)?.to_yaml();
                let differ = Mutex::new(false);
                harness.run_each(&guest, runs - 1, threads, |_| Cow::Borrowed(&scenario), |_, r| {
                    let same = r.to_yaml() == first;
                    if !same {
                        *differ.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    }
                    same
                })?;
                anyhow::ensure!(!differ.into_inner().unwrap_or_else(|e| e.into_inner()), "check: runs differ");
            }
            _ => {
                let found = explore::explore(&harness, &guest, &scenario, &config)?;
                anyhow::ensure!(found.classes.len() == 1, "explore: fs-tree gave {} classes", found.classes.len());
            }
        }
        Ok(runs as f64 / t.elapsed().as_secs_f64())
    };
    let [same, plain, check, explored] = rotating::<4>(rounds, one_way)?;
    let report = harness.run(&guest, &scenario)?;
    let t = Instant::now();
    for _ in 0..10_000 {
        std::hint::black_box(explore::class_of(std::hint::black_box(&report)));
    }
    let class_us = t.elapsed().as_secs_f64() * 1e6 / 10_000.0;
    let t = Instant::now();
    for i in 0..10_000 {
        std::hint::black_box(config.scenario_for(&scenario, i));
    }
    let scenario_us = t.elapsed().as_secs_f64() * 1e6 / 10_000.0;
    let over = |base: f64| (base / explored - 1.0) * 100.0;
    println!();
    println!("explore of fs-tree p2, seeds 0..{runs}, {threads} threads, {rounds} rounds");
    println!("  plain runs, one scenario: {same:>8.0} runs/s");
    println!("  plain runs, one per seed: {plain:>8.0} runs/s");
    println!("  check:                    {check:>8.0} runs/s");
    println!("  explore:                  {explored:>8.0} runs/s");
    println!("  per run, on one thread: {class_us:.2} µs to class a report, {scenario_us:.2} µs to make a seed's scenario");
    println!("  explore's overhead: {:+.1} % over plain runs of one scenario, {:+.1} % over one per seed", over(same), over(plain));
    Ok(())
}
