//! One run: a fresh store with the limits set, the command called on the
//! paused runtime against a horizon, and what the run left collected.

use crate::host::{Core, HostState, Limits};
use crate::report::{Exit, Outcome, World};
use wasmtime::component::InstancePre;
use wasmtime::{Engine, Store};
use wasmtime_wasi::I32Exit;

use super::{HarnessError, engine::TICK_MS};

/// A linked component with its `wasi:cli/run` export found once, in the
/// world it exports, or a linked p1 module (its `_start` is the command).
pub(super) enum Command<T: 'static> {
    P1(wasmtime::InstancePre<T>),
    P2(wasmtime_wasi::p2::bindings::CommandPre<T>),
    P3(wasmtime_wasi::p3::bindings::CommandPre<T>),
}

impl<T: HostState> Command<T> {
    pub(super) fn new(pre: InstancePre<T>, exports: World) -> wasmtime::Result<Self> {
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

/// Instantiates and calls `wasi:cli/run` in the component's own world, then
/// collects what the run left behind.
pub(super) async fn run_on<T: HostState>(
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
