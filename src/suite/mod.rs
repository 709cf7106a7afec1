//! Scenario suites: scenario files on disk, each with golden reports beside
//! it in insta's `.snap` format, so `cargo insta review` and `cargo insta
//! accept` work on them. A new or changed report is written to a pending
//! `.snap.new` file, never over an accepted golden, unless asked to accept.
//!
//! Layer L7: imports L0–L6; never `testing`.
//! `tests/all/architecture.rs` holds it.

mod file;
mod golden;
mod http;
mod emit;
mod runner;
mod trials;

pub use file::{GuestResolver, NoGuests, ScenarioFile, Target};
pub use golden::{Golden, Update, UpdateError, Verdict};
pub use http::{load_mocks, save_mocks};
pub use emit::emit;
pub use runner::{Case, CaseOutcome, CaseResult, Suite};

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
        let path = self.path.display().to_string();
        write!(f, "{}: {}", crate::quote::one_line(&path), crate::quote::one_line(&self.message))
    }
}

impl std::error::Error for SuiteError {}

/// The scenario files `paths` name: each one a `.toml` file, a directory
/// searched recursively for `.toml` files, or a glob (`*`, `?`, and `**`
/// for any number of directories). Sorted and without repeats, so slices
/// are stable. A path that names no scenario file is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SuiteError> {
    let mut out = Vec::new();
    for p in paths {
        let before = out.len();
        let text = p.to_string_lossy();
        if crate::glob::is_pattern(&text) {
            expand(p, &mut out)?;
        } else if p.is_dir() {
            collect(p, &mut out, &|f| f.extension().is_some_and(|e| e == "toml"))?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(SuiteError::at(p, "no such file or directory"));
        }
        if out.len() == before {
            return Err(SuiteError::at(p, "names no scenario file"));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The files a glob matches: the directories before its first wildcard are
/// walked, and each file's path below them is matched against the rest.
fn expand(pattern: &Path, out: &mut Vec<PathBuf>) -> Result<(), SuiteError> {
    let parts: Vec<String> = pattern.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let fixed = parts.iter().take_while(|c| !crate::glob::is_pattern(c)).count();
    let base: PathBuf = parts[..fixed].iter().collect();
    let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };
    if !base.is_dir() {
        return Err(SuiteError::at(pattern, format!("no such directory: {}", base.display())));
    }
    let rest = crate::glob::Glob::path(parts[fixed..].join("/"));
    collect(&base, out, &|f| {
        let below: Vec<String> = f.strip_prefix(&base).unwrap_or(f).iter().map(|c| c.to_string_lossy().into_owned()).collect();
        rest.matches(&below.join("/"))
    })
    .map(|()| {
        // `./x` from a relative glob reads better as `x`.
        for f in out.iter_mut() {
            if let Ok(stripped) = f.strip_prefix("./") {
                *f = stripped.to_path_buf();
            }
        }
    })
}

/// Every file under `dir` that `keep` keeps. Symlinks are kept or not by
/// their own names and never followed, so a walk stays inside `dir`, ends,
/// and passes dangling links in a fixture by.
fn collect(dir: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool) -> Result<(), SuiteError> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| SuiteError::at(e.path().unwrap_or(dir), e.to_string()))?;
        if !entry.file_type().is_dir() && keep(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

/// Keeps slice `k` of `n` (1-based) of an already sorted list: every n-th
/// item starting at the k-th.
pub fn partition<T>(items: Vec<T>, k: usize, n: usize) -> Vec<T> {
    items.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, t)| t).collect()
}

/// The text of a scenario or mock file, read up to the default input cap
/// ([`crate::host::DEFAULT_INPUT_BYTES`]): such a file is read
/// before any limit it sets is known.
pub(crate) fn read_text(path: &Path) -> Result<String, SuiteError> {
    let cannot = |e: &dyn fmt::Display| SuiteError::at(path, format!("cannot read: {e}"));
    let bytes = crate::memfs::read_capped(path, crate::host::DEFAULT_INPUT_BYTES).map_err(|e| cannot(&e))?;
    String::from_utf8(bytes).map_err(|e| cannot(&e))
}

/// `file:line: field `key`: message`, all on one line.
pub(crate) fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> SuiteError {
    let message = e.message().lines().next().unwrap_or("malformed TOML").to_string();
    let Some(span) = e.span() else { return SuiteError::at(path, message) };
    let line_no = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let field = line.split_once('=').map(|(k, _)| k.trim().trim_matches('"')).filter(|k| !k.is_empty());
    let detail = match field {
        Some(f) if !f.starts_with('[') => format!("field `{f}`: {message}"),
        _ => message,
    };
    SuiteError::at(path, format!("line {line_no}: {detail}"))
}
