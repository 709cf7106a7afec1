//! One run: the policy refusals (faults and journals where they cannot
//! be kept), resolving a fault draw with a probe run, and dispatching to
//! the world and backend the guest was linked for.

use super::guest::{Guest, Pre};
use super::run::run_on;
use super::phases::{Phase, stamp};
use super::{Harness, HarnessError, call, outcome, serve};
use crate::faults::Injector;
use crate::schedule::Strategy;
use crate::host::p1::{P1Bridge, P1Direct};
use crate::host::p2::P2State;
use crate::host::p3::P3State;
use crate::host::{Backend, Inputs};
use crate::memfs::MemFs;
use crate::report::RunReport;
use crate::scenario::Scenario;
use std::sync::Arc;

impl Harness {
    /// Serves the scenario's requests with a handler guest.
    pub(super) fn serve_here(
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
        if scenario.serve == crate::scenario::Serve::Concurrent && !matches!(guest.pre, Pre::P3 { .. }) {
            return refuse("serving requests concurrently needs a p3 handler: a p2 incoming-handler takes one request at a time per instance");
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
    pub(super) fn prepare_calls(&self, guest: &Guest, calls: &[String]) -> Result<Vec<call::Prepared>, HarnessError> {
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
    pub(super) fn run_here(&self, guest: &Guest, scenario: &Scenario) -> Result<(RunReport, Option<MemFs>), HarnessError> {
        if let Strategy::Exhaustive { .. } = scenario.inputs.schedule {
            return Err(HarnessError::Schedule {
                name: guest.name.clone(),
                reason: "`exhaustive` walks many runs; give it to explore (--schedule, or `schedule` in an [explore] section)".into(),
            });
        }
        if matches!(scenario.inputs.schedule, Strategy::Pct { .. }) && scenario.inputs.schedule_steps == 0 {
            let mut counted = scenario.clone();
            counted.inputs.schedule_steps = self.pct_steps(guest, scenario)?;
            return self.run_here(guest, &counted);
        }
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

    /// How many operations a run of `scenario` holds when they are
    /// released in arrival order (at least 1): PCT spreads its change
    /// points over them. Counted with a run of its own, without journal.
    pub(crate) fn pct_steps(&self, guest: &Guest, scenario: &Scenario) -> Result<u32, HarnessError> {
        let mut probe = scenario.clone();
        probe.inputs.journal = false;
        probe.inputs.schedule = Strategy::Replay(Default::default());
        let (report, _) = self.run_here(guest, &probe)?;
        Ok(report.schedule.map_or(1, |s| s.steps.max(1)))
    }

    /// One run of `scenario` with `injector` (none: no faults).
    pub(super) fn run_injected(
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
        stamp(Phase::Runtime);
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
            if inputs.schedule != Strategy::Default && scenario.serve != crate::scenario::Serve::Concurrent {
                // One request at a time: nothing to order, and its loop
                // releases no held operation.
                return Err(HarnessError::Schedule {
                    name: guest.name.clone(),
                    reason: "a handler takes a schedule only when it serves its requests concurrently (--serve concurrent, or serve = \"concurrent\")".into(),
                });
            }
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
        let report = outcome::report(name, guest.host(), scenario, outcome);
        stamp(Phase::Report);
        drop(rt);
        stamp(Phase::Teardown);
        Ok(report)
    }
}
