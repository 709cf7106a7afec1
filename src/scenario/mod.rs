//! Scenario: what to run and with which inputs.
//!
//! A [`Scenario`] is built with setters, or from one model of its text:
//! `text::ScenarioText`. Scenario files, `--http-mock` cassettes, the
//! command line's flags and a journal file's inputs all fill it; `build`
//! is the one place that turns it into a `Scenario`, and `inline` writes a
//! `Scenario` back out whole. `recorded` reads the inputs of journal files
//! of format 1, which had a schema of their own.
//!
//! Layer L4: imports L0–L3 and `report`; never `harness` or anything above.
//! `tests/all/architecture.rs` holds it.

mod build;
pub(crate) mod call;
mod inline;
mod recorded;
pub(crate) mod text;

pub use build::{Origin, ScenarioError};
pub use recorded::Recorded;
pub use text::ScenarioText;

pub use crate::host::Preopen;
use crate::host::{Backend, HostError, HttpMocks, Inputs, Limits};
use crate::kernel::ClockConfig;
use crate::memfs::MemFs;
use crate::report::FsReport;
use std::sync::Arc;
use std::time::Duration;

/// One run's inputs: everything besides the component. Built with the
/// setters below; every input has a documented default, so
/// `Scenario::new("app")` alone is a complete scenario.
///
/// ```
/// use std::time::Duration;
/// use wasi_replay::{MemFs, Scenario};
///
/// let mut fs = MemFs::new();
/// fs.write_string("/in.txt", "hello").unwrap();
/// let scenario = Scenario::new("app")
///     .seed(7)
///     .args(["app", "--verbose"])
///     .env("LANG", "C.UTF-8")
///     .fs(fs)
///     .fuel(Some(50_000_000))
///     .timeout(Some(Duration::from_secs(5)))
///     .wall_start(Duration::from_secs(1_700_000_000));
/// assert_eq!(scenario.name(), "app");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    pub(crate) name: String,
    pub(crate) inputs: Inputs,
    /// Shared, so that cloning a scenario (explore makes one per seed)
    /// does not copy the tree; each run copies it once.
    pub(crate) fs: Option<Arc<MemFs>>,
    pub(crate) fs_report: FsReport,
    pub(crate) calls: Vec<String>,
    pub(crate) requests: Vec<Request>,
    pub(crate) serve: Serve,
}

impl Scenario {
    /// A scenario with default inputs and no filesystem. `name` is shown in
    /// reports; an empty one shows the guest's name.
    pub fn new(name: impl Into<String>) -> Self {
        Scenario { name: name.into(), ..Scenario::default() }
    }

    /// The name reports show (empty: the guest's).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets the seed of every random source. Default: 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.inputs.seed = seed;
        self
    }

    /// Sets the arguments, `argv[0]` included. Default: none, which a run
    /// turns into the component's file name alone, as `wasmtime run` does.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.inputs.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an environment variable after those already set (the guest
    /// sees them in this order). Default: none.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.inputs.env.push((key.into(), value.into()));
        self
    }

    /// Sets stdin. Default: empty.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.inputs.stdin = bytes.into();
        self
    }

    /// Sets the initial filesystem (preopened at `/` unless
    /// [`Scenario::preopens`] says otherwise). Default: none, and the guest
    /// has no preopens.
    pub fn fs(mut self, fs: MemFs) -> Self {
        self.fs = Some(Arc::new(fs));
        self
    }

    /// Sets the preopened directories. Each one's directory is created in
    /// the MemFs if missing; a scenario without a MemFs gets an empty one.
    /// Default: `/`, read-write.
    pub fn preopens(mut self, preopens: Vec<Preopen>) -> Self {
        self.inputs.preopens = preopens;
        self.fs.get_or_insert_with(Arc::default);
        self
    }

    /// Chooses how the report shows the final filesystem. Default: every
    /// entry.
    pub fn fs_report(mut self, how: FsReport) -> Self {
        self.fs_report = how;
        self
    }

    /// Keeps a journal of every host call the guest makes, which the
    /// report then carries under `journal:` (see [`crate::journal`]). It
    /// needs the direct backend and a component (p1 modules have none).
    /// Default: off, and the report and the run's cost are as without it.
    pub fn journal(mut self, on: bool) -> Self {
        self.inputs.journal = on;
        self
    }

    /// Sends the guest's HTTP requests to the network instead of the mocks,
    /// and keeps every answer in `recording` as a mock rule (the `record`
    /// feature). Default: off, and the mocks answer.
    #[cfg(feature = "record")]
    pub fn record_http(mut self, recording: crate::host::Recording) -> Self {
        self.inputs.recording = Some(recording);
        self
    }

    /// Injects the faults of `plan` (see [`crate::faults`]); the report
    /// lists them, and those that struck, under `faults:`. Default: none.
    pub fn faults(mut self, plan: crate::faults::FaultPlan) -> Self {
        self.inputs.faults = plan;
        self
    }

    /// Chooses which of the operations ready at one virtual instant
    /// finishes first (see [`crate::schedule`]); the report lists the
    /// decisions under `schedule:`. Default: [`Strategy::Default`](crate::schedule::Strategy::Default), which holds
    /// nothing.
    pub fn schedule(mut self, strategy: crate::schedule::Strategy) -> Self {
        self.inputs.schedule = strategy;
        self
    }

    /// The faults the scenario plans.
    pub fn fault_plan(&self) -> &crate::faults::FaultPlan {
        &self.inputs.faults
    }

    /// Does the scenario keep a journal?
    pub fn journals(&self) -> bool {
        self.inputs.journal
    }

    /// Chooses how the filesystem is served. Default: [`Backend::Direct`].
    pub fn backend(mut self, backend: Backend) -> Self {
        self.inputs.backend = backend;
        self
    }

    /// Adds a call of an exported function, in WAVE as `wasmtime run
    /// --invoke` takes it: `add(1, 2)`, or `iface#add(1, 2)` to name the
    /// interface. With calls, a run instantiates the component once and
    /// makes them in order instead of running its command, so state kept
    /// between calls is tested; the report lists each call's result.
    /// Default: none, and the command runs.
    pub fn call(mut self, invoke: impl Into<String>) -> Self {
        self.calls.push(invoke.into());
        self
    }

    /// Adds an HTTP request for a handler guest (one exporting p2
    /// `wasi:http/incoming-handler` or p3 `wasi:http/handler`). The
    /// requests are served in order, as [`Scenario::serve`] says, and the
    /// report lists each response. Default: none.
    pub fn request(mut self, request: Request) -> Self {
        self.requests.push(request);
        self
    }

    /// Chooses how a handler serves the requests. Default: [`Serve::Fresh`].
    pub fn serve(mut self, serve: Serve) -> Self {
        self.serve = serve;
        self
    }

    /// Sets the HTTP mocks that answer the guest's outgoing requests.
    /// Default: none, so every request is denied.
    pub fn http(mut self, mocks: HttpMocks) -> Self {
        self.inputs.http = Arc::new(mocks);
        self
    }

    /// Sets where both clocks start. Default: [`ClockConfig::default`].
    pub fn clock(mut self, clock: ClockConfig) -> Self {
        self.inputs.clock = clock;
        self
    }

    /// Sets the wall clock's start, since the Unix epoch. Default:
    /// 2024-01-01T00:00:00.183047291Z.
    pub fn wall_start(mut self, since_epoch: Duration) -> Self {
        self.inputs.clock.wall_start = since_epoch;
        self
    }

    /// A p2 store state for these inputs and a copy of the filesystem, for
    /// driving a component with wasmtime by hand.
    pub fn p2_state(&self) -> Result<crate::host::p2::P2State, HostError> {
        crate::host::p2::P2State::from_inputs(&self.inputs, self.fs.as_deref().cloned())
    }

    /// A p3 store state for these inputs and a copy of the filesystem, for
    /// driving a component with wasmtime by hand.
    pub fn p3_state(&self) -> Result<crate::host::p3::P3State, HostError> {
        crate::host::p3::P3State::from_inputs(&self.inputs, self.fs.as_deref().cloned())
    }

    /// Sets every limit at once. Default: [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.inputs.limits = limits;
        self
    }

    /// Sets the fuel; `None` (or `Some(0)`) runs without it. See
    /// [`Limits::fuel`].
    pub fn fuel(mut self, fuel: Option<u64>) -> Self {
        self.inputs.limits.fuel = fuel;
        self
    }

    /// Sets the wall-clock backstop; `None` runs without it. See
    /// [`Limits::timeout`].
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.inputs.limits.timeout = timeout;
        self
    }

    /// Sets the cap on each linear memory. See [`Limits::memory_bytes`].
    pub fn memory_bytes(mut self, bytes: usize) -> Self {
        self.inputs.limits.memory_bytes = bytes;
        self
    }

    /// Sets how much of stdout and of stderr each the report keeps. See
    /// [`Limits::capture_bytes`].
    pub fn capture_bytes(mut self, bytes: usize) -> Self {
        self.inputs.limits.capture_bytes = bytes;
        self
    }
}

/// An HTTP request for a handler guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path with its query: `/items?limit=2`.
    pub path: String,
    /// Headers, in this order. Without a `host` header the request's
    /// authority is `localhost`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        Request { method: method.into(), path: path.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// A `GET` of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Request::new("GET", path)
    }

    /// Reads `METHOD /path?query` (or just `/path`, a `GET`).
    pub fn parse(line: &str) -> Result<Self, RequestError> {
        let mut words = line.split_whitespace();
        let (method, path) = match (words.next(), words.next(), words.next()) {
            (Some(path), None, None) if path.starts_with('/') => ("GET", path),
            (Some(method), Some(path), None) => (method, path),
            _ => return Err(RequestError(format!("`{line}` is not `METHOD /path`"))),
        };
        let request = Request::new(method.to_ascii_uppercase(), path);
        request.check()?;
        Ok(request)
    }

    /// Refuses what no HTTP request can be: a method that is not a token,
    /// a path that does not start with `/`, a header name or value HTTP
    /// does not allow.
    pub fn check(&self) -> Result<(), RequestError> {
        if self.method.is_empty() || !self.method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
            return Err(RequestError(format!("`{}` is not an HTTP method", self.method)));
        }
        if !self.path.starts_with('/') || self.path.contains(char::is_whitespace) {
            return Err(RequestError(format!("`{}` is not a path: it starts with `/` and has no spaces", self.path)));
        }
        for (name, value) in &self.headers {
            if http::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(RequestError(format!("`{name}` is not an HTTP header name")));
            }
            if http::header::HeaderValue::from_str(value).is_err() {
                return Err(RequestError(format!("header `{name}`: `{value}` is not an HTTP header value")));
            }
        }
        Ok(())
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// `GET /items?limit=2`, as the report names the request.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// How a handler guest serves a scenario's requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Serve {
    /// Each request gets a fresh instance in a fresh store, as `wasmtime
    /// serve` gives it; only the filesystem carries over from one request
    /// to the next (the clocks and random sources start afresh).
    #[default]
    Fresh,
    /// One instance serves every request in order, with its state and the
    /// whole virtual kernel carried between them; a request that traps
    /// leaves the rest unserved.
    Shared,
    /// One p3 instance handles every request at once: each request's
    /// `handle` call starts together, so a schedule (see
    /// [`crate::schedule`]) orders their host operations. p2's
    /// incoming-handler takes one request at a time per instance, so a p2
    /// handler is refused. A trap ends every request still in flight.
    Concurrent,
}

/// An HTTP request no HTTP request can be: which part, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError(String);

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::quote::one_line(&self.0))
    }
}

impl std::error::Error for RequestError {}
