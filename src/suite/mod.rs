//! Scenario suites: scenario files on disk, each with golden reports beside
//! it in insta's `.snap` format, so `cargo insta review` and `cargo insta
//! accept` work on them. A new or changed report is written to a pending
//! `.snap.new` file, never over an accepted golden, unless asked to accept.

mod file;
mod golden;
mod http;
pub mod junit;

pub use file::{GuestResolver, NoGuests, ScenarioFile, Target};
pub use http::load_mocks;
pub use golden::{Golden, Verdict};

use std::fmt;
use std::path::{Path, PathBuf};

/// A scenario file or suite path that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteError {
    path: PathBuf,
    message: String,
}

impl SuiteError {
    pub(crate) fn at(path: &Path, message: impl Into<String>) -> Self {
        SuiteError { path: path.to_path_buf(), message: message.into() }
    }
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for SuiteError {}

/// The scenario files under `paths`: each path is a `.toml` file or a
/// directory searched recursively. Sorted, so slices are stable.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SuiteError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut out)?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(SuiteError::at(p, "no such file or directory"));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SuiteError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SuiteError::at(dir, e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| SuiteError::at(dir, e.to_string()))?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Keeps slice `k` of `n` (1-based) of an already sorted list: every n-th
/// item starting at the k-th.
pub fn partition<T>(items: Vec<T>, k: usize, n: usize) -> Vec<T> {
    items.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, t)| t).collect()
}
