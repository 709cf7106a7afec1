//! The real `wasi-replay` binary on catalog guests: every command, the exit
//! codes, and one clean line for each kind of bad input.

use crate::support::harness;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use wasi_replay::{catalog, RunReport, World};
use wasi_replay::catalog::component_path;

pub(super) fn cli() -> Command {
    harness(); // builds the catalog once
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasi-replay"));
    // What the outer run says about goldens is not this command's input.
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env_remove("CI").env_remove("INSTA_UPDATE");
    c
}

pub(super) fn p2(name: &str) -> PathBuf {
    component_path(name, World::P2)
}

pub(super) fn p3(name: &str) -> PathBuf {
    component_path(name, World::P3)
}

pub(super) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub(super) fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Runs the CLI and requires exit 2 with exactly one line on stderr that
/// contains `needle`, and no panic.
#[track_caller]
pub(super) fn bad_input(args: &[&str], needle: &str) {
    let out = cli().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: expected one line, got:\n{err}");
    assert!(err.contains(needle), "{args:?}: {err:?} does not contain {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

mod run;
mod diff;
mod check;
mod test;
mod demo;
mod bench;
mod bad_input;
mod invoke;
mod requests;
mod inputs;
mod long_runs;
