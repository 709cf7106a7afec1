//! Guided search: inputs mutated, run on a guest instrumented for
//! coverage (see [`crate::coverage`]), and kept when they take an edge no
//! earlier run took or come closer at an equality test than any run came;
//! failures grouped into classes, each shrunk to its smallest input.
//!
//! Half of each batch is one entry's deterministic stage, as AFL makes
//! them: every bit of its first positions flipped, each byte moved by
//! ±1..8, and each dictionary byte written where a flip changed what the
//! run reached. A stage candidate that goes further than its parent
//! carries the stage on, so a check byte is solved bit by bit within one
//! stage. The other half are random stacked mutations of entries drawn by
//! the rarity of what they reach.
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

use crate::coverage::{COMPARES, EdgeMap};
use crate::harness::{Guest, Harness, HarnessError};
use crate::report::{Exit, Output, RunReport};
use crate::scenario::Scenario;
use std::collections::BTreeMap;
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
    /// Text that makes a run that exits 0 a failure all the same, when
    /// its stdout or stderr holds it: the guest's own word that something
    /// went wrong ("assertion", "invariant broken").
    pub fail_on: Vec<String>,
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

/// The class of a run that failed, or `None` for one that passed: exit 0
/// with none of `fail_on` in its stdout or stderr.
pub fn class_of(report: &RunReport, fail_on: &[String]) -> Option<String> {
    let text = |o: &Output| match o {
        Output::Text(t) => t.as_str().to_owned(),
        Output::Binary { .. } => String::new(),
    };
    let end = match &report.exit {
        Exit::Status(0) => {
            let (out, err) = (text(&report.stdout), text(&report.stderr));
            return fail_on.iter().find(|p| out.contains(p.as_str()) || err.contains(p.as_str())).map(|p| format!("exit 0, output holds {p:?}"));
        }
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

/// What a batch of runs gives: each candidate's report and map, in order.
type Ran = Result<Vec<(RunReport, EdgeMap)>, HarnessError>;

/// Calls `body` with a function that runs a batch of candidates on
/// `threads` threads (this one among them) that live as long as `body`:
/// a thread started per batch would cost more than the batch's runs save.
/// Candidate `k` of a batch runs on thread `k % threads`.
fn with_runner<T>(harness: &Harness, guest: &Guest, base: &Scenario, threads: usize, body: impl FnOnce(&mut dyn FnMut(&[Vec<u8>]) -> Ran) -> T) -> T {
    use std::sync::{Arc, mpsc};
    let run = |input: &Vec<u8>| harness.run_covered(guest, &base.clone().stdin(input.clone()));
    let share = |batch: &[Vec<u8>], id: usize| -> Vec<(usize, Result<(RunReport, EdgeMap), HarnessError>)> {
        batch.iter().enumerate().skip(id).step_by(threads).map(|(k, input)| (k, run(input))).collect()
    };
    if threads <= 1 {
        return body(&mut |batch| batch.iter().map(run).collect());
    }
    std::thread::scope(|s| {
        let (done, finished) = mpsc::channel();
        let mut workers = Vec::new();
        for id in 1..threads {
            let (give, take) = mpsc::channel::<Arc<Vec<Vec<u8>>>>();
            workers.push(give);
            let done = done.clone();
            s.spawn(move || {
                for batch in take {
                    let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| share(&batch, id)))
                        .unwrap_or_else(|_| vec![(id, Err(HarnessError::Internal("a search thread panicked".into())))]);
                    if done.send(part).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let out = body(&mut |batch| {
            let shared = Arc::new(batch.to_vec());
            for w in &workers {
                w.send(Arc::clone(&shared)).map_err(|_| HarnessError::Internal("a search thread stopped".into()))?;
            }
            let mut all: Vec<Option<Result<(RunReport, EdgeMap), HarnessError>>> = (0..batch.len()).map(|_| None).collect();
            for (k, r) in share(batch, 0) {
                all[k] = Some(r);
            }
            for _ in &workers {
                for (k, r) in finished.recv().map_err(|_| HarnessError::Internal("a search thread stopped".into()))? {
                    all[k] = Some(r);
                }
            }
            all.into_iter().map(|r| r.unwrap_or_else(|| Err(HarnessError::Internal("a run was lost".into())))).collect()
        });
        drop(workers);
        out
    })
}

/// How many candidates the deterministic stage makes of an input of
/// `len` bytes.
fn stage_len(len: usize, dictionary: usize) -> usize {
    len.min(STAGE_POSITIONS) * (8 + 2 * ARITH + dictionary)
}

/// Candidate `step` of `input`'s deterministic stage, in three passes
/// over its first positions, as AFL makes them: each bit flipped (the
/// step a test's closeness rewards), then the byte moved up and down by 1
/// to ARITH, then each dictionary byte written; `None` for a step of the
/// dictionary pass at a position `effective` does not hold (one where no
/// bit flipped changed what the run reached). With the position changed.
fn staged(input: &[u8], step: usize, dictionary: &[u8], effective: u32) -> Option<(usize, Vec<u8>)> {
    let positions = input.len().min(STAGE_POSITIONS);
    let mut child = input.to_vec();
    if step < positions * 8 {
        child[step / 8] ^= 1 << (step % 8);
        return Some((step / 8, child));
    }
    let step = step - positions * 8;
    if step < positions * 2 * ARITH {
        let (at, d) = (step / (2 * ARITH), step % (2 * ARITH));
        child[at] = if d < ARITH { child[at].wrapping_add(d as u8 + 1) } else { child[at].wrapping_sub((d - ARITH) as u8 + 1) };
        return Some((at, child));
    }
    let step = step - positions * 2 * ARITH;
    let at = step / dictionary.len().max(1);
    if effective & (1 << at) == 0 {
        return None;
    }
    child[at] = dictionary[step % dictionary.len()];
    Some((at, child))
}

/// One input of the corpus and the features it reached.
struct Entry {
    input: Vec<u8>,
    features: Vec<u32>,
    /// The edges that made it, or the line of stages it came from, new:
    /// what a stage child must still take to carry the stage on.
    kept: Vec<u32>,
    /// How far its deterministic stage has got.
    staged: usize,
    /// The positions where its stage's bit flips changed what a run
    /// reached, one bit each.
    effective: u32,
}

/// The features of a run: each edge taken (its index), and each equality
/// test with how close it came (`COMPARES + test * 66 + closeness`).
fn features_of(map: &EdgeMap) -> Vec<u32> {
    let tests = map.closest().map(|(t, c)| COMPARES as u32 + t * 66 + u32::from(c));
    map.reached().chain(tests).collect()
}

/// How many of `features` are edges: they come first.
fn edge_count(features: &[u32]) -> usize {
    features.partition_point(|f| (*f as usize) < COMPARES)
}

/// The test and the closeness a feature past the edges stands for.
fn test_of(feature: u32) -> (usize, u8) {
    let f = feature as usize - COMPARES;
    (f / 66, (f % 66) as u8)
}

/// Whether a run with `child`'s features goes further than `from`: it
/// takes every edge `from` keeps, and more edges than `from`, or as many
/// and the tests `from` made closer in all. Going back to where another
/// entry already was (a version 2 header turned back into version 1, say)
/// drops an edge `from` keeps.
fn climbs(from: &Entry, child: &[u32]) -> bool {
    let parent = &from.features[..];
    let (pe, ce) = (edge_count(parent), edge_count(child));
    if ce < pe || from.kept.iter().any(|e| child[..ce].binary_search(e).is_err()) {
        return false;
    }
    if ce > pe {
        return true;
    }
    // Closer over the tests the parent made, taken together: one test
    // coming closer while another goes further away is not progress.
    let theirs = &child[ce..];
    let (mut before, mut after) = (0u32, 0u32);
    for f in &parent[pe..] {
        let (t, c) = test_of(*f);
        before += u32::from(c);
        let at = theirs.partition_point(|g| test_of(*g).0 < t);
        after += theirs.get(at).map(|g| test_of(*g)).filter(|(ct, _)| *ct == t).map_or(0, |(_, c)| u32::from(c));
    }
    after > before
}

/// The corpus, how often each feature has been reached over every run of
/// the search, and the best reached so far. A run is new when it takes an
/// edge no run took, or comes closer at an equality test than any run
/// came. An entry's weight is the sum, over its features, of one over
/// the square of that count: an entry that alone reaches a feature that
/// few runs reach (a check byte one bit from passing, a branch only its
/// header takes) weighs most, and weighs less as its own mutants reach
/// the feature too, so no entry holds the search for long (libFuzzer's
/// entropic schedule, simplified).
struct Corpus {
    entries: Vec<Entry>,
    hits: Vec<u32>,
    taken: Vec<bool>,
    best: Vec<u8>,
}

impl Entry {
    fn edges(&self) -> usize {
        edge_count(&self.features)
    }
}

impl Corpus {
    fn new() -> Self {
        Corpus { entries: Vec::new(), hits: vec![0; COMPARES + COMPARES * 66], taken: vec![false; COMPARES], best: vec![0; COMPARES] }
    }

    /// Counts a run's features: the edges no run took before, and whether
    /// it came closer at a test than any run before.
    fn observe(&mut self, features: &[u32]) -> (Vec<u32>, bool) {
        let (mut edges, mut closer) = (Vec::new(), false);
        for f in features {
            let h = &mut self.hits[*f as usize];
            *h = h.saturating_add(1);
            let f = *f as usize;
            if f < COMPARES {
                if !std::mem::replace(&mut self.taken[f], true) {
                    edges.push(f as u32);
                }
            } else {
                let (test, closeness) = test_of(f as u32);
                if closeness > self.best[test] {
                    self.best[test] = closeness;
                    closer = true;
                }
            }
        }
        (edges, closer)
    }

    /// Edges taken and tests made, so far.
    fn reached(&self) -> usize {
        self.taken.iter().filter(|t| **t).count() + self.best.iter().filter(|b| **b > 0).count()
    }

    fn weights(&self) -> Vec<f64> {
        self.entries
            .iter()
            .map(|e| {
                e.features
                    .iter()
                    .map(|f| {
                        let h = f64::from(self.hits[*f as usize].max(1));
                        1.0 / (h * h)
                    })
                    .sum()
            })
            .collect()
    }
}

/// An index drawn with chance proportional to its weight.
fn pick(rng: &mut Rng, weights: &[f64], total: f64) -> usize {
    let mut at = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
    for (i, w) in weights.iter().enumerate() {
        if at < *w {
            return i;
        }
        at -= w;
    }
    weights.len() - 1
}

/// Searches `guest` (loaded with [`Harness::load_covered`]) from `base`,
/// setting bytes to those of `dictionary` (see
/// [`crate::coverage::dictionary`]) among the other mutations.
pub fn fuzz(harness: &Harness, guest: &Guest, base: &Scenario, dictionary: &[u8], config: &Config) -> Result<Fuzzing, FuzzError> {
    let mut found = with_runner(harness, guest, base, config.threads, |run| search(run, base, dictionary, config))?;
    for f in &mut found.findings {
        f.stdin = shrink(harness, guest, base, &f.class, &config.fail_on, std::mem::take(&mut f.stdin))?;
    }
    Ok(found)
}

/// The search itself, its batches run by `run`; its findings not yet
/// shrunk.
fn search(run: &mut dyn FnMut(&[Vec<u8>]) -> Ran, base: &Scenario, dictionary: &[u8], config: &Config) -> Result<Fuzzing, FuzzError> {
    let mut rng = Rng(crate::kernel::mix(config.seed ^ 0xf022_5eed));
    let mut starting = match &config.corpus {
        Some(dir) => read_corpus(dir)?,
        None => Vec::new(),
    };
    if starting.is_empty() {
        starting.push(base.inputs.stdin.clone());
    }
    let mut corpus = Corpus::new();
    // The starting inputs set the edges a candidate must go beyond.
    for (input, (_, map)) in starting.iter().zip(run(&starting)?) {
        let features = features_of(&map);
        corpus.observe(&features);
        let kept = features[..edge_count(&features)].to_vec();
        corpus.entries.push(Entry { input: input.clone(), features, kept, staged: 0, effective: 0 });
    }
    let start = corpus.entries.len();
    let mut classes: BTreeMap<String, Finding> = BTreeMap::new();
    let mut made = 0u64;
    let mut passing = 0u64;
    // The entry whose stage runs now.
    let mut current: Option<usize> = None;
    // New entries that did not carry a stage on, waiting for their own,
    // with the first position where they differ from their parent.
    let mut waiting: Vec<(usize, usize)> = Vec::new();
    while made < config.runs {
        let n = (config.runs - made).min(BATCH as u64) as usize;
        let pool = if config.guided { corpus.entries.len() } else { start };
        let weights = corpus.weights();
        let weights = &weights[..pool];
        let total: f64 = weights.iter().sum();
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(n);
        // Half of each batch goes to one entry's deterministic stage, the
        // other half to random mutations of entries drawn by weight.
        let unfinished = |e: &Entry| e.staged < stage_len(e.input.len(), dictionary.len());
        if config.guided && !current.is_some_and(|i| unfinished(&corpus.entries[i])) {
            // The next stage: of the entries waiting, the one that changed
            // its parent earliest (a header before the data it governs),
            // then the one taking most edges; once none waits, the
            // heaviest entry with its stage unfinished.
            current = match (0..waiting.len()).min_by_key(|k| {
                let (at, i) = waiting[*k];
                (at, std::cmp::Reverse(corpus.entries[i].edges()), i)
            }) {
                Some(k) => Some(waiting.swap_remove(k).1),
                None => (0..pool)
                    .filter(|i| unfinished(&corpus.entries[*i]))
                    .max_by(|a, b| weights[*a].total_cmp(&weights[*b]).then(a.cmp(b))),
            };
        }
        // The step each stage candidate is, by its place in the batch.
        let mut steps = Vec::new();
        if let Some(i) = current {
            let entry = &mut corpus.entries[i];
            let end = stage_len(entry.input.len(), dictionary.len());
            while batch.len() < n / 2 && entry.staged < end {
                if let Some((at, child)) = staged(&entry.input, entry.staged, dictionary, entry.effective) {
                    batch.push(child);
                    steps.push((entry.staged, at));
                }
                entry.staged += 1;
            }
        }
        // The entry each random candidate was made from.
        let mut parents = Vec::new();
        while batch.len() < n {
            let from = pick(&mut rng, weights, total);
            let other = &corpus.entries[rng.below(pool)].input;
            batch.push(mutate(&mut rng, &corpus.entries[from].input, other, dictionary));
            parents.push(from);
        }
        let results = run(&batch)?;
        let parent = current;
        let mut took_over = false;
        for (k, (input, (report, map))) in batch.into_iter().zip(results).enumerate() {
            made += 1;
            if let Some(class) = class_of(&report, &config.fail_on) {
                classes
                    .entry(class.clone())
                    .and_modify(|f| f.runs += 1)
                    .or_insert(Finding { class, found_at: made, runs: 1, stdin: input.clone() });
            } else {
                passing += 1;
            }
            let features = features_of(&map);
            let (novel, closer) = corpus.observe(&features);
            let new = closer || !novel.is_empty();
            if !config.guided {
                continue;
            }
            // A bit flip that changes what the run reaches marks its
            // position as one the dictionary pass writes.
            if let (Some((step, at)), Some(p)) = (steps.get(k), parent)
                && *step < corpus.entries[p].input.len().min(STAGE_POSITIONS) * 8
                && features != corpus.entries[p].features
            {
                corpus.entries[p].effective |= 1 << at;
            }
            // A stage candidate that goes further than its parent (see
            // [`climbs`]) carries the stage on from the next step, new to
            // the search or not: a check byte's bits are flipped one after
            // the other on the input that came closest, where a test that
            // other inputs pass would never count as new.
            let climbs = k < steps.len() && !took_over && parent.is_some_and(|p| climbs(&corpus.entries[p], &features));
            if new || climbs {
                if let Some(dir) = &config.corpus {
                    write_input(dir, &input)?;
                }
                let mut kept = novel;
                let mut effective = 0;
                let staged = match steps.get(k) {
                    Some((step, _)) if climbs => {
                        took_over = true;
                        current = Some(corpus.entries.len());
                        let from = &corpus.entries[parent.unwrap_or(0)];
                        kept.extend_from_slice(&from.kept);
                        kept.sort_unstable();
                        kept.dedup();
                        effective = from.effective;
                        step + 1
                    }
                    Some((_, at)) => {
                        waiting.push((*at, corpus.entries.len()));
                        0
                    }
                    None => {
                        // Where a random candidate first differs from its
                        // parent.
                        let from = &corpus.entries[parents[k - steps.len()]].input;
                        let at = input.iter().zip(from).position(|(a, b)| a != b).unwrap_or(input.len().min(from.len()));
                        waiting.push((at, corpus.entries.len()));
                        0
                    }
                };
                corpus.entries.push(Entry { input, features, kept, staged, effective });
            }
        }
    }
    let mut findings: Vec<Finding> = classes.into_values().collect();
    findings.sort_by_key(|f| f.found_at);
    Ok(Fuzzing { runs: made, passing, corpus: corpus.entries.len(), features: corpus.reached(), findings })
}

/// The shortest input found, by cutting chunks (halves, then quarters,
/// down to single bytes), that still gives `class`.
fn shrink(harness: &Harness, guest: &Guest, base: &Scenario, class: &str, fail_on: &[String], mut input: Vec<u8>) -> Result<Vec<u8>, HarnessError> {
    let mut budget = SHRINK_RUNS;
    let mut gives = |candidate: &[u8]| -> Result<bool, HarnessError> {
        if budget == 0 {
            return Ok(false);
        }
        budget -= 1;
        let report = harness.run(guest, &base.clone().stdin(candidate.to_vec()))?;
        Ok(class_of(&report, fail_on).as_deref() == Some(class))
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
