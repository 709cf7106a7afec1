//! The command line: clap definitions and dispatch. Every command prints
//! reports to stdout and everything else to stderr, and returns one of the
//! three documented exit codes.

mod bench;
mod check;
mod demo;
mod explore;
mod fuzz;
mod inputs;
mod progress;
mod junit;
mod replay;
mod run;
mod style;
mod test;

use clap::{Parser, Subcommand};
use wasi_replay::Allocation;
use std::path::PathBuf;

pub use inputs::{FaultArgs, InputArgs};

/// Success: reports equal, runs identical, goldens matched.
pub const EXIT_OK: u8 = 0;
/// A mismatch: reports differ, runs differ, or a golden is missing or changed.
pub const EXIT_MISMATCH: u8 = 1;
/// Stopped by Ctrl-C, after printing what ran (128 + SIGINT, as a shell
/// reports it).
pub const EXIT_INTERRUPTED: u8 = 130;
/// A harness error: the input could not be run at all.
pub const EXIT_ERROR: u8 = 2;

/// `0.1.0 (wasmtime 50.0.1)`: what `--version` prints after the name. The
/// wasmtime version is part of what a golden depends on.
fn version_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| format!("{} (wasmtime {})", env!("CARGO_PKG_VERSION"), wasi_replay::cli_support::WASMTIME_VERSION))
}

/// Deterministic replay and snapshot testing for WASI components.
///
/// Exit codes: 0 success, 1 mismatch (reports differ, runs differ, golden
/// missing or changed), 2 harness error (bad input). Reports go to stdout,
/// everything else to stderr. Colors only on a terminal; NO_COLOR is honored.
#[derive(Parser, Debug)]
#[command(name = "wasi-replay", version = version_line(), about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Where compiled components are cached between runs [default:
    /// $WASI_REPLAY_CACHE_DIR, else $XDG_CACHE_HOME/wasi-replay, else
    /// ~/.cache/wasi-replay].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every component afresh; read and write no cache.
    #[arg(long, global = true)]
    no_cache: bool,
}

/// The page `--html FILE` asks for. The file is made once the command's
/// inputs are read and before it runs, so a path that cannot be written
/// fails at once and not after a long exploration or suite; it is filled
/// when the command is done.
pub struct Page {
    path: PathBuf,
    file: std::fs::File,
}

impl Page {
    /// Creates FILE, when one is given.
    pub fn create(path: Option<&std::path::Path>) -> anyhow::Result<Option<Page>> {
        let Some(path) = path else { return Ok(None) };
        let file = std::fs::File::create(path).map_err(|e| anyhow::anyhow!("--html {}: {e}", path.display()))?;
        Ok(Some(Page { path: path.to_path_buf(), file }))
    }
}

/// Writes the page `render` gives as the whole of `page`'s file, when
/// there is a page to write.
pub fn write_page(page: &mut Option<Page>, render: impl FnOnce() -> String) -> anyhow::Result<()> {
    use std::io::{Seek, Write};
    let Some(Page { path, file }) = page else { return Ok(()) };
    let text = render();
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()))
        .map_err(|e| anyhow::anyhow!("--html {}: {e}", path.display()))
}

/// The compile cache chosen on the command line, set once in [`main`].
static CACHE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// A harness with the chosen compile cache, and a pool of instance slots
/// for `concurrent_runs` runs at once.
pub fn new_harness(concurrent_runs: usize) -> anyhow::Result<wasi_replay::Harness> {
    let concurrent_runs = u32::try_from(concurrent_runs).unwrap_or(u32::MAX);
    Ok(with_cache(wasi_replay::Harness::with_allocation(Allocation::Pooling { concurrent_runs })?))
}

/// The same for a guided search ([`wasi_replay::Harness::for_search`]).
pub fn new_search_harness(concurrent_runs: usize) -> anyhow::Result<wasi_replay::Harness> {
    let concurrent_runs = u32::try_from(concurrent_runs).unwrap_or(u32::MAX);
    Ok(with_cache(wasi_replay::Harness::for_search(concurrent_runs)?))
}

/// The compile cache's directory chosen on the command line, if any.
fn cache_dir() -> Option<PathBuf> {
    CACHE.get().cloned().flatten()
}

/// `harness` with the compile cache chosen on the command line.
fn with_cache(harness: wasi_replay::Harness) -> wasi_replay::Harness {
    match cache_dir() {
        Some(dir) => harness.with_cache_dir(dir),
        None => harness.without_cache(),
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a component once and print its report.
    ///
    /// Exits 0 whenever a report was produced, whatever the guest did; the
    /// guest's exit is in the report.
    ///
    /// Example: wasi-replay run guest.wasm --seed 7 --arg --verbose --fs fixtures/
    Run {
        /// The component (.wasm).
        component: PathBuf,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        faults: FaultArgs,
        /// Write the final filesystem tree into this directory (created; must be empty).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Keep a journal and write the run to FILE: the component's
        /// sha256, the versions, every input and the journal, for
        /// `wasi-replay replay FILE COMPONENT`.
        #[arg(long, value_name = "FILE")]
        journal_out: Option<PathBuf>,
        /// Write the run as a scenario into DIR (created; must be empty):
        /// the scenario file, a copy of the component, the initial tree,
        /// the mocks and the accepted golden, so `wasi-replay test DIR`
        /// passes at once.
        #[arg(long, value_name = "DIR")]
        emit_scenario: Option<PathBuf>,
        /// Write the run as one self-contained HTML page to FILE: the
        /// report, and with --journal a timeline of its host calls.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Send the guest's HTTP requests to the network and write every
        /// answer to FILE as mock rules, for --http-mock FILE to replay
        /// offline.
        #[cfg(feature = "record")]
        #[arg(long, value_name = "FILE")]
        http_record: Option<PathBuf>,
        /// With --http-record: send each request to this origin
        /// (http://127.0.0.1:8080) with the same path and query, and record
        /// it under the URL the guest asked for.
        #[cfg(feature = "record")]
        #[arg(long, value_name = "URL", requires = "http_record")]
        http_upstream: Option<String>,
    },
    /// Run a component with a journal file's inputs and compare its calls
    /// with the recorded ones.
    ///
    /// The component may be another build than the recorded one: that is
    /// said, and the replay goes on. Prints how many calls matched, or the
    /// first call that differs; exits 0 when every call matches, 1 when
    /// one differs.
    ///
    /// Example: wasi-replay replay run.journal.yaml guest.wasm
    Replay {
        /// A file written by `run --journal-out`.
        journal: PathBuf,
        /// The component to run (.wasm).
        component: PathBuf,
    },
    /// Run two components with the same inputs and diff their reports.
    ///
    /// The world field is set aside. Given one p2 component, runs it on the
    /// p2 host and on the p3 host. Exits 0 when equal, 1 when they differ.
    ///
    /// Example: wasi-replay diff guest.p2.wasm guest.p3.wasm
    Diff {
        /// The first component (typically the p2 build).
        a: PathBuf,
        /// The second component (typically the p3 build).
        b: Option<PathBuf>,
        /// Write the two runs as one self-contained HTML page to FILE: side
        /// by side, with --journal both timelines and the call where they
        /// part.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        faults: FaultArgs,
    },
    /// Run a component many times, on all cores, and require identical reports.
    ///
    /// Exits 0 when every report is byte-identical; otherwise prints the
    /// first field that differs, with both values, and exits 1. With
    /// --perturb, then runs each perturbation a correct guest must not
    /// notice (readdir-order, env-order, wall-start, insecure-seed,
    /// chunking, completion-order, host-values, schedule) and exits 1 when one it
    /// does not allow changed the report, naming it.
    ///
    /// Example: wasi-replay check guest.wasm --runs 100 --perturb
    Check {
        /// The component (.wasm).
        component: PathBuf,
        /// How many runs.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
        runs: u32,
        /// Threads to spread the runs over, at most 256. [default: one per core]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: Option<u32>,
        /// Also run the perturbations, each in three variants.
        #[arg(long)]
        perturb: bool,
        /// Perturbations the guest may notice, comma-separated; they are
        /// run and shown, but do not fail the check.
        #[arg(long, value_name = "NAMES", requires = "perturb")]
        allow_perturb: Option<String>,
        /// Write the check as one self-contained HTML page to FILE: run 1;
        /// or run 1 and the first run that differs, side by side; or the
        /// plain run and a perturbation that changed it.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        faults: FaultArgs,
    },
    /// Run many seeds, on all cores, and group the outcomes into classes.
    ///
    /// A class is how a run ended (status, trap or limit) and a digest of
    /// its stdout, stderr and final tree. Prints a table of class, runs and
    /// first seed, then a command that replays each class; with --faults,
    /// each run gets faults drawn from its seed, and a faulted class's
    /// faults are shrunk to the fewest that still give it. The same
    /// command prints the same table. Exits 0 when it ran.
    ///
    /// Example: wasi-replay explore guest.wasm --seeds 0..1000 --faults 2 --fault-kinds fs
    Explore {
        /// The component (.wasm).
        component: PathBuf,
        /// The seeds to run, A..B (B not included).
        #[arg(long, value_name = "A..B", default_value = "0..100", value_parser = wasi_replay::explore::parse_seeds)]
        seeds: (u64, u64),
        /// Faults drawn from each run's seed. [default: 0, only the seed varies]
        #[arg(long, value_name = "N", default_value_t = 0)]
        faults: u32,
        /// The kinds to draw them from: groups (fs, http, clock, stdin) or
        /// kinds, comma-separated. [default: all]
        #[arg(long, value_name = "KINDS")]
        fault_kinds: Option<String>,
        /// Run only share K of N of the seeds (seed A+i goes to share
        /// i % N + 1); `merge` joins the shares' --json files.
        #[arg(long, value_name = "K/N", value_parser = test::parse_partition)]
        partition: Option<(usize, usize)>,
        /// Also write the result as JSON to FILE, for `merge`.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Write the classes as one self-contained HTML page to FILE, each
        /// with its runs, faults and replay command.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Threads to spread the runs over, at most 256. [default: one per core]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: Option<u32>,
        #[command(flatten)]
        inputs: InputArgs,
    },
    /// Search a guest's inputs for failures, guided by coverage.
    ///
    /// The guest is instrumented (cached), and runs from the scenario's
    /// inputs, of which stdin (or each --mutate FIELD) is mutated; inputs
    /// that take new edges, or come closer at an equality
    /// test than any input before, join the corpus. Failures (a trap, a
    /// non-zero exit, a limit, output holding a --fail-on text) are
    /// grouped into classes, each shrunk to its smallest input. The same
    /// --search-seed and --runs give the same search.
    ///
    /// Example: wasi-replay fuzz parser.wasm --stdin sample.rec --runs 20000
    Fuzz {
        /// The component or p1 module (.wasm).
        component: PathBuf,
        /// Candidate runs to make (shrinking comes on top).
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        runs: u64,
        /// The search's own seed (the scenario's --seed stays the run's).
        #[arg(long, value_name = "N", default_value_t = 0)]
        search_seed: u64,
        /// Read the corpus from DIR and add new inputs (and each class's
        /// shrunk input) to it, so a search can stop and go on.
        /// Repeatable: every DIR is read, the first is written; with
        /// --runs 0 that merges the others into it.
        #[arg(long, value_name = "DIR")]
        corpus: Vec<PathBuf>,
        /// Search as partition K of N machines: with seed --search-seed
        /// + K - 1, each into its own --corpus; merge the corpora after.
        #[arg(long, value_name = "K/N", value_parser = test::parse_partition)]
        partition: Option<(usize, usize)>,
        /// Mutate only the starting inputs, keeping nothing: the baseline
        /// guided search is measured against.
        #[arg(long)]
        unguided: bool,
        /// Write each class as a scenario (with its golden) to
        /// DIR/<guest>-class-<k>/, for `wasi-replay test`.
        #[arg(long, value_name = "DIR")]
        emit: Option<PathBuf>,
        /// Threads to run each batch on, at most 256. [default: one per core]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: Option<u32>,
        /// A run that exits 0 fails all the same when its stdout or stderr
        /// holds TEXT. Repeatable.
        #[arg(long = "fail-on", value_name = "TEXT")]
        fail_on: Vec<String>,
        /// What to mutate, repeatable: stdin, seed, faults (the --faults
        /// draw), schedule (a random or pct schedule's seed), arg:N
        /// (argv[0] is the program), file:PATH (a MemFs file from --fs or
        /// --dir), body:N, path:N (request N, from 0), call:N (the
        /// --invoke text). [default: stdin]
        #[arg(long = "mutate", value_name = "FIELD")]
        mutate: Vec<wasi_replay::fuzz::Field>,
        /// What guides the search: edges (the guest's code, instrumented),
        /// journal (the shape of its host calls, the guest as it is) or
        /// both.
        #[arg(long, value_name = "SIGNAL", default_value = "edges")]
        signal: wasi_replay::fuzz::Signal,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        faults: FaultArgs,
    },
    /// Join the --json files of an exploration's partitions and print
    /// its table, as one unsplit exploration prints it.
    ///
    /// Example: wasi-replay merge part1.json part2.json
    Merge {
        /// The files written by `explore --partition K/N --json FILE`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run scenario files and compare each report with its golden file.
    ///
    /// PATH is a .toml scenario or a directory of them (default: scenarios).
    /// Goldens are insta .snap files beside each scenario; a new or changed
    /// report goes to a .snap.new file for `cargo insta review`. Exits 1 on
    /// any mismatch or missing golden.
    ///
    /// Example: wasi-replay test scenarios --snapshot-dir snapshots --partition 1/2
    Test {
        /// Scenario files or directories. Default: this repository's
        /// catalog, `scenarios`, with its goldens in `snapshots`.
        paths: Vec<PathBuf>,
        /// Keep the goldens in DIR instead of beside each scenario file.
        #[arg(long, value_name = "DIR")]
        snapshot_dir: Option<PathBuf>,
        /// Write every report as the accepted golden.
        #[arg(long)]
        accept: bool,
        /// Run only slice K of N (1-based) of the sorted scenario files.
        #[arg(long, value_name = "K/N", value_parser = test::parse_partition)]
        partition: Option<(usize, usize)>,
        /// Also write the results as JUnit XML to FILE: one test case per
        /// scenario and world.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write the results as one self-contained HTML page to FILE: a
        /// table of cases, each linking to its run or, for a mismatch, to
        /// the golden and the new report side by side.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Build and run the guest catalog in both worlds (the default command).
    Demo,
    /// Measure the harness: per-run time on each backend, the 10,000-file
    /// scenario, tree serialization, scaling over cores, MemFs memory.
    ///
    /// Prints medians over repeated runs; every ratio compares numbers
    /// taken side by side in this one process. Numbers, never pass/fail.
    ///
    /// Example: wasi-replay bench fs-tree --runs 200
    Bench {
        /// Catalog scenarios for the per-run table (default: fs-tree,
        /// fs-semantics and fs-bulk).
        scenarios: Vec<String>,
        /// Timed runs per scenario, world and backend in each measuring
        /// process (fs-bulk takes a sixty-fourth as many, at least 3).
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
        runs: u32,
        /// Only these parts (default: all).
        #[arg(long, value_enum, value_name = "PART")]
        only: Vec<bench::Part>,
        /// Measure the per-run table once and print it as plain numbers:
        /// how `bench` takes each of its samples in a process of its own.
        #[arg(long, hide = true)]
        child: bool,
    },
}

/// Runs the parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> Result<u8, anyhow::Error> {
    let cache = if cli.no_cache { None } else { cli.cache_dir.or_else(wasi_replay::cli_support::CompileCache::default_dir) };
    let _ = CACHE.set(cache);
    match cli.command.unwrap_or(Command::Demo) {
        #[cfg(not(feature = "record"))]
        Command::Run { component, inputs, faults, out, journal_out, emit_scenario, html } => {
            let outputs =
                run::Outputs { tree: out.as_deref(), journal: journal_out.as_deref(), scenario: emit_scenario.as_deref(), html: html.as_deref() };
            run::run(&component, &inputs, &faults, outputs)
        }
        #[cfg(feature = "record")]
        Command::Run { component, inputs, faults, out, journal_out, emit_scenario, html, http_record, http_upstream } => {
            let outputs = run::Outputs {
                tree: out.as_deref(),
                journal: journal_out.as_deref(),
                scenario: emit_scenario.as_deref(),
                html: html.as_deref(),
                cassette: http_record.as_deref().map(|f| (f, http_upstream)),
            };
            run::run(&component, &inputs, &faults, outputs)
        }
        Command::Replay { journal, component } => replay::replay(&journal, &component),
        Command::Diff { a, b, html, inputs, faults } => run::diff(&a, b.as_deref(), &inputs, &faults, html.as_deref()),
        Command::Check { component, runs, threads, perturb, allow_perturb, html, inputs, faults } => {
            let allowed = wasi_replay::perturb::Perturbation::parse_list(allow_perturb.as_deref().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!("--allow-perturb: {e}"))?;
            let perturb = perturb.then_some(allowed);
            let options = check::Options { runs: runs as usize, threads: threads.map(|t| t as usize), perturb: perturb.as_deref(), html: html.as_deref() };
            check::check(&component, options, &inputs, &faults)
        }
        Command::Test { paths, snapshot_dir, accept, partition, junit, html } => {
            test::test(paths, snapshot_dir, accept, partition, test::Reports { junit: junit.as_deref(), html: html.as_deref() })
        }
        Command::Explore { component, seeds, faults, fault_kinds, partition, json, html, threads, inputs } => {
            let options = explore::Options {
                seeds,
                faults,
                kinds: fault_kinds.as_deref(),
                partition,
                json: json.as_deref(),
                html: html.as_deref(),
                threads: threads.map(|t| t as usize),
            };
            explore::explore(&component, &inputs, options)
        }
        Command::Merge { files } => explore::merge(&files),
        Command::Fuzz { component, runs, search_seed, corpus, partition, unguided, emit, threads, fail_on, mutate, signal, inputs, faults } => {
            let threads = threads.map(|t| t as usize);
            // Partition K searches from its own seed.
            let search_seed = search_seed.wrapping_add(partition.map_or(0, |(k, _)| k as u64 - 1));
            let options = fuzz::Options { runs, search_seed, corpus, unguided, emit, threads, fail_on, fields: mutate, signal };
            fuzz::fuzz(&component, &inputs, &faults, options)
        }
        Command::Demo => demo::demo(),
        Command::Bench { scenarios, runs, only, child } => {
            let scenarios: Vec<String> = if scenarios.is_empty() {
                ["fs-tree", "fs-semantics", "fs-bulk"].map(String::from).to_vec()
            } else {
                scenarios
            };
            for s in &scenarios {
                if !wasi_replay::catalog::SCENARIOS.contains(&s.as_str()) {
                    anyhow::bail!("no catalog scenario `{s}` (known: {})", wasi_replay::catalog::SCENARIOS.join(", "));
                }
            }
            bench::bench(&scenarios, runs as usize, &only, child)
        }
    }
}
