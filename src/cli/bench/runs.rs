//! µs per run on each backend, pooled and on demand; each sample is a
//! child process of its own.

use super::measure::{interleaved, median, min_max, reference, REFERENCE_LEN};
use std::process::{Command, Stdio};
use wasi_replay::{catalog, Harness, World};
use wasi_replay::host::Backend;

/// Processes the per-run table is measured in, one after another. The
/// 2-core VM runs in phases of seconds to minutes: in one phase a loop of
/// fs-tree runs takes about 95 µs per run, in another about 150 µs, and
/// [`reference`] slows down with it. So each process is one sample spread
/// over time, the table shows the median across them, and the reference
/// loop, timed in the same blocks, shows which phases they met.
pub(super) const RUN_PROCESSES: usize = 5;

/// Target 1 and 2: µs per run on the direct and bridge backends from a
/// pooled harness, and on the direct backend from an on-demand one, each
/// measured side by side in [`RUN_PROCESSES`] child processes.
pub(super) fn per_run(scenarios: &[String], runs: usize) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut samples: Vec<Vec<[f64; 4]>> = Vec::new();
    for _ in 0..RUN_PROCESSES {
        let mut child = Command::new(&exe);
        match crate::cli::cache_dir() {
            Some(dir) => child.arg("--cache-dir").arg(dir),
            None => child.arg("--no-cache"),
        };
        let out = child
            .arg("bench")
            .args(scenarios)
            .args(["--runs", &runs.to_string(), "--only", "runs", "--child"])
            .stderr(Stdio::inherit())
            .output()?;
        anyhow::ensure!(out.status.success(), "the per-run benchmark process failed: {}", out.status);
        let rows = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|line| {
                let m: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
                <[f64; 4]>::try_from(m).map_err(|_| anyhow::anyhow!("unreadable benchmark line `{line}`"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        samples.push(rows);
    }
    println!();
    println!(
        "µs per run, one thread: medians over {RUN_PROCESSES} processes of each one's median \
         ({runs} runs each; fs-bulk {} runs)",
        bulk_runs(runs)
    );
    println!(
        "{:<14} {:<5} {:>10} {:>15} {:>10} {:>8} {:>10} {:>8}",
        "scenario", "world", "direct", "(processes", "bridge", "bridge/", "direct", "on-dem./"
    );
    println!(
        "{:<14} {:<5} {:>10} {:>15} {:>10} {:>8} {:>10} {:>8}",
        "", "", "pooled", "min-max)", "pooled", "direct", "on-demand", "pooled"
    );
    let rows = scenarios.iter().flat_map(|name| [World::P2, World::P3].map(|world| (name, world)));
    for (i, (name, world)) in rows.enumerate() {
        let column = |f: &dyn Fn(&[f64; 4]) -> f64| {
            let mut v: Vec<f64> = samples.iter().map(|rows| f(&rows[i])).collect();
            median(&mut v)
        };
        let direct: Vec<f64> = samples.iter().map(|rows| rows[i][0]).collect();
        let (lo, hi) = min_max(&direct);
        println!(
            "{:<14} {:<5} {:>10.1} {:>15} {:>10.1} {:>7.1}x {:>10.1} {:>7.2}x",
            name,
            world,
            column(&|m| m[0]),
            format!("{lo:.0}-{hi:.0}"),
            column(&|m| m[1]),
            column(&|m| m[1] / m[0]),
            column(&|m| m[2]),
            column(&|m| m[2] / m[0]),
        );
    }
    // Each process's reference time: the median over its rows.
    let mut reference: Vec<f64> = samples
        .iter()
        .map(|rows| median(&mut rows.iter().map(|m| m[3]).collect::<Vec<_>>()))
        .collect();
    let (lo, hi) = min_max(&reference);
    println!(
        "reference loop (sorting {REFERENCE_LEN} numbers, timed in the same blocks): {:.1} µs \
         (processes {lo:.1}-{hi:.1})",
        median(&mut reference)
    );
    Ok(())
}

/// One process's sample for [`per_run`]: a line per scenario and world
/// (in that order) with the median µs of direct pooled, bridge pooled and
/// direct on-demand runs and of [`reference`], which take turns in blocks.
pub(super) fn per_run_child(scenarios: &[String], runs: usize) -> anyhow::Result<()> {
    let pooled = crate::cli::new_harness(1)?;
    let on_demand = crate::cli::with_cache(Harness::new()?);
    for name in scenarios {
        let n = if name == "fs-bulk" { bulk_runs(runs) } else { runs };
        for world in [World::P2, World::P3] {
            let path = catalog::component_path(name, world);
            let (guest, guest_od) = (pooled.load(&path)?, on_demand.load(&path)?);
            let direct = catalog::scenario(name)?.backend(Backend::Direct);
            let bridge = catalog::scenario(name)?.backend(Backend::Bridge);
            let m = interleaved(
                &mut [
                    &mut || pooled.run(&guest, &direct).map(drop).map_err(Into::into),
                    &mut || pooled.run(&guest, &bridge).map(drop).map_err(Into::into),
                    &mut || on_demand.run(&guest_od, &direct).map(drop).map_err(Into::into),
                    &mut || Ok(reference()),
                ],
                n,
            )?;
            println!("{name} {world} {} {} {} {}", m[0], m[1], m[2], m[3]);
        }
    }
    Ok(())
}

pub(super) fn bulk_runs(runs: usize) -> usize {
    (runs / 64).max(3)
}

