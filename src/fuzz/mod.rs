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
//! What is mutated is the scenario's stdin, or the [`Field`]s named in
//! [`Config::fields`]: arguments, files of its MemFs, request bodies and
//! paths, export calls' WAVE text, its seed, its drawn faults and its
//! schedule's seed. A class found with faults mutated is cut to the
//! fewest of the faults that struck, as exact faults.
//!
//! Layer L6: imports L0–L5.

mod input;
mod signal;

pub use input::{Field, FieldError, Input, MAX_FIELDS};
pub use signal::Signal;

use crate::coverage::{COMPARES, EdgeMap};
use crate::harness::{Guest, Harness, HarnessError};
use crate::report::{Exit, Output, RunReport};
use crate::scenario::Scenario;
use input::{Position, Rng, apply, mutate, stage_len, staged};
use signal::{JOURNAL_SLOTS, journal_features};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many candidates a batch makes before any of them runs.
const BATCH: usize = 16;
/// Runs a class's shrinking may make.
const SHRINK_RUNS: u64 = 2_000;

/// Why a search stopped short.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// A run could not be made.
    #[error(transparent)]
    Harness(#[from] HarnessError),
    /// A field to mutate that the scenario does not have.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// More fields than a search mutates.
    #[error("{0} fields to mutate; a search mutates at most {MAX_FIELDS}")]
    TooManyFields(usize),
    /// A corpus file that is not an input of this search.
    #[error("corpus {path}: not an input of {fields} fields, as this search mutates")]
    NotAnInput {
        /// The file.
        path: String,
        /// The fields the search mutates.
        fields: usize,
    },
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
    /// Where the corpus is read from: every input of every directory, in
    /// the order of their names (digests), each once. New inputs, and the
    /// shrunk input of each class, are written to the first; none keeps
    /// the corpus in memory. A search with several directories and no
    /// runs merges them: the inputs of the others that reach something
    /// the ones before did not are written to the first, and every class
    /// among them is found and shrunk.
    pub corpus: Vec<PathBuf>,
    /// Threads to run a batch on.
    pub threads: usize,
    /// What is mutated, in this order; none: stdin alone.
    pub fields: Vec<Field>,
    /// What guides the search. With [`Signal::Journal`] the guest need
    /// not be instrumented.
    pub signal: Signal,
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
    /// The run (1-based) that first gave it; 0 for an input of the
    /// corpus the search started from.
    pub found_at: u64,
    /// How many runs gave it.
    pub runs: u64,
    /// The smallest input found that still gives it: each field's bytes,
    /// in the order of [`Config::fields`].
    pub input: Input,
    /// The fields `input` sets.
    pub fields: Vec<Field>,
    /// When the faults were mutated: the fewest of those that struck
    /// that still give the class, as exact faults, in place of the draw.
    pub faults: Option<Vec<String>>,
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
            let at = if f.found_at == 0 { "corpus".to_string() } else { f.found_at.to_string() };
            let faults = f.faults.as_ref().map_or(String::new(), |x| format!(" [faults: {}]", if x.is_empty() { "none".into() } else { x.join(", ") }));
            let _ = writeln!(out, "{n:<6} {:<7} {at:>8}  {:<9} {}{faults}", f.runs, format!("{} B", f.input.iter().map(Vec::len).sum::<usize>()), f.class);
        }
        out
    }
}

impl Finding {
    /// `base` with this finding's input, named `name`: the scenario that
    /// replays it.
    pub fn scenario(&self, base: &Scenario, name: &str) -> Scenario {
        let mut s = apply(base, &self.fields, &self.input);
        if let Some(faults) = &self.faults {
            s = exact(&s, faults);
        }
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
        other => other.to_string(),
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

/// The corpus on disk: one file per input (see `input::encode`), named
/// by its sha256. Every file of every directory, in name order, each
/// name once; with whether it was read from the first directory.
fn read_corpus(dirs: &[PathBuf], fields: usize) -> Result<Vec<(Input, bool)>, FuzzError> {
    let mut files: BTreeMap<std::ffi::OsString, (PathBuf, bool)> = BTreeMap::new();
    for (i, dir) in dirs.iter().enumerate() {
        if !dir.exists() {
            continue;
        }
        for entry in std::fs::read_dir(dir).map_err(corpus_error(dir))? {
            let path = entry.map_err(corpus_error(dir))?.path();
            if let Some(name) = path.file_name().filter(|_| path.is_file()) {
                files.entry(name.to_owned()).or_insert((path.clone(), i == 0));
            }
        }
    }
    files
        .into_values()
        .map(|(p, own)| {
            let bytes = std::fs::read(&p).map_err(corpus_error(&p))?;
            let input = input::decode(&bytes, fields).ok_or_else(|| FuzzError::NotAnInput { path: p.display().to_string(), fields })?;
            Ok((input, own))
        })
        .collect()
}

fn write_input(dir: &std::path::Path, input: &Input) -> Result<(), FuzzError> {
    use sha2::{Digest, Sha256};
    let fail = corpus_error(dir);
    std::fs::create_dir_all(dir).map_err(&fail)?;
    let bytes = input::encode(input);
    let name: String = Sha256::digest(&bytes).iter().take(16).map(|b| format!("{b:02x}")).collect();
    std::fs::write(dir.join(name), bytes).map_err(&fail)
}

/// What a batch of runs gives: each candidate's report and map, in order.
type Ran = Result<Vec<(RunReport, EdgeMap)>, HarnessError>;

/// Calls `body` with a function that runs a batch of candidates on
/// `threads` threads (this one among them) that live as long as `body`:
/// a thread started per batch would cost more than the batch's runs save.
/// Candidate `k` of a batch runs on thread `k % threads`.
fn with_runner<T>(harness: &Harness, guest: &Guest, base: &Scenario, fields: &[Field], threads: usize, body: impl FnOnce(&mut dyn FnMut(&[Input]) -> Ran) -> T) -> T {
    use std::sync::{Arc, mpsc};
    let run = |input: &Input| harness.run_covered(guest, &apply(base, fields, input));
    let share = |batch: &[Input], id: usize| -> Vec<(usize, Result<(RunReport, EdgeMap), HarnessError>)> {
        batch.iter().enumerate().skip(id).step_by(threads).map(|(k, input)| (k, run(input))).collect()
    };
    if threads <= 1 {
        return body(&mut |batch| batch.iter().map(run).collect());
    }
    std::thread::scope(|s| {
        let (done, finished) = mpsc::channel();
        let mut workers = Vec::new();
        for id in 1..threads {
            let (give, take) = mpsc::channel::<Arc<Vec<Input>>>();
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

/// One input of the corpus and the features it reached.
struct Entry {
    input: Input,
    features: Vec<u32>,
    /// The edges that made it, or the line of stages it came from, new:
    /// what a stage child must still take to carry the stage on.
    kept: Vec<u32>,
    /// How far its deterministic stage has got.
    staged: usize,
    /// The positions where its stage's bit flips changed what a run
    /// reached, one bit each (see `Position::bit`).
    effective: u128,
}

/// The features of a run: each edge taken (its index), and each equality
/// test with how close it came (`COMPARES + test * 66 + closeness`).
fn features_of(report: &RunReport, map: &EdgeMap, signal: Signal) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    if signal.edges() {
        let tests = map.closest().map(|(t, c)| COMPARES as u32 + t * 66 + u32::from(c));
        out.extend(map.reached().chain(tests));
    }
    if let Some(journal) = report.journal.as_deref().filter(|_| signal.journal()) {
        out.extend(journal_features(journal).into_iter().map(|f| JOURNAL + f));
    }
    out
}

/// Where the journal's features start, past every test's.
const JOURNAL: u32 = (COMPARES + COMPARES * 66) as u32;

/// Where a feature list's tests end: the journal's features come last.
fn tests_end(features: &[u32]) -> usize {
    features.partition_point(|f| *f < JOURNAL)
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
    let theirs = &child[ce..tests_end(child)];
    let (mut before, mut after) = (0u32, 0u32);
    for f in &parent[pe..tests_end(parent)] {
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
    /// The journal's features reached.
    shapes: Vec<bool>,
}

impl Entry {
    fn edges(&self) -> usize {
        edge_count(&self.features)
    }
}

impl Corpus {
    fn new() -> Self {
        Corpus {
            entries: Vec::new(),
            hits: vec![0; JOURNAL as usize + JOURNAL_SLOTS],
            taken: vec![false; COMPARES],
            best: vec![0; COMPARES],
            shapes: vec![false; JOURNAL_SLOTS],
        }
    }

    /// Counts a run's features: the edges no run took before, and whether
    /// it came closer at a test than any run before, or made its journal
    /// take a shape none had.
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
            } else if f >= JOURNAL as usize {
                closer |= !std::mem::replace(&mut self.shapes[f - JOURNAL as usize], true);
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
        let count = |v: &[bool]| v.iter().filter(|t| **t).count();
        count(&self.taken) + self.best.iter().filter(|b| **b > 0).count() + count(&self.shapes)
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
    let fields = if config.fields.is_empty() { vec![Field::Stdin] } else { config.fields.clone() };
    if fields.len() > MAX_FIELDS {
        return Err(FuzzError::TooManyFields(fields.len()));
    }
    let start: Input = fields.iter().map(|f| f.read(base)).collect::<Result<_, _>>()?;
    let journaled = base.clone().journal(config.signal.journal());
    let mut found = with_runner(harness, guest, &journaled, &fields, config.threads, |run| search(run, start, &fields, dictionary, config))?;
    for f in &mut found.findings {
        let shrunk = Shrink { harness, guest, base, fields: &fields, class: &f.class, fail_on: &config.fail_on };
        f.input = shrunk.shrink(std::mem::take(&mut f.input))?;
        f.faults = shrunk.fewest_faults(&f.input)?;
        if let Some(dir) = config.corpus.first() {
            write_input(dir, &f.input)?;
        }
    }
    Ok(found)
}

/// Counts a run of `class`, the first one at run `at` with `input`.
fn tally(classes: &mut BTreeMap<String, Finding>, class: String, at: u64, input: &Input, fields: &[Field]) {
    classes
        .entry(class.clone())
        .and_modify(|f| f.runs += 1)
        .or_insert_with(|| Finding { class, found_at: at, runs: 1, input: input.clone(), fields: fields.to_vec(), faults: None });
}

/// The search itself, its batches run by `run`; its findings not yet
/// shrunk.
fn search(run: &mut dyn FnMut(&[Input]) -> Ran, start: Input, fields: &[Field], dictionary: &[u8], config: &Config) -> Result<Fuzzing, FuzzError> {
    let mut rng = Rng(crate::kernel::mix(config.seed ^ 0xf022_5eed));
    let (mut starting, mut own): (Vec<Input>, Vec<bool>) = read_corpus(&config.corpus, fields.len())?.into_iter().unzip();
    if starting.is_empty() {
        starting.push(start);
        own.push(false);
    }
    let mut corpus = Corpus::new();
    let mut classes: BTreeMap<String, Finding> = BTreeMap::new();
    // The starting inputs set the edges a candidate must go beyond. One
    // that fails is a class found in the corpus (at run 0); one read from
    // another directory that reaches something new is merged into the
    // first.
    for ((input, own), (report, map)) in starting.iter().zip(own).zip(run(&starting)?) {
        let features = features_of(&report, &map, config.signal);
        let (novel, closer) = corpus.observe(&features);
        if let Some(class) = class_of(&report, &config.fail_on) {
            tally(&mut classes, class, 0, input, fields);
        }
        if let Some(dir) = config.corpus.first().filter(|_| !own && (closer || !novel.is_empty())) {
            write_input(dir, input)?;
        }
        let kept = features[..edge_count(&features)].to_vec();
        corpus.entries.push(Entry { input: input.clone(), features, kept, staged: 0, effective: 0 });
    }
    let start = corpus.entries.len();
    let mut made = 0u64;
    let mut passing = 0u64;
    // The entry whose stage runs now.
    let mut current: Option<usize> = None;
    // New entries that did not carry a stage on, waiting for their own,
    // with the first position where they differ from their parent.
    let mut waiting: Vec<(Position, usize)> = Vec::new();
    while made < config.runs {
        let n = (config.runs - made).min(BATCH as u64) as usize;
        let pool = if config.guided { corpus.entries.len() } else { start };
        let weights = corpus.weights();
        let weights = &weights[..pool];
        let total: f64 = weights.iter().sum();
        let mut batch: Vec<Input> = Vec::with_capacity(n);
        // Half of each batch goes to one entry's deterministic stage, the
        // other half to random mutations of entries drawn by weight.
        let unfinished = |e: &Entry| e.staged < stage_len(&e.input, dictionary.len());
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
            let end = stage_len(&entry.input, dictionary.len());
            while batch.len() < n / 2 && entry.staged < end {
                if let Some((at, flip, child)) = staged(&entry.input, entry.staged, dictionary, entry.effective) {
                    batch.push(child);
                    steps.push((entry.staged, at, flip));
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
                tally(&mut classes, class, made, &input, fields);
            } else {
                passing += 1;
            }
            let features = features_of(&report, &map, config.signal);
            let (novel, closer) = corpus.observe(&features);
            let new = closer || !novel.is_empty();
            if !config.guided {
                continue;
            }
            // A bit flip that changes what the run reaches marks its
            // position as one the dictionary pass writes.
            if let (Some((_, at, true)), Some(p)) = (steps.get(k), parent)
                && features != corpus.entries[p].features
            {
                corpus.entries[p].effective |= at.bit().unwrap_or(0);
            }
            // A stage candidate that goes further than its parent (see
            // [`climbs`]) carries the stage on from the next step, new to
            // the search or not: a check byte's bits are flipped one after
            // the other on the input that came closest, where a test that
            // other inputs pass would never count as new.
            let climbs = k < steps.len() && !took_over && parent.is_some_and(|p| climbs(&corpus.entries[p], &features));
            if new || climbs {
                if let Some(dir) = config.corpus.first() {
                    write_input(dir, &input)?;
                }
                let mut kept = novel;
                let mut effective = 0;
                let staged = match steps.get(k) {
                    Some((step, _, _)) if climbs => {
                        took_over = true;
                        current = Some(corpus.entries.len());
                        let from = &corpus.entries[parent.unwrap_or(0)];
                        kept.extend_from_slice(&from.kept);
                        kept.sort_unstable();
                        kept.dedup();
                        effective = from.effective;
                        step + 1
                    }
                    Some((_, at, _)) => {
                        waiting.push((*at, corpus.entries.len()));
                        0
                    }
                    None => {
                        // Where a random candidate first differs from its
                        // parent.
                        let from = &corpus.entries[parents[k - steps.len()]].input;
                        waiting.push((Position::first_change(&input, from), corpus.entries.len()));
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

impl Shrink<'_> {
    /// When the faults were mutated: the faults that struck in the run of
    /// `input`, as exact faults, cut one by one to the fewest that still
    /// give the class (as explore cuts them). `None` when no fault was
    /// mutated, or the exact faults do not give the class where the draw
    /// did.
    fn fewest_faults(&self, input: &Input) -> Result<Option<Vec<String>>, HarnessError> {
        if !self.fields.contains(&Field::Faults) {
            return Ok(None);
        }
        let scenario = apply(self.base, self.fields, input);
        let report = self.harness.run(self.guest, &scenario)?;
        let struck: Vec<String> = report.faults.map_or_else(Vec::new, |f| f.fired.into_iter().map(|x| x.fault).collect());
        let gives = |faults: &[String]| -> Result<bool, HarnessError> {
            let report = self.harness.run(self.guest, &exact(&scenario, faults))?;
            Ok(class_of(&report, self.fail_on).as_deref() == Some(self.class))
        };
        if !gives(&struck)? {
            return Ok(None);
        }
        crate::faults::fewest(&struck, gives).map(Some)
    }
}

/// `scenario` with exactly `faults` (each in its text form, as a report
/// lists them), and no other.
fn exact(scenario: &Scenario, faults: &[String]) -> Scenario {
    scenario.clone().faults(crate::faults::FaultPlan::struck(faults))
}

/// What shrinking a class's input needs.
struct Shrink<'a> {
    harness: &'a Harness,
    guest: &'a Guest,
    base: &'a Scenario,
    fields: &'a [Field],
    class: &'a str,
    fail_on: &'a [String],
}

impl Shrink<'_> {
    /// The smallest input found that still gives the class: each field in
    /// turn cut by chunks (halves, then quarters, down to single bytes).
    /// A field that is not a stream of bytes (an argument, a path, a
    /// call, a seed) is first set back to its starting bytes, kept if
    /// that still gives the class: what the class does not need reads as
    /// it was given.
    fn shrink(&self, mut input: Input) -> Result<Input, HarnessError> {
        let mut budget = SHRINK_RUNS;
        let mut gives = |candidate: &Input| -> Result<bool, HarnessError> {
            if budget == 0 {
                return Ok(false);
            }
            budget -= 1;
            let report = self.harness.run(self.guest, &apply(self.base, self.fields, candidate))?;
            Ok(class_of(&report, self.fail_on).as_deref() == Some(self.class))
        };
        for k in 0..input.len() {
            if !matches!(self.fields[k], Field::Stdin | Field::File(_) | Field::Body(_)) {
                let mut back = input.clone();
                back[k] = self.fields[k].read(self.base).unwrap_or_default();
                if back != input && gives(&back)? {
                    input = back;
                    continue;
                }
            }
            if self.fields[k] == Field::Faults {
                // Its faults are cut as exact ones (`fewest_faults`).
                continue;
            }
            let mut size = input[k].len().div_ceil(2).max(1);
            loop {
                let mut at = 0;
                while at < input[k].len() {
                    let end = (at + size).min(input[k].len());
                    let mut fewer = input.clone();
                    fewer[k].drain(at..end);
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
        }
        Ok(input)
    }
}
