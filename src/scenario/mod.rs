//! Scenario: what to run and with which inputs.
//!
//! A [`Scenario`] is built with setters; [`spec::Spec`] is how a scenario
//! file and the command line describe one, and the one place that turns
//! such a description into a `Scenario`.

pub mod spec;

pub use spec::{Spec, SpecError};

use crate::host::{Backend, HttpMocks, Inputs, Limits};
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
    pub(crate) fs: Option<MemFs>,
    pub(crate) fs_report: FsReport,
    pub(crate) calls: Vec<String>,
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
        self.fs = Some(fs);
        self
    }

    /// Sets the preopened directories. Each one's directory is created in
    /// the MemFs if missing; a scenario without a MemFs gets an empty one.
    /// Default: `/`, read-write.
    pub fn preopens(mut self, preopens: Vec<Preopen>) -> Self {
        self.inputs.preopens = preopens;
        self.fs.get_or_insert_with(MemFs::new);
        self
    }

    /// Chooses how the report shows the final filesystem. Default: every
    /// entry.
    pub fn fs_report(mut self, how: FsReport) -> Self {
        self.fs_report = how;
        self
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
    /// 2024-01-01T00:00:00Z.
    pub fn wall_start(mut self, since_epoch: Duration) -> Self {
        self.inputs.clock.wall_start = since_epoch;
        self
    }

    /// Sets every limit at once. Default: [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.inputs.limits = limits;
        self
    }

    /// Sets the fuel; `None` runs without it. See [`Limits::fuel`].
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

/// One preopened directory as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The path the guest is told (`/`, `.`, `/data`, …).
    pub guest_path: String,
    /// Enforced by the host: any change under it is `not-permitted`, as
    /// wasmtime-wasi answers.
    pub read_only: bool,
}

impl Preopen {
    /// A read-write preopen.
    pub fn rw(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: false }
    }

    /// A read-only preopen.
    pub fn ro(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: true }
    }

    /// Where this preopen's root lives in the MemFs: the guest path made
    /// absolute (`.` and `/` are the MemFs root).
    pub fn memfs_path(&self) -> String {
        let trimmed = self.guest_path.trim_start_matches("./").trim_matches('/');
        if trimmed.is_empty() || trimmed == "." { "/".into() } else { format!("/{trimmed}") }
    }
}
