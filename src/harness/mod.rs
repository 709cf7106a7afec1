//! The harness: loads components, runs them on a paused tokio runtime
//! against the virtual kernel, and turns the outcome into a [`RunReport`].
//! A guest that traps or exits is a result, never an error of the harness;
//! errors here mean the input could not be run at all.

use crate::host::p1::{self as host_p1, P1Bridge, P1Direct};
use crate::host::p2::{self, P2State};
use crate::host::p3::{self, P3State};
use crate::faults::Injector;
use crate::host::{Backend, HostState, Inputs};
use crate::memfs::MemFs;
use crate::world::World;
use crate::report::RunReport;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Module};

mod cache;
mod call;
mod engine;
mod serve;
mod error;
mod imports;
mod module;
mod outcome;
mod run;
mod world;

pub use cache::CompileCache;
pub use engine::{Allocation, MAX_CONCURRENT_RUNS, POOL_KEEP_MEMORY, POOL_KEEP_TABLES};
pub use error::HarnessError;
use engine::EpochTicker;
use run::{Command, run_on};
use world::exported_world;

/// A component compiled and linked for one host, ready to run many times.
pub struct Guest {
    name: String,
    /// argv[0] when a scenario gives no arguments.
    program: String,
    exports: World,
    pre: Pre,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest").field("name", &self.name).field("exports", &self.exports).field("host", &self.host()).finish_non_exhaustive()
    }
}

/// The component linked for one host world, once per backend.
enum Pre {
    P1 { direct: Command<P1Direct>, bridge: Command<P1Bridge> },
    P2 { direct: Command<P2State>, bridge: Command<P2State> },
    P3 { direct: Command<P3State>, bridge: Command<P3State> },
}

impl Guest {
    /// The guest's name (the file stem for [`Harness::load`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the guest gets as `argv[0]` when a scenario gives no arguments:
    /// the file's name without its directory (`app.wasm`), as `wasmtime
    /// run` passes it.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The world of its `wasi:cli/run` export.
    pub fn exports(&self) -> World {
        self.exports
    }

    /// Does it export an HTTP handler (and so serve requests)?
    pub fn serves(&self) -> bool {
        match &self.pre {
            Pre::P1 { .. } => false,
            Pre::P2 { direct, .. } => direct.serves(),
            Pre::P3 { direct, .. } => direct.serves(),
        }
    }

    /// The host it is linked for. A p2 component can run on either host
    /// (the p3 host carries p2 too); a p3 component only on the p3 host; a
    /// p1 module only on the p1 host.
    pub fn host(&self) -> World {
        match self.pre {
            Pre::P1 { .. } => World::P1,
            Pre::P2 { .. } => World::P2,
            Pre::P3 { .. } => World::P3,
        }
    }
}

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
        let (p2_config, config) = engine::configs(allocation);
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

    /// Loads a component file for the host its exports ask for; its name
    /// is the file stem.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Guest, HarnessError> {
        self.load_on(path, None)
    }

    /// Loads a component file for `host`, or for its own world when `None`.
    /// Errors name the file; the guest's name is the file stem.
    pub fn load_on(&self, path: impl AsRef<Path>, host: Option<World>) -> Result<Guest, HarnessError> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| HarnessError::Read { path: label.clone(), error: e })?;
        let mut guest = self.load_bytes(&label, &bytes, host)?;
        guest.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        guest.program = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(guest)
    }

    /// Compiles component bytes and links them for `host` (or for the
    /// component's own world when `None`). A WASI p1 command module runs
    /// on the p1 host. `name` is the guest's name, used in errors and
    /// reports.
    pub fn load_bytes(&self, name: &str, bytes: &[u8], host: Option<World>) -> Result<Guest, HarnessError> {
        let name = name.to_string();
        match bytes.get(..8) {
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => return self.load_module(name, bytes, host),
            Some([0, b'a', b's', b'm', ..]) => {}
            _ => return Err(HarnessError::NotWasm { name }),
        }
        if host == Some(World::P1) {
            let world = exported_world(bytes).unwrap_or(World::P2);
            return Err(HarnessError::WrongHost { name, world, host: World::P1 });
        }
        // Compile for the engine of the host that will run it: the one
        // asked for, else the one its exports name. Reading the exports
        // from the bytes first saves compiling a p2 component twice.
        let hint = exported_world(bytes);
        if host == Some(World::P2) && hint == Some(World::P3) {
            return Err(HarnessError::WrongHost { name, world: World::P3, host: World::P2 });
        }
        let invalid = |e: wasmtime::Error| HarnessError::Invalid { name: name.clone(), reason: format!("{e:#}") };
        let compile = |world: World| match world {
            World::P3 => self.p3.compile(bytes),
            World::P1 | World::P2 => self.p2.compile(bytes),
        };
        let first = host.or(hint).unwrap_or(World::P3);
        let mut component = compile(first).map_err(invalid)?;
        // A component with no command is a library: only calls run it, in
        // the world its imports speak.
        let command = world::of_component(self.engine(first), &component);
        let handler = world::of_handler(self.engine(first), &component);
        let exports = command.or(handler).unwrap_or_else(|| world::of_imports(self.engine(first), &component));
        let host = host.unwrap_or(exports);
        if exports == World::P3 && host == World::P2 {
            return Err(HarnessError::WrongHost { name, world: exports, host });
        }
        if host != first {
            component = compile(host).map_err(invalid)?;
        }
        let link = |e: wasmtime::Error| {
            let missing = imports::unsatisfied(self.engine(host), &component, host);
            let imports = if missing.is_empty() { format!("{e:#}") } else { missing.join(", ") };
            HarnessError::Link { name: name.clone(), imports }
        };
        let no_run = |_| HarnessError::NoRun { name: name.clone() };
        let pre = match host {
            World::P1 | World::P2 => {
                let (direct, bridge) = self.p2.link(&component, command, handler, link, no_run)?;
                Pre::P2 { direct, bridge }
            }
            World::P3 => {
                let (direct, bridge) = self.p3.link(&component, command, handler, link, no_run)?;
                Pre::P3 { direct, bridge }
            }
        };
        let program = name.rsplit('/').next().unwrap_or(&name).to_string();
        Ok(Guest { name, program, exports, pre })
    }

    /// Compiles a WASI p1 command module and links it with both backends'
    /// p1 functions.
    fn load_module(&self, name: String, bytes: &[u8], host: Option<World>) -> Result<Guest, HarnessError> {
        if let Some(host @ (World::P2 | World::P3)) = host {
            return Err(HarnessError::WrongHost { name, world: World::P1, host });
        }
        module::check_command(bytes).map_err(|reason| HarnessError::CoreModule { name: name.clone(), reason })?;
        let invalid = |e: wasmtime::Error| HarnessError::Invalid { name: name.clone(), reason: format!("{e:#}") };
        let compile = || Module::new(&self.p2.engine, bytes);
        let module = match &self.p2.cache {
            Some(cache) => cache.get_or_compile(&self.p2.engine, bytes, compile),
            None => compile(),
        }
        .map_err(invalid)?;
        let link = |e: wasmtime::Error| HarnessError::Link { name: name.clone(), imports: format!("{e:#}") };
        let direct = Command::P1(self.p1.direct.instantiate_pre(&module).map_err(link)?);
        let bridge = Command::P1(self.p1.bridge.instantiate_pre(&module).map_err(link)?);
        let program = name.rsplit('/').next().unwrap_or(&name).to_string();
        Ok(Guest { name, program, exports: World::P1, pre: Pre::P1 { direct, bridge } })
    }

    /// The engine of `host`.
    fn engine(&self, host: World) -> &Engine {
        match host {
            World::P1 | World::P2 => &self.p2.engine,
            World::P3 => &self.p3.engine,
        }
    }

    /// Runs `guest` once with `scenario`'s inputs.
    pub fn run(&self, guest: &Guest, scenario: &Scenario) -> Result<RunReport, HarnessError> {
        self.run_with_fs(guest, scenario).map(|(report, _)| report)
    }

    /// Runs `guest` `runs` times on `threads` threads (at least one, at
    /// most `runs`), each run on its own paused runtime, and returns the
    /// reports in run order. Stops at the first harness error. It keeps
    /// every report; [`Harness::run_each`] hands each one over instead.
    pub fn run_many(
        &self,
        guest: &Guest,
        scenario: &Scenario,
        runs: usize,
        threads: usize,
    ) -> Result<Vec<RunReport>, HarnessError> {
        let all = std::sync::Mutex::new(Vec::with_capacity(runs));
        self.run_each(guest, runs, threads, |_| std::borrow::Cow::Borrowed(scenario), |i, report| {
            all.lock().unwrap_or_else(|e| e.into_inner()).push((i, report));
            true
        })?;
        let mut all = all.into_inner().unwrap_or_else(|e| e.into_inner());
        all.sort_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, r)| r).collect())
    }

    /// Runs `guest` with `scenario(i)` for each `i` in `0..runs`, on
    /// `threads` threads (at least one, at most `runs`), and hands each
    /// report to `each` as it comes, in no set order; nothing else is kept,
    /// so memory stays flat however many runs there are. Runs are taken in
    /// index order. `each` returning `false` stops the runs not yet begun;
    /// the first harness error stops them too, and is returned.
    pub fn run_each<'s>(
        &self,
        guest: &Guest,
        runs: usize,
        threads: usize,
        scenario: impl Fn(usize) -> std::borrow::Cow<'s, Scenario> + Sync,
        each: impl Fn(usize, RunReport) -> bool + Sync,
    ) -> Result<(), HarnessError> {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= runs || stop.load(Ordering::Relaxed) {
                    return Ok::<_, HarnessError>(());
                }
                let report = match self.run(guest, &scenario(i)) {
                    Ok(r) => r,
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                };
                if !each(i, report) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        };
        let threads = threads.clamp(1, runs.max(1));
        std::thread::scope(|s| {
            let workers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut result = work();
            for w in workers {
                let theirs = w.join().map_err(|_| HarnessError::Internal("a run thread panicked".into()))?;
                result = result.and(theirs);
            }
            result
        })
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
        if tokio::runtime::Handle::try_current().is_ok() {
            return std::thread::scope(|s| {
                let run = s.spawn(|| self.run_here(guest, scenario));
                run.join().map_err(|_| HarnessError::Internal("the run's thread panicked".into()))?
            });
        }
        self.run_here(guest, scenario)
    }

    /// Serves the scenario's requests with a handler guest.
    fn serve_here(
        &self,
        rt: &tokio::runtime::Runtime,
        guest: &Guest,
        scenario: &Scenario,
        inputs: &Inputs,
    ) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        let refuse = |reason: &str| Err(HarnessError::Requests { name: guest.name.clone(), reason: reason.to_string() });
        if !guest.serves() {
            return refuse("it exports no HTTP handler (wasi:http/incoming-handler@0.2.x or wasi:http/handler@0.3.x)");
        }
        if scenario.requests.is_empty() {
            return refuse("it is an HTTP handler; give requests ([[request]] in a scenario, or --request)");
        }
        if !scenario.calls.is_empty() {
            return refuse("give requests or calls, not both");
        }
        let fs = scenario.fs.as_deref().cloned();
        let (limits, requests, serve, redact) = (&inputs.limits, &scenario.requests[..], scenario.serve, &inputs.http.redact[..]);
        let outcome = rt.block_on(async {
            match &guest.pre {
                Pre::P2 { direct, bridge } => {
                    let pre = if inputs.backend == Backend::Direct { direct } else { bridge };
                    let state = |fs| P2State::from_inputs(inputs, fs);
                    serve::serve_on(&self.p2.engine, pre, state, fs, limits, requests, serve, redact).await
                }
                Pre::P3 { direct, bridge } => {
                    let pre = if inputs.backend == Backend::Direct { direct } else { bridge };
                    let state = |fs| P3State::from_inputs(inputs, fs);
                    serve::serve_on(&self.p3.engine, pre, state, fs, limits, requests, serve, redact).await
                }
                Pre::P1 { .. } => Err(HarnessError::Internal("a p1 module serves no HTTP".into())),
            }
        })?;
        let name = if scenario.name.is_empty() { guest.name.clone() } else { scenario.name.clone() };
        Ok(outcome::report(name, guest.host(), scenario, outcome))
    }

    /// The scenario's calls checked against the guest's exports; with no
    /// calls, the guest must have a command to run.
    fn prepare_calls(&self, guest: &Guest, calls: &[String]) -> Result<Vec<call::Prepared>, HarnessError> {
        let (runs, component, engine) = match &guest.pre {
            Pre::P1 { .. } if calls.is_empty() => return Ok(Vec::new()),
            Pre::P1 { .. } => {
                let reason = "a p1 module exports no component functions to call".to_string();
                return Err(HarnessError::Call { name: guest.name.clone(), call: calls[0].clone(), reason });
            }
            Pre::P2 { direct, .. } => (direct.runs(), direct.component(), &self.p2.engine),
            Pre::P3 { direct, .. } => (direct.runs(), direct.component(), &self.p3.engine),
        };
        if calls.is_empty() {
            return if runs { Ok(Vec::new()) } else { Err(HarnessError::NoRun { name: guest.name.clone() }) };
        }
        let component = component.expect("a component");
        calls
            .iter()
            .map(|c| {
                call::prepare(engine, component, c)
                    .map_err(|reason| HarnessError::Call { name: guest.name.clone(), call: c.clone(), reason })
            })
            .collect()
    }

    /// [`Harness::run_with_fs`] on the calling thread, which must not be
    /// inside a tokio runtime. A plan with faults gets an injector of its
    /// own; a draw in it is resolved first, by a run without the drawn
    /// faults that counts where each kind could strike.
    fn run_here(&self, guest: &Guest, scenario: &Scenario) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        let plan = &scenario.inputs.faults;
        if plan.is_empty() {
            return self.run_injected(guest, scenario, None);
        }
        if plan.touches_fs() {
            let refuse = |reason: &str| Err(HarnessError::Faults { name: guest.name.clone(), reason: reason.into() });
            if matches!(guest.pre, Pre::P1 { .. }) {
                return refuse("a p1 module gets no filesystem faults (only components do)");
            }
            if scenario.inputs.backend == Backend::Bridge {
                return refuse("the bridge backend serves the filesystem through wasmtime-wasi, which cannot fail a call on cue; use the direct backend");
            }
        }
        let seed = scenario.inputs.seed;
        let mut resolved = plan.clone();
        let drawn_from = match resolved.draw.take() {
            Some(draw) => {
                let probe = Arc::new(Injector::new(&resolved, seed));
                let mut quiet = scenario.clone();
                quiet.inputs.journal = false;
                self.run_injected(guest, &quiet, Some(probe.clone()))?;
                resolved.faults.extend(draw.resolve(&probe.counts()));
                Some(draw.seed)
            }
            None => None,
        };
        let injector = Arc::new(Injector::new(&resolved, seed));
        let (mut report, fs) = self.run_injected(guest, scenario, Some(injector.clone()))?;
        report.faults = Some(injector.report(&resolved, drawn_from));
        Ok((report, fs))
    }

    /// One run of `scenario` with `injector` (none: no faults).
    fn run_injected(
        &self,
        guest: &Guest,
        scenario: &Scenario,
        injector: Option<Arc<Injector>>,
    ) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        if scenario.inputs.journal {
            let refuse = |reason: &str| Err(HarnessError::Journal { name: guest.name.clone(), reason: reason.into() });
            if matches!(guest.pre, Pre::P1 { .. }) {
                return refuse("a p1 module runs without one (only components are journaled)");
            }
            if scenario.inputs.backend == Backend::Bridge {
                return refuse("the bridge backend serves the filesystem through wasmtime-wasi, which keeps none; use the direct backend");
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| HarnessError::Internal(format!("tokio runtime: {e}")))?;
        // No arguments at all means the program's name alone, as a shell
        // and `wasmtime run` give it.
        let owned;
        let inputs = if scenario.inputs.args.is_empty() || injector.is_some() {
            let mut inputs = Inputs { injector, ..scenario.inputs.clone() };
            if inputs.args.is_empty() {
                inputs.args = vec![guest.program.clone()];
            }
            owned = inputs;
            &owned
        } else {
            &scenario.inputs
        };
        if !scenario.requests.is_empty() || (guest.serves() && scenario.calls.is_empty()) {
            return self.serve_here(&rt, guest, scenario, inputs);
        }
        let fs = scenario.fs.as_deref().cloned();
        let calls = self.prepare_calls(guest, &scenario.calls)?;
        let calls = &calls[..];
        let outcome = rt.block_on(async {
            let direct = inputs.backend == Backend::Direct;
            let limits = &inputs.limits;
            match &guest.pre {
                Pre::P1 { direct: d, bridge: b } => {
                    let engine = &self.p2.engine;
                    if direct {
                        run_on(engine, d, P1Direct::from_inputs(inputs, fs)?, limits, calls).await
                    } else {
                        run_on(engine, b, P1Bridge::from_inputs(inputs, fs)?, limits, calls).await
                    }
                }
                Pre::P2 { direct: d, bridge: b } => {
                    let pre = if direct { d } else { b };
                    run_on(&self.p2.engine, pre, P2State::from_inputs(inputs, fs)?, limits, calls).await
                }
                Pre::P3 { direct: d, bridge: b } => {
                    let pre = if direct { d } else { b };
                    run_on(&self.p3.engine, pre, P3State::from_inputs(inputs, fs)?, limits, calls).await
                }
            }
        })?;
        let name = if scenario.name.is_empty() { guest.name.clone() } else { scenario.name.clone() };
        Ok(outcome::report(name, guest.host(), scenario, outcome))
    }
}

