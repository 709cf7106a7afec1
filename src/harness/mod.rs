//! The harness: loads components, runs them on a paused tokio runtime
//! against the virtual kernel, and turns the outcome into a [`RunReport`].
//! A guest that traps or exits is a result, never an error of the harness;
//! errors here mean the input could not be run at all.
//!
//! Layer L5: imports L0–L4; never `explore`, `perturb`, `suite` or anything above.
//! `tests/all/architecture.rs` holds it.

use crate::host::p1::{self as host_p1, P1Bridge, P1Direct};
use crate::host::p2::{self, P2State};
use crate::host::p3::{self, P3State};
use crate::host::HostState;
use crate::memfs::MemFs;
use crate::world::World;
use crate::report::RunReport;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

mod batch;
mod cache;
mod call;
mod dispatch;
mod engine;
mod error;
mod guest;
mod imports;
mod load;
mod module;
mod outcome;
mod phases;
mod run;
mod serve;
mod world;

pub use cache::CompileCache;
pub use engine::{Allocation, MAX_CONCURRENT_RUNS, PoolTuning};
pub use error::HarnessError;
pub use guest::Guest;
pub use phases::RunPhases;
pub(crate) use world::sniff as sniff_world;
use engine::EpochTicker;
use run::Command;

/// Engines and linkers for both worlds. Build one and reuse it: compiling a
/// component is the expensive step, running it is cheap.
pub struct Harness {
    p1: ModuleHost,
    p2: Host<P2State>,
    p3: Host<P3State>,
    _ticker: EpochTicker,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness").field("cache", &self.p2.cache).finish_non_exhaustive()
    }
}

/// The p1 host: core modules compile on the p2 engine (and its cache), and
/// link with the p1 functions of each backend.
struct ModuleHost {
    bridge: wasmtime::Linker<P1Bridge>,
    direct: wasmtime::Linker<P1Direct>,
}

/// One host world: its engine, its linkers (one per filesystem backend)
/// and its share of the compile cache. The worlds have engines of their
/// own because only p3 needs the component model's concurrency: without
/// it, every p2 host call skips wasmtime's per-call task bookkeeping.
struct Host<T: 'static> {
    engine: Engine,
    bridge: Linker<T>,
    direct: Linker<T>,
    cache: Option<CompileCache>,
}

impl<T: HostState> Host<T> {
    fn new(
        config: &Config,
        linker: fn(&Engine) -> wasmtime::Result<Linker<T>>,
        direct_linker: fn(&Engine) -> wasmtime::Result<Linker<T>>,
    ) -> Result<Self, HarnessError> {
        let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
        let engine = Engine::new(config).map_err(internal)?;
        let bridge = linker(&engine).map_err(internal)?;
        let direct = direct_linker(&engine).map_err(internal)?;
        Ok(Host { engine, bridge, direct, cache: None })
    }

    /// Compiles `bytes` for this engine, through the cache when there is one.
    fn compile(&self, bytes: &[u8]) -> wasmtime::Result<Component> {
        let compile = || Component::new(&self.engine, bytes);
        match &self.cache {
            Some(cache) => cache.get_or_compile(&self.engine, bytes, compile),
            None => compile(),
        }
    }

    /// Links `component`, which exports the command of `exports` (none:
    /// a library), once per backend:
    /// `(direct, bridge)`. A failed link is `unlinked`'s error; a `run`
    /// export of the wrong shape is `no_run`'s.
    fn link(
        &self,
        component: &Component,
        exports: Option<World>,
        handler: Option<World>,
        unlinked: impl Fn(wasmtime::Error) -> HarnessError,
        no_run: impl Fn(wasmtime::Error) -> HarnessError,
    ) -> Result<(Command<T>, Command<T>), HarnessError> {
        let command = |linker: &Linker<T>| {
            Command::new(linker.instantiate_pre(component).map_err(&unlinked)?, exports, handler).map_err(&no_run)
        };
        Ok((command(&self.direct)?, command(&self.bridge)?))
    }
}

impl Harness {
    /// Engines with fuel metering and epoch interruption driven by a 10 ms
    /// ticker thread; the p3 engine also has the component-model async
    /// features. Every run maps and unmaps its own memories
    /// ([`Allocation::OnDemand`]). Compiled guests are kept in
    /// [`CompileCache::default_dir`] (`$WASI_REPLAY_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/wasi-replay`, else `~/.cache/wasi-replay`), so a
    /// test compiles a guest once, not on every `cargo test`; see
    /// [`Harness::without_cache`] and [`Harness::with_cache_dir`].
    pub fn new() -> Result<Self, HarnessError> {
        Self::with_allocation(Allocation::OnDemand)
    }

    /// One harness for the whole process, made by [`Harness::new`] on first
    /// use: the assertions of [`crate::testing`] and [`crate::Suite::run`]
    /// share it, so a test binary compiles each guest once.
    pub fn shared() -> Result<&'static Harness, HarnessError> {
        static SHARED: std::sync::OnceLock<Harness> = std::sync::OnceLock::new();
        if let Some(h) = SHARED.get() {
            return Ok(h);
        }
        let made = Harness::new()?;
        Ok(SHARED.get_or_init(|| made))
    }

    /// Like [`Harness::new`], with the allocation strategy chosen.
    pub fn with_allocation(allocation: Allocation) -> Result<Self, HarnessError> {
        Self::tuned(allocation, &PoolTuning::default())
    }

    /// A pooled harness for [`crate::fuzz`], sized for `concurrent_runs`
    /// runs at once, whose slots keep the pages an instrumented guest's
    /// coverage map writes on every run.
    pub fn for_search(concurrent_runs: u32) -> Result<Self, HarnessError> {
        Self::tuned(Allocation::Pooling { concurrent_runs }, &PoolTuning::search())
    }

    /// Like [`Harness::with_allocation`], with the pool's reset tuned
    /// (the bench compares settings with it).
    #[doc(hidden)]
    pub fn tuned(allocation: Allocation, tuning: &PoolTuning) -> Result<Self, HarnessError> {
        let (p2_config, config) = engine::configs(allocation, tuning);
        let p2 = Host::new(&p2_config, p2::linker, p2::direct_linker)?;
        let p3 = Host::new(&config, p3::linker, p3::direct_linker)?;
        let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
        let p1 = ModuleHost {
            bridge: host_p1::linker(&p2.engine).map_err(internal)?,
            direct: host_p1::direct_linker(&p2.engine).map_err(internal)?,
        };
        let _ticker = EpochTicker::start(vec![p2.engine.clone(), p3.engine.clone()]);
        let harness = Harness { p1, p2, p3, _ticker };
        Ok(match CompileCache::default_dir() {
            Some(dir) => harness.with_cache_dir(dir),
            None => harness,
        })
    }

    /// Where compiled guests are kept, if anywhere.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.p2.cache.as_ref().map(CompileCache::dir)
    }

    /// Compiles every guest afresh and keeps nothing on disk.
    pub fn without_cache(mut self) -> Self {
        self.p2.cache = None;
        self.p3.cache = None;
        self
    }

    /// Keeps compiled components and p1 modules in `dir`, so a later
    /// process loading the same guest skips compiling it.
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Self {
        self.p2.cache = Some(CompileCache::new(dir.clone(), &self.p2.engine));
        self.p3.cache = Some(CompileCache::new(dir, &self.p3.engine));
        self
    }

    /// The engine of `host`.
    pub(super) fn engine(&self, host: World) -> &Engine {
        match host {
            World::P1 | World::P2 => &self.p2.engine,
            World::P3 => &self.p3.engine,
        }
    }

    /// Runs `guest` once with `scenario`'s inputs.
    pub fn run(&self, guest: &Guest, scenario: &Scenario) -> Result<RunReport, HarnessError> {
        self.run_with_fs(guest, scenario).map(|(report, _)| report)
    }

    /// Runs `guest` once and also hands back the final MemFs (when the
    /// scenario had one).
    ///
    /// Each run has a paused runtime of its own. Called from inside a
    /// tokio runtime (a `#[tokio::test]`, say), the run goes to a thread
    /// of its own and this call blocks until it ends, so it suits a test,
    /// not a server's async task.
    pub fn run_with_fs(
        &self,
        guest: &Guest,
        scenario: &Scenario,
    ) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        off_runtime(|| self.run_here(guest, scenario))
    }

    /// Runs a guest loaded with [`Harness::load_covered`] once, and hands
    /// back what its instrumented modules counted with the report. A
    /// guest that is not instrumented counts nothing.
    pub fn run_covered(&self, guest: &Guest, scenario: &Scenario) -> Result<(RunReport, crate::coverage::EdgeMap), HarnessError> {
        let covered = || {
            run::COVERED.with(|c| *c.borrow_mut() = Some(crate::coverage::EdgeMap::default()));
            let report = self.run_here(guest, scenario);
            let map = run::COVERED.with(|c| c.borrow_mut().take()).unwrap_or_default();
            report.map(|(report, _)| (report, map))
        };
        off_runtime(covered)
    }

    /// [`Harness::run`] on this thread, timing each step of the run. A run
    /// with faults drawn at random makes a probe run first; its steps are
    /// counted with the run's.
    pub fn run_phased(&self, guest: &Guest, scenario: &Scenario) -> Result<(RunReport, RunPhases), HarnessError> {
        let (result, phases) = phases::timed(|| self.run_here(guest, scenario));
        result.map(|(report, _)| (report, phases))
    }
}

/// Calls `run` on this thread, or, from inside a tokio runtime (where a
/// run's own paused runtime cannot start), on a thread of its own.
fn off_runtime<T: Send>(run: impl FnOnce() -> Result<T, HarnessError> + Send) -> Result<T, HarnessError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|s| s.spawn(run).join().map_err(|_| HarnessError::Internal("the run's thread panicked".into()))?);
    }
    run()
}
