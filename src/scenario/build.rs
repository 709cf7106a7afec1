//! A scenario text made a [`Scenario`]: the one place that resolves
//! paths, reads fixtures, stdin and body files, decodes inline data and
//! checks that the pieces fit. A scenario file, the command line's flags
//! and a journal file's inputs all fill a [`ScenarioText`] and come
//! through here; an [`Origin`] says how their paths resolve and how an
//! error names a key, so it speaks the user's words (``field `fixture` ``
//! in a file, `--fs` on the command line).

use super::text::{EntryKind, EntryText, HttpText, MockText, ScenarioText};
use super::{Preopen, Request, Scenario};
use crate::host::{HttpMocks, Limits, MockRule, UrlMatch};
use crate::kernel::ClockConfig;
use crate::memfs::{MemFs, Quota, copy_dir_into, read_capped};
use base64::Engine as _;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Where a scenario text came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// A scenario file: relative paths resolve against its directory and
    /// may not leave it. `None`: every path is used as given.
    file: Option<&'a Path>,
    /// Keys are named as the command line's flags, not as fields.
    flags: bool,
}

impl<'a> Origin<'a> {
    /// The scenario file at `path`.
    pub fn file(path: &'a Path) -> Self {
        Origin { file: Some(path), flags: false }
    }

    /// The command line: paths as given, keys as flags.
    pub fn flags() -> Self {
        Origin { file: None, flags: true }
    }

    /// Text written out whole (a journal file's inputs): paths as given,
    /// keys as fields.
    pub fn inline() -> Self {
        Origin { file: None, flags: false }
    }

    /// How this origin names `key`, a field's kebab-case path.
    pub fn name(&self, key: &str) -> String {
        if self.flags {
            let flag = match key {
                "stdin-file" => "stdin",
                "fixture" => "fs",
                "preopen.fixture" => "dir",
                "body-file" => "request-body",
                "call" => "invoke",
                other => other,
            };
            format!("--{flag}")
        } else {
            format!("field `{}`", key.strip_prefix("preopen.").unwrap_or(key))
        }
    }

    /// `p`, given under `key`, resolved: against the scenario file's
    /// directory, which it may not leave, or as given.
    fn path(&self, key: &str, p: &Path) -> Result<PathBuf, ScenarioError> {
        let Some(file) = self.file else { return Ok(p.to_path_buf()) };
        let mut depth = 0i32;
        for c in p.components() {
            match c {
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                Component::ParentDir => depth -= 1,
                Component::RootDir | Component::Prefix(_) => depth = -1,
            }
            if depth < 0 {
                return Err(ScenarioError(format!("{}: {} leaves the scenario's directory", self.name(key), p.display())));
            }
        }
        Ok(file.parent().unwrap_or(Path::new(".")).join(p))
    }

    /// Bytes given one of three ways, under the keys `text`, `text-base64`
    /// and `file`: at most one of them, none giving no bytes. A file is
    /// read up to `cap` bytes.
    fn bytes(&self, keys: [&str; 3], text: Option<String>, base64: Option<String>, file: Option<PathBuf>, cap: u64) -> Result<Vec<u8>, ScenarioError> {
        let given: Vec<&str> = [text.is_some(), base64.is_some(), file.is_some()]
            .iter()
            .zip(keys)
            .filter_map(|(&set, key)| set.then_some(key))
            .collect();
        if let [first, .., last] = given[..] {
            let names: Vec<String> = [first, last].iter().map(|k| format!("`{k}`")).collect();
            return Err(ScenarioError(format!("fields {} and {} exclude each other", names[0], names[1])));
        }
        match (text, base64, file) {
            (Some(t), _, _) => Ok(t.into_bytes()),
            (_, Some(b), _) => decode(&b).map_err(|e| ScenarioError(format!("{}: {e}", self.name(keys[1])))),
            (_, _, Some(f)) => {
                let path = self.path(keys[2], &f)?;
                read_capped(&path, cap).map_err(|e| ScenarioError(format!("{}: {}: {e}", self.name(keys[2]), path.display())))
            }
            (None, None, None) => Ok(Vec::new()),
        }
    }
}

/// Bytes as text when they are UTF-8, else as base64: `(text, base64)`.
pub(crate) fn inline(bytes: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(t) => (Some(t.to_string()), None),
        Err(_) => (None, Some(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

/// The bytes of base64 text.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| format!("bad base64: {e}"))
}

/// Why a scenario text cannot become a scenario: one line that starts
/// with the name of what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub(crate) String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::quote::one_line(&self.0))
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioText {
    /// The scenario this text describes, its files read as `origin` says.
    /// The text's `name` is the scenario's; `guest`, `components`,
    /// `worlds`, `perturb`, `allow-perturb` and `[explore]` say how to run
    /// it, not what it is, and are left to the caller.
    pub fn build(self, origin: Origin<'_>) -> Result<Scenario, ScenarioError> {
        let o = origin;
        let err = |m: String| ScenarioError(m);
        let mut limits = Limits::default();
        self.limits.unwrap_or_default().apply(&mut limits);
        let cap = limits.input_bytes;
        let mut scenario = Scenario::new(self.name.unwrap_or_default()).seed(self.seed).args(self.args);
        for kv in &self.env {
            let (k, v) = kv.split_once('=').ok_or_else(|| err(format!("{}: `{kv}` is not KEY=VALUE", o.name("env"))))?;
            scenario = scenario.env(k, v);
        }
        scenario = scenario.stdin(o.bytes(["stdin", "stdin-base64", "stdin-file"], self.stdin, self.stdin_base64, self.stdin_file, cap)?);

        if self.fixture.is_some() && !self.preopen.is_empty() && !o.flags {
            return Err(err("fields `fixture` and `preopen` exclude each other; give the fixture in the preopen".into()));
        }
        let mut dirs = Vec::new();
        if let Some(f) = &self.fixture {
            dirs.push((Some((o.path("fixture", f)?, o.name("fixture"))), Preopen::rw("/")));
        }
        for p in self.preopen {
            let fixture = match &p.fixture {
                Some(f) => Some((o.path("preopen.fixture", f)?, o.name("preopen.fixture"))),
                None => None,
            };
            dirs.push((fixture, Preopen { guest_path: p.guest, read_only: p.read_only }));
        }
        if dirs.is_empty() && self.entry.is_empty() {
            let no_fs = |key: &str| {
                let what = if o.flags { "no --fs or --dir" } else { "no `fixture`, `preopen` or `entry`" };
                err(format!("{}: the scenario has no filesystem ({what})", o.name(key)))
            };
            if self.quota.is_some() {
                return Err(no_fs("quota"));
            }
            if self.fs_report.is_some() {
                return Err(no_fs("fs-report"));
            }
        } else {
            let mut fs = MemFs::new();
            // Fixtures are copied in under the run's quota, so a tree too
            // large for the run is refused as it is read, not after.
            fs.set_quota(Quota { max_bytes: Some(limits.fs_bytes), max_inodes: Some(limits.fs_inodes) });
            let mut preopens = Vec::new();
            for (fixture, preopen) in dirs {
                if let Some((path, label)) = fixture {
                    if !path.is_dir() {
                        return Err(err(format!("{label}: directory not found: {}", path.display())));
                    }
                    copy_dir_into(&mut fs, &path, &preopen.memfs_path()).map_err(|e| err(format!("{label}: {e}")))?;
                }
                preopens.push(preopen);
            }
            for e in self.entry {
                add_entry(&mut fs, &o, e)?;
            }
            fs.set_quota(self.quota.map_or(Quota::default(), |q| Quota { max_bytes: q.bytes, max_inodes: q.inodes }));
            scenario = scenario.fs(fs);
            if !preopens.is_empty() {
                scenario = scenario.preopens(preopens);
            }
        }

        scenario = scenario.limits(limits.clone());
        if let Some(c) = self.clock {
            let mut clock = ClockConfig::default();
            if let Some(w) = c.wall_start_ns {
                clock.wall_start = Duration::from_nanos(w);
            }
            if let Some(m) = c.monotonic_start_ns {
                clock.monotonic_start = m;
            }
            scenario = scenario.clock(clock);
        }
        if let Some(b) = self.backend {
            scenario = scenario.backend(b);
        }
        if let Some(how) = self.fs_report {
            scenario = scenario.fs_report(how);
        }
        scenario = scenario.journal(self.journal);
        if let Some(f) = self.faults {
            let kinds = f.kinds.map(|k| k.join(","));
            let names = ("`faults.seed`", "field `faults.kinds`", "field `faults.count`");
            let plan = crate::faults::FaultPlan::from_parts(&f.plan, f.seed, kinds.as_deref(), f.count, names)
                .map_err(|e| err(if e.subject.starts_with("field") { e } else { e.at("field `faults.plan`") }.to_string()))?;
            scenario = scenario.faults(plan);
        }
        if let Some(s) = &self.schedule {
            let strategy = s.parse::<crate::schedule::Strategy>().map_err(|e| err(format!("{}: {e}", o.name("schedule"))))?;
            scenario = scenario.schedule(strategy);
        }
        if let Some(h) = self.http {
            scenario = scenario.http(h.mocks(o, cap)?);
        }
        for c in self.call {
            super::call::check_syntax(&c.invoke).map_err(|e| err(format!("{}: `{}`: {e}", o.name("call"), c.invoke)))?;
            scenario = scenario.call(c.invoke);
        }
        for (i, r) in self.request.into_iter().enumerate() {
            let at = |e: ScenarioError| if o.flags { e } else { err(format!("request #{i}: {e}")) };
            let mut request = Request::new(r.method, r.path);
            request.headers = r.headers.into_iter().collect();
            request.check().map_err(|e| at(err(e.to_string())))?;
            request.body = o.bytes(["body", "body-base64", "body-file"], r.body, r.body_base64, r.body_file, cap).map_err(at)?;
            scenario = scenario.request(request);
        }
        if let Some(serve) = self.serve {
            scenario = scenario.serve(serve);
        }
        Ok(scenario)
    }
}

/// Writes one `[[entry]]` into `fs`, making its missing parents.
fn add_entry(fs: &mut MemFs, o: &Origin<'_>, e: EntryText) -> Result<(), ScenarioError> {
    let at = |m: &dyn fmt::Display| ScenarioError(format!("{}: {}: {m}", o.name("entry"), e.path));
    if !e.path.starts_with('/') {
        return Err(at(&"not an absolute path"));
    }
    let parent = match e.path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((p, _)) => p,
    };
    if e.kind != EntryKind::Dir {
        fs.mkdir_p(parent).map_err(|m| at(&m))?;
    }
    match e.kind {
        EntryKind::Dir => {
            if e.text.is_some() || e.base64.is_some() || e.target.is_some() {
                return Err(at(&"a directory has no `text`, `base64` or `target`"));
            }
            fs.mkdir_p(&e.path).map_err(|m| at(&m))
        }
        EntryKind::File => {
            if e.target.is_some() {
                return Err(at(&"a file has no `target`"));
            }
            let bytes = o.bytes(["text", "base64", "file"], e.text.clone(), e.base64.clone(), None, 0).map_err(|m| at(&m))?;
            fs.write(&e.path, bytes).map_err(|m| at(&m))
        }
        EntryKind::Symlink => {
            if e.text.is_some() || e.base64.is_some() {
                return Err(at(&"a symlink has a `target`, not `text` or `base64`"));
            }
            let target = e.target.as_deref().ok_or_else(|| at(&"a symlink needs a `target`"))?;
            fs.symlink(target, &e.path).map_err(|m| at(&m))
        }
    }
}

impl HttpText {
    /// The mocks this text describes, with body files read as `origin`
    /// says, each up to `cap` bytes. Errors name the rule: `http mock #2: …`.
    pub fn mocks(self, origin: Origin<'_>, cap: u64) -> Result<HttpMocks, ScenarioError> {
        let mut mocks = HttpMocks::default();
        if let Some(r) = self.redact {
            mocks.redact = r;
        }
        for (i, m) in self.mock.into_iter().enumerate() {
            let at = |msg: &dyn fmt::Display| ScenarioError(format!("http mock #{i}: {msg}"));
            mocks.rules.push(m.rule(origin, cap).map_err(|e| at(&e))?);
        }
        Ok(mocks)
    }
}

impl MockText {
    fn rule(self, o: Origin<'_>, cap: u64) -> Result<MockRule, ScenarioError> {
        let url = match (self.url, self.url_prefix, self.url_glob) {
            (Some(u), None, None) => UrlMatch::Exact(u),
            (None, Some(p), None) => UrlMatch::Prefix(p),
            (None, None, Some(g)) => UrlMatch::Glob(crate::glob::Glob::url(g)),
            _ => return Err(ScenarioError("give exactly one of `url`, `url-prefix`, `url-glob`".into())),
        };
        if !(100..=999).contains(&self.status) {
            return Err(ScenarioError(format!("field `status`: {} is not an HTTP status", self.status)));
        }
        let body = o.bytes(["body", "body-base64", "body-file"], self.body, self.body_base64, self.body_file, cap)?;
        Ok(MockRule {
            name: self.name,
            method: self.method,
            url,
            headers: self.headers.into_iter().collect(),
            status: self.status,
            response_headers: self.response_headers.into_iter().collect(),
            body,
            chunks: self.chunks.max(1),
        })
    }
}
