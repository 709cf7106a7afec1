//! What schedules cost: race-counter p3 per run without a schedule, with
//! `default`, with every decision taking the first held operation, and
//! with `pct:2`; then explore over seeds without and with `pct:2`.

use super::measure::{cores, interleaved, median, reference};
use std::time::Instant;
use wasi_replay::explore::Config;
use wasi_replay::schedule::Strategy;
use wasi_replay::{World, catalog, explore};

/// µs per run of each schedule, the runs taking turns, and explore's
/// rate over seeds on every core without and with `pct:2`, in
/// alternating rounds.
pub(super) fn schedules(runs: usize) -> anyhow::Result<()> {
    let threads = cores();
    let harness = crate::cli::new_harness(threads)?;
    let guest = harness.load(&catalog::component_path("race-counter", World::P3))?;
    let base = catalog::scenario("race-counter")?;
    let strategies = ["none", "default", "replay:-", "pct:2"];
    let scenarios: Vec<_> = strategies
        .iter()
        .map(|s| match *s {
            "none" => Ok(base.clone()),
            s => Ok(base.clone().schedule(s.parse::<Strategy>().map_err(anyhow::Error::msg)?)),
        })
        .collect::<anyhow::Result<_>>()?;
    let mut configs: Vec<Box<dyn FnMut() -> anyhow::Result<()> + '_>> = scenarios
        .iter()
        .map(|s| Box::new(|| harness.run(&guest, s).map(drop).map_err(Into::into)) as Box<dyn FnMut() -> anyhow::Result<()>>)
        .collect();
    configs.push(Box::new(|| Ok(reference())));
    let mut refs: Vec<&mut dyn FnMut() -> anyhow::Result<()>> = configs.iter_mut().map(|b| &mut **b as _).collect();
    let us = interleaved(&mut refs, runs)?;
    println!();
    println!("schedules, race-counter p3: µs per run, medians of {runs}, all taking turns");
    for (name, t) in strategies.iter().zip(&us) {
        println!("  {name:<10} {t:>8.1}");
    }
    println!("  reference loop {:.1} µs", us[us.len() - 1]);

    let seeds = (20 * runs) as u64;
    let config = Config { seeds: 0..seeds, faults: 0, kinds: Vec::new(), partition: None, threads };
    let pct = base.clone().schedule(Strategy::Pct { depth: 2, seed: None });
    let (mut plain, mut scheduled) = (Vec::new(), Vec::new());
    for round in 0..=6 {
        for (scenario, rates) in [(&base, &mut plain), (&pct, &mut scheduled)] {
            let t = Instant::now();
            explore::explore(&harness, &guest, scenario, &config)?;
            if round > 0 {
                rates.push(seeds as f64 / t.elapsed().as_secs_f64());
            }
        }
    }
    let (plain, scheduled) = (median(&mut plain), median(&mut scheduled));
    println!(
        "explore of race-counter p3 over seeds 0..{seeds}, {threads} threads: {plain:.0} runs/s plain, {scheduled:.0} runs/s with pct:2 ({:.0}%)",
        100.0 * scheduled / plain
    );
    Ok(())
}
