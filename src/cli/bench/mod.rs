//! `bench`: how fast the harness is, as medians over repeated runs. Every
//! ratio compares numbers taken side by side in this one process, with the
//! runs of the things compared interleaved. Numbers, never assertions.
//!
//! One file per part: `runs.rs` (µs per run, each sample in a child
//! process), `breakdown.rs` (one run step by step, against `floor.rs`, the
//! same component in a plain wasmtime embedding), `journal.rs` (a journal's cost), `tree.rs`, `threads.rs`, `explore.rs` (explore against plain runs and check), `schedule.rs` (what schedules cost), `fuzz.rs` (what guided search costs), `process.rs` (a `run` process, and
//! compiling), `memory.rs`; `measure.rs` holds the timing helpers they share.

mod breakdown;
mod explore;
mod floor;
mod fuzz;
mod journal;
mod measure;
mod memory;
mod pool;
mod process;
mod runs;
mod schedule;
mod threads;
mod tree;

use wasi_replay::catalog;

/// The parts of the benchmark, in the order they run.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// RSS of a MemFs holding 100,000 files of 100 bytes (runs first, while
    /// the process is still small).
    Memory,
    /// µs per run: direct against bridge, pooled against on-demand.
    Runs,
    /// One run step by step, against the same component in a plain
    /// wasmtime embedding (the floor).
    Breakdown,
    /// The pooling allocator's reset settings against each other.
    Pool,
    /// Runs without and with a journal, and the journal's size.
    Journal,
    /// Listing the 10,000-file tree and writing the report as YAML.
    Tree,
    /// `check`'s rate on one thread against one thread per core.
    Threads,
    /// `check`'s rate for the Python and JavaScript catalog guests.
    Languages,
    /// Explore's rate over seeds against plain runs and `check`.
    Explore,
    /// What schedules cost: race-counter per run under each, and explore
    /// with `pct:2` against without.
    Schedules,
    /// Guided search on record-parser: a run with coverage against
    /// without, and `fuzz`'s rate against `check`'s.
    Fuzz,
    /// A second `wasi-replay run` of a component against the first.
    Cli,
    /// Compiling the largest catalog component, with no cache.
    Compile,
}

pub fn bench(scenarios: &[String], runs: usize, only: &[Part], child: bool) -> anyhow::Result<u8> {
    if child {
        runs::per_run_child(scenarios, runs)?;
        return Ok(super::EXIT_OK);
    }
    let wanted = |p: Part| only.is_empty() || only.contains(&p);
    let profile = if cfg!(debug_assertions) { "dev (dependencies at opt-level 2)" } else { "release" };
    println!("build profile {profile}, {} cores; medians over repeated runs", measure::cores());
    if wanted(Part::Memory) {
        memory::memory();
    }
    catalog::build_all_with(catalog::Progress::Shown)?;
    if wanted(Part::Runs) {
        runs::per_run(scenarios, runs)?;
    }
    if wanted(Part::Breakdown) {
        breakdown::breakdown(runs)?;
    }
    if wanted(Part::Pool) {
        pool::pool(runs)?;
    }
    if wanted(Part::Journal) {
        journal::journal(scenarios, runs)?;
    }
    if wanted(Part::Tree) {
        tree::tree(runs.clamp(5, 50))?;
    }
    if wanted(Part::Threads) {
        threads::threads(runs)?;
    }
    if wanted(Part::Languages) {
        threads::languages(runs)?;
    }
    if wanted(Part::Explore) {
        explore::explore(20 * runs)?;
    }
    if wanted(Part::Schedules) {
        schedule::schedules(runs)?;
    }
    if wanted(Part::Fuzz) {
        fuzz::fuzz(runs)?;
    }
    if wanted(Part::Cli) {
        process::cli(5)?;
    }
    if wanted(Part::Compile) {
        process::compile(5)?;
    }
    Ok(super::EXIT_OK)
}

