//! Guided search: inputs mutated, run on a guest instrumented for
//! coverage, and kept when they reach an edge (or an edge's count bucket)
//! no earlier input reached; failures grouped into classes, each shrunk
//! to its smallest input.
//!
//! The search is a loop of our own rather than libAFL's: what it needs of
//! a fuzzer is a corpus, a few byte mutators and a feature set, and every
//! step has to be a pure function of the seed and the number of runs so
//! that a CI run is reproducible. Candidates are made in batches from the
//! corpus as it stood before the batch, run (on several threads), then
//! folded in the order they were made, so the result does not depend on
//! the thread count.
//!
//! What is mutated so far is the scenario's stdin. The next inputs to
//! mutate (arguments, request bodies and paths, fixture files, WAVE
//! arguments, fault plans, seeds and schedules) are listed under "Next
//! steps" in CONTRIBUTING.md.
//!
//! Layer L6: imports L0–L5.

use crate::coverage::EdgeMap;
use crate::harness::{Guest, Harness, HarnessError};
use crate::report::{Exit, Output, RunReport};
use crate::scenario::Scenario;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

/// How many candidates a batch makes before any of them runs.
const BATCH: usize = 16;
/// The longest input the mutators make.
const MAX_INPUT: usize = 4096;
/// How many leading bytes of an input its deterministic stage writes.
const STAGE_POSITIONS: usize = 16;
/// How far the deterministic stage moves a byte up and down.
const ARITH: usize = 8;
/// Runs a class's shrinking may make.
const SHRINK_RUNS: u64 = 2_000;

/// Why a search stopped short.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// A run could not be made.
    #[error(transparent)]
    Harness(#[from] HarnessError),
    /// The corpus directory could not be read or written.
    #[error("corpus {path}: {error}")]
    Corpus {
        /// The file or directory.
        path: String,
        /// The host error.
        error: std::io::Error,
    },
}

fn corpus_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> FuzzError + '_ {
    move |error| FuzzError::Corpus { path: path.display().to_string(), error }
}

/// What a search runs and keeps.
#[derive(Debug, Clone)]
pub struct Config {
    /// The search's seed: with the same runs and corpus, the same search.
    pub seed: u64,
    /// How many candidate runs (shrinking is not counted).
    pub runs: u64,
    /// Keep inputs that reach new features (guided), or mutate only the
    /// starting inputs (the unguided baseline).
    pub guided: bool,
    /// Where the corpus is read from and written to; none keeps it in
    /// memory.
    pub corpus: Option<PathBuf>,
    /// Threads to run a batch on.
    pub threads: usize,
}

/// One class of failure: the first input that gave it, shrunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The class: how the run ended, and where a Rust panic says it
    /// panicked.
    pub class: String,
    /// The run (1-based) that first gave it.
    pub found_at: u64,
    /// How many runs gave it.
    pub runs: u64,
    /// The smallest stdin found that still gives it.
    pub stdin: Vec<u8>,
}

impl Fuzzing {
    /// The search as a table: one line per class, the passing runs
    /// first, then each failure with the run that found it and the size
    /// of its shrunk input.
    pub fn show(&self, guest: &str) -> String {
        use std::fmt::Write;
        let classes = self.findings.len() + usize::from(self.passing > 0);
        let mut out = format!(
            "{guest}: {} runs, {classes} class{}; corpus {} input{}, {} features\n",
            self.runs,
            if classes == 1 { "" } else { "es" },
            self.corpus,
            if self.corpus == 1 { "" } else { "s" },
            self.features
        );
        let _ = writeln!(out, "class  runs    found at  input     end");
        let mut n = 0;
        if self.passing > 0 {
            n += 1;
            let _ = writeln!(out, "{n:<6} {:<7} {:>8}  {:<9} exit 0", self.passing, "-", "-");
        }
        for f in &self.findings {
            n += 1;
            let _ = writeln!(out, "{n:<6} {:<7} {:>8}  {:<9} {}", f.runs, f.found_at, format!("{} B", f.stdin.len()), f.class);
        }
        out
    }
}

impl Finding {
    /// `base` with this finding's input, named `name`: the scenario that
    /// replays it.
    pub fn scenario(&self, base: &Scenario, name: &str) -> Scenario {
        let mut s = base.clone().stdin(self.stdin.clone());
        s.name = name.to_string();
        s
    }
}

/// What a search did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fuzzing {
    /// Candidate runs made.
    pub runs: u64,
    /// Of those, how many passed (exit 0).
    pub passing: u64,
    /// Inputs in the corpus at the end.
    pub corpus: usize,
    /// Features (edges with their count bucket) reached.
    pub features: usize,
    /// The failures, in the order they were first found.
    pub findings: Vec<Finding>,
}

/// The class of a run that failed, or `None` for one that passed: exit 0.
pub fn class_of(report: &RunReport) -> Option<String> {
    let end = match &report.exit {
        Exit::Status(0) => return None,
        Exit::Status(n) => format!("exit {n}"),
        Exit::Trap(t) => format!("trap: {t}"),
        Exit::OutOfFuel => "out of fuel".into(),
        Exit::Timeout { .. } => "timeout".into(),
        Exit::WaitsForever { .. } => "waits forever".into(),
    };
    let stderr = match &report.stderr {
        Output::Text(t) => t.as_str(),
        Output::Binary { .. } => "",
    };
    // Rust's panic message: "panicked at src/main.rs:12:5:".
    let place = stderr.lines().find_map(|l| l.split_once("panicked at ").map(|(_, at)| at.trim_end_matches(':').to_string()));
    Some(match place {
        Some(at) => format!("{end} (panicked at {at})"),
        None => end,
    })
}

/// A small deterministic generator (splitmix64 steps).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::kernel::mix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const INTERESTING: [u8; 9] = [0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'\n', b' '];

/// One input changed by one to four stacked mutations; `other` is
/// another corpus input to splice with.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8], dictionary: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(11) {
            9 | 10 if !dictionary.is_empty() => {
                let token = dictionary[rng.below(dictionary.len())];
                if len > 0 && rng.below(2) == 0 {
                    let i = rng.below(len);
                    out[i] = token;
                } else {
                    let at = rng.below(len + 1);
                    out.insert(at, token);
                }
            }
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let d = 1 + rng.below(16) as u8;
                out[i] = if rng.below(2) == 0 { out[i].wrapping_add(d) } else { out[i].wrapping_sub(d) };
            }
            3 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(4);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = (1 + rng.below(8)).min(len - at);
                out.drain(at..at + n);
            }
            5 if len > 0 => {
                let at = rng.below(len);
                let n = (1 + rng.below(16)).min(len - at);
                let chunk = out[at..at + n].to_vec();
                let to = rng.below(len + 1);
                out.splice(to..to, chunk);
            }
            6 if len >= 2 => {
                let width = if len >= 4 && rng.below(2) == 0 { 4 } else { 2 };
                let at = rng.below(len - width + 1);
                let value: u32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x7fff_ffff, 0xffff_ffff][rng.below(10)];
                let bytes = if rng.below(2) == 0 { value.to_le_bytes() } else { value.to_be_bytes() };
                let bytes = if width == 2 && bytes[0] == 0 && bytes[1] == 0 { &bytes[2..] } else { &bytes[..width] };
                out[at..at + width].copy_from_slice(bytes);
            }
            7 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => {
                let at = rng.below(len + 1);
                out.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
        }
    }
    out.truncate(MAX_INPUT);
    out
}

/// The corpus on disk: one file per input, named by its sha256, read in
/// name order.
fn read_corpus(dir: &std::path::Path) -> Result<Vec<Vec<u8>>, FuzzError> {
    let fail = corpus_error(dir);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir).map_err(&fail)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    names.sort();
    names.into_iter().map(|p| std::fs::read(&p).map_err(&fail)).collect()
}

fn write_input(dir: &std::path::Path, input: &[u8]) -> Result<(), FuzzError> {
    use sha2::{Digest, Sha256};
    let fail = corpus_error(dir);
    std::fs::create_dir_all(dir).map_err(&fail)?;
    let name: String = Sha256::digest(input).iter().take(16).map(|b| format!("{b:02x}")).collect();
    std::fs::write(dir.join(name), input).map_err(&fail)
}

/// Runs the candidates on up to `threads` threads; results in order.
fn run_batch(
    harness: &Harness,
    guest: &Guest,
    base: &Scenario,
    inputs: &[Vec<u8>],
    threads: usize,
) -> Result<Vec<(RunReport, EdgeMap)>, HarnessError> {
    let run = |input: &Vec<u8>| harness.run_covered(guest, &base.clone().stdin(input.clone()));
    if threads <= 1 {
        return inputs.iter().map(run).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = inputs.chunks(chunk.max(1)).map(|part| s.spawn(move || part.iter().map(run).collect::<Vec<_>>())).collect();
        let mut all = Vec::with_capacity(inputs.len());
        for h in handles {
            for r in h.join().map_err(|_| HarnessError::Internal("a search thread panicked".into()))? {
                all.push(r?);
            }
        }
        Ok(all)
    })
}

/// Searches `guest` (loaded with [`Harness::load_covered`]) from `base`,
/// setting bytes to those of `dictionary` (see
/// [`crate::coverage::dictionary`]) among the other mutations.
pub fn fuzz(harness: &Harness, guest: &Guest, base: &Scenario, dictionary: &[u8], config: &Config) -> Result<Fuzzing, FuzzError> {
    let mut rng = Rng(crate::kernel::mix(config.seed ^ 0xf022_5eed));
    let mut corpus = match &config.corpus {
        Some(dir) => read_corpus(dir)?,
        None => Vec::new(),
    };
    if corpus.is_empty() {
        corpus.push(base.inputs.stdin.clone());
    }
    let start = corpus.len();
    let mut features: HashSet<u32> = HashSet::new();
    // The starting inputs set the features a candidate must go beyond.
    for (_, map) in run_batch(harness, guest, base, &corpus, config.threads)? {
        features.extend(map.features().map(|f| f / 8));
    }
    let mut classes: BTreeMap<String, Finding> = BTreeMap::new();
    let mut made = 0u64;
    let mut passing = 0u64;
    // Inputs waiting for their deterministic stage, newest on top, and
    // where the stage of the one on top has got to.
    let mut stages: Vec<(usize, usize)> = if config.guided { (0..corpus.len()).map(|i| (i, 0)).collect() } else { Vec::new() };
    while made < config.runs {
        let n = (config.runs - made).min(BATCH as u64) as usize;
        let pool = if config.guided { corpus.len() } else { start };
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(n);
        // Half of each batch goes to the deterministic stage of the
        // newest input that has not finished it: at each of its first
        // positions, each dictionary byte written, then the byte moved up
        // and down by 1 to ARITH. The other half mutates at random.
        while batch.len() < n / 2 {
            let Some((entry, step)) = stages.last_mut() else { break };
            let input = &corpus[*entry];
            let per = dictionary.len() + 2 * ARITH;
            if *step >= input.len().min(STAGE_POSITIONS) * per {
                stages.pop();
                continue;
            }
            let mut child = input.clone();
            let (at, k) = (*step / per, *step % per);
            child[at] = match k.checked_sub(dictionary.len()) {
                None => dictionary[k],
                Some(d) if d < ARITH => child[at].wrapping_add(d as u8 + 1),
                Some(d) => child[at].wrapping_sub((d - ARITH) as u8 + 1),
            };
            *step += 1;
            batch.push(child);
        }
        while batch.len() < n {
            // Half the time the newest input, whose edges are the least
            // explored; else any.
            let parent = if rng.below(2) == 0 { &corpus[pool - 1] } else { &corpus[rng.below(pool)] };
            let other = &corpus[rng.below(pool)];
            batch.push(mutate(&mut rng, parent, other, dictionary));
        }
        let results = run_batch(harness, guest, base, &batch, config.threads)?;
        for (input, (report, map)) in batch.into_iter().zip(results) {
            made += 1;
            if let Some(class) = class_of(&report) {
                classes
                    .entry(class.clone())
                    .and_modify(|f| f.runs += 1)
                    .or_insert(Finding { class, found_at: made, runs: 1, stdin: input.clone() });
            } else {
                passing += 1;
            }
            let before = features.len();
            features.extend(map.features().map(|f| f / 8));
            if config.guided && features.len() > before {
                if let Some(dir) = &config.corpus {
                    write_input(dir, &input)?;
                }
                corpus.push(input);
                stages.push((corpus.len() - 1, 0));
            }
        }
    }
    let mut findings: Vec<Finding> = classes.into_values().collect();
    findings.sort_by_key(|f| f.found_at);
    for f in &mut findings {
        f.stdin = shrink(harness, guest, base, &f.class, std::mem::take(&mut f.stdin))?;
    }
    Ok(Fuzzing { runs: made, passing, corpus: corpus.len(), features: features.len(), findings })
}

/// The shortest input found, by cutting chunks (halves, then quarters,
/// down to single bytes), that still gives `class`.
fn shrink(harness: &Harness, guest: &Guest, base: &Scenario, class: &str, mut input: Vec<u8>) -> Result<Vec<u8>, HarnessError> {
    let mut budget = SHRINK_RUNS;
    let mut gives = |candidate: &[u8]| -> Result<bool, HarnessError> {
        if budget == 0 {
            return Ok(false);
        }
        budget -= 1;
        let report = harness.run(guest, &base.clone().stdin(candidate.to_vec()))?;
        Ok(class_of(&report).as_deref() == Some(class))
    };
    let mut size = input.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        while at < input.len() {
            let end = (at + size).min(input.len());
            let mut fewer = input.clone();
            fewer.drain(at..end);
            if gives(&fewer)? {
                input = fewer;
            } else {
                at = end;
            }
        }
        if size == 1 {
            break;
        }
        size = size.div_ceil(2);
    }
    Ok(input)
}
