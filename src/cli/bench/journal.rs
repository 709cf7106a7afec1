//! What a journal costs: µs per run without and with one, side by side in
//! one process, and its size in the report's YAML.

use super::measure::{interleaved, reference};
use wasi_replay::{catalog, RunReport, World};

/// Each scenario in both worlds: the median µs of runs without a journal
/// and with one, then the same with the report written as YAML (as a test
/// writes it), the ratios, the journal's entries, and the YAML bytes each
/// entry adds to the report.
pub(super) fn journal(scenarios: &[String], runs: usize) -> anyhow::Result<()> {
    let harness = crate::cli::new_harness(1)?;
    println!();
    println!("journal cost, one thread: median µs per run, and per run with its report written as YAML ({runs} runs each)");
    println!(
        "{:<14} {:<5} {:>9} {:>9} {:>7} {:>10} {:>10} {:>7} {:>8} {:>11}",
        "scenario", "world", "run off", "run on", "on/off", "+yaml off", "+yaml on", "on/off", "entries", "bytes/entry"
    );
    for name in scenarios {
        let n = if name == "fs-bulk" { super::runs::bulk_runs(runs) } else { runs };
        for world in [World::P2, World::P3] {
            let guest = harness.load(&catalog::component_path(name, world))?;
            let off = catalog::scenario(name)?;
            let on = off.clone().journal(true);
            let m = interleaved(
                &mut [
                    &mut || Ok(drop(harness.run(&guest, &off)?)),
                    &mut || Ok(drop(harness.run(&guest, &on)?)),
                    &mut || Ok(drop(harness.run(&guest, &off)?.to_yaml())),
                    &mut || Ok(drop(harness.run(&guest, &on)?.to_yaml())),
                    &mut || Ok(reference()),
                ],
                n,
            )?;
            let report = harness.run(&guest, &on)?;
            let entries = report.journal.as_ref().map_or(0, Vec::len);
            let without = RunReport { journal: None, ..report.clone() }.to_yaml().len();
            let per_entry = (report.to_yaml().len() - without) as f64 / entries.max(1) as f64;
            println!(
                "{:<14} {:<5} {:>9.1} {:>9.1} {:>6.2}x {:>10.1} {:>10.1} {:>6.2}x {:>8} {:>11.1}",
                name,
                world,
                m[0],
                m[1],
                m[1] / m[0],
                m[2],
                m[3],
                m[3] / m[2],
                entries,
                per_entry
            );
        }
    }
    Ok(())
}
