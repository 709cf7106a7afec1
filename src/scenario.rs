//! Scenario: what to run and with which inputs.
//!
//! TODO (issue 16, what is left of it; the rest has landed):
//! - Fold [`Inputs`] into `Scenario`, with builder setters for limits,
//!   HTTP mocks, preopens and the clock's start, so no caller writes
//!   `scenario.inputs.limits.*` (the CLI, the suite and the tests do).
//! - Let the CLI's flags and a scenario file fill one spec that becomes a
//!   `Scenario`: `cli/inputs.rs` repeats the steps of `suite/file.rs`.
//! - MemFs operations only the hosts need (`hold`, `read_ino`, `open_at`,
//!   …) become `pub(crate)`; a public method that can panic on a stale
//!   inode returns an error or documents `# Panics`.
//! - A glob-driven suite runner in the library (`Suite::new().run("…")`),
//!   which `wasi-replay test` then uses; the example crate gets a scenario
//!   directory for it.
//! - `cli/bench.rs` as a module tree (or the measuring moved to `benches/`).

use crate::host::{Backend, Inputs};
use crate::memfs::MemFs;
use crate::report::FsReport;

/// One run's inputs: everything besides the component.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// Name shown in reports; the guest's name when empty.
    pub name: String,
    /// Seed, args, env, stdin, clocks and capture limit.
    pub inputs: Inputs,
    /// Initial filesystem, preopened at `/`. `None` preopens nothing.
    pub fs: Option<MemFs>,
    /// How the report shows the final filesystem.
    pub fs_report: FsReport,
}

impl Scenario {
    /// A scenario with default inputs and no filesystem.
    pub fn new(name: impl Into<String>) -> Self {
        Scenario { name: name.into(), ..Scenario::default() }
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.inputs.seed = seed;
        self
    }

    /// Sets the arguments, `argv[0]` included.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.inputs.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.inputs.env.push((key.into(), value.into()));
        self
    }

    /// Sets stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.inputs.stdin = bytes.into();
        self
    }

    /// Sets the initial filesystem (preopened at `/` unless
    /// [`Scenario::preopens`] says otherwise).
    pub fn fs(mut self, fs: MemFs) -> Self {
        self.fs = Some(fs);
        self
    }

    /// Sets the preopened directories. Each one's directory is created in
    /// the MemFs if missing; a scenario without a MemFs gets an empty one.
    pub fn preopens(mut self, preopens: Vec<Preopen>) -> Self {
        self.inputs.preopens = preopens;
        self.fs.get_or_insert_with(MemFs::new);
        self
    }

    /// Chooses how the report shows the final filesystem.
    pub fn fs_report(mut self, how: FsReport) -> Self {
        self.fs_report = how;
        self
    }

    /// Chooses how the filesystem is served.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.inputs.backend = backend;
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
