//! The built-in guest catalog: the scenarios under `guests/`, how to build
//! them for both worlds (and, for the p1 guests, as WASI p1 commands), and
//! the default inputs each one runs with.
//!
//! Guests are built by cargo into `guests/target/<world>`, never into the
//! host's target directory (a nested build there would wait forever on
//! cargo's lock). Cargo decides what is stale, so building an up-to-date
//! catalog costs one no-op cargo call per world. The guests in C,
//! AssemblyScript, Python and JavaScript are built by their own tools
//! (zig, asc, componentize-py, componentize-js), installed from the
//! registries when missing, and rebuilt only when a source is newer than
//! its module.
//!
//! Layer L8: this repository's guests; imports the crate's public API.
//! `tests/all/architecture.rs` holds it.

mod cargo;
mod error;
mod foreign;

pub use cargo::{Progress, build, build_all, build_all_with, build_with};
pub use error::BuildError;
pub use foreign::{build_as, build_c, build_js, build_py};

use crate::scenario::Scenario;
use crate::suite::{GuestResolver, ScenarioFile, SuiteError};
use crate::world::World;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target every p2 and p3 guest is built for.
pub const TARGET: &str = "wasm32-wasip2";

/// The wasm target the p1 builds of [`P1_GUESTS`] are built for.
pub const P1_TARGET: &str = "wasm32-wasip1";

/// Rust guests that also have a WASI p1 build: the package `<name>-p1`
/// includes the guest's own source and builds it for [`P1_TARGET`].
pub const P1_GUESTS: &[&str] = &["fs-ops"];

/// Seed every catalog scenario file sets.
pub const SEED: u64 = 42;

/// The catalog scenarios, in the order reports and tables list them.
pub const SCENARIOS: &[&str] =
    &["fs-tree", "clock-random", "cli-io", "net-denied", "exit-code", "trap", "fs-semantics", "http-get", "http-post", "http-unmatched", "fs-bulk", "lib-counter", "http-handler"];

/// The catalog scenarios with a journaled twin, `<name>.journal.toml`:
/// the same inputs with `journal = true`, and goldens that list every
/// host call. `fs-bulk` is left out (its journal is tens of thousands of
/// lines of one loop).
pub const JOURNALED: &[&str] = &[
    "fs-tree",
    "clock-random",
    "cli-io",
    "net-denied",
    "exit-code",
    "trap",
    "fs-semantics",
    "http-get",
    "http-post",
    "http-unmatched",
    "lib-counter",
    "http-handler",
];

/// The journaled scenarios whose p2 and p3 builds make different calls
/// that mean the same thing, and why; every other journaled scenario has
/// equal p2 and p3 journals.
pub const JOURNALS_DIFFER: &[(&str, &str)] = &[
    ("clock-random", "a p2 guest sleeps with `subscribe-duration` and a poll, a p3 guest with `wait-for`"),
    ("fs-semantics", "the p2 guest also uses `descriptor.read` and `write`, which p3 does not have; p3 uses streams"),
];

/// The catalog scenarios whose guest exports no command, only functions:
/// their scenario files make calls (`[[call]]`), and a run without calls
/// is refused.
pub const LIBRARIES: &[&str] = &["lib-counter"];

/// The catalog scenarios whose guest is an HTTP handler: their scenario
/// files make requests (`[[request]]`), and a run without requests is
/// refused.
pub const HANDLERS: &[&str] = &["http-handler"];

/// The hostile catalog: guests that try to break the harness. Their
/// scenario files (`scenarios/hostile/`) set the limits that stop them.
pub const HOSTILE: &[&str] =
    &["hostile-loop", "hostile-memory", "hostile-fs-bomb", "hostile-flood", "hostile-recursion", "hostile-escape", "hostile-sleep"];

/// The bug-finding catalog: guests whose scenario files
/// (`scenarios/explore/`) carry an `[explore]` section, with goldens of
/// the exploration beside them: `fault-latent` panics when one write it
/// does not retry hits a full disk, `fault-robust` gives one class under
/// any two transient filesystem faults, `readdir-order` depends on the
/// order of a directory listing, and `mail-index` on a directory's size,
/// which `check --perturb` catches (`readdir-order`, `host-values`).
pub const EXPLORED: &[&str] = &["fault-latent", "fault-robust", "readdir-order", "mail-index"];

/// The schedule catalog (`scenarios/schedule/`): guests whose outcome
/// depends on the order in which the host finishes operations that are
/// ready together. `race-counter` loses an update in some orders of its
/// two jobs' reads and writes (see [`crate::schedule`]).
pub const SCHEDULED: &[&str] = &["race-counter"];

/// The guided-search catalog (`scenarios/fuzz/`): guests whose bugs lie
/// behind a structured input. `record-parser` trusts a blob's length,
/// which only a version 2 file with a matching check byte and a blob
/// record reaches; with `--checked` (`record-parser-checked.toml`) it has
/// no such bug (see [`crate::fuzz`]).
pub const FUZZED: &[&str] = &["record-parser"];

/// Guests only `bench` runs, with no scenario file: `empty`, a command
/// whose `run` returns at once, is the floor of a run.
pub const BENCH_GUESTS: &[&str] = &["empty"];

/// Guests written in C, as (name, source under `guests/c/`). They are WASI
/// p1 core modules built with Zig's C compiler, run on the p1 host.
pub const C_GUESTS: &[(&str, &str)] = &[("fs-tree-c", "fs-tree.c"), ("fs-rights-c", "fs-rights.c"), ("p1-cli", "p1-cli.c"), ("record-parser-c", "record-parser.c")];

/// Guests written in AssemblyScript, as (name, source under
/// `guests/as/assembly/`). They are WASI p1 core modules built with `asc`
/// and the WASI shim, from the npm packages `guests/as/package-lock.json`
/// pins, and run on the p1 host.
pub const AS_GUESTS: &[(&str, &str)] = &[("p1-cli-as", "p1-cli.ts")];

/// Guests written in Python, as (name, module under `guests/py/`, world in
/// `guests/py/wit/world.wit`). They are WASI 0.2 components built with
/// `componentize-py` (from PyPI, pinned to [`COMPONENTIZE_PY`], installed
/// with pip when missing), and run on the p2 host: a command, and an HTTP
/// handler of the proxy world.
pub const PY_GUESTS: &[(&str, &str, &str)] = &[("fs-tree-py", "fs_tree", "command"), ("http-handler-py", "http_handler", "handler")];

/// Guests written in JavaScript, as (name, module under `guests/js/`,
/// world in `guests/js/wit/world.wit`). They are WASI 0.2 components built
/// with componentize-js (StarlingMonkey), from the npm packages
/// `guests/js/package-lock.json` pins, and run on the p2 host.
pub const JS_GUESTS: &[(&str, &str, &str)] = &[("cli-fetch-js", "cli_fetch", "command")];

/// The componentize-py the Python guests are built with.
pub const COMPONENTIZE_PY: &str = "0.25.1";

/// Is `name` a guest of any catalog?
pub fn is_guest(name: &str) -> bool {
    SCENARIOS.contains(&name)
        || HOSTILE.contains(&name)
        || EXPLORED.contains(&name)
        || SCHEDULED.contains(&name)
        || FUZZED.contains(&name)
        || C_GUESTS.iter().chain(AS_GUESTS).any(|(n, _)| *n == name)
        || PY_GUESTS.iter().chain(JS_GUESTS).any(|(n, _, _)| *n == name)
}

/// The guest workspace shipped with this crate.
pub fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guests")
}

/// Where the component for `scenario` in `world` lands once built (for a C
/// guest, the p1 module, whatever the world; in p1, the p1 build of a
/// [`P1_GUESTS`] guest).
pub fn component_path(scenario: &str, world: World) -> PathBuf {
    let module = format!("{}.wasm", scenario.replace('-', "_"));
    if C_GUESTS.iter().any(|(n, _)| *n == scenario) {
        return guests_dir().join("target").join("c").join(module);
    }
    if AS_GUESTS.iter().any(|(n, _)| *n == scenario) {
        return guests_dir().join("target").join("as").join(module);
    }
    if PY_GUESTS.iter().any(|(n, _, _)| *n == scenario) {
        return guests_dir().join("target").join("py").join(module);
    }
    if JS_GUESTS.iter().any(|(n, _, _)| *n == scenario) {
        return guests_dir().join("target").join("js").join(module);
    }
    guests_dir()
        .join("target")
        .join(world.as_str())
        .join(if world == World::P1 { P1_TARGET } else { TARGET })
        .join("release")
        .join(format!("{}.wasm", scenario.replace('-', "_")))
}

/// The directory of the catalog's scenario files (`scenarios/`).
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The directory of the catalog's goldens (`snapshots/`), one file per
/// scenario and world, named as [`crate::Suite::snapshot_dir`] names them.
pub fn snapshots_dir() -> PathBuf {
    guests_dir().with_file_name("snapshots")
}

/// The catalog's suite: its guests by name, its goldens in
/// [`snapshots_dir`].
pub fn suite() -> crate::Suite {
    crate::Suite::new().guests(Catalog).snapshot_dir(snapshots_dir())
}

/// The default inputs of a catalog scenario, read from
/// `scenarios/<name>.toml`: seed [`SEED`], the `scenarios/tree` fixture, and
/// for `cli-io` some args, env and stdin to echo.
pub fn scenario(name: &str) -> Result<Scenario, SuiteError> {
    Ok(ScenarioFile::load(&scenarios_dir().join(scenario_file(name)), &Catalog)?.scenario)
}

/// The catalog as a [`GuestResolver`]: a scenario file's `guest = "…"`
/// names one of this repository's guests, built where
/// [`component_path`] says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Catalog;

impl GuestResolver for Catalog {
    fn component(&self, name: &str, world: World) -> Option<PathBuf> {
        is_guest(name).then(|| component_path(name, world))
    }

    fn known(&self) -> Vec<String> {
        let other = C_GUESTS.iter().chain(AS_GUESTS).map(|(n, _)| *n).chain(PY_GUESTS.iter().chain(JS_GUESTS).map(|(n, _, _)| *n));
        SCENARIOS.iter().chain(HOSTILE).chain(EXPLORED).chain(SCHEDULED).chain(FUZZED).copied().chain(other).map(String::from).collect()
    }
}

/// The scenario file of a catalog guest, relative to [`scenarios_dir`]:
/// `<name>.toml`, `hostile/<name>.toml` for the hostile catalog, or
/// `explore/<name>.toml` for [`EXPLORED`], `schedule/<name>.toml` for
/// [`SCHEDULED`], `fuzz/<name>.toml` for [`FUZZED`]. Its goldens sit
/// beside it
/// (`<name>.<world>.snap`).
pub fn scenario_file(name: &str) -> PathBuf {
    let file = PathBuf::from(format!("{name}.toml"));
    if HOSTILE.contains(&name) {
        Path::new("hostile").join(file)
    } else if EXPLORED.contains(&name) {
        Path::new("explore").join(file)
    } else if SCHEDULED.contains(&name) {
        Path::new("schedule").join(file)
    } else if FUZZED.contains(&name) {
        Path::new("fuzz").join(file)
    } else {
        file
    }
}
