//! One run: a fresh store with the limits set, the command called on the
//! paused runtime against a horizon, and what the run left collected.

use crate::host::{Core, HostState, Limits};
use crate::memfs::MemFs;
use super::outcome::Outcome;
use crate::world::World;
use crate::report::{CallReport, Exit};
use wasmtime::component::InstancePre;
use wasmtime::{Engine, Store};
use wasmtime_wasi::I32Exit;

use super::call::Prepared;
use super::phases::{Phase, stamp};
use super::{HarnessError, engine::TICK_MS};

/// A linked component with its `wasi:cli/run` export found once, in the
/// world it exports; a linked component that exports no command (a
/// library: only calls run it); or a linked p1 module (its `_start` is the
/// command).
pub(super) enum Command<T: 'static> {
    P1(wasmtime::InstancePre<T>),
    P2(wasmtime_wasi::p2::bindings::CommandPre<T>),
    P3(wasmtime_wasi::p3::bindings::CommandPre<T>),
    Library(InstancePre<T>),
    P2Handler(wasmtime_wasi_http::p2::bindings::ProxyPre<T>),
    P3Handler(wasmtime_wasi_http::p3::bindings::ServicePre<T>),
}

impl<T: HostState> Command<T> {
    /// The command `pre` exports in `command`, else the HTTP handler it
    /// exports in `handler`, else a library.
    pub(super) fn new(pre: InstancePre<T>, command: Option<World>, handler: Option<World>) -> wasmtime::Result<Self> {
        Ok(match (command, handler) {
            (Some(World::P2), _) => Command::P2(wasmtime_wasi::p2::bindings::CommandPre::new(pre)?),
            (Some(World::P3), _) => Command::P3(wasmtime_wasi::p3::bindings::CommandPre::new(pre)?),
            (Some(World::P1), _) | (None, Some(World::P1)) => wasmtime::bail!("a component does not export p1"),
            (None, Some(World::P2)) => Command::P2Handler(wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre)?),
            (None, Some(World::P3)) => Command::P3Handler(wasmtime_wasi_http::p3::bindings::ServicePre::new(pre)?),
            (None, None) => Command::Library(pre),
        })
    }

    /// Does it export a command to run?
    pub(super) fn runs(&self) -> bool {
        matches!(self, Command::P1(_) | Command::P2(_) | Command::P3(_))
    }

    /// Does it export an HTTP handler?
    pub(super) fn serves(&self) -> bool {
        matches!(self, Command::P2Handler(_) | Command::P3Handler(_))
    }

    /// The component, for the calls a scenario makes; `None` for a module.
    pub(super) fn component(&self) -> Option<&wasmtime::component::Component> {
        match self {
            Command::P1(_) => None,
            Command::P2(pre) => Some(pre.instance_pre().component()),
            Command::P3(pre) => Some(pre.instance_pre().component()),
            Command::Library(pre) => Some(pre.component()),
            Command::P2Handler(pre) => Some(pre.instance_pre().component()),
            Command::P3Handler(pre) => Some(pre.instance_pre().component()),
        }
    }

    /// The instance pre of a component.
    fn instance_pre(&self) -> Option<&InstancePre<T>> {
        match self {
            Command::P1(_) => None,
            Command::P2(pre) => Some(pre.instance_pre()),
            Command::P3(pre) => Some(pre.instance_pre()),
            Command::Library(pre) => Some(pre),
            Command::P2Handler(pre) => Some(pre.instance_pre()),
            Command::P3Handler(pre) => Some(pre.instance_pre()),
        }
    }

    /// Instantiates once and makes `calls` in order, recording each in
    /// `log`; the first that does not return ends the run with its error.
    async fn call_exports(
        &self,
        store: &mut Store<T>,
        calls: &[Prepared],
        log: &mut Vec<CallReport>,
    ) -> wasmtime::Result<Result<(), ()>> {
        let pre = self.instance_pre().ok_or_else(|| wasmtime::Error::msg("a p1 module takes no calls"))?;
        let instance = pre.instantiate_async(&mut *store).await?;
        stamp(Phase::Instantiate);
        for call in calls {
            let func = instance
                .get_func(&mut *store, call.func)
                .ok_or_else(|| wasmtime::Error::msg(format!("`{}`: the export is not a function", call.text)))?;
            let mut results = vec![wasmtime::component::Val::Bool(false); call.results];
            log.push(CallReport { invoke: call.text.clone(), result: None, ended_run: true });
            func.call_async(&mut *store, &call.params, &mut results).await?;
            let last = log.last_mut().expect("pushed");
            last.ended_run = false;
            last.result = super::call::result_text(&results);
        }
        Ok(Ok(()))
    }

    async fn call(&self, store: &mut Store<T>, calls: &[Prepared], log: &mut Vec<CallReport>) -> wasmtime::Result<Result<(), ()>> {
        if !calls.is_empty() {
            return self.call_exports(store, calls, log).await;
        }
        match self {
            Command::Library(_) | Command::P2Handler(_) | Command::P3Handler(_) => {
                wasmtime::bail!("no command to run")
            }
            Command::P1(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                stamp(Phase::Instantiate);
                let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
                start.call_async(&mut *store, ()).await.map(Ok)
            }
            Command::P2(pre) => {
                let cmd = pre.instantiate_async(&mut *store).await?;
                stamp(Phase::Instantiate);
                cmd.wasi_cli_run().call_run(&mut *store).await
            }
            Command::P3(pre) => {
                let cmd = pre.instantiate_async(&mut *store).await?;
                stamp(Phase::Instantiate);
                store.run_concurrent(async |a| cmd.wasi_cli_run().call_run(a).await).await?
            }
        }
    }
}

/// A store for one run: the limits set, the clock started, and the
/// instant at which the run, idle, can wait no longer (its horizon).
pub(super) fn new_store<T: HostState>(
    engine: &Engine,
    state: T,
    limits: &Limits,
) -> Result<(Store<T>, tokio::time::Instant), HarnessError> {
    let mut store = Store::new(engine, state);
    store.data_mut().core().clock.start();
    store.limiter(|t| &mut t.core().store_limits);
    let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
    store.set_fuel(limits.fuel.filter(|&f| f > 0).unwrap_or(u64::MAX)).map_err(internal)?;
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
    Ok((store, now.checked_add(horizon).unwrap_or(now + century)))
}

/// Instantiates and calls `wasi:cli/run` in the component's own world, then
/// collects what the run left behind.
pub(super) async fn run_on<T: HostState>(
    engine: &Engine,
    command: &Command<T>,
    state: T,
    limits: &Limits,
    calls: &[Prepared],
) -> Result<Outcome, HarnessError> {
    stamp(Phase::State);
    let (mut store, horizon) = new_store(engine, state, limits)?;
    stamp(Phase::Store);
    let horizon = tokio::time::sleep_until(horizon);
    let mut log = Vec::new();
    let gate = store.data_mut().core().gate.clone();
    let result = match &gate {
        None => tokio::select! {
            biased;
            result = command.call(&mut store, calls, &mut log) => Some(result),
            () = horizon => None,
        },
        Some(gate) => scheduled(command.call(&mut store, calls, &mut log), horizon, gate).await,
    };
    stamp(Phase::Execute);
    let core: &mut Core = store.data_mut().core();
    let left = leftovers(core)?;
    let exit = match result {
        Some(result) => exit_of(result, limits),
        None => Exit::WaitsForever { virtual_time_ns: left.elapsed_ns },
    };
    let http = std::mem::take(&mut *core.http_log.lock().unwrap_or_else(|e| e.into_inner()));
    stamp(Phase::Collect);
    drop(store);
    stamp(Phase::Reset);
    Ok(Outcome {
        exit,
        elapsed_ns: left.elapsed_ns,
        stdout: left.stdout,
        stderr: left.stderr,
        truncated: left.truncated,
        fs: left.fs,
        http,
        calls: log,
        responses: Vec::new(),
        journal: left.journal,
        schedule: gate.map(|g| g.taken()),
    })
}

/// Notes whether anything woke the run while it was polled, and passes
/// the wake on to the run's task unless the task is the one polling (it
/// then looks at `woken` before it returns).
struct Watch {
    woken: std::sync::atomic::AtomicBool,
    inside: std::sync::atomic::AtomicBool,
    task: std::sync::Mutex<std::task::Waker>,
}

impl std::task::Wake for Watch {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        use std::sync::atomic::Ordering::SeqCst;
        self.woken.store(true, SeqCst);
        if !self.inside.load(SeqCst) {
            self.task.lock().unwrap_or_else(|e| e.into_inner()).wake_by_ref();
        }
    }
}

/// Drives `call` under a schedule: whenever the run has nothing left to do
/// at the current virtual instant and the gate holds operations, one is
/// released. "Nothing left" is a poll with no wake before or during it.
/// While the runtime has tasks of its own (wasmtime-wasi's, which p2's
/// HTTP and pollables use), it takes two such polls in a row, with those
/// tasks given a turn between them; with none, every operation that can
/// arrive comes from polling `call`, so one quiet poll is enough and the
/// release is followed by the next poll at once. The paused clock does not
/// move meanwhile, because the run's task is always awake. Without held
/// operations the run waits as usual, until `horizon`.
pub(super) async fn scheduled<F: std::future::Future>(
    call: F,
    horizon: tokio::time::Sleep,
    gate: &crate::schedule::Gatekeeper,
) -> Option<F::Output> {
    use std::sync::atomic::Ordering::SeqCst;
    use std::task::Poll;
    let mut call = std::pin::pin!(call);
    let mut horizon = std::pin::pin!(horizon);
    let mut watch: Option<(std::sync::Arc<Watch>, std::task::Waker)> = None;
    let runtime = tokio::runtime::Handle::current().metrics();
    // Polls of `call` in one poll of the run, at most: the runtime's
    // drivers get a turn at least this often.
    const TURNS: u32 = 64;
    let mut quiet = 0;
    std::future::poll_fn(|cx| {
        let (watch, waker) = watch.get_or_insert_with(|| {
            let w = std::sync::Arc::new(Watch {
                woken: false.into(),
                inside: false.into(),
                task: std::sync::Mutex::new(cx.waker().clone()),
            });
            (w.clone(), std::task::Waker::from(w))
        });
        watch.task.lock().unwrap_or_else(|e| e.into_inner()).clone_from(cx.waker());
        gate.keep(cx.waker());
        watch.inside.store(true, SeqCst);
        let mut turns = 0;
        let poll = loop {
            // A wake since the last poll means the run may have moved on.
            if watch.woken.swap(false, SeqCst) {
                quiet = 0;
            }
            if let Poll::Ready(out) = gate.polled(|| call.as_mut().poll(&mut std::task::Context::from_waker(waker))) {
                break Poll::Ready(Some(out));
            }
            if watch.woken.load(SeqCst) {
                // Woken while polled: the run has more to do. Alone, it
                // goes on for a while; else the runtime gets a turn first.
                turns += 1;
                if turns < TURNS && runtime.num_alive_tasks() == 0 {
                    continue;
                }
                cx.waker().wake_by_ref();
                break Poll::Pending;
            }
            if !gate.holds() {
                quiet = 0;
                break horizon.as_mut().poll(cx).map(|()| None);
            }
            quiet += 1;
            let alone = runtime.num_alive_tasks() == 0;
            if alone || quiet >= 2 {
                quiet = 0;
                gate.release_one();
                if alone {
                    continue;
                }
            }
            cx.waker().wake_by_ref();
            break Poll::Pending;
        };
        watch.inside.store(false, SeqCst);
        // A wake between the last look and now woke nobody.
        if poll.is_pending() && watch.woken.load(SeqCst) {
            cx.waker().wake_by_ref();
        }
        poll
    })
    .await
}

/// What one store left: its output and, taken out, its filesystem.
pub(super) struct Leftovers {
    pub(super) stdout: Vec<u8>,
    pub(super) stderr: Vec<u8>,
    pub(super) truncated: Vec<String>,
    pub(super) elapsed_ns: u64,
    pub(super) fs: Option<MemFs>,
    pub(super) journal: Option<Vec<String>>,
}

impl Leftovers {
    /// Adds what a later store left: its output after this one's, its
    /// time on top, and its filesystem instead.
    pub(super) fn absorb(&mut self, later: Leftovers) {
        self.stdout.extend(later.stdout);
        self.stderr.extend(later.stderr);
        self.truncated.extend(later.truncated);
        self.elapsed_ns = self.elapsed_ns.saturating_add(later.elapsed_ns);
        self.fs = later.fs;
        match (&mut self.journal, later.journal) {
            (Some(mine), Some(theirs)) => mine.extend(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
}

thread_local! {
    /// Where the edge counts of the runs on this thread go while
    /// [`super::Harness::run_covered`] collects them.
    pub(super) static COVERED: std::cell::RefCell<Option<crate::coverage::EdgeMap>> = const { std::cell::RefCell::new(None) };
}

pub(super) fn leftovers(core: &mut Core) -> Result<Leftovers, HarnessError> {
    if let Some(map) = core.coverage.take() {
        COVERED.with(|c| {
            if let Some(into) = c.borrow_mut().as_mut() {
                into.merge(&map);
            }
        });
    }
    let truncated = [("stdout", &core.stdout), ("stderr", &core.stderr)]
        .into_iter()
        .filter(|(_, c)| c.truncated())
        .map(|(n, _)| n.to_string())
        .collect();
    Ok(Leftovers {
        stdout: core.stdout.contents(),
        stderr: core.stderr.contents(),
        truncated,
        elapsed_ns: u64::try_from(core.clock.elapsed().as_nanos()).unwrap_or(u64::MAX),
        fs: core.take_memfs()?,
        journal: core.journal.as_ref().map(|j| j.take()),
    })
}


/// Maps the end of `run` to an exit: a status for returns and `exit`
/// calls, a limit for fuel and timeout, a trap with its message for
/// everything else.
pub(super) fn exit_of(result: wasmtime::Result<Result<(), ()>>, limits: &Limits) -> Exit {
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
