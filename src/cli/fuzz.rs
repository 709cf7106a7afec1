//! `fuzz`: guided search over a guest's inputs, its failures written out
//! as scenarios.

use super::{EXIT_OK, FaultArgs, InputArgs};
use std::path::{Path, PathBuf};
use wasi_replay::cli_support::MAX_CONCURRENT_RUNS;
use wasi_replay::fuzz::{self, Config};

/// What `fuzz` was asked, besides the inputs.
pub struct Options {
    pub runs: u64,
    pub search_seed: u64,
    pub corpus: Vec<PathBuf>,
    pub unguided: bool,
    pub emit: Option<PathBuf>,
    pub threads: Option<usize>,
    pub fail_on: Vec<String>,
    pub fields: Vec<fuzz::Field>,
    pub signal: fuzz::Signal,
}

pub fn fuzz(component: &Path, inputs: &InputArgs, faults: &FaultArgs, o: Options) -> anyhow::Result<u8> {
    let base = inputs.scenario(component)?.faults(faults.plan()?);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = o.threads.unwrap_or(cores).min(MAX_CONCURRENT_RUNS as usize);
    let harness = super::new_search_harness(threads)?;
    // The journal's shape alone needs no instrumentation.
    let guest = if o.signal == fuzz::Signal::Journal { harness.load(component)? } else { harness.load_covered(component)? };
    if o.signal != fuzz::Signal::Edges && guest.host() == wasi_replay::World::P1 {
        anyhow::bail!("{}: --signal {} needs a journal, and a p1 module keeps none", component.display(), if o.signal == fuzz::Signal::Journal { "journal" } else { "both" });
    }
    let bytes = std::fs::read(component)?;
    let dictionary = wasi_replay::coverage::dictionary(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", component.display()))?;
    let config = Config { seed: o.search_seed, runs: o.runs, guided: !o.unguided, corpus: o.corpus, threads, fail_on: o.fail_on, fields: o.fields, signal: o.signal };
    let start = std::time::Instant::now();
    let found = fuzz::fuzz(&harness, &guest, &base, &dictionary, &config)?;
    let elapsed = start.elapsed();
    eprintln!("{} runs in {:.2} s ({:.0} runs/s, shrinking included)", found.runs, elapsed.as_secs_f64(), found.runs as f64 / elapsed.as_secs_f64());
    print!("{}", found.show(guest.name()));
    if let Some(dir) = &o.emit {
        // Numbered as the table numbers them: the passing runs first.
        let first = 1 + usize::from(found.passing > 0);
        for (i, f) in found.findings.iter().enumerate() {
            let name = format!("{}-class-{}", guest.name().replace('_', "-"), first + i);
            let scenario = f.scenario(&base, &name);
            let at = dir.join(&name);
            super::run::emit_scenario(&harness, &scenario, component, &at)?;
        }
    }
    Ok(EXIT_OK)
}
