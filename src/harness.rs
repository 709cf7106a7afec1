//! The harness: loads components, runs them on a paused tokio runtime
//! against the virtual kernel, and turns the outcome into a [`RunReport`].
//! A guest that traps or exits is a result, never an error of the harness;
//! errors here mean the input could not be run at all.

use crate::host::p1::{self as host_p1, P1Bridge, P1Direct};
use crate::host::p2::{self, P2State};
use crate::host::p3::{self, P3State};
use crate::host::{Backend, Core, HostError, HostState, Inputs, Limits};
use crate::memfs::MemFs;
use crate::report::{Exit, FsView, Output, RunReport, World};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, InstancePre, Linker, types::ComponentItem};
use wasmtime::{Config, Engine, Module, Store};
use wasmtime_wasi::I32Exit;

mod cache;
mod imports;
mod module;

pub use cache::CompileCache;

/// Why a component could not be run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The host error.
        error: std::io::Error,
    },
    /// The bytes do not start with the WebAssembly magic number.
    #[error("{name}: not a WebAssembly file")]
    NotWasm {
        /// The guest.
        name: String,
    },
    /// The bytes are a core module that is not a WASI p1 command.
    #[error("{name}: is a core WebAssembly module but not a WASI p1 command: {reason}")]
    CoreModule {
        /// The guest.
        name: String,
        /// Why it is not a WASI p1 command.
        reason: String,
    },
    /// The bytes are not a component wasmtime accepts.
    #[error("{name}: not a valid component: {reason}")]
    Invalid {
        /// The guest.
        name: String,
        /// wasmtime's reason.
        reason: String,
    },
    /// The component exports no `wasi:cli/run` of a known world.
    #[error("{name}: does not export wasi:cli/run@0.2.x or wasi:cli/run@0.3.0")]
    NoRun {
        /// The guest.
        name: String,
    },
    /// A guest was asked to run on a host that cannot carry its world:
    /// a p3 component on the p2 host, a component on the p1 host, a p1
    /// module on a component host.
    #[error("{name}: a {world} guest cannot run on the {host} host")]
    WrongHost {
        /// The guest.
        name: String,
        /// The guest's world.
        world: World,
        /// The host asked for.
        host: World,
    },
    /// The component imports something the host does not provide.
    #[error("{name}: unsatisfied imports: {imports}")]
    Link {
        /// The guest.
        name: String,
        /// The imports, comma-separated, or wasmtime's reason.
        imports: String,
    },
    /// The host state could not be built.
    #[error("{0}")]
    Host(#[from] HostError),
    /// The engine or runtime failed for a reason unrelated to the guest.
    #[error("internal: {0}")]
    Internal(String),
}

/// A component compiled and linked for one host, ready to run many times.
pub struct Guest {
    name: String,
    /// argv[0] when a scenario gives no arguments.
    program: String,
    exports: World,
    pre: Pre,
}

/// The component linked for one host world, once per backend.
enum Pre {
    P1 { direct: Command<P1Direct>, bridge: Command<P1Bridge> },
    P2 { direct: Command<P2State>, bridge: Command<P2State> },
    P3 { direct: Command<P3State>, bridge: Command<P3State> },
}

/// A linked component with its `wasi:cli/run` export found once, in the
/// world it exports, or a linked p1 module (its `_start` is the command).
enum Command<T: 'static> {
    P1(wasmtime::InstancePre<T>),
    P2(wasmtime_wasi::p2::bindings::CommandPre<T>),
    P3(wasmtime_wasi::p3::bindings::CommandPre<T>),
}

impl<T: HostState> Command<T> {
    fn new(pre: InstancePre<T>, exports: World) -> wasmtime::Result<Self> {
        Ok(match exports {
            World::P2 => Command::P2(wasmtime_wasi::p2::bindings::CommandPre::new(pre)?),
            World::P3 => Command::P3(wasmtime_wasi::p3::bindings::CommandPre::new(pre)?),
            World::P1 => wasmtime::bail!("a component does not export p1"),
        })
    }

    async fn call(&self, store: &mut Store<T>) -> wasmtime::Result<Result<(), ()>> {
        match self {
            Command::P1(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
                start.call_async(&mut *store, ()).await.map(Ok)
            }
            Command::P2(pre) => {
                let cmd = pre.instantiate_async(&mut *store).await?;
                cmd.wasi_cli_run().call_run(&mut *store).await
            }
            Command::P3(pre) => {
                let cmd = pre.instantiate_async(&mut *store).await?;
                store.run_concurrent(async |a| cmd.wasi_cli_run().call_run(a).await).await?
            }
        }
    }
}

impl Guest {
    /// The guest's name (the file stem for [`Harness::load`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the guest gets as argv[0] when a scenario gives no arguments:
    /// the file's name without its directory (`app.wasm`), as `wasmtime
    /// run` passes it.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The world of its `wasi:cli/run` export.
    pub fn exports(&self) -> World {
        self.exports
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

    /// Links `component`, which exports `exports`, once per backend:
    /// `(direct, bridge)`. A failed link is `unlinked`'s error; a `run`
    /// export of the wrong shape is `no_run`'s.
    fn link(
        &self,
        component: &Component,
        exports: World,
        unlinked: impl Fn(wasmtime::Error) -> HarnessError,
        no_run: impl Fn(wasmtime::Error) -> HarnessError,
    ) -> Result<(Command<T>, Command<T>), HarnessError> {
        let command = |linker: &Linker<T>| {
            Command::new(linker.instantiate_pre(component).map_err(&unlinked)?, exports).map_err(&no_run)
        };
        Ok((command(&self.direct)?, command(&self.bridge)?))
    }
}

impl Harness {
    /// Engines with fuel metering and epoch interruption driven by a 10 ms
    /// ticker thread; the p3 engine also has the component-model async
    /// features. Every run maps and unmaps its own memories
    /// ([`Allocation::OnDemand`]).
    pub fn new() -> Result<Self, HarnessError> {
        Self::with_allocation(Allocation::OnDemand)
    }

    /// Like [`Harness::new`], with the allocation strategy chosen.
    pub fn with_allocation(allocation: Allocation) -> Result<Self, HarnessError> {
        let mut config = Config::new();
        config.consume_fuel(true);
        config.epoch_interruption(true);
        // Reports leave the wasm backtrace out (it differs between builds
        // of one source), so none is captured: an `exit` or a trap costs
        // no walk of the stack.
        config.wasm_backtrace_max_frames(None);
        if let Allocation::Pooling { concurrent_runs } = allocation {
            config.allocation_strategy(pool(concurrent_runs));
        }
        let mut p2_config = config.clone();
        p2_config.wasm_component_model_async(false).concurrency_support(false);
        config.wasm_component_model_async(true);
        let p2 = Host::new(&p2_config, p2::linker, p2::direct_linker)?;
        let p3 = Host::new(&config, p3::linker, p3::direct_linker)?;
        let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
        let p1 = ModuleHost {
            bridge: host_p1::linker(&p2.engine).map_err(internal)?,
            direct: host_p1::direct_linker(&p2.engine).map_err(internal)?,
        };
        let _ticker = EpochTicker::start(vec![p2.engine.clone(), p3.engine.clone()]);
        Ok(Harness { p1, p2, p3, _ticker })
    }

    /// Keeps compiled components and p1 modules in `dir`, so a later
    /// process loading the same guest skips compiling it. Off unless set.
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Self {
        self.p2.cache = Some(CompileCache::new(dir.clone(), &self.p2.engine));
        self.p3.cache = Some(CompileCache::new(dir, &self.p3.engine));
        self
    }

    /// Loads a component file for the host its exports ask for; its name
    /// is the file stem.
    pub fn load(&self, path: &Path) -> Result<Guest, HarnessError> {
        self.load_on(path, None)
    }

    /// Loads a component file for `host`, or for its own world when `None`.
    /// Errors name the file; the guest's name is the file stem.
    pub fn load_on(&self, path: &Path, host: Option<World>) -> Result<Guest, HarnessError> {
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
        let exports = self.world_of(first, &component).ok_or_else(|| HarnessError::NoRun { name: name.clone() })?;
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
                let (direct, bridge) = self.p2.link(&component, exports, link, no_run)?;
                Pre::P2 { direct, bridge }
            }
            World::P3 => {
                let (direct, bridge) = self.p3.link(&component, exports, link, no_run)?;
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

    /// Reads the world from the component's `wasi:cli/run` export.
    fn world_of(&self, host: World, component: &Component) -> Option<World> {
        let ty = component.component_type();
        let mut found = None;
        for (name, item) in ty.exports(self.engine(host)) {
            if matches!(item.ty, ComponentItem::ComponentInstance(_)) {
                found = run_world(name).or(found);
            }
        }
        found
    }

    /// Runs `guest` once with `scenario`'s inputs.
    pub fn run(&self, guest: &Guest, scenario: &Scenario) -> Result<RunReport, HarnessError> {
        self.run_with_fs(guest, scenario).map(|(report, _)| report)
    }

    /// Runs `guest` `runs` times on `threads` threads (at least one, at
    /// most `runs`), each run on its own paused runtime, and returns the
    /// reports in run order. Stops at the first harness error.
    pub fn run_many(
        &self,
        guest: &Guest,
        scenario: &Scenario,
        runs: usize,
        threads: usize,
    ) -> Result<Vec<RunReport>, HarnessError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let work = || {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= runs {
                    return Ok::<_, HarnessError>(mine);
                }
                mine.push((i, self.run(guest, scenario)?));
            }
        };
        let threads = threads.clamp(1, runs.max(1));
        let mut all = std::thread::scope(|s| {
            let workers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut all = work()?;
            for w in workers {
                all.extend(w.join().map_err(|_| HarnessError::Internal("a run thread panicked".into()))??);
            }
            Ok::<_, HarnessError>(all)
        })?;
        all.sort_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, r)| r).collect())
    }

    /// Runs `guest` once and also hands back the final MemFs (when the
    /// scenario had one).
    pub fn run_with_fs(
        &self,
        guest: &Guest,
        scenario: &Scenario,
    ) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| HarnessError::Internal(format!("tokio runtime: {e}")))?;
        let fs = scenario.fs.clone();
        // No arguments at all means the program's name alone, as a shell
        // and `wasmtime run` give it.
        let defaulted;
        let inputs = if scenario.inputs.args.is_empty() {
            defaulted = Inputs { args: vec![guest.program.clone()], ..scenario.inputs.clone() };
            &defaulted
        } else {
            &scenario.inputs
        };
        let outcome = rt.block_on(async {
            let direct = inputs.backend == Backend::Direct;
            let limits = &inputs.limits;
            match &guest.pre {
                Pre::P1 { direct: d, bridge: b } => {
                    let engine = &self.p2.engine;
                    if direct {
                        run_on(engine, d, P1Direct::new(inputs, fs)?, limits).await
                    } else {
                        run_on(engine, b, P1Bridge::new(inputs, fs)?, limits).await
                    }
                }
                Pre::P2 { direct: d, bridge: b } => {
                    let pre = if direct { d } else { b };
                    run_on(&self.p2.engine, pre, P2State::new(inputs, fs)?, limits).await
                }
                Pre::P3 { direct: d, bridge: b } => {
                    let pre = if direct { d } else { b };
                    run_on(&self.p3.engine, pre, P3State::new(inputs, fs)?, limits).await
                }
            }
        })?;
        let name = if scenario.name.is_empty() { guest.name.clone() } else { scenario.name.clone() };
        let report = RunReport {
            guest: name,
            world: guest.host(),
            seed: scenario.inputs.seed,
            backend: scenario.inputs.backend,
            exit: outcome.exit,
            elapsed_ns: outcome.elapsed_ns,
            stdout: Output::from_bytes(outcome.stdout),
            stderr: Output::from_bytes(outcome.stderr),
            truncated: outcome.truncated,
            fs: outcome.fs.as_ref().map(|fs| FsView::of(fs, scenario.fs_report)).unwrap_or_default(),
            http: outcome.http,
        };
        Ok((report, outcome.fs))
    }
}

struct Outcome {
    exit: Exit,
    elapsed_ns: u64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    truncated: Vec<String>,
    fs: Option<MemFs>,
    http: Vec<crate::host::Exchange>,
}

/// Instantiates and calls `wasi:cli/run` in the component's own world, then
/// collects what the run left behind.
async fn run_on<T: HostState>(
    engine: &Engine,
    command: &Command<T>,
    state: T,
    limits: &Limits,
) -> Result<Outcome, HarnessError> {
    let mut store = Store::new(engine, state);
    store.data_mut().core().clock.start();
    store.limiter(|t| &mut t.core().store_limits);
    let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
    store.set_fuel(limits.fuel.unwrap_or(u64::MAX)).map_err(internal)?;
    let ticks = limits.timeout.map_or(u64::MAX, |t| (t.as_millis() as u64 / TICK_MS).max(1));
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    // The paused clock jumps to the earliest timer whenever the run is
    // idle, so this one fires only when the guest waits on nothing that
    // could come before the monotonic clock runs out. The deadline is
    // spelled out because `sleep` caps so long a duration at 30 years; a
    // platform whose `Instant` cannot reach it gets a century.
    let now = tokio::time::Instant::now();
    let horizon = store.data_mut().core().clock.horizon();
    let century = std::time::Duration::from_secs(100 * 365 * 86_400);
    let horizon = tokio::time::sleep_until(now.checked_add(horizon).unwrap_or(now + century));
    let result = tokio::select! {
        biased;
        result = command.call(&mut store) => Some(result),
        () = horizon => None,
    };
    let core: &mut Core = store.data_mut().core();
    let elapsed_ns = u64::try_from(core.clock.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let exit = match result {
        Some(result) => exit_of(result, limits),
        None => Exit::WaitsForever { virtual_time_ns: elapsed_ns },
    };
    let truncated = [("stdout", &core.stdout), ("stderr", &core.stderr)]
        .into_iter()
        .filter(|(_, c)| c.truncated())
        .map(|(n, _)| n.to_string())
        .collect();
    Ok(Outcome {
        exit,
        elapsed_ns,
        stdout: core.stdout.contents(),
        stderr: core.stderr.contents(),
        truncated,
        fs: core.take_memfs()?,
        http: std::mem::take(&mut *core.http_log.lock().unwrap_or_else(|e| e.into_inner())),
    })
}

/// The world a `wasi:cli/run` export name belongs to.
fn run_world(export: &str) -> Option<World> {
    match export.strip_prefix("wasi:cli/run@") {
        Some(v) if v.starts_with("0.2.") => Some(World::P2),
        Some(v) if v.starts_with("0.3.") => Some(World::P3),
        _ => None,
    }
}

/// The world of the `wasi:cli/run` instance a component exports, read from
/// its top-level export sections without compiling it; `None` when the
/// bytes do not parse or export no such instance.
fn exported_world(bytes: &[u8]) -> Option<World> {
    use wasmparser::{ComponentExternalKind, Parser, Payload};
    let mut depth = 0usize;
    let mut found = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    let export = export.ok()?;
                    if export.kind == ComponentExternalKind::Instance {
                        found = run_world(export.name.name).or(found);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Maps the end of `run` to an exit: a status for returns and `exit`
/// calls, a limit for fuel and timeout, a trap with its message for
/// everything else.
fn exit_of(result: wasmtime::Result<Result<(), ()>>, limits: &Limits) -> Exit {
    match result {
        Ok(Ok(())) => Exit::Status(0),
        Ok(Err(())) => Exit::Status(1),
        Err(e) => {
            if let Some(code) = e.downcast_ref::<I32Exit>() {
                Exit::Status(code.0)
            } else if let Some(wasmtime::Trap::OutOfFuel) = e.downcast_ref::<wasmtime::Trap>() {
                Exit::OutOfFuel
            } else if let Some(wasmtime::Trap::Interrupt) = e.downcast_ref::<wasmtime::Trap>() {
                Exit::Timeout { after_ms: limits.timeout.map_or(0, |t| t.as_millis() as u64) }
            } else if let Some(trap) = e.downcast_ref::<wasmtime::Trap>() {
                Exit::Trap(trap.to_string())
            } else {
                // Host errors that end the run (e.g. a capture pipe that is
                // full) have no trap code; the innermost cause names them.
                Exit::Trap(e.root_cause().to_string())
            }
        }
    }
}

/// How a harness allocates each run's memories, tables and stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allocation {
    /// Mapped when a run starts and unmapped when it ends.
    #[default]
    OnDemand,
    /// Taken from pools reserved once (one per host world), each sized
    /// for this many runs at the same time, and reused: a slot keeps its
    /// mapping, its memory image and up to [`POOL_KEEP_MEMORY`] bytes of
    /// resident pages between runs.
    Pooling {
        /// Runs in flight at once, at most: 1 to [`MAX_CONCURRENT_RUNS`].
        concurrent_runs: u32,
    },
}

/// The most runs a pool is sized for: each run's slots reserve about
/// 40 GiB of address space (8 memories of 4 GiB and their guards), and
/// two pools of 256 runs (20 TiB) stay well inside a 47-bit address space.
pub const MAX_CONCURRENT_RUNS: u32 = 256;

/// Bytes of each pooled linear memory reset in place between runs; pages
/// past this are handed back to the kernel.
pub const POOL_KEEP_MEMORY: usize = 4 << 20;

/// Bytes of each pooled table reset in place between runs.
pub const POOL_KEEP_TABLES: usize = 64 << 10;

/// A pool for `runs` stores at once. Each run is one component instance;
/// the per-run counts (32 core instances, 8 memories, 32 tables, 16 fiber
/// stacks) leave room well past what a guest toolchain emits, and a test
/// runs every catalog guest, the C guests included, from a one-slot
/// pool. Only virtual address space is reserved up front.
fn pool(runs: u32) -> wasmtime::InstanceAllocationStrategy {
    let runs = runs.clamp(1, MAX_CONCURRENT_RUNS);
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(runs)
        .total_core_instances(runs * 32)
        .total_memories(runs * 8)
        .total_tables(runs * 32)
        .total_stacks(runs * 16)
        .max_memories_per_module(2)
        .max_tables_per_module(4)
        .max_unused_warm_slots(runs * 32)
        // Reset a slot with memset rather than madvise: in a process with
        // more than one thread every madvise flushes the other cores' TLBs,
        // which is what kept `check` from using both cores. A catalog
        // guest touches about 1.2 MiB of memory and a few KiB of tables.
        // Where Linux has PAGEMAP_SCAN (6.7+), only the pages a run wrote
        // are reset, not the whole first 4 MiB: most of a guest's 1 MiB
        // shadow stack is never touched.
        .linear_memory_keep_resident(POOL_KEEP_MEMORY)
        .table_keep_resident(POOL_KEEP_TABLES)
        .pagemap_scan(wasmtime::Enabled::Auto);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// Milliseconds per epoch tick.
const TICK_MS: u64 = 10;

/// Advances the engines' epochs every [`TICK_MS`] on a thread of its own,
/// until dropped. Only the wall-clock timeout depends on it.
struct EpochTicker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engines: Vec<Engine>) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wasi-replay-epoch".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(TICK_MS));
                    engines.iter().for_each(Engine::increment_epoch);
                }
            })
            .ok();
        EpochTicker { stop, thread }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
