//! The inputs of a journal file of format 1, which had a schema of its
//! own: read, never written. Journal files of format 2 carry a
//! [`ScenarioText`](super::ScenarioText) instead (see `inline`); this
//! reader keeps the files recorded before it replayable.

use super::{Preopen, Request, Scenario, ScenarioError, Serve};
use crate::host::{Backend, HttpMocks, Limits, MockRule, UrlMatch};
use crate::kernel::ClockConfig;
use crate::memfs::{MemFs, Quota};
use crate::report::FsReport;
use serde::Deserialize;
use std::time::Duration;

/// Bytes as text when they are UTF-8, else base64.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    /// UTF-8 text.
    Text(String),
    /// Anything else.
    Base64(String),
}

impl Data {
    fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Data::Text(t) => Ok(t.clone().into_bytes()),
            Data::Base64(b) => super::build::decode(b),
        }
    }
}

/// Every input of a scenario, serializable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Recorded {
    /// The scenario's name.
    pub name: String,
    /// The seed.
    pub seed: u64,
    /// `argv`, as given (empty: the component's file name).
    pub args: Vec<String>,
    /// Environment variables, in order.
    pub env: Vec<(String, String)>,
    /// Stdin.
    pub stdin: Data,
    /// Wall-clock start, in nanoseconds since the epoch.
    pub wall_start_ns: u64,
    /// Monotonic start, in nanoseconds.
    pub monotonic_start_ns: u64,
    /// Fuel; `None` is unlimited.
    pub fuel: Option<u64>,
    /// Wall-clock timeout in milliseconds; `None` is none.
    pub timeout_ms: Option<u64>,
    /// Bytes per linear memory.
    pub memory_bytes: usize,
    /// Bytes kept of stdout and of stderr each.
    pub capture_bytes: usize,
    /// The MemFs byte and inode quotas a scenario without its own gets.
    pub fs_bytes: u64,
    /// See `fs_bytes`.
    pub fs_inodes: u64,
    /// How the filesystem is served.
    pub backend: Backend,
    /// How the report shows the tree.
    pub fs_report: FsReport,
    /// The preopens: guest path and whether it is read-only.
    pub preopens: Vec<(String, bool)>,
    /// The initial MemFs, when the run has one.
    pub fs: Option<RecordedFs>,
    /// The HTTP mocks.
    pub http: RecordedMocks,
    /// Calls of exported functions, in WAVE.
    pub calls: Vec<String>,
    /// Requests for a handler.
    pub requests: Vec<RecordedRequest>,
    /// How a handler serves them.
    pub serve: Serve,
    /// Whether the run keeps a journal.
    pub journal: bool,
    /// The faults planned: exact faults and rates in their text form.
    #[serde(default)]
    pub faults: Vec<String>,
    /// The faults drawn from a seed, when the plan draws any.
    #[serde(default)]
    pub fault_draw: Option<RecordedDraw>,
}

/// A plan's draw: see [`crate::faults::Draw`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedDraw {
    /// The fault seed.
    pub seed: u64,
    /// How many faults.
    pub count: u32,
    /// The kinds drawn from, by name.
    pub kinds: Vec<String>,
}

/// A MemFs: its quota and its entries in walk order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedFs {
    /// Byte quota.
    pub max_bytes: Option<u64>,
    /// Inode quota.
    pub max_inodes: Option<u64>,
    /// The entries.
    pub entries: Vec<RecordedEntry>,
}

/// One MemFs entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedEntry {
    /// Absolute path.
    pub path: String,
    /// `dir`, `file` or `symlink`.
    pub kind: String,
    /// A file's content or a symlink's target.
    #[serde(default)]
    pub data: Option<Data>,
}

/// The mocks: rules and redacted header names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedMocks {
    /// Header names the report hides.
    pub redact: Vec<String>,
    /// The rules, in order.
    pub rules: Vec<RecordedRule>,
}

/// One mock rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedRule {
    /// Its name.
    pub name: String,
    /// The method it matches, any when absent.
    pub method: Option<String>,
    /// `exact`, `prefix` or `glob`.
    pub match_kind: String,
    /// The URL, prefix or glob.
    pub url: String,
    /// Headers that must be present.
    pub headers: Vec<(String, String)>,
    /// The status sent back.
    pub status: u16,
    /// The response's headers.
    pub response_headers: Vec<(String, String)>,
    /// The response's body.
    pub body: Data,
    /// In how many chunks.
    pub chunks: usize,
}

/// One request for a handler.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Data,
}

impl Recorded {
    /// The scenario recorded; an error names what cannot be read back.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        self.build().map_err(ScenarioError)
    }

    fn build(&self) -> Result<Scenario, String> {
        let mut limits = Limits::default();
        limits.fuel = self.fuel;
        limits.timeout = self.timeout_ms.map(Duration::from_millis);
        limits.memory_bytes = self.memory_bytes;
        limits.capture_bytes = self.capture_bytes;
        limits.fs_bytes = self.fs_bytes;
        limits.fs_inodes = self.fs_inodes;
        let clock = ClockConfig { wall_start: Duration::from_nanos(self.wall_start_ns), monotonic_start: self.monotonic_start_ns };
        let mut s = Scenario::new(self.name.clone())
            .seed(self.seed)
            .args(self.args.clone())
            .stdin(self.stdin.bytes().map_err(|e| format!("stdin: {e}"))?)
            .clock(clock)
            .limits(limits)
            .backend(self.backend)
            .journal(self.journal)
            .serve(self.serve);
        let draw = self.fault_draw.as_ref();
        let kinds = draw.map(|d| d.kinds.join(","));
        let plan = crate::faults::FaultPlan::from_parts(&self.faults, draw.map(|d| d.seed), kinds.as_deref(), draw.map(|d| d.count), ("seed", "kinds", "count"))
            .map_err(|e| format!("faults: {e}"))?;
        s = s.faults(plan);
        for (k, v) in &self.env {
            s = s.env(k.clone(), v.clone());
        }
        if let Some(rec) = &self.fs {
            let mut fs = MemFs::new();
            fs.set_quota(Quota { max_bytes: rec.max_bytes, max_inodes: rec.max_inodes });
            for e in &rec.entries {
                let data = || e.data.as_ref().map_or(Ok(Vec::new()), Data::bytes).map_err(|m| format!("fs {}: {m}", e.path));
                let made = match e.kind.as_str() {
                    "dir" => fs.mkdir_p(&e.path),
                    "file" => fs.write(&e.path, data()?),
                    "symlink" => fs.symlink(&String::from_utf8_lossy(&data()?), &e.path),
                    other => return Err(format!("fs {}: unknown kind `{other}`", e.path)),
                };
                made.map_err(|err| format!("fs {}: {err}", e.path))?;
            }
            s = s.fs(fs).preopens(self.preopens.iter().map(|(g, ro)| Preopen { guest_path: g.clone(), read_only: *ro }).collect());
            s = s.fs_report(self.fs_report);
        }
        let mut mocks = HttpMocks { rules: Vec::new(), redact: self.http.redact.clone() };
        for r in &self.http.rules {
            let url = match r.match_kind.as_str() {
                "exact" => UrlMatch::Exact(r.url.clone()),
                "prefix" => UrlMatch::Prefix(r.url.clone()),
                "glob" => UrlMatch::Glob(crate::glob::Glob::url(r.url.clone())),
                other => return Err(format!("mock {}: unknown match `{other}`", r.name)),
            };
            mocks.rules.push(MockRule {
                name: r.name.clone(),
                method: r.method.clone(),
                url,
                headers: r.headers.clone(),
                status: r.status,
                response_headers: r.response_headers.clone(),
                body: r.body.bytes().map_err(|e| format!("mock {}: {e}", r.name))?,
                chunks: r.chunks.max(1),
            });
        }
        s = s.http(mocks);
        for c in &self.calls {
            s = s.call(c.clone());
        }
        for r in &self.requests {
            let mut req = Request::new(r.method.clone(), r.path.clone()).body(r.body.bytes().map_err(|e| format!("request: {e}"))?);
            for (k, v) in &r.headers {
                req = req.header(k.clone(), v.clone());
            }
            s = s.request(req);
        }
        Ok(s)
    }
}
