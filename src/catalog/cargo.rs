//! Building the Rust guests with cargo, for each world and as p1
//! commands, into their own target directory; installing a missing wasm
//! target with rustup.

use super::*;

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
pub(super) fn run_tool(cmd: &mut Command, progress: Progress) -> std::io::Result<(bool, String)> {
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
    cmd.arg("--target-dir").arg(&target_dir);
    // The outer build's settings are not the guests' settings.
    wasi_replay_build::clean_env(&mut cmd);
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

fn ensure_target(target: &'static str) -> Result<(), BuildError> {
    wasi_replay_build::ensure_target(target).map_err(|_| BuildError::MissingTarget(target))
}
