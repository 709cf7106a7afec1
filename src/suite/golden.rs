//! Golden files in insta's `.snap` format: a small YAML header between
//! `---` lines, then the report.

use std::io;
use std::path::{Path, PathBuf};

/// The golden file of one scenario in one world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Golden {
    /// The accepted `.snap` file.
    pub path: PathBuf,
    /// The scenario file it belongs to (the header's `source`).
    pub source: String,
}

/// What a check writes when a report is new or differs from its golden:
/// insta's update modes, so one environment variable steers `cargo insta`
/// snapshots and scenario goldens alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// The report goes to the pending `.snap.new` file, for `cargo insta
    /// review` (insta's `new`, and `auto` off CI).
    Pending,
    /// The report is written as the golden (insta's `always`, and
    /// `wasi-replay test --accept`).
    Accept,
    /// A report with no golden yet is written as the golden; a changed one
    /// goes to the pending file (insta's `unseen`).
    AcceptUnseen,
    /// Nothing is written (insta's `no`, and `auto` on CI).
    Nothing,
    /// Every report is written as the golden, even one that matches, so
    /// a golden's header is rewritten too (insta's `force`).
    Force,
}

/// `INSTA_UPDATE` holds a value insta does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateError(String);

impl std::fmt::Display for UpdateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "INSTA_UPDATE: `{}` is not an update mode (auto, always, new, unseen, no, force)", self.0)
    }
}

impl std::error::Error for UpdateError {}

impl Update {
    /// The mode `INSTA_UPDATE` asks for, read as insta reads it: unset,
    /// empty or `auto` writes nothing on CI (`CI` set to anything but
    /// `false`, `0` or empty, or `TF_BUILD` set when `CI` is not) and
    /// pending files elsewhere; `always` (or `1`), `new`, `unseen`, `no`
    /// and `force` as their variants say. Any other value is an error.
    pub fn from_env() -> Result<Self, UpdateError> {
        match std::env::var("INSTA_UPDATE").as_deref() {
            Err(_) | Ok("" | "auto") if in_ci() => Ok(Update::Nothing),
            Err(_) | Ok("" | "auto") => Ok(Update::Pending),
            Ok("always" | "1") => Ok(Update::Accept),
            Ok("new") => Ok(Update::Pending),
            Ok("unseen") => Ok(Update::AcceptUnseen),
            Ok("no") => Ok(Update::Nothing),
            Ok("force") => Ok(Update::Force),
            Ok(other) => Err(UpdateError(other.to_string())),
        }
    }
}

/// Is this a CI run, as insta decides it?
fn in_ci() -> bool {
    match std::env::var("CI").as_deref() {
        Ok("false" | "0" | "") => false,
        Ok(_) => true,
        Err(_) => std::env::var_os("TF_BUILD").is_some(),
    }
}

/// How a report compares with its golden file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Same report.
    Match,
    /// The golden differs (the new report went where [`Update`] said).
    Mismatch,
    /// No golden yet (the new report went where [`Update`] said).
    Missing,
    /// The report was written as the golden.
    Accepted,
}

impl Verdict {
    /// Whether the check that gave this verdict, with `update`, wrote the
    /// pending file.
    pub fn wrote_pending(self, update: Update) -> bool {
        match self {
            Verdict::Mismatch => matches!(update, Update::Pending | Update::AcceptUnseen),
            Verdict::Missing => update == Update::Pending,
            Verdict::Match | Verdict::Accepted => false,
        }
    }
}

impl Golden {
    /// `<dir>/<scenario stem>.<label>.snap`, beside the scenario file. Its
    /// header names the scenario by file name alone, so a golden does not
    /// change with the directory it was written from.
    pub fn beside(scenario: &Path, label: &str) -> Self {
        let stem = scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let path = scenario.with_file_name(format!("{stem}.{label}.snap"));
        let source = scenario.file_name().map_or_else(|| scenario.display().to_string(), |n| n.to_string_lossy().into_owned());
        Golden { path, source }
    }

    /// `<dir>/<scenario stem>.<label>.snap`: the golden of `scenario` kept
    /// in a snapshot directory of its own, named as [`Golden::beside`]
    /// names it.
    pub fn in_dir(dir: &Path, scenario: &Path, label: &str) -> Self {
        let beside = Golden::beside(scenario, label);
        let name = beside.path.file_name().map(PathBuf::from).unwrap_or_default();
        Golden { path: dir.join(name), source: beside.source }
    }

    /// The pending file for a report that was not accepted.
    pub fn pending(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".new");
        PathBuf::from(p)
    }

    /// The accepted report, without the header, or `None` if there is none.
    pub fn read(&self) -> io::Result<Option<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(body(&text).to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Compares `report` (YAML) with the golden, and writes a new or
    /// changed report as `update` says. A match removes a stale pending
    /// file.
    pub fn check(&self, report: &str, update: Update) -> io::Result<Verdict> {
        let existing = self.read()?;
        let text = self.render(report);
        if existing.as_deref().map(str::trim_end) == Some(report.trim_end()) {
            if update == Update::Force {
                write_whole(&self.path, &text)?;
            }
            remove_if_present(&self.pending())?;
            return Ok(Verdict::Match);
        }
        match update {
            Update::Accept | Update::Force => {}
            Update::AcceptUnseen if existing.is_none() => {}
            Update::Pending | Update::AcceptUnseen => {
                write_whole(&self.pending(), &text)?;
                return Ok(if existing.is_some() { Verdict::Mismatch } else { Verdict::Missing });
            }
            Update::Nothing => return Ok(if existing.is_some() { Verdict::Mismatch } else { Verdict::Missing }),
        }
        write_whole(&self.path, &text)?;
        remove_if_present(&self.pending())?;
        Ok(Verdict::Accepted)
    }

    fn render(&self, report: &str) -> String {
        let mut s = format!("---\nsource: {}\n---\n{}", self.source, report.trim_end());
        s.push('\n');
        s
    }
}

/// The part of a `.snap` file after its header.
pub(crate) fn body(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else { return text };
    match rest.find("\n---\n") {
        Some(i) => &rest[i + 5..],
        None => text,
    }
}

/// Writes `text` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a file, and two processes
/// writing the same golden (nextest runs each test in a process of its
/// own; two test runs may overlap) leave one whole file, the last written.
/// Its directory is made when it is missing.
fn write_whole(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // A snapshot directory given on the command line may not exist yet.
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new().prefix(".wasi-replay-").suffix(".tmp").tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    // A temporary file is private to its owner; a golden is not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
