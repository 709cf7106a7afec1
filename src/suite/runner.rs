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
///     wasi_replay::Suite::new().guest("app", "target/app.wasm").run("tests/scenarios/*.toml");
/// }
/// ```
///
/// Goldens sit beside each scenario file as `<stem>.<world>.snap`, or in
/// one directory of their own ([`Suite::snapshot_dir`]), in insta's
/// format, so `cargo insta review` reviews them. Whether a new or
/// changed report is written, and where, follows `INSTA_UPDATE` and `CI`
/// as insta does ([`Update::from_env`]); [`Suite::update`] overrides it.
pub struct Suite {
    guests: Box<dyn GuestResolver + Send + Sync>,
    named: Guests,
    update: Option<Update>,
    snapshots: Option<PathBuf>,
    pub(super) prepare: Option<Box<dyn Fn() -> Result<(), String> + Send + Sync>>,
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

/// Guests named in code: what [`Suite::guest`] adds, and the first of
/// them that could not be used (reported when the suite loads).
#[derive(Debug, Clone, Default)]
struct Guests {
    by_name: BTreeMap<String, BTreeMap<World, PathBuf>>,
    error: Option<SuiteError>,
}

impl Guests {
    fn add(&mut self, name: String, world: World, component: PathBuf) {
        let worlds = self.by_name.entry(name.clone()).or_default();
        if let Some(other) = worlds.get(&world).filter(|other| **other != component) {
            let why = format!("guest `{name}` is given twice in {world}, the other being {}", other.display());
            self.error.get_or_insert(SuiteError::at(&component, why));
        }
        worlds.insert(world, component);
    }
}

/// The most of a component file [`Suite::guest`] reads to learn its
/// world: 1 GiB, more than any component wasmtime compiles in a test.
const MAX_COMPONENT_BYTES: u64 = 1 << 30;

/// The world the component or module at `path` speaks, read from the
/// file without compiling it.
pub(super) fn sniff_file(path: &Path) -> Result<World, SuiteError> {
    let bytes = crate::memfs::read_capped(path, MAX_COMPONENT_BYTES)
        .map_err(|e| SuiteError::at(path, format!("cannot read the component: {e}")))?;
    crate::harness::sniff_world(&bytes).ok_or_else(|| SuiteError::at(path, "not a WebAssembly component or module"))
}

/// The checks of one case, in the order [`Suite::run_case`] makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The report against its golden.
    Report,
    /// `[explore]`: the exploration against its golden, and `one-class`.
    Explore,
    /// `perturb = true`: no perturbation the file does not allow changes
    /// the report.
    Perturb,
}

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
    /// The report the run gave, as YAML (its golden's text when the case
    /// passed); `None` when the case did not get as far as a report.
    pub report: Option<String>,
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

impl CaseOutcome {
    /// The word a table of cases shows for it: `ok`, `accepted`,
    /// `MISMATCH`, `MISSING`, `CLASSES`, `PERTURB` or `error`.
    pub fn label(&self) -> &'static str {
        match self {
            CaseOutcome::Passed { accepted: false } => "ok",
            CaseOutcome::Passed { accepted: true } => "accepted",
            CaseOutcome::Mismatch { .. } => "MISMATCH",
            CaseOutcome::Missing { .. } => "MISSING",
            CaseOutcome::NotOneClass { .. } => "CLASSES",
            CaseOutcome::Perturbed { .. } => "PERTURB",
            CaseOutcome::Error(_) => "error",
        }
    }
}

impl CaseResult {
    /// The world it ran in, by name; `?` when none is known.
    pub fn world_name(&self) -> String {
        self.world.map_or("?".into(), |w| w.to_string())
    }

    /// Did the case pass?
    pub fn passed(&self) -> bool {
        matches!(self.outcome, CaseOutcome::Passed { .. })
    }

    /// Why it failed, with a unified diff for a mismatch; `None` when it
    /// passed.
    pub fn explain(&self) -> Option<String> {
        let head = format!("{} ({})", self.file.display(), self.world_name());
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
        Suite { guests: Box::new(NoGuests), named: Guests::default(), update: None, snapshots: None, prepare: None }
    }

    /// Makes `guest = "name"` in a scenario mean `component`, in the world
    /// the component speaks (read from the file, as [`Harness::load`]
    /// reads it). A scenario with no `worlds` runs in every world given
    /// for its guest, so a guest built as p2 and as p3 is given twice:
    /// `.guest("app", "app-p2.wasm").guest("app", "app-p3.wasm")`. A file
    /// that cannot be read, or is not WebAssembly, is an error when the
    /// suite loads.
    pub fn guest(mut self, name: impl Into<String>, component: impl Into<PathBuf>) -> Self {
        let component = component.into();
        match sniff_file(&component) {
            Ok(world) => self.named.add(name.into(), world, component),
            Err(e) => {
                self.named.error.get_or_insert(e);
            }
        }
        self
    }

    /// Makes `guest = "name"` in a scenario mean `component` in `world`,
    /// whatever the component says (a p2 component on the p3 host, say).
    pub fn guest_in(mut self, name: impl Into<String>, world: World, component: impl Into<PathBuf>) -> Self {
        self.named.add(name.into(), world, component.into());
        self
    }

    /// Runs `prepare` once, before the first case runs, and fails every
    /// case with its error when it fails: building guests at test time,
    /// say. Listing the tests ([`Suite::main`] with `--list`) does not run
    /// it.
    pub fn prepare(mut self, prepare: impl Fn() -> Result<(), String> + Send + Sync + 'static) -> Self {
        self.prepare = Some(Box::new(prepare));
        self
    }

    /// Resolves the guest names [`Suite::guest`] did not give with `guests`.
    pub fn guests(mut self, guests: impl GuestResolver + Send + Sync + 'static) -> Self {
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
        if let Some(e) = self.named_error() {
            return Err(e);
        }
        let paths: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_path_buf()).collect();
        let found = discover(&paths)?;
        if let Some(e) = self.duplicate_golden(&found) {
            return Err(e);
        }
        found.iter().map(|f| ScenarioFile::load(f, self)).collect()
    }

    /// The first guest given in code that could not be used.
    pub(super) fn named_error(&self) -> Option<SuiteError> {
        self.named.error.clone()
    }

    /// Two scenario files whose goldens would be one file in the snapshot
    /// directory, if there are such.
    pub(super) fn duplicate_golden(&self, found: &[PathBuf]) -> Option<SuiteError> {
        let dir = self.snapshots.as_ref()?;
        let mut stems: BTreeMap<std::ffi::OsString, &PathBuf> = BTreeMap::new();
        for f in found {
            if let Some(other) = stems.insert(f.file_stem().unwrap_or_default().to_os_string(), f) {
                let why = format!("shares its name with {}, and their goldens would be one file in {}", other.display(), dir.display());
                return Some(SuiteError::at(f, why));
            }
        }
        None
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
            report: None,
        };
        result.outcome = match self.check(harness, file, target, &mut result.world, &mut result.report) {
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
        report: &mut Option<String>,
    ) -> Result<CaseOutcome, String> {
        let guest = harness.load_on(&target.component, target.world).map_err(|e| e.to_string())?;
        *world = Some(guest.host());
        let outcome = self.check_part(harness, file, &guest, Part::Report, report)?;
        let CaseOutcome::Passed { mut accepted } = outcome else { return Ok(outcome) };
        for part in [Part::Explore, Part::Perturb] {
            match self.check_part(harness, file, &guest, part, &mut None)? {
                CaseOutcome::Passed { accepted: again } => accepted |= again,
                other => return Ok(other),
            }
        }
        Ok(CaseOutcome::Passed { accepted })
    }

    /// Runs one part of a case on `harness`: the report against its golden,
    /// or the file's exploration or perturbations (each passes at once when
    /// the file asks for none). The test harness ([`Suite::main`]) runs
    /// each part as a test of its own.
    pub(crate) fn run_part(&self, harness: &Harness, case: &Case<'_>, part: Part) -> CaseResult {
        let (file, target) = (case.file, case.target);
        let mut world = target.world;
        let mut report = None;
        let outcome = harness
            .load_on(&target.component, target.world)
            .map_err(|e| e.to_string())
            .and_then(|guest| {
                world = Some(guest.host());
                self.check_part(harness, file, &guest, part, &mut report)
            })
            .unwrap_or_else(CaseOutcome::Error);
        CaseResult { scenario: file.scenario.name().to_string(), file: file.path.clone(), world, outcome, report }
    }

    /// `report` gets the report's YAML when `part` is the report.
    fn check_part(
        &self,
        harness: &Harness,
        file: &ScenarioFile,
        guest: &crate::harness::Guest,
        part: Part,
        report: &mut Option<String>,
    ) -> Result<CaseOutcome, String> {
        let world = guest.host();
        match part {
            Part::Report => {
                let new = harness.run(guest, &file.scenario).map_err(|e| e.to_string())?.to_yaml();
                *report = Some(new.clone());
                self.compare(&self.golden(&file.path, &world.to_string()), new)
            }
            Part::Explore => {
                let Some(spec) = &file.explore else { return Ok(CaseOutcome::Passed { accepted: false }) };
                let found = crate::explore::explore(harness, guest, &spec.base(&file.scenario), &spec.config(1)).map_err(|e| e.to_string())?;
                let shown = found.show();
                Ok(match self.compare(&self.golden(&file.path, &format!("{world}.explore")), shown.clone())? {
                    CaseOutcome::Passed { .. } if spec.one_class && found.classes.len() > 1 => {
                        CaseOutcome::NotOneClass { classes: found.classes.len(), shown }
                    }
                    other => other,
                })
            }
            Part::Perturb => {
                if !file.perturb {
                    return Ok(CaseOutcome::Passed { accepted: false });
                }
                let outcomes = crate::perturb::perturb(harness, guest, &file.scenario, None, &file.allow_perturb, crate::perturb::VARIANTS)
                    .map_err(|e| e.to_string())?;
                Ok(match outcomes.iter().find(|o| o.failed()) {
                    Some(bad) => {
                        let lines = outcomes.iter().map(crate::perturb::Outcome::line).collect();
                        CaseOutcome::Perturbed { lines, detail: bad.detail() }
                    }
                    None => CaseOutcome::Passed { accepted: false },
                })
            }
        }
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
            let world = r.world_name();
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
        match self.named.by_name.get(name) {
            Some(by_world) => by_world.get(&world).cloned(),
            None => self.guests.component(name, world),
        }
    }

    fn worlds(&self, name: &str) -> Vec<World> {
        match self.named.by_name.get(name) {
            Some(by_world) => by_world.keys().copied().collect(),
            None => self.guests.worlds(name),
        }
    }

    fn known(&self) -> Vec<String> {
        let mut known: Vec<String> = self.named.by_name.keys().cloned().collect();
        known.extend(self.guests.known());
        known
    }
}
