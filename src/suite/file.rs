//! Scenario files: one TOML file per scenario, read into runnable cases.
//!
//! ```toml
//! guest = "fs-tree"            # a guest the caller's resolver knows ...
//! # components = ["x.wasm"]    # ... or component files, relative to this file
//! worlds = ["p2", "p3"]        # the guest's builds to run (default: p2, p3)
//! seed = 42
//! args = ["fs-tree"]
//! env = ["LANG=C.UTF-8"]       # in this order
//! stdin = "text"               # or stdin-file = "input.txt"
//! fixture = "fixture"          # initial tree: a directory, relative to this file
//! backend = "direct"           # or "bridge"
//! journal = true               # the report lists every host call
//! perturb = true               # `test` also checks the perturbations ...
//! allow-perturb = ["wall-start"]  # ... but these, which the guest may notice
//! limits = { fuel = 50000000, timeout-ms = 10000, memory-bytes = 67108864,
//!            capture-bytes = 262144, fs-bytes = 1048576, fs-inodes = 1000 }
//!                              # any subset; 0 turns fuel or the timeout off
//! quota = { bytes = 1048576, inodes = 1000 }
//!
//! [faults]                     # faults to inject; see the `faults` module docs
//! plan = ["no-space#3@data/", "http-503~0.1"]  # exact faults and rates
//! seed = 7                     # also draw faults from this fault seed:
//! kinds = ["fs", "http"]       # of these kinds (default: all)
//! count = 2                    # this many (default 1)
//!
//! [explore]                    # also explore; see the `explore` module docs
//! seeds = "0..200"             # these seeds (B not included)
//! faults = 2                   # drawing this many faults from each (default 0)
//! kinds = ["no-space"]         # of these kinds (default: all)
//! one-class = true             # fail unless every run gives one class
//!
//! [[http.mock]]                # HTTP answers; see the `http` module docs
//! url = "https://api.example.com/items"
//! body = "[]"
//!
//! serve = "fresh"              # an HTTP handler: a fresh instance per request
//!                              # (the filesystem carries over), "shared" (one
//!                              # instance, in order) or "concurrent" (one p3
//!                              # instance, every request at once)
//! [[request]]                  # a request for an HTTP handler, in order
//! method = "POST"              # default GET
//! path = "/echo?x=1"
//! headers = { content-type = "text/plain" }
//! body = "hi"                  # or body-file = "body.bin"
//!
//! [[call]]                     # call exported functions instead of running
//! invoke = "add(1, 2)"         # the command: WAVE, as `wasmtime run --invoke`
//!
//! [[preopen]]                  # instead of `fixture`: one or more preopens
//! guest = "/data"              # the guest path (default "/")
//! fixture = "data"             # copied in under the guest path (default: empty)
//! read-only = true
//! ```
//!
//! Every path a scenario names is resolved against the scenario file's
//! directory; nothing is read from anywhere else. The format knows no
//! guests of its own: a `guest = "…"` name means what the caller's
//! [`GuestResolver`] says (the command line and this repository's tests
//! pass the catalog's).

/// What a scenario file's `guest = "…"` names. The caller supplies it.
pub trait GuestResolver {
    /// The component of guest `name` in `world`; `None` when it knows no
    /// such guest.
    fn component(&self, name: &str, world: World) -> Option<PathBuf>;
    /// The worlds a scenario naming guest `name` runs in when it gives no
    /// `worlds`. Default: p2 and p3.
    fn worlds(&self, name: &str) -> Vec<World> {
        let _ = name;
        vec![World::P2, World::P3]
    }
    /// The names it knows, for the error about one it does not.
    fn known(&self) -> Vec<String>;
}

/// A resolver that knows no guests: only `components = […]` can run.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGuests;

impl GuestResolver for NoGuests {
    fn component(&self, _: &str, _: World) -> Option<PathBuf> {
        None
    }
    fn known(&self) -> Vec<String> {
        Vec::new()
    }
}

use super::{SuiteError, syntax_error};
use crate::world::World;
use crate::scenario::Scenario;
use crate::scenario::text::{ExploreText, ScenarioText};
use crate::scenario::Origin;
use std::path::{Path, PathBuf};

/// The exploration `[explore]` asks for.
fn explore_spec(text: ExploreText, path: &Path) -> Result<crate::explore::Spec, SuiteError> {
    {
        let at = |m: String| SuiteError::at(path, m);
        let (a, b) = crate::explore::parse_seeds(&text.seeds).map_err(|e| at(format!("field `explore.seeds`: {e}")))?;
        let kinds = match text.kinds {
            Some(_) if text.faults == 0 => {
                return Err(at("field `explore.kinds`: there are no faults to draw; give `explore.faults`".into()));
            }
            Some(k) => crate::faults::parse_kinds(&k.join(",")).map_err(|e| at(format!("field `explore.kinds`: {e}")))?,
            None => crate::faults::FaultKind::ALL.to_vec(),
        };
        let schedule = match &text.schedule {
            Some(s) => Some(s.parse::<crate::schedule::Strategy>().map_err(|e| at(format!("field `explore.schedule`: {e}")))?),
            None => None,
        };
        Ok(crate::explore::Spec { seeds: a..b, faults: text.faults, kinds, one_class: text.one_class, schedule })
    }
}

/// A component to run and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The component file.
    pub component: PathBuf,
    /// The host to run it on; `None` reads it from the component.
    pub world: Option<World>,
}

/// A parsed scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The file it came from.
    pub path: PathBuf,
    /// The scenario (inputs and initial tree).
    pub scenario: Scenario,
    /// The guest it names with `guest = "…"`, if it does (the caller may
    /// have to build it before running).
    pub guest: Option<String>,
    /// What to run.
    pub targets: Vec<Target>,
    /// The exploration its `[explore]` section asks for, if it has one.
    pub explore: Option<crate::explore::Spec>,
    /// Whether `perturb = true` asks for the perturbations to be checked.
    pub perturb: bool,
    /// The perturbations its guest may notice (`allow-perturb`).
    pub allow_perturb: Vec<crate::perturb::Perturbation>,
}

impl ScenarioFile {
    /// Reads and checks a scenario file; `guests` says what its `guest`
    /// names. Errors name the file, and for malformed TOML the line and the
    /// field.
    pub fn load(path: &Path, guests: &dyn GuestResolver) -> Result<Self, SuiteError> {
        let text = super::read_text(path)?;
        let mut raw: ScenarioText = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();

        let explore = raw.explore.take().map(|e| explore_spec(e, path)).transpose()?;
        let allow_perturb = crate::perturb::Perturbation::parse_list(&raw.allow_perturb.join(","))
            .map_err(|e| SuiteError::at(path, format!("field `allow-perturb`: {e}")))?;
        let guest = raw.guest.take();
        let components = std::mem::take(&mut raw.components);
        let worlds = raw.worlds.take();
        let perturb = raw.perturb;
        raw.name.get_or_insert(stem);
        let scenario = raw.build(Origin::file(path)).map_err(|e| SuiteError::at(path, e.to_string()))?;

        let targets = match (&guest, components.is_empty()) {
            (Some(_), false) => {
                return Err(SuiteError::at(path, "fields `guest` and `components` exclude each other"));
            }
            (None, true) => return Err(SuiteError::at(path, "names no `guest` and no `components`")),
            (Some(g), true) => {
                let known = guests.known();
                if !known.contains(g) {
                    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
                    return Err(SuiteError::at(path, format!("field `guest`: no guest `{g}` (known: {known})")));
                }
                let worlds = worlds.unwrap_or_else(|| guests.worlds(g));
                worlds
                    .into_iter()
                    .map(|w| match guests.component(g, w) {
                        Some(component) => Ok(Target { component, world: Some(w) }),
                        None => Err(SuiteError::at(path, format!("field `worlds`: guest `{g}` has no {w} build"))),
                    })
                    .collect::<Result<_, SuiteError>>()?
            }
            (None, false) => {
                let worlds = worlds.unwrap_or_default();
                if !worlds.is_empty() && worlds.len() != components.len() {
                    return Err(SuiteError::at(path, "field `worlds`: give one world per component, or none"));
                }
                components
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Target { component: dir.join(c), world: worlds.get(i).copied() })
                    .collect()
            }
        };
        Ok(ScenarioFile { path: path.to_path_buf(), scenario, guest, targets, explore, perturb, allow_perturb })
    }
}
