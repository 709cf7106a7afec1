//! Where one run's time goes: the run path stamps the end of each phase,
//! and a run asked for its phases ([`Harness::run_phased`](super::Harness::run_phased)) keeps them.
//! Other runs keep nothing; a stamp then costs one thread-local read.

use std::cell::RefCell;
use std::time::{Duration, Instant};

/// A step of a run, in the order a run takes them. Each is stamped when
/// it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The paused tokio runtime is built.
    Runtime,
    /// The inputs and fixture are copied and the host state built (MemFs,
    /// captures, clock, entropy, wasmtime-wasi's context).
    State,
    /// The store exists with its fuel, epoch deadline and limiter.
    Store,
    /// The component is instantiated (from its `InstancePre`, in a pooled
    /// slot or fresh mappings).
    Instantiate,
    /// The guest ran to its end: its own code and every host call.
    Execute,
    /// Output, time, the journal and the MemFs are taken from the store.
    Collect,
    /// The store is dropped: the instance's slot is reset and returned.
    Reset,
    /// The report is built, the final tree listed.
    Report,
    /// The runtime is dropped.
    Teardown,
}

thread_local! {
    static STAMPS: RefCell<Option<Vec<(Phase, Instant)>>> = const { RefCell::new(None) };
}

/// Marks the end of `phase` for a run that keeps its phases.
pub(crate) fn stamp(phase: Phase) {
    STAMPS.with(|s| {
        if let Some(stamps) = s.borrow_mut().as_mut() {
            stamps.push((phase, Instant::now()));
        }
    });
}

/// How long each step of one run took; see [`Harness::run_phased`](super::Harness::run_phased). A
/// step the run did not reach (a guest that did not link, say) is zero.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunPhases {
    /// Building the paused tokio runtime.
    pub runtime: Duration,
    /// Copying the inputs and the fixture, building the host state.
    pub state: Duration,
    /// Creating the store and setting its limits.
    pub store: Duration,
    /// Instantiating the component.
    pub instantiate: Duration,
    /// The guest's own code with its host calls.
    pub execute: Duration,
    /// Taking output, time, journal and filesystem from the store.
    pub collect: Duration,
    /// Dropping the store, which resets and returns its slot.
    pub reset: Duration,
    /// Building the report.
    pub report: Duration,
    /// Dropping the runtime.
    pub teardown: Duration,
    /// The whole run.
    pub total: Duration,
}

impl RunPhases {
    /// The steps with their names, in order (the total left out).
    pub fn steps(&self) -> [(&'static str, Duration); 9] {
        [
            ("runtime", self.runtime),
            ("state", self.state),
            ("store", self.store),
            ("instantiate", self.instantiate),
            ("execute", self.execute),
            ("collect", self.collect),
            ("reset", self.reset),
            ("report", self.report),
            ("teardown", self.teardown),
        ]
    }

    fn field(&mut self, phase: Phase) -> &mut Duration {
        match phase {
            Phase::Runtime => &mut self.runtime,
            Phase::State => &mut self.state,
            Phase::Store => &mut self.store,
            Phase::Instantiate => &mut self.instantiate,
            Phase::Execute => &mut self.execute,
            Phase::Collect => &mut self.collect,
            Phase::Reset => &mut self.reset,
            Phase::Report => &mut self.report,
            Phase::Teardown => &mut self.teardown,
        }
    }
}

/// Runs `f` on this thread, keeping the stamps its run makes, and
/// returns its result with the time of each step.
pub(crate) fn timed<T>(f: impl FnOnce() -> T) -> (T, RunPhases) {
    STAMPS.with(|s| *s.borrow_mut() = Some(Vec::with_capacity(9)));
    let start = Instant::now();
    let result = f();
    let end = Instant::now();
    let stamps = STAMPS.with(|s| s.borrow_mut().take()).unwrap_or_default();
    let mut phases = RunPhases { total: end - start, ..RunPhases::default() };
    let mut last = start;
    for (phase, at) in stamps {
        *phases.field(phase) += at - last;
        last = at;
    }
    (result, phases)
}
