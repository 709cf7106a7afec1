//! Exploration: many seeded runs of one scenario, each with faults drawn
//! from its seed when asked, grouped into classes by what they left.
//!
//! A class is how the run ended (the exit status, the trap's message or
//! the limit) and a digest of stdout, stderr and the final tree. Runs go
//! through [`Harness::run_each`], and each report is folded into its class
//! as it arrives and dropped: a class keeps its count, its first seed and
//! the faults that struck in that seed's run, so memory stays flat however
//! many runs there are.
//!
//! For a class whose first run had faults, the faults that struck are
//! shrunk: each is dropped in turn, and the drop is kept when the seed
//! still gives the class, until no single fault can go. What is left is
//! the fewest faults (by this greedy search) that give the class; no
//! fault left means the seed alone gives it.
//!
//! Seeds split across machines with a partition `K/N` (seed `A + i` goes
//! to partition `i % N + 1`), and [`merge`] joins the partitions' results
//! into the one an unsplit exploration gives.
//!
//! Layer L6: imports L0–L5.
//! `tests/all/architecture.rs` holds it.

use crate::faults::{Draw, FaultKind, FaultPlan};
use crate::harness::{Guest, Harness, HarnessError};
use crate::report::{Exit, FsView, Output, RunReport};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// The version of the JSON an exploration writes; [`merge`] reads only it.
#[doc(hidden)]
pub const FORMAT: u32 = 1;

/// What to explore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The seeds, `start..end`.
    pub seeds: std::ops::Range<u64>,
    /// Faults drawn from each seed (0: the seed alone varies).
    pub faults: u32,
    /// The kinds they are drawn from.
    pub kinds: Vec<FaultKind>,
    /// This machine's share: `(K, N)`, 1-based; `None` is every seed.
    pub partition: Option<(u64, u64)>,
    /// Threads to run on.
    pub threads: usize,
}

/// What a scenario file's `[explore]` section asks for:
///
/// ```toml
/// [explore]
/// seeds = "0..200"        # the seeds, A..B (B not included)
/// faults = 2              # faults drawn from each seed (default 0)
/// kinds = ["no-space"]    # drawn from these kinds or groups (default: all)
/// one-class = true        # fail unless every run lands in one class
/// schedule = "pct:2"      # each run's schedule, seeded by its seed
/// ```
///
/// `wasi-replay test` (and [`crate::Suite`]) runs the exploration after
/// the scenario's own run, and compares its [`Exploration::show`] with
/// the golden `<stem>.<world>.explore.snap` beside the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(hidden)]
pub struct Spec {
    /// The seeds.
    pub seeds: std::ops::Range<u64>,
    /// Faults drawn per seed.
    pub faults: u32,
    /// The kinds they are drawn from.
    pub kinds: Vec<FaultKind>,
    /// Must every run give the same class?
    pub one_class: bool,
    /// The schedule every explored run takes, when the section names one.
    pub schedule: Option<crate::schedule::Strategy>,
}

impl Spec {
    /// The scenario the exploration starts from: `scenario`, with this
    /// section's schedule when it names one.
    pub fn base(&self, scenario: &Scenario) -> Scenario {
        match &self.schedule {
            Some(s) => scenario.clone().schedule(s.clone()),
            None => scenario.clone(),
        }
    }

    /// The exploration of this spec on `threads` threads, unpartitioned.
    pub fn config(&self, threads: usize) -> Config {
        Config { seeds: self.seeds.clone(), faults: self.faults, kinds: self.kinds.clone(), partition: None, threads }
    }
}

/// Reads `A..B` with `A < B`.
pub fn parse_seeds(s: &str) -> Result<(u64, u64), ExploreError> {
    let bad = || ExploreError(format!("`{s}` is not A..B with A < B"));
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (a, b) = (a.trim().parse::<u64>().map_err(|_| bad())?, b.trim().parse::<u64>().map_err(|_| bad())?);
    if a >= b {
        return Err(bad());
    }
    Ok((a, b))
}

impl Config {
    /// The seeds of this partition, in order.
    pub fn own_seeds(&self) -> impl Iterator<Item = u64> + '_ {
        let (k, n) = self.partition.unwrap_or((1, 1));
        self.seeds.clone().filter(move |s| (s - self.seeds.start) % n == k - 1)
    }

    /// The scenario of `seed`: the base one with that seed, and the
    /// faults drawn from it.
    pub fn scenario_for(&self, base: &Scenario, seed: u64) -> Scenario {
        let mut s = base.clone().seed(seed);
        if self.faults > 0 {
            let mut plan = s.fault_plan().clone();
            plan.draw = Some(Draw { seed, count: self.faults, kinds: self.kinds.clone() });
            s = s.faults(plan);
        }
        s
    }
}

/// One class of outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Class {
    /// How the runs ended: `status 0`, `trap: …`, `limit: out-of-fuel`.
    pub exit: String,
    /// The first 16 hex digits of a sha256 of stdout, stderr and the tree.
    pub output: String,
    /// How many runs gave it.
    pub runs: u64,
    /// The lowest seed that gave it.
    pub first_seed: u64,
    /// The faults that struck in that seed's run.
    pub struck: Vec<String>,
    /// The fewest of them that still give the class; empty when the seed
    /// alone gives it.
    pub minimal: Vec<String>,
    /// The fewest decisions of that seed's run that still give the class,
    /// when the exploration had a schedule (see [`crate::schedule`]):
    /// `--schedule replay:` with them, at that seed, gives it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<String>,
}

/// What an exploration found: its settings and its classes, in order of
/// their first seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Exploration {
    /// [`FORMAT`].
    pub format: u32,
    /// The guest's name.
    pub guest: String,
    /// The seeds, `[start, end)`.
    pub seeds: (u64, u64),
    /// Faults drawn per run.
    pub faults: u32,
    /// The kinds drawn from, by name.
    pub kinds: Vec<String>,
    /// The partitions joined in it, `K/N` each.
    pub partitions: Vec<String>,
    /// Runs made (shrinking's not counted).
    pub runs: u64,
    /// Stopped before every seed ran (Ctrl-C): the classes are those of
    /// the runs made.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// What the `exhaustive` schedule walked, when it was the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk: Option<Walk>,
    /// The command a class's replay starts with (`wasi-replay run
    /// app.wasm --dir …`); the caller fills it, a class adds its seed and
    /// faults.
    #[serde(default)]
    pub replay: String,
    /// The classes.
    pub classes: Vec<Class>,
}

/// What an `exhaustive` exploration walked: the schedules of each seed,
/// depth-first, up to a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Walk {
    /// The most schedules walked from one seed.
    pub bound: u64,
    /// How many seeds had more schedules than that: their walks stopped
    /// at the bound. 0 means every schedule of every seed was run.
    pub cut: u64,
}

/// How a report's run ended, as a class names it.
#[doc(hidden)]
pub fn exit_text(report: &RunReport) -> String {
    match &report.exit {
        Exit::Status(s) => format!("status {s}"),
        Exit::Trap(t) => format!("trap: {t}"),
        Exit::OutOfFuel => "limit: out-of-fuel".into(),
        Exit::Timeout { .. } => "limit: timeout".into(),
        Exit::WaitsForever { .. } => "limit: waits-forever".into(),
    }
}

/// The class of a report: how it ended, and the digest of its stdout,
/// stderr and tree.
pub fn class_of(report: &RunReport) -> (String, String) {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for out in [&report.stdout, &report.stderr] {
        match out {
            Output::Text(t) => field(t.as_bytes()),
            Output::Binary { base64 } => field(base64.as_bytes()),
        }
    }
    match &report.fs {
        FsView::Tree(entries) => {
            for e in entries {
                field(e.path.as_bytes());
                field(format!("{:?} {:?} {:?}", e.kind, e.size, e.nlink).as_bytes());
                for part in [&e.text, &e.sha256, &e.target] {
                    field(part.as_deref().unwrap_or("\0").as_bytes());
                }
            }
        }
        view @ FsView::Digest(_) => field(&serde_json::to_vec(view).unwrap_or_default()),
    }
    let digest: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    (exit_text(report), digest)
}

struct Seen {
    runs: u64,
    /// The seed of the first run that gave it, and its place in that
    /// seed's walk (0 outside one).
    first: (u64, u64),
    struck: Vec<String>,
    decisions: Option<String>,
}

/// Explores `guest` from `base`: every seed of `config`'s partition, then
/// each faulted class's faults shrunk.
pub fn explore(harness: &Harness, guest: &Guest, base: &Scenario, config: &Config) -> Result<Exploration, HarnessError> {
    explore_watched(harness, guest, base, config, &Watch::default())
}

/// What a caller sees of an exploration while it runs, and how it stops
/// one: a progress display reads the counts from another thread, and a
/// Ctrl-C handler sets `stop`.
#[derive(Debug, Default)]
pub struct Watch {
    /// Set to stop: no new run starts, and the runs made so far become the
    /// exploration, marked interrupted.
    pub stop: AtomicBool,
    /// Runs done so far.
    pub runs: AtomicU64,
    /// Classes found so far.
    pub classes: AtomicUsize,
}

/// [`explore`], watched and stoppable through `watch`.
pub fn explore_watched(harness: &Harness, guest: &Guest, base: &Scenario, config: &Config, watch: &Watch) -> Result<Exploration, HarnessError> {
    // PCT's change points are spread over the operations one run holds:
    // counted once here rather than before every run. A class replays by
    // its decisions, so the count need not be what `run` would count.
    let counted;
    let base = if matches!(base.inputs.schedule, crate::schedule::Strategy::Pct { .. }) && base.inputs.schedule_steps == 0 {
        let mut b = base.clone();
        b.inputs.schedule_steps = harness.pct_steps(guest, &config.scenario_for(base, config.seeds.start))?;
        counted = b;
        &counted
    } else {
        base
    };
    // The i-th seed of this partition, worked out rather than listed, so
    // a million seeds take no memory.
    let (k, n) = config.partition.unwrap_or((1, 1));
    let first = config.seeds.start.saturating_add(k - 1);
    let count = if first >= config.seeds.end { 0 } else { (config.seeds.end - first).div_ceil(n) };
    let seed_of = |i: usize| first + i as u64 * n;
    let classes: Mutex<BTreeMap<(String, String), Seen>> = Mutex::new(BTreeMap::new());
    let made = AtomicU64::new(0);
    // Folds one run into its class: `at` is its seed and, in a walk, its
    // place in the seed's walk; the lowest gives the class its example.
    let fold = |at: (u64, u64), report: RunReport| {
        let key = class_of(&report);
        let struck = || report.faults.as_ref().map_or_else(Vec::new, |f| f.fired.iter().map(|x| x.fault.clone()).collect());
        let decisions = || report.schedule.as_ref().map(|s| s.decisions.clone());
        let mut all = classes.lock().unwrap_or_else(|e| e.into_inner());
        made.fetch_add(1, Ordering::Relaxed);
        watch.runs.fetch_add(1, Ordering::Relaxed);
        match all.get_mut(&key) {
            Some(seen) => {
                seen.runs += 1;
                if at < seen.first {
                    seen.first = at;
                    seen.struck = struck();
                    seen.decisions = decisions();
                }
            }
            None => {
                all.insert(key, Seen { runs: 1, first: at, struck: struck(), decisions: decisions() });
                watch.classes.store(all.len(), Ordering::Relaxed);
            }
        }
        !watch.stop.load(Ordering::Relaxed)
    };
    let walked = match base.inputs.schedule {
        crate::schedule::Strategy::Exhaustive { bound } => {
            let cut = walk_seeds(harness, guest, usize::try_from(count).unwrap_or(usize::MAX), config.threads, bound, |i| {
                let seed = seed_of(i);
                (config.scenario_for(base, seed), move |ordinal, report| fold((seed, ordinal), report))
            })?;
            Some(Walk { bound, cut })
        }
        _ => {
            harness.run_each(
                guest,
                usize::try_from(count).unwrap_or(usize::MAX),
                config.threads,
                |i| Cow::Owned(config.scenario_for(base, seed_of(i))),
                |i, report| fold((seed_of(i), 0), report),
            )?;
            None
        }
    };
    let interrupted = watch.stop.load(Ordering::Relaxed);
    let mut found = Vec::new();
    for ((exit, output), seen) in classes.into_inner().unwrap_or_else(|e| e.into_inner()) {
        let class = (exit.clone(), output.clone());
        let first_seed = seen.first.0;
        // A walked class's faults shrink under its own schedule.
        let replayed;
        let base = match (&walked, &seen.decisions) {
            (Some(_), Some(d)) => {
                replayed = base.clone().schedule(crate::schedule::Strategy::Replay(d.parse().unwrap_or_default()));
                &replayed
            }
            _ => base,
        };
        let mut minimal = shrink(harness, guest, base, first_seed, &seen.struck, &class)?;
        let decisions = match &seen.decisions {
            Some(d) => {
                let (faults, fewest) = shrink_decisions(harness, guest, base, first_seed, (&minimal, &seen.struck), d, &class)?;
                minimal = faults;
                Some(fewest)
            }
            None => None,
        };
        found.push((seen.first, Class {
            exit,
            output,
            runs: seen.runs,
            first_seed,
            struck: seen.struck,
            minimal,
            decisions,
        }));
    }
    found.sort_by_key(|(first, _)| *first);
    let found = found.into_iter().map(|(_, c)| c).collect();
    let partition = config.partition.unwrap_or((1, 1));
    Ok(Exploration {
        format: FORMAT,
        guest: guest.name().to_string(),
        seeds: (config.seeds.start, config.seeds.end),
        faults: config.faults,
        kinds: config.kinds.iter().map(|k| k.name().to_string()).collect(),
        partitions: vec![format!("{}/{}", partition.0, partition.1)],
        runs: if interrupted || walked.is_some() { made.load(Ordering::Relaxed) } else { count },
        interrupted,
        walk: walked,
        replay: String::new(),
        classes: found,
    })
}

/// Walks the schedules of `seeds` seeds, on `threads` threads, a seed to
/// a thread at a time: `at(i)` gives the `i`-th seed's scenario and what
/// takes each of its runs (with its place in the walk), which returns
/// `false` to stop every walk. Returns how many seeds' walks the bound cut.
fn walk_seeds<F: FnMut(u64, RunReport) -> bool>(
    harness: &Harness,
    guest: &Guest,
    seeds: usize,
    threads: usize,
    bound: u64,
    at: impl Fn(usize) -> (Scenario, F) + Sync,
) -> Result<u64, HarnessError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let cut = AtomicU64::new(0);
    let work = || -> Result<(), HarnessError> {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= seeds || stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let (scenario, mut each) = at(i);
            let walked = walk(harness, guest, &scenario, bound, |ordinal, report| {
                let go_on = each(ordinal, report) && !stop.load(Ordering::Relaxed);
                if !go_on {
                    stop.store(true, Ordering::Relaxed);
                }
                go_on
            });
            match walked {
                Ok(true) => {
                    cut.fetch_add(1, Ordering::Relaxed);
                }
                Ok(false) => {}
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
    };
    let threads = threads.clamp(1, seeds.max(1));
    std::thread::scope(|s| {
        let workers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut result = work();
        for w in workers {
            let theirs = w.join().map_err(|_| HarnessError::Internal("a walk thread panicked".into()))?;
            result = result.and(theirs);
        }
        result
    })?;
    Ok(cut.into_inner())
}

/// Runs every schedule of `scenario`, depth-first, up to `bound` runs,
/// handing each report to `each` with its place in the walk; `each`
/// returning `false` ends the walk. Returns whether the bound cut it.
///
/// The first run takes the first-held operation at every decision. A run
/// whose decisions were fixed up to point `p` (by the replay that made it)
/// and took the first-held after it leaves, for each later point `i` with
/// `m` held, the schedules that replay its choices up to `i` and then
/// choice `1..m` at `i`. They go on a stack, deepest point and lowest
/// choice on top, so each schedule is run once, and the same scenario is
/// always walked in the same order.
fn walk(
    harness: &Harness,
    guest: &Guest,
    scenario: &Scenario,
    bound: u64,
    mut each: impl FnMut(u64, RunReport) -> bool,
) -> Result<bool, HarnessError> {
    use crate::schedule::{Decisions, Strategy};
    let mut stack: Vec<Vec<u32>> = vec![Vec::new()];
    let mut walked = 0;
    while let Some(prefix) = stack.pop() {
        if walked == bound {
            return Ok(true);
        }
        let decisions = prefix.iter().enumerate().filter(|(_, c)| **c > 0).map(|(p, c)| (p as u32, *c)).collect();
        let report = harness.run(guest, &scenario.clone().schedule(Strategy::Replay(Decisions(decisions))))?;
        let held = report.schedule.as_ref().map_or_else(Vec::new, |s| s.held_counts());
        for (point, &m) in held.iter().enumerate().skip(prefix.len()) {
            for choice in (1..m).rev() {
                let mut other = prefix.clone();
                other.resize(point, 0);
                other.push(choice);
                stack.push(other);
            }
        }
        let go_on = each(walked, report);
        walked += 1;
        if !go_on {
            return Ok(false);
        }
    }
    Ok(false)
}

/// The fewest of `struck` that, with `seed`, still give `class`.
fn shrink(
    harness: &Harness,
    guest: &Guest,
    base: &Scenario,
    seed: u64,
    struck: &[String],
    class: &(String, String),
) -> Result<Vec<String>, HarnessError> {
    let gives = |faults: &[String]| -> Result<bool, HarnessError> {
        let report = harness.run(guest, &replay_scenario(base, seed, faults))?;
        Ok(&class_of(&report) == class)
    };
    crate::faults::fewest(struck, gives)
}

/// The fewest of a class's `decisions` that, replayed at `seed`, still
/// give `class`, with the faults to replay them with: the fewest faults
/// when the decisions replay with them, else every fault that struck
/// (fewer faults can move the decision points). A decision left out takes
/// the first held operation.
fn shrink_decisions(
    harness: &Harness,
    guest: &Guest,
    base: &Scenario,
    seed: u64,
    (fewest, struck): (&[String], &[String]),
    decisions: &str,
    class: &(String, String),
) -> Result<(Vec<String>, String), HarnessError> {
    use crate::schedule::{Decisions, Strategy};
    let Ok(all) = decisions.parse::<Decisions>() else { return Ok((struck.to_vec(), decisions.to_string())) };
    let gives = |faults: &[String], d: &Decisions| -> Result<bool, HarnessError> {
        let scenario = replay_scenario(base, seed, faults).schedule(Strategy::Replay(d.clone()));
        Ok(&class_of(&harness.run(guest, &scenario)?) == class)
    };
    let faults = if fewest.len() == struck.len() || gives(fewest, &all)? { fewest } else { struck };
    let mut kept = all;
    let mut i = 0;
    while i < kept.0.len() {
        let mut fewer = kept.clone();
        fewer.0.remove(i);
        if gives(faults, &fewer)? {
            kept = fewer;
        } else {
            i += 1;
        }
    }
    Ok((faults.to_vec(), kept.to_string()))
}

/// The scenario that replays a class: `base` at `seed`, with exactly
/// `faults` (in their text form) and nothing drawn.
pub fn replay_scenario(base: &Scenario, seed: u64, faults: &[String]) -> Scenario {
    base.clone().seed(seed).faults(FaultPlan::struck(faults))
}

/// Joins explorations of the partitions of one exploration: counts add
/// up, and each class keeps the lowest first seed (with its faults).
pub fn merge(parts: Vec<Exploration>) -> Result<Exploration, ExploreError> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().ok_or_else(|| ExploreError("nothing to merge".into()))?;
    for p in parts {
        if p.format != FORMAT {
            return Err(ExploreError(format!("format {} is not one this wasi-replay reads (it reads {FORMAT})", p.format)));
        }
        if (&p.guest, p.seeds, p.faults, &p.kinds) != (&all.guest, all.seeds, all.faults, &all.kinds) {
            return Err(ExploreError(format!(
                "partition {} explored {} over seeds {}..{} with {} faults, not what {} did",
                p.partitions.join(","),
                p.guest,
                p.seeds.0,
                p.seeds.1,
                p.faults,
                all.partitions.join(",")
            )));
        }
        for k in &p.partitions {
            if all.partitions.contains(k) {
                return Err(ExploreError(format!("partition {k} is given twice")));
            }
        }
        all.walk = match (all.walk, p.walk) {
            (None, None) => None,
            (Some(a), Some(b)) if a.bound == b.bound => Some(Walk { bound: a.bound, cut: a.cut + b.cut }),
            _ => return Err(ExploreError(format!("partition {} walked its schedules differently from {}", p.partitions.join(","), all.partitions.join(",")))),
        };
        all.partitions.extend(p.partitions);
        all.runs += p.runs;
        all.interrupted |= p.interrupted;
        for c in p.classes {
            match all.classes.iter_mut().find(|m| (&m.exit, &m.output) == (&c.exit, &c.output)) {
                Some(m) => {
                    m.runs += c.runs;
                    if c.first_seed < m.first_seed {
                        m.first_seed = c.first_seed;
                        m.struck = c.struck;
                        m.minimal = c.minimal;
                        m.decisions = c.decisions;
                    }
                }
                None => all.classes.push(c),
            }
        }
    }
    all.partitions.sort();
    all.classes.sort_by_key(|c| c.first_seed);
    Ok(all)
}

impl Exploration {
    /// The table: one row per class, with its count and first seed.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} over seeds {}..{}: {} run{}, {} class{}",
            self.guest,
            self.seeds.0,
            self.seeds.1,
            self.runs,
            if self.runs == 1 { "" } else { "s" },
            self.classes.len(),
            if self.classes.len() == 1 { "" } else { "es" }
        );
        if self.faults > 0 {
            out.push_str(&format!(", {} fault{} drawn per run", self.faults, if self.faults == 1 { "" } else { "s" }));
        }
        if let Some(w) = &self.walk {
            match w.cut {
                0 => out.push_str(&format!("; exhaustive: {} schedule{}, every one walked", self.runs, if self.runs == 1 { "" } else { "s" })),
                n => out.push_str(&format!(
                    "; exhaustive: {} schedules walked, {n} seed{} stopped at the bound of {}",
                    self.runs,
                    if n == 1 { "" } else { "s" },
                    w.bound
                )),
            }
        }
        if self.interrupted {
            out.push_str(" (interrupted: not every seed ran)");
        }
        out.push('\n');
        let width = self.classes.iter().map(|c| c.exit.chars().count()).max().unwrap_or(4).max(4);
        out.push_str(&format!("{:<5}  {:<width$}  {:<16}  {:>8}  {:>10}\n", "class", "exit", "output", "runs", "first seed"));
        for (i, c) in self.classes.iter().enumerate() {
            out.push_str(&format!("{:<5}  {:<width$}  {:<16}  {:>8}  {:>10}\n", i + 1, c.exit, c.output, c.runs, c.first_seed));
        }
        out
    }

    /// The command that gives `class` again: the [`Exploration::replay`]
    /// command (when there is one) with the class's seed, its schedule's
    /// decisions and its fewest faults.
    pub fn replay_command(&self, class: &Class) -> String {
        let mut words: Vec<String> = Vec::new();
        if !self.replay.is_empty() {
            words.push(self.replay.clone());
        }
        words.push(format!("--seed {}", class.first_seed));
        if let Some(d) = &class.decisions {
            words.push(format!("--schedule {}", shell_word(&format!("replay:{d}"))));
        }
        words.extend(class.minimal.iter().map(|f| format!("--fault {}", shell_word(f))));
        words.join(" ")
    }

    /// The table, then one line per class that replays it: the
    /// [`Exploration::replay`] command (when there is one) with the
    /// class's seed and its fewest faults, and for a class where faults
    /// struck, which did and which of them the class needs.
    pub fn show(&self) -> String {
        let mut out = self.table();
        out.push('\n');
        for (i, c) in self.classes.iter().enumerate() {
            out.push_str(&format!("class {}: {}\n", i + 1, self.replay_command(c)));
            if !c.struck.is_empty() {
                let fewest = if c.minimal.is_empty() { "none: the seed alone gives it".to_string() } else { c.minimal.join(", ") };
                out.push_str(&format!("  struck: {}; fewest that give the class: {fewest}\n", c.struck.join(", ")));
            }
        }
        out
    }
}

/// `s` as one shell word: as it is when it needs no quoting, else in
/// single quotes.
#[doc(hidden)]
pub fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=#@,+~".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A seed range or a set of partitions that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExploreError(String);

impl std::fmt::Display for ExploreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExploreError {}
