//! `check`: many runs spread over every core, all byte-identical.

use super::{EXIT_MISMATCH, EXIT_OK, InputArgs};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn check(component: &Path, runs: usize, inputs: &InputArgs) -> anyhow::Result<u8> {
    let scenario = inputs.scenario(component)?;
    let harness = super::new_harness()?;
    let guest = harness.load_on(component, inputs.world())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(runs);
    let next = AtomicUsize::new(0);
    let start = std::time::Instant::now();
    // Each worker takes the next run index until all are done; every run has
    // its own paused runtime, so runs never share a clock.
    let mut reports: Vec<(usize, wasi_replay::report::RunReport)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= runs {
                            return Ok::<_, anyhow::Error>(mine);
                        }
                        mine.push((i, harness.run(&guest, &scenario)?));
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.join().expect("worker panicked")?);
        }
        Ok::<_, anyhow::Error>(all)
    })?;
    reports.sort_by_key(|(i, _)| *i);
    let elapsed = start.elapsed();
    let first = &reports[0].1;
    let first_text = inputs.render(first);
    for (i, r) in &reports[1..] {
        if inputs.render(r) != first_text {
            let (field, a, b) = first.first_difference(r).unwrap_or_else(|| ("report".into(), first_text.clone(), inputs.render(r)));
            println!("run 1 and run {} differ at `{field}`:", i + 1);
            println!("run 1:\n{}", indent(&a));
            println!("run {}:\n{}", i + 1, indent(&b));
            return Ok(EXIT_MISMATCH);
        }
    }
    eprintln!(
        "{runs} runs on {threads} threads: all byte-identical ({:.1} runs/s)",
        runs as f64 / elapsed.as_secs_f64()
    );
    Ok(EXIT_OK)
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
