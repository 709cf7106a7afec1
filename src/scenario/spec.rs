//! A scenario as its sources describe it, before anything is read from
//! disk. A scenario file and the command line's flags each fill a
//! [`Spec`]; [`Spec::build`] is the one place that reads fixtures and
//! stdin files, checks that the pieces fit, and returns the [`Scenario`].
//!
//! Every path in a spec is used as given: the caller has already resolved
//! it (a scenario file resolves its paths against its own directory and
//! refuses any that leave it). Each path carries the name its source gives
//! it (`field `fixture``, `--dir`), so an error speaks the user's words.

use super::{Preopen, Request, Scenario, Serve};
use crate::host::{Backend, HttpMocks, LimitOverrides, Limits};
use crate::memfs::{MemFs, Quota, copy_dir_into};
use crate::report::FsReport;
use std::fmt;
use std::path::PathBuf;

/// Everything a scenario's source can say.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// Shown in reports; empty shows the guest's name.
    pub name: String,
    /// See [`Scenario::seed`].
    pub seed: u64,
    /// `argv`, `argv[0]` included; empty gives the component's file name.
    pub args: Vec<String>,
    /// Environment variables, in order.
    pub env: Vec<(String, String)>,
    /// Where stdin comes from. Default: empty.
    pub stdin: Content,
    /// The preopens and what each is filled from. None: no filesystem.
    pub dirs: Vec<DirSpec>,
    /// A quota set on the MemFs itself (needs `dirs`).
    pub quota: Option<Quota>,
    /// Limits changed from [`Limits::default`].
    pub limits: LimitOverrides,
    /// See [`Scenario::backend`]; `None` is the default.
    pub backend: Option<Backend>,
    /// See [`Scenario::fs_report`]; `None` is the default. Setting it
    /// needs `dirs`.
    pub fs_report: Option<FsReport>,
    /// HTTP mocks, already read.
    pub http: Option<HttpMocks>,
    /// See [`Scenario::journal`].
    pub journal: bool,
    /// See [`Scenario::faults`].
    pub faults: crate::faults::FaultPlan,
    /// Calls of exported functions, in WAVE (see [`Scenario::call`]).
    pub calls: Vec<String>,
    /// HTTP requests for a handler (see [`Scenario::request`]).
    pub requests: Vec<RequestSpec>,
    /// How a handler serves them; `None` is the default.
    pub serve: Option<Serve>,
    /// Who filled the spec, which decides how errors name its keys.
    pub source: Source,
}

/// Who filled a spec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// A scenario file: keys are ``field `fs-report` ``.
    #[default]
    File,
    /// The command line: keys are `--fs-report`.
    Flags,
}

impl Source {
    /// The key that holds a call: `call` in a file, `--invoke` on the
    /// command line.
    fn call_key(self) -> &'static str {
        match self {
            Source::File => "call",
            Source::Flags => "invoke",
        }
    }

    /// How this source names `key` (kebab-case).
    pub fn name(self, key: &str) -> String {
        match self {
            Source::File => format!("field `{key}`"),
            Source::Flags => format!("--{key}"),
        }
    }
}

/// Where bytes come from: stdin, a request's body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Content {
    /// No bytes.
    #[default]
    Empty,
    /// These bytes.
    Bytes(Vec<u8>),
    /// The contents of a file.
    File(Named),
}

/// One preopen of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSpec {
    /// The directory copied in under the guest path; `None` leaves it empty.
    pub fixture: Option<Named>,
    /// What the guest sees.
    pub preopen: Preopen,
}

/// A host path and the name its source gives it, for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The path, already resolved.
    pub path: PathBuf,
    /// How the source names it: ``field `fixture` `` or `--dir`.
    pub label: String,
}

impl Named {
    /// `path`, called `label` in errors.
    pub fn new(path: impl Into<PathBuf>, label: impl Into<String>) -> Self {
        Named { path: path.into(), label: label.into() }
    }
}

/// Why a spec cannot become a scenario: one line that starts with the
/// name of what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

impl Content {
    /// The bytes: read from the file when it names one.
    pub fn read(self) -> Result<Vec<u8>, SpecError> {
        match self {
            Content::Empty => Ok(Vec::new()),
            Content::Bytes(b) => Ok(b),
            Content::File(f) => {
                std::fs::read(&f.path).map_err(|e| SpecError(format!("{}: {}: {e}", f.label, f.path.display())))
            }
        }
    }
}

/// One HTTP request of a spec, its body not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    /// Method, path and headers.
    pub request: Request,
    /// Where its body comes from.
    pub body: Content,
}

impl Spec {
    /// Reads what the spec names and returns the scenario. `quota` and
    /// `fs_report` without any `dirs` are errors: there is no filesystem
    /// for them to apply to.
    pub fn build(self) -> Result<Scenario, SpecError> {
        let mut scenario = Scenario::new(self.name).seed(self.seed).args(self.args);
        for (k, v) in self.env {
            scenario = scenario.env(k, v);
        }
        scenario = scenario.stdin(self.stdin.read()?);
        if self.dirs.is_empty() {
            let no_fs = |key: &str| {
                let (fixture, preopen) = match self.source {
                    Source::File => ("`fixture`", "`preopen`"),
                    Source::Flags => ("--fs", "--dir"),
                };
                SpecError(format!("{}: the scenario has no filesystem (no {fixture} or {preopen})", self.source.name(key)))
            };
            if self.quota.is_some() {
                return Err(no_fs("quota"));
            }
            if self.fs_report.is_some() {
                return Err(no_fs("fs-report"));
            }
        } else {
            let mut fs = MemFs::new();
            let mut preopens = Vec::new();
            for d in self.dirs {
                if let Some(f) = &d.fixture {
                    if !f.path.is_dir() {
                        return Err(SpecError(format!("{}: directory not found: {}", f.label, f.path.display())));
                    }
                    copy_dir_into(&mut fs, &f.path, &d.preopen.memfs_path())
                        .map_err(|e| SpecError(format!("{}: {e}", f.label)))?;
                }
                preopens.push(d.preopen);
            }
            if let Some(q) = self.quota {
                fs.set_quota(q);
            }
            scenario = scenario.fs(fs).preopens(preopens);
        }
        let mut limits = Limits::default();
        self.limits.apply(&mut limits);
        scenario = scenario.limits(limits);
        if let Some(b) = self.backend {
            scenario = scenario.backend(b);
        }
        if let Some(how) = self.fs_report {
            scenario = scenario.fs_report(how);
        }
        if let Some(mocks) = self.http {
            scenario = scenario.http(mocks);
        }
        scenario = scenario.journal(self.journal).faults(self.faults);
        for call in self.calls {
            super::call::check_syntax(&call)
                .map_err(|e| SpecError(format!("{}: `{call}`: {e}", self.source.name(self.source.call_key()))))?;
            scenario = scenario.call(call);
        }
        for r in self.requests {
            let body = r.body.read()?;
            scenario = scenario.request(Request { body, ..r.request });
        }
        if let Some(serve) = self.serve {
            scenario = scenario.serve(serve);
        }
        Ok(scenario)
    }
}
