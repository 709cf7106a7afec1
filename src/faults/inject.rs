//! The injector: one per run, shared by every host that can fail a call.
//! Each such call asks it first; it counts the call's site and answers
//! which faults strike there.

use super::kind::{FaultKind, Site, SiteCounts};
use super::plan::{Fault, FaultPlan, Rate};
use crate::kernel::mix;
use crate::journal::Journal;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A run's injector, when its plan has faults.
pub(crate) type Faults = Option<Arc<Injector>>;

/// What a struck call does instead of its usual answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Fails with `insufficient-space`.
    NoSpace,
    /// Fails with `io`.
    Io,
    /// Returns half of it, at least one byte.
    Short,
    /// Answers an HTTP request with this status and no body.
    Status(u16),
    /// Fails an HTTP request with `connection-refused`.
    Refused,
    /// Fails an HTTP request with `connection-terminated`.
    Reset,
    /// Ends a response's body halfway with `connection-terminated`.
    Cut,
    /// Answers later, in virtual time.
    Delay(Duration),
    /// Steps the wall clock back.
    Back(Duration),
    /// Jumps the wall clock forward.
    Jump(Duration),
}

impl Effect {
    fn of(kind: FaultKind, value: u64) -> Self {
        let d = Duration::from_nanos(value);
        match kind {
            FaultKind::NoSpace | FaultKind::NoSpaceAfter => Effect::NoSpace,
            FaultKind::ReadIo | FaultKind::SyncIo | FaultKind::RenameIo => Effect::Io,
            FaultKind::ShortWrite | FaultKind::ShortRead | FaultKind::StdinShort => Effect::Short,
            FaultKind::Http500 => Effect::Status(500),
            FaultKind::Http503 => Effect::Status(503),
            FaultKind::HttpRefused => Effect::Refused,
            FaultKind::HttpReset => Effect::Reset,
            FaultKind::HttpCut => Effect::Cut,
            FaultKind::HttpLatency => Effect::Delay(d),
            FaultKind::ClockBack => Effect::Back(d),
            FaultKind::ClockJump => Effect::Jump(d),
        }
    }

    /// The first effect that fails a filesystem call outright, else a
    /// short answer, else nothing.
    pub(crate) fn for_fs(effects: &[Effect]) -> Option<Effect> {
        effects.iter().find(|e| matches!(e, Effect::NoSpace | Effect::Io)).or_else(|| effects.first()).copied()
    }
}

/// One fault that struck: as an exact fault, and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Fired {
    /// The fault, in its text form: given back as a plan, it strikes here
    /// again.
    pub fault: String,
    /// The site and its path or URL: `fs.write data/out.txt`.
    pub at: String,
}

/// The faults of a run as its report shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FaultsReport {
    /// The plan: exact faults (drawn ones included), then rates.
    pub plan: Vec<String>,
    /// The fault seed the plan's drawn faults came from, when it had a draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn_from: Option<u64>,
    /// Every fault that struck, in order.
    #[serde(default)]
    pub fired: Vec<Fired>,
}

/// The faults of one run, and what they have seen so far.
pub(crate) struct Injector {
    faults: Vec<Fault>,
    rates: Vec<Rate>,
    /// Decides the rates: the scenario's seed.
    seed: u64,
    state: Mutex<State>,
}

impl std::fmt::Debug for Injector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Injector").field("faults", &self.faults).field("rates", &self.rates).finish_non_exhaustive()
    }
}

struct State {
    /// Per fault: the occurrences it has counted (bytes, for
    /// `no-space-after`).
    seen: Vec<u64>,
    /// Per fault: `no-space-after` has struck, and every later write fails.
    full: Vec<bool>,
    rate_seen: Vec<u64>,
    counts: SiteCounts,
    fired: Vec<Fired>,
    /// The journal of the store running now (a handler's requests may
    /// each have their own).
    journal: Journal,
}

impl Injector {
    /// The injector of `plan`'s exact faults and rates (a draw is
    /// resolved before), its rates decided by `seed`.
    pub(crate) fn new(plan: &FaultPlan, seed: u64) -> Self {
        let state = State {
            seen: vec![0; plan.faults.len()],
            full: vec![false; plan.faults.len()],
            rate_seen: vec![0; plan.rates.len()],
            counts: SiteCounts::default(),
            fired: Vec::new(),
            journal: None,
        };
        Injector { faults: plan.faults.clone(), rates: plan.rates.clone(), seed, state: Mutex::new(state) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes faults that strike in `journal` from now on.
    pub(crate) fn set_journal(&self, journal: Journal) {
        self.state().journal = journal;
    }

    /// An occurrence of `site` at `path` (a path under the MemFs root, or
    /// a URL; empty for sites with none), moving `bytes` (writes). `short_ok`
    /// says whether the call may answer short. Returns what strikes, in
    /// plan order; usually nothing.
    pub(crate) fn strike(&self, site: Site, path: &str, bytes: u64, short_ok: bool) -> Vec<Effect> {
        let mut s = self.state();
        for kind in FaultKind::ALL {
            if kind.site() == site && (short_ok || !kind.is_short()) {
                s.counts.per_kind[kind as usize] += 1;
            }
        }
        if site == Site::FsWrite {
            s.counts.bytes_written = s.counts.bytes_written.saturating_add(bytes);
        }
        let mut effects = Vec::new();
        let applies = |kind: FaultKind, under: &Option<String>| {
            kind.site() == site && (short_ok || !kind.is_short()) && under.as_deref().is_none_or(|u| matches_under(site, path, u))
        };
        for (i, f) in self.faults.iter().enumerate() {
            if !applies(f.kind, &f.under) {
                continue;
            }
            let strikes = if f.kind == FaultKind::NoSpaceAfter {
                if s.full[i] {
                    effects.push(Effect::NoSpace);
                    continue;
                }
                let total = s.seen[i].saturating_add(bytes);
                if total > f.value {
                    s.full[i] = true;
                    true
                } else {
                    s.seen[i] = total;
                    false
                }
            } else {
                s.seen[i] += 1;
                s.seen[i] == f.nth
            };
            if strikes {
                effects.push(Effect::of(f.kind, f.value));
                s.fire(f.to_string(), site, path);
            }
        }
        for (j, r) in self.rates.iter().enumerate() {
            if !applies(r.kind, &r.under) {
                continue;
            }
            s.rate_seen[j] += 1;
            let nth = s.rate_seen[j];
            let roll = mix(self.seed ^ mix(j as u64 + 1) ^ nth.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % 1_000_000;
            if roll < u64::from(r.per_million) {
                effects.push(Effect::of(r.kind, r.value));
                let exact = Fault { kind: r.kind, nth, value: r.value, under: r.under.clone() };
                s.fire(exact.to_string(), site, path);
            }
        }
        effects
    }

    /// How often each kind could have struck so far.
    pub(crate) fn counts(&self) -> SiteCounts {
        self.state().counts.clone()
    }

    /// The report's `faults:` for `plan` (resolved, so drawn faults are in
    /// it), and what struck.
    pub(crate) fn report(&self, plan: &FaultPlan, drawn_from: Option<u64>) -> FaultsReport {
        FaultsReport { plan: plan.texts(), drawn_from, fired: self.state().fired.clone() }
    }
}

impl State {
    fn fire(&mut self, fault: String, site: Site, path: &str) {
        let at = if path.is_empty() { site.name().to_string() } else { format!("{} {path}", site.name()) };
        crate::journal::note(&self.journal, "fault", || fault.clone(), || at.clone());
        self.fired.push(Fired { fault, at });
    }
}

/// Does `path` lie under `prefix`? Filesystem paths are compared without
/// their leading `/`; URLs as they are.
fn matches_under(site: Site, path: &str, prefix: &str) -> bool {
    match site {
        Site::Http => path.starts_with(prefix),
        _ => path.trim_start_matches('/').starts_with(prefix.trim_start_matches('/')),
    }
}

/// Half of `n`, at least one (for `n` of at least one).
pub(crate) fn half(n: usize) -> usize {
    n.div_ceil(2)
}
