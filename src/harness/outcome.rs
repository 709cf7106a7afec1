//! What a run left, and the report made of it.

use crate::world::World;
use crate::host::Exchange;
use crate::memfs::MemFs;
use crate::report::{CallReport, Exit, FsView, Output, ResponseReport, RunReport};
use crate::scenario::Scenario;

/// What a run left behind, before it is a report: the harness collects
/// it, [`report`] turns it into one.
pub(crate) struct Outcome {
    pub(crate) exit: Exit,
    pub(crate) elapsed_ns: u64,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) truncated: Vec<String>,
    /// The final MemFs, when the run had one.
    pub(crate) fs: Option<MemFs>,
    pub(crate) http: Vec<Exchange>,
    pub(crate) calls: Vec<CallReport>,
    pub(crate) responses: Vec<ResponseReport>,
    /// The host calls, when the run kept a journal.
    pub(crate) journal: Option<Vec<String>>,
    /// What the run's gate did, when it had a schedule.
    pub(crate) schedule: Option<crate::schedule::Taken>,
}

/// The report of `guest` run in `world` with `scenario`'s inputs, from
/// what the run left, and the final MemFs beside it. The tree is listed
/// (or digested) as the scenario asks.
pub(crate) fn report(
    guest: String,
    world: World,
    scenario: &Scenario,
    outcome: Outcome,
) -> (RunReport, Option<MemFs>) {
    let report = RunReport {
        guest,
        world,
        seed: scenario.inputs.seed,
        backend: scenario.inputs.backend,
        exit: outcome.exit,
        calls: outcome.calls,
        responses: outcome.responses,
        elapsed_ns: outcome.elapsed_ns,
        stdout: Output::from_bytes(outcome.stdout),
        stderr: Output::from_bytes(outcome.stderr),
        truncated: outcome.truncated,
        fs: outcome.fs.as_ref().map(|fs| FsView::of(fs, scenario.fs_report)).unwrap_or_default(),
        http: outcome.http,
        faults: None,
        schedule: outcome.schedule.map(|t| crate::schedule::ScheduleReport::of(&t)),
        journal: outcome.journal,
    };
    (report, outcome.fs)
}
