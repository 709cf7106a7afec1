//! The virtual clock as wasmtime-wasi's clocks, and
//! `wasi:clocks/monotonic-clock@0.3.0` waits with exact deadlines.
//!
//! The wall clock a run's context gets asks the run's faults, on every
//! read, whether a planned clock step strikes it.
//!
//! wasmtime-wasi's p3 `wait-for` sleeps with tokio's `sleep`, which caps a
//! long duration at 30 years: a guest that waits for `u64::MAX` ns would
//! wake after 30 virtual years in p3 and never in p2. Here both waits sleep
//! until an exact deadline, and a deadline past what tokio's clock can hold
//! never comes, as in p2, so the harness's horizon ends such a run as
//! `waits-forever` in both worlds. Readings are wasmtime-wasi's own (the
//! context's monotonic clock, which is the virtual clock). Each call is
//! noted in the run's journal when it keeps one.

use crate::faults::{Effect, Faults, Site};
use crate::journal::{Journal, duration, note};
use crate::kernel::VirtualClock;
use std::time::Duration;
use wasmtime::component::{Accessor, HasData, Linker};
use wasmtime_wasi::p3::bindings::clocks::{monotonic_clock, types};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// `clock` as wasmtime-wasi's wall clock.
pub fn wall_clock(clock: &VirtualClock) -> impl HostWallClock + 'static {
    Wall(clock.clone(), None)
}

/// `clock` as wasmtime-wasi's monotonic clock.
pub fn monotonic_clock(clock: &VirtualClock) -> impl HostMonotonicClock + 'static {
    Monotonic(clock.clone())
}

/// The wall clock of a run with `faults`: each read asks them whether a
/// planned clock step strikes it.
pub(crate) fn faulted_wall_clock(clock: &VirtualClock, faults: Faults) -> impl HostWallClock + 'static {
    Wall(clock.clone(), faults)
}

struct Wall(VirtualClock, Faults);
struct Monotonic(VirtualClock);

impl HostWallClock for Wall {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        if let Some(faults) = &self.1 {
            for effect in faults.strike(Site::WallClock, "", 0, false) {
                match effect {
                    Effect::Back(d) => self.0.step_wall(-(d.as_nanos() as i128)),
                    Effect::Jump(d) => self.0.step_wall(d.as_nanos() as i128),
                    _ => {}
                }
            }
        }
        self.0.wall()
    }
}

impl HostMonotonicClock for Monotonic {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        self.0.monotonic()
    }
}

/// The view the monotonic clock host is implemented on: the clock, the
/// journal and the schedule's gate, where a timer that fired waits its turn.
pub struct ClockView<'a>(&'a VirtualClock, &'a Journal, &'a crate::schedule::Gate);

/// [`HasData`] marker for the monotonic clock host.
pub struct Clocks;

impl HasData for Clocks {
    type Data<'a> = ClockView<'a>;
}

/// Links the monotonic clock over the one the linker already has.
pub(crate) fn add_to_linker<T: super::HostState>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    monotonic_clock::add_to_linker::<T, Clocks>(linker, |t| {
        let core = t.core();
        ClockView(&core.clock, &core.journal, &core.gate)
    })?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Sleeps `ns` nanoseconds of virtual time, or for ever when the deadline
/// is past what tokio's clock can say.
pub(crate) async fn sleep_ns(ns: u64) {
    let now = tokio::time::Instant::now();
    match now.checked_add(std::time::Duration::from_nanos(ns)) {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

impl monotonic_clock::Host for ClockView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Mark> {
        let now = self.0.monotonic();
        note(self.1, "clock.monotonic", String::new, || now.to_string());
        Ok(now)
    }

    fn get_resolution(&mut self) -> wasmtime::Result<types::Duration> {
        Ok(1)
    }
}

/// Sleeps `ns` and, under a schedule, waits at `gate` once the timer has
/// fired: timers that fire at one virtual instant finish in the order the
/// schedule gives (a zero wait fires nothing, and is not held).
async fn timer(gate: crate::schedule::Gate, ns: u64, label: impl FnOnce() -> String) {
    sleep_ns(ns).await;
    if gate.is_some() {
        crate::schedule::Hold::new(&gate).wait(label).await;
    }
}

impl<U> monotonic_clock::HostWithStore<U> for Clocks {
    async fn wait_until(store: &Accessor<U, Self>, when: monotonic_clock::Mark) -> wasmtime::Result<()> {
        let (now, gate) = store.with(|mut view| {
            let view = view.get();
            note(view.1, "clock.wait-until", || when.to_string(), String::new);
            (view.0.monotonic(), view.2.clone())
        });
        if when > now {
            timer(gate, when - now, || format!("timer until {when}")).await;
        }
        Ok(())
    }

    async fn wait_for(store: &Accessor<U, Self>, how_long: types::Duration) -> wasmtime::Result<()> {
        let gate = store.with(|mut view| {
            let view = view.get();
            note(view.1, "clock.wait", || duration(how_long.into()), String::new);
            view.2.clone()
        });
        if how_long > 0 {
            timer(gate, how_long, || format!("timer of {}", duration(how_long.into()))).await;
        }
        Ok(())
    }
}
