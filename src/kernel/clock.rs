//! Virtual time.
//!
//! A run executes on a current-thread tokio runtime started *paused*. Tokio
//! then moves its clock only when every task is idle waiting on a timer,
//! and then straight to the earliest deadline. Both WASI clocks read that
//! clock relative to the instant the run started, so:
//! - a read never moves time (p2 and p3 may read a different number of
//!   times and still see the same values);
//! - a 5 s sleep returns at once and advances both clocks by exactly 5 s;
//! - concurrent timers fire in deadline order.
//!
//! Outside the run's runtime (before the run starts or after it ends) the
//! clock reports the last time observed during the run.

use crate::memfs::{DEFAULT_TIME, TimeSource};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default start of the monotonic clock: 1 s, so no guest sees 0.
pub const DEFAULT_MONOTONIC_START: u64 = 1_000_000_000;

/// Where the two clocks start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockConfig {
    /// Wall-clock time at the start of the run, since the Unix epoch.
    /// Default: [`DEFAULT_TIME`] (2024-01-01T00:00:00.183047291Z).
    pub wall_start: Duration,
    /// Monotonic clock at the start of the run, in nanoseconds.
    /// Default: [`DEFAULT_MONOTONIC_START`].
    pub monotonic_start: u64,
}

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig { wall_start: DEFAULT_TIME, monotonic_start: DEFAULT_MONOTONIC_START }
    }
}

struct State {
    origin: Option<tokio::time::Instant>,
    last: Duration,
    /// How far planned faults have stepped the wall clock, in nanoseconds
    /// (negative: back).
    wall_shift: i128,
}

/// The run's clock. Clones share one timeline.
#[derive(Clone)]
pub struct VirtualClock {
    config: ClockConfig,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualClock").field("config", &self.config).finish_non_exhaustive()
    }
}

impl VirtualClock {
    /// A clock at its start, not yet bound to a runtime.
    pub fn new(config: ClockConfig) -> Self {
        VirtualClock { config, state: Arc::new(Mutex::new(State { origin: None, last: Duration::ZERO, wall_shift: 0 })) }
    }

    /// Binds the clock to the current (paused) tokio runtime: virtual time
    /// zero is now. Call it inside the run's runtime, before the guest starts.
    pub fn start(&self) {
        let mut s = self.state.lock().expect("clock lock");
        s.origin = Some(tokio::time::Instant::now());
        s.last = Duration::ZERO;
        s.wall_shift = 0;
    }

    /// How much virtual time a run may spend before its monotonic clock
    /// would pass `u64::MAX` nanoseconds. A run still waiting then has
    /// nothing left that could wake it: it waits forever.
    pub fn horizon(&self) -> Duration {
        Duration::from_nanos(u64::MAX - self.config.monotonic_start)
    }

    /// Virtual time elapsed since [`VirtualClock::start`].
    pub fn elapsed(&self) -> Duration {
        Self::elapsed_in(&mut self.state.lock().expect("clock lock"))
    }

    fn elapsed_in(s: &mut State) -> Duration {
        if let Some(origin) = s.origin
            && tokio::runtime::Handle::try_current().is_ok()
        {
            s.last = tokio::time::Instant::now().saturating_duration_since(origin);
        }
        s.last
    }

    /// Wall-clock time since the Unix epoch (never before it, however far
    /// a fault steps it back).
    pub fn wall(&self) -> Duration {
        // One lock per read: MemFs reads this clock on every change.
        let mut s = self.state.lock().expect("clock lock");
        let unshifted = self.config.wall_start + Self::elapsed_in(&mut s);
        if s.wall_shift == 0 {
            return unshifted;
        }
        let ns = (unshifted.as_nanos() as i128).saturating_add(s.wall_shift).clamp(0, u64::MAX as i128 * 1_000_000_000);
        Duration::new((ns / 1_000_000_000) as u64, (ns % 1_000_000_000) as u32)
    }

    /// Steps the wall clock by `by` nanoseconds from now on (a planned
    /// `clock-back` or `clock-jump`); the monotonic clock is untouched.
    pub(crate) fn step_wall(&self, by: i128) {
        let mut s = self.state.lock().expect("clock lock");
        s.wall_shift = s.wall_shift.saturating_add(by);
    }

    /// Monotonic time in nanoseconds.
    pub fn monotonic(&self) -> u64 {
        let elapsed = u64::try_from(self.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.config.monotonic_start.saturating_add(elapsed)
    }
}

impl TimeSource for VirtualClock {
    fn now(&self) -> Duration {
        self.wall()
    }
}
