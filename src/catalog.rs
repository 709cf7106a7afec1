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

use crate::world::World;
use crate::scenario::Scenario;
use crate::suite::{GuestResolver, ScenarioFile, SuiteError};
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
/// any two transient filesystem faults, and `readdir-order` depends on the
/// order of a directory listing, which `check --perturb` catches.
pub const EXPLORED: &[&str] = &["fault-latent", "fault-robust", "readdir-order"];

/// Guests written in C, as (name, source under `guests/c/`). They are WASI
/// p1 core modules built with Zig's C compiler, run on the p1 host.
pub const C_GUESTS: &[(&str, &str)] = &[("fs-tree-c", "fs-tree.c"), ("fs-rights-c", "fs-rights.c"), ("p1-cli", "p1-cli.c")];

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
        || C_GUESTS.iter().chain(AS_GUESTS).any(|(n, _)| *n == name)
        || PY_GUESTS.iter().chain(JS_GUESTS).any(|(n, _, _)| *n == name)
}

/// Why the catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A wasm target is missing from the toolchain.
    #[error("the {0} target is not installed; install it with `rustup target add {0}`")]
    MissingTarget(&'static str),
    /// cargo could not be started.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// Zig's C compiler is missing and could not be installed.
    #[error("zig is not available and `python3 -m pip install ziglang` failed; install it by hand")]
    NoZig,
    /// Node.js or npm, which build the AssemblyScript guests, is missing.
    #[error("the AssemblyScript guests need Node.js and npm on the PATH: {0}")]
    NoNode(String),
    /// `npm ci` or `asc` failed.
    #[error("building the AssemblyScript guest {guest} failed: {stderr}")]
    AsFailed {
        /// The guest (or `npm ci` for the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// componentize-py is missing and could not be installed, or failed.
    #[error("building the Python guest {guest} failed: {stderr}")]
    PyFailed {
        /// The guest (or the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// `npm ci` or componentize-js failed.
    #[error("building the JavaScript guest {guest} failed: {stderr}")]
    JsFailed {
        /// The guest (or `npm ci` for the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// wasmtime-wasi's WASI WIT, which the Python guests build against, is
    /// not in the cargo registry.
    #[error("the WASI WIT of wasmtime-wasi-http 50.0.1 is not under {0}; run `cargo fetch`")]
    NoWasiWit(String),
    /// The C compiler failed.
    #[error("building the C guest {guest} failed: {stderr}")]
    CFailed {
        /// The guest.
        guest: String,
        /// What the compiler printed.
        stderr: String,
    },
    /// cargo ran and failed.
    #[error("building the {world} guests failed:\n{stderr}")]
    Failed {
        /// The world being built.
        world: World,
        /// What cargo printed.
        stderr: String,
    },
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

/// Builds every guest for `world` (a no-op when nothing changed): in p2
/// and p3 the whole guest workspace but the p1 packages, in p1 those. A
/// missing wasm target is installed with rustup when rustup is there;
/// otherwise the error names the command that installs it.
pub fn build(world: World) -> Result<(), BuildError> {
    build_with(world, Progress::Quiet)
}

/// Whether a build says what it is doing on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing unless it fails (the tests' choice).
    Quiet,
    /// A line for each step, and cargo's own lines (`Compiling …`) as they
    /// come (the command line's choice).
    Shown,
}

/// Runs `cmd`: its stderr is kept for the error, and with
/// [`Progress::Shown`] also passed on line by line as it comes.
fn run_tool(cmd: &mut Command, progress: Progress) -> std::io::Result<(bool, String)> {
    if progress == Progress::Quiet {
        let out = cmd.output()?;
        return Ok((out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    use std::io::BufRead;
    let mut child = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn()?;
    let mut kept = String::new();
    if let Some(err) = child.stderr.take() {
        for line in std::io::BufReader::new(err).lines() {
            let line = line?;
            eprintln!("    {}", line.trim_start());
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    Ok((child.wait()?.success(), kept))
}

/// [`build`], saying what it does when `progress` asks.
pub fn build_with(world: World, progress: Progress) -> Result<(), BuildError> {
    if progress == Progress::Shown {
        eprintln!("wasi-replay: building the {world} guests (cargo, in guests/target/{world}) ...");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = guests_dir().join("target").join(world.as_str());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(guests_dir()).args(["build", "--release"]);
    let p1_packages = P1_GUESTS.iter().map(|g| format!("{g}-p1"));
    if world == World::P1 {
        ensure_target(P1_TARGET)?;
        cmd.args(["--target", P1_TARGET]);
        for p in p1_packages {
            cmd.args(["--package", &p]);
        }
    } else {
        ensure_target(TARGET)?;
        cmd.args(["--workspace", "--target", TARGET, "--features", world.as_str()]);
        for p in p1_packages {
            cmd.args(["--exclude", &p]);
        }
    }
    cmd.arg("--target-dir")
        .arg(&target_dir)
        // The outer build's settings are not the guests' settings.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS");
    let (ok, stderr) = run_tool(&mut cmd, progress).map_err(BuildError::Spawn)?;
    if !ok {
        return Err(BuildError::Failed { world, stderr });
    }
    Ok(())
}

/// Builds the catalog for both worlds, the p1 builds, and the C and
/// AssemblyScript guests.
pub fn build_all() -> Result<(), BuildError> {
    build_all_with(Progress::Quiet)
}

/// [`build_all`], saying what it does when `progress` asks.
pub fn build_all_with(progress: Progress) -> Result<(), BuildError> {
    build_with(World::P2, progress)?;
    build_with(World::P3, progress)?;
    build_with(World::P1, progress)?;
    if progress == Progress::Shown {
        eprintln!("wasi-replay: building the C, AssemblyScript, Python and JavaScript guests (when a source changed) ...");
    }
    build_c()?;
    build_as()?;
    build_py()?;
    build_js()
}

/// Is `out` missing or older than any of `inputs`?
fn stale(out: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(out) else { return true };
    inputs.iter().any(|i| modified(i).is_none_or(|m| m > built))
}

/// Runs a Node.js tool (`npm`, `node …`) in `dir`; a failure is
/// `failed(guest, what it printed)`.
fn run_node(
    cmd: &mut Command,
    dir: &Path,
    guest: &str,
    failed: fn(String, String) -> BuildError,
) -> Result<(), BuildError> {
    let out = cmd.current_dir(dir).output().map_err(|e| BuildError::NoNode(e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(failed(guest.to_string(), String::from_utf8_lossy(&out.stderr).trim().to_string()))
}

/// Builds the AssemblyScript guests with `asc`, when a source (or the
/// pinned packages) is newer than its module. The packages come from the
/// npm registry with `npm ci`, once.
pub fn build_as() -> Result<(), BuildError> {
    let root = guests_dir().join("as");
    let lock = root.join("package-lock.json");
    let config = root.join("asconfig.json");
    let todo: Vec<_> = AS_GUESTS
        .iter()
        .filter(|(name, src)| stale(&component_path(name, World::P1), &[root.join("assembly").join(src), lock.clone(), config.clone()]))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let run = |cmd: &mut Command, guest: &str| {
        run_node(cmd, &root, guest, |guest, stderr| BuildError::AsFailed { guest, stderr })
    };
    let asc = root.join("node_modules/assemblyscript/bin/asc.js");
    if stale(&asc, std::slice::from_ref(&lock)) {
        eprintln!("wasi-replay: installing AssemblyScript (npm ci in guests/as)");
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]), "npm ci")?;
    }
    let out_dir = guests_dir().join("target").join("as");
    std::fs::create_dir_all(&out_dir).map_err(BuildError::Spawn)?;
    for (name, src) in todo {
        let source = Path::new("assembly").join(src);
        let mut cmd = Command::new("node");
        cmd.arg(&asc).arg(&source).args(["--config", "asconfig.json", "--outFile"]).arg(component_path(name, World::P1));
        run(&mut cmd, name)?;
    }
    Ok(())
}

/// Runs componentize-py through its Python module, so no script has to be
/// on the PATH.
fn componentize_py() -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", "import sys; from componentize_py import script; sys.argv[0] = 'componentize-py'; sys.exit(script())"]);
    cmd
}

fn componentize_py_works() -> bool {
    componentize_py()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(COMPONENTIZE_PY))
}

/// The WASI 0.2 WIT wasmtime-wasi-http ships (`wasi:http` and every
/// package it uses), in the cargo registry (the host build has fetched it).
fn wasi_wit() -> Result<PathBuf, BuildError> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    let registry = home.join("registry").join("src");
    let found = std::fs::read_dir(&registry).ok().into_iter().flatten().flatten().find_map(|index| {
        let deps = index.path().join("wasmtime-wasi-http-50.0.1/wit/deps");
        deps.is_dir().then_some(deps)
    });
    found.ok_or_else(|| BuildError::NoWasiWit(registry.display().to_string()))
}

/// `world` with the WASI packages beside it as `deps/`, in `out/wit`, the
/// layout componentize-py and componentize-js read.
fn assemble_wit(world: &Path, out: &Path) -> Result<PathBuf, BuildError> {
    let wit = out.join("wit");
    let deps = wit.join("deps");
    std::fs::create_dir_all(&deps).map_err(BuildError::Spawn)?;
    std::fs::copy(world, wit.join("world.wit")).map_err(BuildError::Spawn)?;
    for entry in std::fs::read_dir(wasi_wit()?).map_err(BuildError::Spawn)? {
        let entry = entry.map_err(BuildError::Spawn)?;
        std::fs::copy(entry.path(), deps.join(entry.file_name())).map_err(BuildError::Spawn)?;
    }
    Ok(wit)
}

/// Builds the JavaScript guests with componentize-js, when a source, the
/// world or the pinned packages are newer than its component. The
/// packages come from the npm registry with `npm ci`, once.
pub fn build_js() -> Result<(), BuildError> {
    let root = guests_dir().join("js");
    let world = root.join("wit").join("world.wit");
    let lock = root.join("package-lock.json");
    let todo: Vec<_> = JS_GUESTS
        .iter()
        .filter(|(name, module, _)| {
            stale(&component_path(name, World::P2), &[root.join(format!("{module}.js")), world.clone(), lock.clone()])
        })
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let run = |cmd: &mut Command, guest: &str| {
        run_node(cmd, &root, guest, |guest, stderr| BuildError::JsFailed { guest, stderr })
    };
    let cli = root.join("node_modules/@bytecodealliance/componentize-js/src/cli.js");
    if stale(&cli, std::slice::from_ref(&lock)) {
        eprintln!("wasi-replay: installing componentize-js (npm ci in guests/js)");
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]), "npm ci")?;
    }
    let wit = assemble_wit(&world, &guests_dir().join("target").join("js"))?;
    for (name, module, target) in todo {
        let mut cmd = Command::new("node");
        cmd.arg(&cli)
            .arg(format!("{module}.js"))
            .arg("--wit")
            .arg(&wit)
            .args(["--world-name", target, "-o"])
            .arg(component_path(name, World::P2));
        run(&mut cmd, name)?;
    }
    Ok(())
}

/// Builds the Python guests with componentize-py, when a source or the
/// world is newer than its component: the world and wasmtime-wasi's WASI
/// packages are put together in `guests/target/py/wit` first.
pub fn build_py() -> Result<(), BuildError> {
    let root = guests_dir().join("py");
    let world = root.join("wit").join("world.wit");
    let todo: Vec<_> = PY_GUESTS
        .iter()
        .filter(|(name, module, _)| stale(&component_path(name, World::P2), &[root.join(format!("{module}.py")), world.clone()]))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let failed = |guest: &str, stderr: String| BuildError::PyFailed { guest: guest.to_string(), stderr };
    if !componentize_py_works() {
        eprintln!("wasi-replay: installing componentize-py {COMPONENTIZE_PY} (PyPI) for the Python guests");
        let pin = format!("componentize-py=={COMPONENTIZE_PY}");
        let out = Command::new("python3").args(["-m", "pip", "install", "--quiet", &pin]).output().map_err(BuildError::Spawn)?;
        if !componentize_py_works() {
            return Err(failed("pip install", String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
    }
    let wit = assemble_wit(&world, &guests_dir().join("target").join("py"))?;
    for (name, module, target) in todo {
        let out = componentize_py()
            .arg("-d")
            .arg(&wit)
            .args(["-w", target, "componentize", "-p"])
            .arg(&root)
            .arg(module)
            .arg("-o")
            .arg(component_path(name, World::P2))
            .output()
            .map_err(BuildError::Spawn)?;
        if !out.status.success() {
            return Err(failed(name, String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
    }
    Ok(())
}

/// Builds the C guests with `zig cc --target=wasm32-wasi`, when a source is
/// newer than its module. Zig comes from PyPI (`ziglang`) and is installed
/// with pip when missing.
pub fn build_c() -> Result<(), BuildError> {
    let out_dir = guests_dir().join("target").join("c");
    let todo: Vec<_> =
        C_GUESTS.iter().filter(|(name, src)| stale(&component_path(name, World::P1), &[guests_dir().join("c").join(src)])).collect();
    if todo.is_empty() {
        return Ok(());
    }
    ensure_zig()?;
    std::fs::create_dir_all(&out_dir).map_err(BuildError::Spawn)?;
    for (name, src) in todo {
        let out = Command::new("python3")
            .args(["-m", "ziglang", "cc", "--target=wasm32-wasi", "-O2", "-s", "-o"])
            .arg(component_path(name, World::P1))
            .arg(guests_dir().join("c").join(src))
            .output()
            .map_err(BuildError::Spawn)?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            return Err(BuildError::CFailed { guest: name.to_string(), stderr });
        }
    }
    Ok(())
}

fn zig_works() -> bool {
    Command::new("python3").args(["-m", "ziglang", "version"]).output().is_ok_and(|o| o.status.success())
}

fn ensure_zig() -> Result<(), BuildError> {
    if zig_works() {
        return Ok(());
    }
    eprintln!("wasi-replay: installing zig (PyPI package ziglang) for the C guests");
    let _ = Command::new("python3").args(["-m", "pip", "install", "--quiet", "ziglang"]).status();
    if zig_works() { Ok(()) } else { Err(BuildError::NoZig) }
}

fn ensure_target(target: &'static str) -> Result<(), BuildError> {
    if target_installed(target) {
        return Ok(());
    }
    eprintln!("wasi-replay: installing the {target} target with rustup");
    let installed = Command::new("rustup")
        .args(["target", "add", target])
        .status()
        .is_ok_and(|s| s.success());
    if installed && target_installed(target) { Ok(()) } else { Err(BuildError::MissingTarget(target)) }
}

fn target_installed(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("lib/rustlib").join(target).exists()
}

/// The directory of the catalog's scenario files (`scenarios/`).
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
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
        SCENARIOS.iter().chain(HOSTILE).chain(EXPLORED).copied().chain(other).map(String::from).collect()
    }
}

/// The scenario file of a catalog guest, relative to [`scenarios_dir`]:
/// `<name>.toml`, `hostile/<name>.toml` for the hostile catalog, or
/// `explore/<name>.toml` for [`EXPLORED`]. Its goldens sit beside it
/// (`<name>.<world>.snap`).
pub fn scenario_file(name: &str) -> PathBuf {
    let file = PathBuf::from(format!("{name}.toml"));
    if HOSTILE.contains(&name) {
        Path::new("hostile").join(file)
    } else if EXPLORED.contains(&name) {
        Path::new("explore").join(file)
    } else {
        file
    }
}
