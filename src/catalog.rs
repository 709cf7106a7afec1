//! The built-in guest catalog: the scenarios under `guests/`, how to build
//! them for both worlds, and the default inputs each one runs with.
//!
//! Guests are built by cargo into `guests/target/<world>`, never into the
//! host's target directory (a nested build there would wait forever on
//! cargo's lock). Cargo decides what is stale, so building an up-to-date
//! catalog costs one no-op cargo call per world.

use crate::report::World;
use crate::scenario::Scenario;
use crate::suite::{ScenarioFile, SuiteError};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target every guest is built for.
pub const TARGET: &str = "wasm32-wasip2";

/// Seed every catalog scenario file sets.
pub const SEED: u64 = 42;

/// The catalog scenarios, in the order reports and tables list them.
pub const SCENARIOS: &[&str] =
    &["fs-tree", "clock-random", "cli-io", "net-denied", "exit-code", "trap", "fs-semantics", "http-get", "http-post", "http-unmatched", "fs-bulk"];

/// The hostile catalog: guests that try to break the harness. Their
/// scenario files (`scenarios/hostile/`) set the limits that stop them.
pub const HOSTILE: &[&str] =
    &["hostile-loop", "hostile-memory", "hostile-fs-bomb", "hostile-flood", "hostile-recursion", "hostile-escape", "hostile-sleep"];

/// Guests written in C, as (name, source under `guests/c/`). They are WASI
/// p1 core modules built with Zig's C compiler; the harness adapts them to
/// p2 components when it loads them.
pub const C_GUESTS: &[(&str, &str)] = &[("fs-tree-c", "fs-tree.c"), ("fs-rights-c", "fs-rights.c")];

/// Is `name` a guest of any catalog?
pub fn is_guest(name: &str) -> bool {
    SCENARIOS.contains(&name) || HOSTILE.contains(&name) || C_GUESTS.iter().any(|(n, _)| *n == name)
}

/// Why the catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The wasm target is missing from the toolchain.
    #[error("the {TARGET} target is not installed; install it with `rustup target add {TARGET}`")]
    MissingTarget,
    /// cargo could not be started.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// Zig's C compiler is missing and could not be installed.
    #[error("zig is not available and `python3 -m pip install ziglang` failed; install it by hand")]
    NoZig,
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
/// guest, the p1 module, whatever the world).
pub fn component_path(scenario: &str, world: World) -> PathBuf {
    if C_GUESTS.iter().any(|(n, _)| *n == scenario) {
        return guests_dir().join("target").join("c").join(format!("{}.wasm", scenario.replace('-', "_")));
    }
    guests_dir()
        .join("target")
        .join(world.as_str())
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", scenario.replace('-', "_")))
}

/// Builds every guest for `world` (a no-op when nothing changed). A
/// missing wasm target is installed with rustup when rustup is there;
/// otherwise the error names the command that installs it.
pub fn build(world: World) -> Result<(), BuildError> {
    ensure_target()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = guests_dir().join("target").join(world.as_str());
    let out = Command::new(cargo)
        .current_dir(guests_dir())
        .args(["build", "--release", "--workspace", "--target", TARGET, "--features", world.as_str()])
        .arg("--target-dir")
        .arg(&target_dir)
        // The outer build's settings are not the guests' settings.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .output()
        .map_err(BuildError::Spawn)?;
    if !out.status.success() {
        return Err(BuildError::Failed { world, stderr: String::from_utf8_lossy(&out.stderr).into_owned() });
    }
    Ok(())
}

/// Builds the catalog for both worlds, and the C guests.
pub fn build_all() -> Result<(), BuildError> {
    build(World::P2)?;
    build(World::P3)?;
    build_c()
}

/// Builds the C guests with `zig cc --target=wasm32-wasi`, when a source is
/// newer than its module. Zig comes from PyPI (`ziglang`) and is installed
/// with pip when missing.
pub fn build_c() -> Result<(), BuildError> {
    let out_dir = guests_dir().join("target").join("c");
    let stale: Vec<_> = C_GUESTS
        .iter()
        .filter(|(name, src)| {
            let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
            let out = component_path(name, World::P2);
            match (modified(&guests_dir().join("c").join(src)), modified(&out)) {
                (Some(s), Some(o)) => s > o,
                _ => true,
            }
        })
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    ensure_zig()?;
    std::fs::create_dir_all(&out_dir).map_err(BuildError::Spawn)?;
    for (name, src) in stale {
        let out = Command::new("python3")
            .args(["-m", "ziglang", "cc", "--target=wasm32-wasi", "-O2", "-s", "-o"])
            .arg(component_path(name, World::P2))
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

fn ensure_target() -> Result<(), BuildError> {
    if target_installed() {
        return Ok(());
    }
    eprintln!("wasi-replay: installing the {TARGET} target with rustup");
    let installed = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|s| s.success());
    if installed && target_installed() { Ok(()) } else { Err(BuildError::MissingTarget) }
}

fn target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("lib/rustlib").join(TARGET).exists()
}

/// The directory of the catalog's scenario files (`scenarios/`).
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The default inputs of a catalog scenario, read from
/// `scenarios/<name>.toml`: seed [`SEED`], the `scenarios/tree` fixture, and
/// for `cli-io` some args, env and stdin to echo.
pub fn scenario(name: &str) -> Result<Scenario, SuiteError> {
    let dir = if HOSTILE.contains(&name) { scenarios_dir().join("hostile") } else { scenarios_dir() };
    Ok(ScenarioFile::load(&dir.join(format!("{name}.toml")))?.scenario)
}
