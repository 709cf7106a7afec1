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

/// How a report compares with its golden file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Same report.
    Match,
    /// The golden differs; the new report went to `.snap.new`.
    Mismatch,
    /// No golden yet; the new report went to `.snap.new`.
    Missing,
    /// The report was written as the golden.
    Accepted,
}

impl Golden {
    /// `<dir>/<scenario stem>.<label>.snap`, beside the scenario file.
    pub fn beside(scenario: &Path, label: &str) -> Self {
        let stem = scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let path = scenario.with_file_name(format!("{stem}.{label}.snap"));
        Golden { path, source: scenario.display().to_string() }
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

    /// Compares `report` (YAML) with the golden. A difference goes to the
    /// pending file; with `accept`, to the golden itself.
    pub fn check(&self, report: &str, accept: bool) -> io::Result<Verdict> {
        let existing = self.read()?;
        if existing.as_deref().map(str::trim_end) == Some(report.trim_end()) {
            remove_if_present(&self.pending())?;
            return Ok(Verdict::Match);
        }
        let text = self.render(report);
        if accept {
            std::fs::write(&self.path, text)?;
            remove_if_present(&self.pending())?;
            return Ok(Verdict::Accepted);
        }
        std::fs::write(self.pending(), text)?;
        Ok(if existing.is_some() { Verdict::Mismatch } else { Verdict::Missing })
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

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
