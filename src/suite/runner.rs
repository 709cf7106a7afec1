//! The suite runner: scenario files found by path or glob, each run in the
//! worlds it names and compared with the goldens beside it. A test author's
//! `#[test]` calls [`Suite::run`]; `wasi-replay test` walks the same cases
//! with [`Suite::load`] and [`Suite::run_case`] and prints them its own way.

use super::file::{GuestResolver, NoGuests, ScenarioFile, Target};
use super::golden::{Golden, Update, UpdateError, Verdict};
use super::{SuiteError, discover};
use crate::harness::Harness;
use crate::report::unified_diff;
use crate::world::World;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Scenario files and their goldens, run as a suite.
///
/// ```no_run
/// #[test]
/// fn scenarios() {
///     wasi_replay::Suite::new().guest("app", wasi_replay::World::P2, "target/app.wasm").run("tests/scenarios/*.toml");
/// }
/// ```
///
/// Goldens sit beside each scenario file as `<stem>.<world>.snap`, or in
/// one directory of their own ([`Suite::snapshot_dir`]), in insta's
/// format, so `cargo insta review` reviews them. Whether a new or
/// changed report is written, and where, follows `INSTA_UPDATE` and `CI`
/// as insta does ([`Update::from_env`]); [`Suite::update`] overrides it.
pub struct Suite {
    guests: Box<dyn GuestResolver>,
    named: Guests,
    update: Option<Update>,
    snapshots: Option<PathBuf>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite").field("named", &self.named).field("update", &self.update).finish_non_exhaustive()
    }
}

impl Default for Suite {
    fn default() -> Self {
        Suite::new()
    }
}

/// Guests named in code: what [`Suite::guest`] adds.
#[derive(Debug, Clone, Default)]
struct Guests(BTreeMap<String, BTreeMap<World, PathBuf>>);

/// One scenario in one world: the unit the suite runs and reports.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// The scenario file it comes from.
    pub file: &'a ScenarioFile,
    /// The component and the world it runs in.
    pub target: &'a Target,
}

/// How one case ended.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file.
    pub file: PathBuf,
    /// The world it ran in; `None` when the component could not be loaded
    /// and named none.
    pub world: Option<World>,
    /// What happened.
    pub outcome: CaseOutcome,
}

/// What happened to one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// The report matched its golden, or was written as the golden.
    Passed {
        /// Whether it was written (a new golden, or an accepted change).
        accepted: bool,
    },
    /// The golden differs from the report.
    Mismatch {
        /// The golden file.
        golden: PathBuf,
        /// Where the new report went, if it was written.
        pending: Option<PathBuf>,
        /// The golden's report.
        old: String,
        /// The new report.
        new: String,
    },
    /// No golden yet.
    Missing {
        /// The golden file that does not exist.
        golden: PathBuf,
        /// Where the new report went, if it was written.
        pending: Option<PathBuf>,
        /// The new report.
        new: String,
    },
    /// The scenario's `[explore]` asks for one class (`one-class = true`),
    /// and exploration found more.
    NotOneClass {
        /// How many it found.
        classes: usize,
        /// What [`crate::explore::Exploration::show`] printed for it.
        shown: String,
    },
    /// The scenario asks for perturbations (`perturb = true`), and one it
    /// does not allow changed the report.
    Perturbed {
        /// One line per perturbation (see [`crate::perturb::Outcome::line`]).
        lines: Vec<String>,
        /// For the first that failed: the field before and after, and the
        /// journals' first divergence.
        detail: String,
    },
    /// The case could not run: the component did not load, or a golden
    /// could not be read or written.
    Error(String),
}

impl CaseResult {
    /// Did the case pass?
    pub fn passed(&self) -> bool {
        matches!(self.outcome, CaseOutcome::Passed { .. })
    }

    /// Why it failed, with a unified diff for a mismatch; `None` when it
    /// passed.
    pub fn explain(&self) -> Option<String> {
        let head = format!("{} ({})", self.file.display(), self.world.map_or("?".into(), |w| w.to_string()));
        let written = |p: &Option<PathBuf>| match p {
            Some(p) => format!("the new report is in {}", p.display()),
            None => "nothing was written".to_string(),
        };
        match &self.outcome {
            CaseOutcome::Passed { .. } => None,
            CaseOutcome::Mismatch { golden, pending, old, new } => Some(format!(
                "{head}: the report differs from {}; {}:\n{}{}",
                golden.display(),
                written(pending),
                crate::journal::heading(crate::journal::divergence_in_text(old, new)),
                unified_diff(&golden.display().to_string(), old, "new report", new)
            )),
            CaseOutcome::Missing { golden, pending, .. } => {
                Some(format!("{head}: no golden at {}; {}", golden.display(), written(pending)))
            }
            CaseOutcome::NotOneClass { classes, shown } => Some(format!(
                "{head}: exploration found {classes} classes, and the scenario asks for one (`one-class = true`):\n{shown}"
            )),
            CaseOutcome::Perturbed { lines, detail } => {
                Some(format!("{head}: a perturbation the scenario does not allow changed the report:\n  {}\n{detail}", lines.join("\n  ")))
            }
            CaseOutcome::Error(e) => Some(format!("{head}: {e}")),
        }
    }
}

impl Suite {
    /// A suite that knows no guests by name (a scenario names its
    /// components, or [`Suite::guest`] adds names), with the update mode
    /// from the environment.
    pub fn new() -> Self {
        Suite { guests: Box::new(NoGuests), named: Guests::default(), update: None, snapshots: None }
    }

    /// Makes `guest = "name"` in a scenario mean `component` in `world`.
    /// A scenario with no `worlds` runs in every world given for its
    /// guest.
    pub fn guest(mut self, name: impl Into<String>, world: World, component: impl Into<PathBuf>) -> Self {
        self.named.0.entry(name.into()).or_default().insert(world, component.into());
        self
    }

    /// Resolves the guest names [`Suite::guest`] did not give with `guests`.
    pub fn guests(mut self, guests: impl GuestResolver + 'static) -> Self {
        self.guests = Box::new(guests);
        self
    }

    /// Writes new and changed reports as `update` says, whatever the
    /// environment says.
    pub fn update(mut self, update: Update) -> Self {
        self.update = Some(update);
        self
    }

    /// Keeps every golden in `dir`, as `<scenario stem>.<label>.snap`,
    /// instead of beside its scenario file (insta's `snapshot_path`). Two
    /// scenario files of one stem cannot share it: loading them is an
    /// error. Default: beside each scenario file.
    pub fn snapshot_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.snapshots = Some(dir.into());
        self
    }

    /// The golden of `scenario` for `label` (`p2`, `p3.explore`, …).
    pub fn golden(&self, scenario: &Path, label: &str) -> Golden {
        match &self.snapshots {
            Some(dir) => Golden::in_dir(dir, scenario, label),
            None => Golden::beside(scenario, label),
        }
    }

    /// Reads every scenario file that `paths` name: each one a `.toml`
    /// file, a directory (searched recursively for `.toml` files), or a
    /// glob (`tests/**/*.toml`). Sorted by path. A glob that matches
    /// nothing is an error, so a typo cannot pass as an empty suite.
    pub fn load<P: AsRef<Path>>(&self, paths: impl IntoIterator<Item = P>) -> Result<Vec<ScenarioFile>, SuiteError> {
        let paths: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_path_buf()).collect();
        let found = discover(&paths)?;
        if let Some(dir) = &self.snapshots {
            let mut stems: BTreeMap<std::ffi::OsString, &PathBuf> = BTreeMap::new();
            for f in &found {
                if let Some(other) = stems.insert(f.file_stem().unwrap_or_default().to_os_string(), f) {
                    let why = format!("shares its name with {}, and their goldens would be one file in {}", other.display(), dir.display());
                    return Err(SuiteError::at(f, why));
                }
            }
        }
        found.iter().map(|f| ScenarioFile::load(f, self)).collect()
    }

    /// Every case of `files`, in order.
    pub fn cases(files: &[ScenarioFile]) -> Vec<Case<'_>> {
        files.iter().flat_map(|file| file.targets.iter().map(move |target| Case { file, target })).collect()
    }

    /// Runs one case on `harness` and checks its golden.
    pub fn run_case(&self, harness: &Harness, case: &Case<'_>) -> CaseResult {
        let (file, target) = (case.file, case.target);
        let mut result = CaseResult {
            scenario: file.scenario.name().to_string(),
            file: file.path.clone(),
            world: target.world,
            outcome: CaseOutcome::Error(String::new()),
        };
        result.outcome = match self.check(harness, file, target, &mut result.world) {
            Ok(outcome) => outcome,
            Err(e) => CaseOutcome::Error(e),
        };
        result
    }

    fn check(
        &self,
        harness: &Harness,
        file: &ScenarioFile,
        target: &Target,
        world: &mut Option<World>,
    ) -> Result<CaseOutcome, String> {
        let guest = harness.load_on(&target.component, target.world).map_err(|e| e.to_string())?;
        *world = Some(guest.host());
        let new = harness.run(&guest, &file.scenario).map_err(|e| e.to_string())?.to_yaml();
        let outcome = self.compare(&self.golden(&file.path, &guest.host().to_string()), new)?;
        let CaseOutcome::Passed { accepted } = outcome else { return Ok(outcome) };
        let mut accepted = accepted;
        if let Some(spec) = &file.explore {
            let found = crate::explore::explore(harness, &guest, &file.scenario, &spec.config(1)).map_err(|e| e.to_string())?;
            let shown = found.show();
            match self.compare(&self.golden(&file.path, &format!("{}.explore", guest.host())), shown.clone())? {
                CaseOutcome::Passed { .. } if spec.one_class && found.classes.len() > 1 => {
                    return Ok(CaseOutcome::NotOneClass { classes: found.classes.len(), shown });
                }
                CaseOutcome::Passed { accepted: again } => accepted |= again,
                other => return Ok(other),
            }
        }
        if file.perturb {
            let outcomes = crate::perturb::perturb(harness, &guest, &file.scenario, None, &file.allow_perturb, crate::perturb::VARIANTS)
                .map_err(|e| e.to_string())?;
            if let Some(bad) = outcomes.iter().find(|o| o.failed()) {
                let lines = outcomes.iter().map(crate::perturb::Outcome::line).collect();
                return Ok(CaseOutcome::Perturbed { lines, detail: bad.detail() });
            }
        }
        Ok(CaseOutcome::Passed { accepted })
    }

    /// The update mode: the one [`Suite::update`] set, else the one the
    /// environment asks for ([`Update::from_env`]).
    pub fn update_mode(&self) -> Result<Update, UpdateError> {
        self.update.map_or_else(Update::from_env, Ok)
    }

    /// Compares `new` with `golden`, writing it as the update mode says.
    fn compare(&self, golden: &Golden, new: String) -> Result<CaseOutcome, String> {
        let io = |e: std::io::Error| format!("{}: {e}", golden.path.display());
        let old = golden.read().map_err(io)?;
        let update = self.update_mode().map_err(|e| e.to_string())?;
        let verdict = golden.check(&new, update).map_err(io)?;
        let pending = verdict.wrote_pending(update).then(|| golden.pending());
        let path = golden.path.clone();
        Ok(match (verdict, old) {
            (Verdict::Match, _) => CaseOutcome::Passed { accepted: false },
            (Verdict::Accepted, _) => CaseOutcome::Passed { accepted: true },
            (Verdict::Mismatch, Some(old)) => CaseOutcome::Mismatch { golden: path, pending, old, new },
            (Verdict::Mismatch | Verdict::Missing, _) => CaseOutcome::Missing { golden: path, pending, new },
        })
    }

    /// Runs every case that `pattern` names (see [`Suite::load`]) on the
    /// test binary's shared harness, and panics, listing each failure with
    /// its diff, unless all of them pass. For a `#[test]`.
    #[track_caller]
    pub fn run(&self, pattern: impl AsRef<Path>) {
        self.update_mode().unwrap_or_else(|e| panic!("wasi-replay: {e}"));
        let files = self.load([pattern]).unwrap_or_else(|e| panic!("wasi-replay: {e}"));
        let harness = Harness::shared().unwrap_or_else(|e| panic!("wasi-replay: {e}"));
        let results: Vec<CaseResult> = Suite::cases(&files).iter().map(|c| self.run_case(harness, c)).collect();
        for r in &results {
            let world = r.world.map_or("?".into(), |w| w.to_string());
            println!("{} ({world}) ... {}", r.file.display(), if r.passed() { "ok" } else { "FAILED" });
        }
        let failures: Vec<String> = results.iter().filter_map(CaseResult::explain).collect();
        if !failures.is_empty() {
            panic!(
                "{} of {} scenario cases failed; review with `cargo insta review`:\n\n{}",
                failures.len(),
                results.len(),
                failures.join("\n")
            );
        }
    }
}

impl GuestResolver for Suite {
    fn component(&self, name: &str, world: World) -> Option<PathBuf> {
        match self.named.0.get(name) {
            Some(by_world) => by_world.get(&world).cloned(),
            None => self.guests.component(name, world),
        }
    }

    fn worlds(&self, name: &str) -> Vec<World> {
        match self.named.0.get(name) {
            Some(by_world) => by_world.keys().copied().collect(),
            None => self.guests.worlds(name),
        }
    }

    fn known(&self) -> Vec<String> {
        let mut known: Vec<String> = self.named.0.keys().cloned().collect();
        known.extend(self.guests.known());
        known
    }
}
