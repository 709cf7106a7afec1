//! A scenario directory as a test binary of its own: every scenario file
//! in every world it runs in is one test, named and run as libtest names
//! and runs tests, so `cargo test -- name` filters, `--exact` runs one, and
//! nextest lists, partitions and reports each of them.
//!
//! ```toml
//! # Cargo.toml
//! [[test]]
//! name = "scenarios"
//! harness = false
//! ```
//!
//! ```no_run
//! // tests/scenarios.rs (a build script sets the path, see wasi-replay-build)
//! wasi_replay::scenarios! { dir = "tests/scenarios", guest("greet") = "target/greet.wasm" }
//! ```
//!
//! The test of `tests/scenarios/two-names.toml` in p2 is
//! `scenarios::two-names.toml::p2`: the directory's name, the file's path
//! below it, and the world. A file with `[explore]` adds
//! `…::p2::explore`, and one with `perturb = true` adds `…::p2::perturb`.
//! Listing reads the scenario files and nothing else: no guest is loaded,
//! built or run until a test runs, and only the tests selected run.

use super::runner::{Case, Part, Suite};
use super::file::ScenarioFile;
use super::discover;
use crate::harness::Harness;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::Path;
use std::sync::{Arc, OnceLock};

impl Suite {
    /// The `main` of a `harness = false` test target: one test per scenario
    /// file under `dir` and world (see [`scenarios!`](crate::scenarios)),
    /// run with libtest's command line (filters, `--exact`, `--skip`,
    /// `--list`, `--test-threads`, `--format terse`). Exits with libtest's
    /// status. A failure prints what [`Suite::run`] prints for it: the
    /// first divergence, the unified diff, and where the new report was
    /// written.
    pub fn main(self, dir: impl AsRef<Path>) -> ! {
        let args = Arguments::from_args();
        libtest_mimic::run(&args, self.trials(dir.as_ref())).exit()
    }

    /// The tests [`Suite::main`] runs, by name, without running them.
    pub fn test_names(self, dir: impl AsRef<Path>) -> Vec<String> {
        self.trials(dir.as_ref()).iter().map(|t| t.name().to_string()).collect()
    }

    /// A test per case and part. A scenario file that does not load is a
    /// failing test of its own, so the others still run.
    fn trials(self, dir: &Path) -> Vec<Trial> {
        let prefix = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
        let shared = Arc::new(Shared { suite: self, prepared: OnceLock::new() });
        let files = match shared.suite.named_error().map_or_else(|| discover(&[dir.to_path_buf()]), Err) {
            Ok(files) => files,
            Err(e) => return vec![failing(prefix, e.to_string())],
        };
        if let Some(e) = shared.suite.duplicate_golden(&files) {
            return vec![failing(prefix, e.to_string())];
        }
        let mut trials = Vec::new();
        for path in files {
            let rel = path.strip_prefix(dir).unwrap_or(&path).iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/");
            let file = match ScenarioFile::load(&path, &shared.suite) {
                Ok(file) => Arc::new(file),
                Err(e) => {
                    trials.push(failing(format!("{prefix}::{rel}"), e.to_string()));
                    continue;
                }
            };
            let mut named: Vec<String> = Vec::new();
            for (index, target) in file.targets.iter().enumerate() {
                let world = target.world.or_else(|| super::runner::sniff_file(&target.component).ok());
                let component = target.component.file_name().unwrap_or_default().to_string_lossy();
                let mut name = match world {
                    Some(w) => format!("{prefix}::{rel}::{w}"),
                    None => format!("{prefix}::{rel}::{component}"),
                };
                // Two components of one file in one world: the second is
                // named by its file too.
                if named.contains(&name) {
                    name = format!("{name}::{component}");
                }
                named.push(name.clone());
                let mut parts = vec![(name.clone(), Part::Report)];
                if file.explore.is_some() {
                    parts.push((format!("{name}::explore"), Part::Explore));
                }
                if file.perturb {
                    parts.push((format!("{name}::perturb"), Part::Perturb));
                }
                for (name, part) in parts {
                    let (shared, file) = (shared.clone(), file.clone());
                    trials.push(Trial::test(name, move || shared.run(&file, index, part)));
                }
            }
        }
        trials
    }
}

/// What every test of one binary shares: the suite, and the outcome of
/// its [`Suite::prepare`] step once the first test ran it.
struct Shared {
    suite: Suite,
    prepared: OnceLock<Result<(), String>>,
}

impl Shared {
    fn run(&self, file: &ScenarioFile, index: usize, part: Part) -> Result<(), Failed> {
        let prepared = self.prepared.get_or_init(|| self.suite.prepare.as_ref().map_or(Ok(()), |prepare| prepare()));
        prepared.clone().map_err(|e| format!("wasi-replay: preparing the suite failed: {e}"))?;
        self.suite.update_mode().map_err(|e| format!("wasi-replay: {e}"))?;
        let harness = Harness::shared().map_err(|e| format!("wasi-replay: {e}"))?;
        let case = Case { file, target: &file.targets[index] };
        let result = self.suite.run_part(harness, &case, part);
        match result.explain() {
            None => Ok(()),
            Some(why) => Err(format!("{why}\nreview with `cargo insta review`").into()),
        }
    }
}

/// A test that fails with `why`: a directory or file that did not load.
fn failing(name: String, why: String) -> Trial {
    Trial::test(name, move || Err(Failed::from(why.as_str())))
}

/// The `main` of a `harness = false` test target that runs a scenario
/// directory as one test per scenario file and world ([`Suite::main`]).
/// `dir` is relative to the package (cargo and nextest run tests there);
/// each `guest("name") = path` is [`Suite::guest`], the world read from
/// the component.
///
/// ```no_run
/// wasi_replay::scenarios! { dir = "tests/scenarios", guest("greet") = "target/greet.wasm" }
/// ```
#[macro_export]
macro_rules! scenarios {
    (dir = $dir:expr $(, guest($name:expr) = $component:expr)* $(,)?) => {
        fn main() {
            $crate::Suite::new()$(.guest($name, $component))*.main($dir)
        }
    };
}
