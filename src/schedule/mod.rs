//! Schedules: which of a run's operations finishes first when several are
//! ready at the same virtual instant.
//!
//! A guest that runs tasks at once (p3's subtasks, p2's `poll` over several
//! pollables) leaves the order in which its host operations finish to the
//! host. With no schedule, or `default`, the hosts finish each operation as
//! soon as they have it, which is one fixed order. Any other [`Strategy`]
//! builds a [`gate`](Gatekeeper) for the run: every operation at a choice
//! point is held there when it is ready, and the harness, each time the
//! run has nothing else to do at the current virtual instant, releases one
//! of the held operations as the strategy says. Virtual time never moves
//! while anything is held, so an operation due later never finishes before
//! one due earlier.
//!
//! A decision is the index, in order of arrival, of the operation
//! released among those held; only releases with two or more held count.
//! The decisions that did not take the first-held operation make the
//! run's schedule text ([`Decisions`]), which `replay:TEXT` gives back.
//!
//! Layer L2: imports only L0 and `journal`.
//! `tests/all/architecture.rs` holds it.

mod gate;
mod strategy;

pub(crate) use gate::{Gate, Gatekeeper, Hold};
pub use gate::Taken;
pub use strategy::{Decisions, EXHAUSTIVE_BOUND, Strategy};

/// A run's schedule in its report: what its gate did, whatever strategy
/// chose it, so a run and its replay leave the same report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScheduleReport {
    /// The decisions that did not take the first-held operation
    /// ([`Decisions`]); `--schedule replay:` with it gives the same run.
    pub decisions: String,
    /// How many decisions the run had (two or more operations held).
    pub points: u32,
    /// How many operations were held and released.
    pub steps: u32,
    /// How many operations were held at each decision, joined by `-`
    /// (`-` alone with no decisions): the choices the run could have
    /// made, which the `exhaustive` walk moves through.
    #[serde(default)]
    pub held: String,
}

impl ScheduleReport {
    /// The report of a run whose gate did `taken`.
    pub fn of(taken: &Taken) -> Self {
        ScheduleReport {
            decisions: taken.decisions.to_string(),
            points: taken.points,
            steps: taken.steps,
            held: if taken.held.is_empty() {
                "-".into()
            } else {
                taken.held.iter().map(u32::to_string).collect::<Vec<_>>().join("-")
            },
        }
    }

    /// [`ScheduleReport::held`] read back (empty for a text it cannot read).
    pub fn held_counts(&self) -> Vec<u32> {
        self.held.split('-').filter(|n| !n.is_empty()).map_while(|n| n.parse().ok()).collect()
    }
}
