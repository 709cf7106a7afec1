//! The WASI preview 1 host: core modules that import
//! `wasi_snapshot_preview1`, run natively as `wasmtime run` runs them, not
//! adapted into a p2 component.
//!
//! On the bridge the functions are wasmtime-wasi's own p1 implementation
//! over the tempdir, which is what `wasmtime run` links. On the direct
//! backend they are `direct`'s, a p1 layer over the same descriptor core
//! that serves p2 and p3 from MemFs, written to answer as wasmtime-wasi's
//! does. Both states take every other input (arguments, environment,
//! stdio, clocks, randomness) from one `Core`, so a run's report does not
//! depend on the backend beyond the filesystem itself.
//!
//! One function differs from wasmtime-wasi on purpose, on both backends:
//! `poll_oneoff` with one relative clock subscription. wasmtime-wasi puts
//! the thread to sleep for real there; here the wait passes in virtual time
//! (`sleep_alone`), as every other wait of the harness does.

mod direct;

use super::clocks::sleep_ns;
use super::{Core, HostError, Inputs, impl_state};
use crate::memfs::MemFs;
use wasmtime::{Caller, Engine, Linker};
use wasmtime_wasi::p1::types::{self, Event, Subscription};
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasmtime_wasi::p1::WasiP1Ctx;
use wiggle::{GuestMemory, GuestPtr};

pub use direct::P1Direct;

/// Store state for a p1 module on the bridge: wasmtime-wasi's p1 context,
/// built from the same inputs as every other state.
pub struct P1Bridge {
    pub(crate) core: Core,
    ctx: WasiP1Ctx,
}

impl std::fmt::Debug for P1Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P1Bridge").finish_non_exhaustive()
    }
}

impl_state!(P1Bridge);
impl_state!(P1Direct);

impl P1Bridge {
    /// A state for `inputs`, with `fs` materialized for the bridge.
    pub(crate) fn from_inputs(inputs: &Inputs, fs: Option<MemFs>) -> Result<Self, HostError> {
        let (core, ctx) = Core::build_with(inputs, fs, |b| (wasmtime_wasi::WasiCtxBuilder::new().build(), b.build_p1()))?;
        Ok(P1Bridge { core, ctx })
    }
}

/// The bridge linker: wasmtime-wasi's p1, with `sleep_alone` in front of
/// its `poll_oneoff`.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<P1Bridge>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, |s: &mut P1Bridge| &mut s.ctx)?;
    linker.allow_shadowing(true);
    linker.func_wrap_async(
        "wasi_snapshot_preview1",
        "poll_oneoff",
        |mut caller: Caller<'_, P1Bridge>, (subs, events, n, out): (i32, i32, i32, i32)| {
            Box::new(async move {
                let Some(memory) = caller.get_export("memory").and_then(|e| e.into_memory()) else {
                    return Err(wasmtime::Error::msg("missing required memory export"));
                };
                let (subs, events, n) = (GuestPtr::new(subs as u32), GuestPtr::new(events as u32), n as u32);
                let slept = {
                    let mut mem = GuestMemory::Unshared(memory.data_mut(&mut caller));
                    sleep_alone(&mut mem, subs, events, n).await
                };
                let result = match slept {
                    Ok(Some(count)) => Ok(count),
                    Ok(None) => {
                        // What wasmtime-wasi's own glue does before each call.
                        let fuel = wasmtime::AsContextMut::as_context_mut(&mut caller).hostcall_fuel();
                        let (data, state) = memory.data_and_store_mut(&mut caller);
                        state.ctx.set_hostcall_fuel(fuel);
                        let mut mem = GuestMemory::Unshared(data);
                        state.ctx.poll_oneoff(&mut mem, subs, events, n).await
                    }
                    Err(e) => Err(e),
                };
                let mut mem = GuestMemory::Unshared(memory.data_mut(&mut caller));
                errno(result.and_then(|count| Ok(mem.write(GuestPtr::<u32>::new(out as u32), count)?)))
            })
        },
    )?;
    linker.allow_shadowing(false);
    super::add_p1_coverage(&mut linker, |s: &mut P1Bridge| &mut s.core)?;
    Ok(linker)
}

/// The direct linker: every p1 function from [`P1Direct`].
pub fn direct_linker(engine: &Engine) -> wasmtime::Result<Linker<P1Direct>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::wasi_snapshot_preview1::add_to_linker(&mut linker, |s: &mut P1Direct| s)?;
    super::add_p1_coverage(&mut linker, |s: &mut P1Direct| &mut s.core)?;
    Ok(linker)
}

/// A p1 result as the function returns it to the guest: an errno, or a
/// trap.
fn errno(r: Result<(), types::Error>) -> wasmtime::Result<i32> {
    match r {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast() {
            Ok(code) => Ok(code as i32),
            Err(trap) => Err(trap),
        },
    }
}

/// When a poll is one relative clock subscription, its user data and
/// timeout: the sleep wasmtime-wasi serves apart from other polls. A poll of
/// nothing is `inval`, as there.
fn alone(mem: &mut GuestMemory<'_>, subs: GuestPtr<Subscription>, n: u32) -> Result<Option<(u64, u64)>, types::Error> {
    if n == 0 {
        return Err(types::Errno::Inval.into());
    }
    if n != 1 {
        return Ok(None);
    }
    let sub = mem.read(subs)?;
    Ok(match sub.u {
        types::SubscriptionU::Clock(c) if !c.flags.contains(types::Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) => {
            Some((sub.userdata, c.timeout))
        }
        _ => None,
    })
}

/// The event a finished lone sleep reports (wasmtime-wasi's, `nbytes` 1
/// included).
fn woke(mem: &mut GuestMemory<'_>, events: GuestPtr<Event>, userdata: u64) -> Result<u32, types::Error> {
    let fd_readwrite = types::EventFdReadwrite { flags: types::Eventrwflags::empty(), nbytes: 1 };
    mem.write(events, Event { userdata, error: types::Errno::Success, type_: types::Eventtype::Clock, fd_readwrite })?;
    Ok(1)
}

/// Serves a lone relative sleep in virtual time, or says the poll is
/// another kind.
pub(crate) async fn sleep_alone(
    mem: &mut GuestMemory<'_>,
    subs: GuestPtr<Subscription>,
    events: GuestPtr<Event>,
    n: u32,
) -> Result<Option<u32>, types::Error> {
    match alone(mem, subs, n)? {
        Some((userdata, ns)) => {
            sleep_ns(ns).await;
            woke(mem, events, userdata).map(Some)
        }
        None => Ok(None),
    }
}
