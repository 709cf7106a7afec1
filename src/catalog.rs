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
pub const SCENARIOS: &[&str] = &["fs-tree", "clock-random", "cli-io", "net-denied", "exit-code", "trap", "fs-semantics"];

/// The hostile catalog: guests that try to break the harness. Their
/// scenario files (`scenarios/hostile/`) set the limits that stop them.
pub const HOSTILE: &[&str] =
    &["hostile-loop", "hostile-memory", "hostile-fs-bomb", "hostile-flood", "hostile-recursion", "hostile-escape"];

/// Is `name` a guest of either catalog?
pub fn is_guest(name: &str) -> bool {
    SCENARIOS.contains(&name) || HOSTILE.contains(&name)
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

/// Where the component for `scenario` in `world` lands once built.
pub fn component_path(scenario: &str, world: World) -> PathBuf {
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

/// Builds the catalog for both worlds.
pub fn build_all() -> Result<(), BuildError> {
    build(World::P2)?;
    build(World::P3)
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
