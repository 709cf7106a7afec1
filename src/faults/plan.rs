//! What a plan says: exact faults, rates, and faults drawn from a seed.

use super::kind::{FaultKind, Group, SiteCounts};
use crate::kernel::mix;
use std::time::Duration;

/// One exact fault: the `nth` occurrence of its kind's site (counting
/// only those under `under`, when given) fails as the kind says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    /// What fails, and how.
    pub kind: FaultKind,
    /// Which occurrence, from 1 (ignored by `no-space-after`).
    pub nth: u64,
    /// The kind's value: bytes for `no-space-after`, nanoseconds for the
    /// durations, else 0.
    pub value: u64,
    /// Only paths (for HTTP, URLs) that start with this count; a leading
    /// `/` is ignored for paths.
    pub under: Option<String>,
}

/// A fault that strikes each occurrence of its site with a chance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rate {
    /// What fails, and how.
    pub kind: FaultKind,
    /// The chance, in millionths.
    pub per_million: u32,
    /// The kind's value, as in [`Fault::value`].
    pub value: u64,
    /// As in [`Fault::under`].
    pub under: Option<String>,
}

/// Faults to draw from a seed: see [`crate::faults`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Draw {
    /// The fault seed.
    pub seed: u64,
    /// How many faults.
    pub count: u32,
    /// The kinds to draw from.
    pub kinds: Vec<FaultKind>,
}

/// The faults of a run. Default: none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FaultPlan {
    /// Exact faults.
    pub faults: Vec<Fault>,
    /// Faults by rate, decided by the scenario's seed.
    pub rates: Vec<Rate>,
    /// Faults drawn from a seed before the run.
    pub draw: Option<Draw>,
}

impl FaultPlan {
    /// A plan of these exact faults.
    pub fn exact(faults: Vec<Fault>) -> Self {
        FaultPlan { faults, ..FaultPlan::default() }
    }

    /// Does it plan nothing?
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty() && self.rates.is_empty() && self.draw.as_ref().is_none_or(|d| d.count == 0 || d.kinds.is_empty())
    }

    /// Does any of its kinds strike the filesystem?
    pub fn touches_fs(&self) -> bool {
        let fs = |k: FaultKind| k.group() == Group::Fs;
        self.faults.iter().any(|f| fs(f.kind))
            || self.rates.iter().any(|r| fs(r.kind))
            || self.draw.as_ref().is_some_and(|d| d.count > 0 && d.kinds.iter().any(|k| fs(*k)))
    }

    /// Each entry in its text form, exact faults first.
    pub fn texts(&self) -> Vec<String> {
        self.faults.iter().map(Fault::to_string).chain(self.rates.iter().map(Rate::to_string)).collect()
    }
}

/// Values drawn for the kinds that take one.
const LATENCIES: [Duration; 3] = [Duration::from_millis(50), Duration::from_millis(500), Duration::from_secs(5)];
const STEPS: [Duration; 3] = [Duration::from_secs(1), Duration::from_secs(3600), Duration::from_secs(86_400)];

impl Draw {
    /// The exact faults this draw gives, where the run without them had
    /// `sites` occurrences for each kind: each fault picks a kind that
    /// could strike at least once, then one of its occurrences. A draw
    /// among no such kinds gives nothing.
    pub fn resolve(&self, sites: &SiteCounts) -> Vec<Fault> {
        let live: Vec<FaultKind> = self.kinds.iter().copied().filter(|k| sites.could_strike(*k)).collect();
        if live.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Fault> = Vec::new();
        let mut state = mix(self.seed);
        let mut next = || {
            state = mix(state);
            state
        };
        for _ in 0..self.count {
            // A few tries to avoid drawing one fault twice; a repeat left
            // after them is dropped.
            for _ in 0..8 {
                let kind = live[(next() % live.len() as u64) as usize];
                let pick = next();
                let (nth, value) = match kind {
                    FaultKind::NoSpaceAfter => (1, pick % sites.bytes_written.max(1)),
                    FaultKind::HttpLatency => (1 + pick % sites.of(kind), LATENCIES[(next() % 3) as usize].as_nanos() as u64),
                    FaultKind::ClockBack | FaultKind::ClockJump => {
                        (1 + pick % sites.of(kind), STEPS[(next() % 3) as usize].as_nanos() as u64)
                    }
                    _ => (1 + pick % sites.of(kind), 0),
                };
                let fault = Fault { kind, nth, value, under: None };
                if !out.iter().any(|f| f.kind == fault.kind && f.nth == fault.nth) {
                    out.push(fault);
                    break;
                }
            }
        }
        out
    }
}
