//! `check`: many runs spread over every core, all byte-identical.

use super::{EXIT_MISMATCH, EXIT_OK, InputArgs};
use std::path::Path;
use wasi_replay::harness::MAX_CONCURRENT_RUNS;

pub fn check(component: &Path, runs: usize, threads: Option<usize>, inputs: &InputArgs) -> anyhow::Result<u8> {
    let scenario = inputs.scenario(component)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = threads.unwrap_or(cores).min(runs).min(MAX_CONCURRENT_RUNS as usize);
    let harness = super::new_harness(threads)?;
    let guest = harness.load_on(component, inputs.world())?;
    let start = std::time::Instant::now();
    let reports = harness.run_many(&guest, &scenario, runs, threads)?;
    let elapsed = start.elapsed();
    let first = &reports[0];
    let first_text = inputs.render(first);
    for (i, r) in reports.iter().enumerate().skip(1) {
        if inputs.render(r) != first_text {
            let (field, a, b) = first.first_difference(r).unwrap_or_else(|| ("report".into(), first_text.clone(), inputs.render(r)));
            print!("{}", wasi_replay::journal::heading(first.divergence(r)));
            println!("run 1 and run {} differ at `{field}`:", i + 1);
            println!("run 1:\n{}", indent(&a));
            println!("run {}:\n{}", i + 1, indent(&b));
            return Ok(EXIT_MISMATCH);
        }
    }
    eprintln!(
        "{runs} runs on {threads} thread{}: all byte-identical ({:.1} runs/s)",
        if threads == 1 { "" } else { "s" },
        runs as f64 / elapsed.as_secs_f64()
    );
    Ok(EXIT_OK)
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
