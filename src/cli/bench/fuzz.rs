//! What guided search costs, on record-parser p2: a run with and without
//! coverage, and `fuzz`'s rate against `check`'s on every core, `check`
//! on its own harness and on the one `fuzz` uses.

use super::measure::{cores, interleaved, rotating};
use std::borrow::Cow;
use std::time::Instant;
use wasi_replay::fuzz::Config;
use wasi_replay::{World, catalog, coverage, fuzz};

/// µs per run of the original and the instrumented guest, taking turns,
/// on the harness `fuzz` uses; then `check` (each report rendered and
/// compared with the first) on `check`'s harness and on that one, a guided
/// search and an unguided one, each making `20 * runs` runs on every core,
/// in rounds where they take turns.
pub(super) fn fuzz(runs: usize) -> anyhow::Result<()> {
    let threads = cores();
    let checking = crate::cli::new_harness(threads)?;
    let harness = crate::cli::new_search_harness(threads)?;
    let path = catalog::component_path("record-parser", World::P2);
    let plain = harness.load(&path)?;
    let checked = checking.load(&path)?;
    let covered = harness.load_covered(&path)?;
    let dictionary = coverage::dictionary(&std::fs::read(&path)?)?;
    let scenario = catalog::scenario("record-parser")?;
    let mut configs: [Box<dyn FnMut() -> anyhow::Result<()> + '_>; 2] = [
        Box::new(|| harness.run(&plain, &scenario).map(drop).map_err(Into::into)),
        Box::new(|| harness.run_covered(&covered, &scenario).map(drop).map_err(Into::into)),
    ];
    let mut refs: Vec<&mut dyn FnMut() -> anyhow::Result<()>> = configs.iter_mut().map(|b| &mut **b as _).collect();
    let us = interleaved(&mut refs, runs)?;
    println!();
    println!("guided search, record-parser p2: µs per run, medians of {runs}, taking turns");
    println!("  without coverage {:>8.1}", us[0]);
    println!("  with coverage    {:>8.1}  ({:+.0} %)", us[1], (us[1] / us[0] - 1.0) * 100.0);

    let n = 20 * runs;
    let search = |guided: bool| Config { seed: 1, runs: n as u64, guided, corpus: Vec::new(), threads, fail_on: Vec::new(), fields: Vec::new(), signal: Default::default() };
    let one_way = |way: usize| -> anyhow::Result<f64> {
        let t = Instant::now();
        let check = |harness: &wasi_replay::Harness, guest: &wasi_replay::Guest| -> anyhow::Result<()> {
            let first = harness.run(guest, &scenario)?.to_yaml();
            harness.run_each(guest, n - 1, threads, |_| Cow::Borrowed(&scenario), |_, r| r.to_yaml() == first)?;
            Ok(())
        };
        match way {
            0 => check(&checking, &checked)?,
            1 => check(&harness, &plain)?,
            w => {
                fuzz::fuzz(&harness, &covered, &scenario, &dictionary, &search(w == 2))?;
            }
        }
        Ok(n as f64 / t.elapsed().as_secs_f64())
    };
    let rounds = 6;
    let [check, check_here, guided, unguided] = rotating::<4>(rounds, one_way)?;
    println!("  {n} runs each on {threads} threads, medians of {rounds} rounds (the search's rate counts its shrinking):");
    println!("  check:                     {check:>8.0} runs/s");
    println!("  check, on fuzz's harness:  {check_here:>8.0} runs/s");
    let share = |rate: f64| format!("{:.0} % of check, {:.0} % on fuzz's harness", 100.0 * rate / check, 100.0 * rate / check_here);
    println!("  fuzz (guided):             {guided:>8.0} runs/s  ({})", share(guided));
    println!("  fuzz --unguided:           {unguided:>8.0} runs/s  ({})", share(unguided));
    Ok(())
}
