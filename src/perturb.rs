//! Perturbations: changes to a run that a correct guest must not notice.
//!
//! Each [`Perturbation`] changes one thing the WASI contract leaves to the
//! host, in a few seeded *variants*, and [`perturb`] runs the scenario once
//! as it is and once per variant, comparing what the guest left (exit,
//! stdout, stderr, the tree, its calls, responses and HTTP exchanges):
//!
//! | name | what changes | variant 1 | later variants |
//! |---|---|---|---|
//! | `readdir-order` | the order directory entries are listed in | reversed | a shuffle seeded by the variant |
//! | `env-order` | the order of the environment | reversed | a seeded shuffle |
//! | `wall-start` | where the wall clock starts | a day and 7 s later | further on |
//! | `insecure-seed` | `wasi:random/insecure` and `insecure-seed` | rekeyed from the variant | rekeyed again |
//! | `chunking` | how stdin and HTTP bodies split into reads | every stdin read short, mock bodies in 3 pieces | reads short more rarely, bodies in 5, 7 pieces |
//! | `completion-order` | when the host completes HTTP responses | the 1st request answers 100 ms later (virtual) | the 2nd, the 3rd |
//! | `host-values` | values a host's filesystem picks itself: directory sizes, timestamp precision, inode identity | tmpfs's | btrfs's with microsecond times; whole-second times |
//! | `schedule` | which of the operations ready at one instant finishes first ([`crate::schedule`]) | `random:1` | `random:2`, `random:3` |
//!
//! A report that differs names its perturbation, the variant, the first
//! field that changed, and the first divergence of the journals when the
//! scenario keeps one. The faults a perturbation uses to split stdin or
//! delay a response, and the virtual time its delays add, are set aside
//! before comparing. A scenario file lists what its guest may notice with
//! `allow-perturb = ["wall-start"]`, and `perturb = true` makes
//! `wasi-replay test` run the rest.
//!
//! Readdir order reaches every world's directory reads on the direct
//! backend; the bridge lists what the real directory lists.
//!
//! Layer L6: imports L0–L5.
//! `tests/all/architecture.rs` holds it.

use crate::faults::FaultPlan;
use crate::kernel::permute;
use crate::harness::{Guest, Harness, HarnessError};
use crate::report::RunReport;
use crate::scenario::Scenario;
use std::sync::Arc;
use std::time::Duration;

/// Variants of each perturbation that [`perturb`] runs by default.
pub const VARIANTS: u64 = 3;

/// One thing a correct guest must not notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Perturbation {
    /// The order of directory listings.
    ReaddirOrder,
    /// The order of the environment.
    EnvOrder,
    /// The start of the wall clock.
    WallStart,
    /// The insecure random generator and seed.
    InsecureSeed,
    /// How stdin and HTTP bodies split into chunks.
    Chunking,
    /// The order in which the host completes HTTP responses.
    CompletionOrder,
    /// Values another production host's filesystem would pick.
    HostValues,
    /// The order in which operations ready together finish.
    Schedule,
}

impl Perturbation {
    /// Every perturbation, in the order [`perturb`] runs them.
    pub const ALL: [Perturbation; 8] = [
        Perturbation::ReaddirOrder,
        Perturbation::EnvOrder,
        Perturbation::WallStart,
        Perturbation::InsecureSeed,
        Perturbation::Chunking,
        Perturbation::CompletionOrder,
        Perturbation::HostValues,
        Perturbation::Schedule,
    ];

    /// Its name: `readdir-order`, `env-order`, …
    pub fn name(self) -> &'static str {
        match self {
            Perturbation::ReaddirOrder => "readdir-order",
            Perturbation::EnvOrder => "env-order",
            Perturbation::WallStart => "wall-start",
            Perturbation::InsecureSeed => "insecure-seed",
            Perturbation::Chunking => "chunking",
            Perturbation::CompletionOrder => "completion-order",
            Perturbation::HostValues => "host-values",
            Perturbation::Schedule => "schedule",
        }
    }

    /// The perturbation named `name`.
    pub fn from_name(name: &str) -> Result<Perturbation, PerturbError> {
        Perturbation::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Perturbation::ALL.iter().map(|p| p.name()).collect();
            PerturbError(format!("no perturbation `{name}` (there are: {})", names.join(", ")))
        })
    }

    /// Reads a comma-separated list of names.
    pub fn parse_list(text: &str) -> Result<Vec<Perturbation>, PerturbError> {
        let mut out: Vec<Perturbation> =
            text.split(',').map(str::trim).filter(|w| !w.is_empty()).map(Perturbation::from_name).collect::<Result<_, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Why it cannot change `scenario`'s run, whose plain report is
    /// `plain`; `None` when it can.
    fn idle(self, scenario: &Scenario, plain: &RunReport) -> Option<&'static str> {
        let inputs = &scenario.inputs;
        match self {
            Perturbation::ReaddirOrder if inputs.backend == crate::host::Backend::Bridge => {
                Some("the bridge lists what the real directory lists")
            }
            Perturbation::EnvOrder if inputs.env.len() < 2 => Some("fewer than two environment variables"),
            Perturbation::Chunking if inputs.stdin.is_empty() && plain.http.is_empty() => Some("no stdin and no HTTP requests"),
            Perturbation::CompletionOrder if plain.http.len() < 2 => Some("fewer than two HTTP requests"),
            Perturbation::HostValues if scenario.fs.is_none() => Some("no filesystem"),
            Perturbation::HostValues if inputs.backend == crate::host::Backend::Bridge => {
                Some("the bridge gives what the real filesystem gives")
            }
            Perturbation::Schedule if inputs.schedule != crate::schedule::Strategy::Default => {
                Some("the scenario has a schedule of its own")
            }
            Perturbation::Schedule if !scenario.requests.is_empty() || !plain.responses.is_empty() => {
                Some("a handler serves its requests without a schedule")
            }
            _ => None,
        }
    }

    /// `scenario` with variant `v` (1, 2, …; 0 is taken as 1) of this
    /// perturbation.
    pub fn apply(self, scenario: &Scenario, v: u64) -> Scenario {
        let v = v.max(1);
        let mut s = scenario.clone();
        let inputs = &mut s.inputs;
        match self {
            Perturbation::ReaddirOrder => inputs.knobs.readdir = Some(v),
            Perturbation::EnvOrder => permute(&mut inputs.env, v),
            Perturbation::WallStart => inputs.clock.wall_start += Duration::from_secs(v * 86_407),
            Perturbation::InsecureSeed => inputs.knobs.insecure = Some(v),
            Perturbation::Chunking => {
                let rate = ["stdin-short~1", "stdin-short~0.5", "stdin-short~0.25"][((v - 1) % 3) as usize];
                add_faults(inputs, &[rate]);
                let mut mocks = (*inputs.http).clone();
                for rule in &mut mocks.rules {
                    rule.chunks = rule.chunks.max(1 + 2 * v as usize);
                }
                inputs.http = Arc::new(mocks);
            }
            Perturbation::CompletionOrder => add_faults(inputs, &[&format!("http-latency=100ms#{v}")]),
            Perturbation::HostValues => inputs.knobs.host_values = Some(v),
            Perturbation::Schedule => inputs.schedule = crate::schedule::Strategy::Random { seed: Some(v) },
        }
        s
    }
}

impl std::fmt::Display for Perturbation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn add_faults(inputs: &mut crate::host::Inputs, texts: &[&str]) {
    let mut plan: FaultPlan = inputs.faults.clone();
    for t in texts {
        plan.push_text(t).expect("a perturbation's fault reads");
    }
    inputs.faults = plan;
}

/// What one perturbation did to a scenario's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The perturbation.
    pub perturbation: Perturbation,
    /// Whether the scenario allows its guest to notice it.
    pub allowed: bool,
    /// What happened.
    pub verdict: Verdict,
}

/// Whether a perturbation changed the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every variant gave the plain report.
    Held {
        /// The variants run.
        variants: u64,
    },
    /// It cannot change this run, and was not run.
    Idle(&'static str),
    /// A variant changed the report.
    Changed {
        /// The first variant that did.
        variant: u64,
        /// The first field that differs.
        field: String,
        /// That field in the plain report, as YAML.
        plain: String,
        /// And in the perturbed one.
        perturbed: String,
        /// The first divergence of the journals, when the scenario keeps one.
        divergence: Option<String>,
    },
}

impl Outcome {
    /// Did it change the report when the scenario does not allow it?
    pub fn failed(&self) -> bool {
        !self.allowed && matches!(self.verdict, Verdict::Changed { .. })
    }

    /// One line: `readdir-order: changed the report (variant 1): stdout`.
    pub fn line(&self) -> String {
        let allowed = if self.allowed { " (allowed)" } else { "" };
        match &self.verdict {
            Verdict::Held { variants } => format!("{}: held over {variants} variants{allowed}", self.perturbation),
            Verdict::Idle(why) => format!("{}: not run: {why}", self.perturbation),
            Verdict::Changed { variant, field, .. } => {
                format!("{}: changed `{field}` (variant {variant}){allowed}", self.perturbation)
            }
        }
    }
}

impl Outcome {
    /// For a perturbation that changed the report: the journals' first
    /// divergence (when there are journals), and the field as it was and
    /// as it became; empty otherwise.
    pub fn detail(&self) -> String {
        let Verdict::Changed { variant, field, plain, perturbed, divergence } = &self.verdict else { return String::new() };
        let indent = |s: &str| s.lines().map(|l| format!("  {l}\n")).collect::<String>();
        format!(
            "{}`{field}` without {}:\n{}`{field}` under {} (variant {variant}):\n{}",
            crate::journal::heading(divergence.clone()),
            self.perturbation,
            indent(plain),
            self.perturbation,
            indent(perturbed)
        )
    }
}

/// What a run leaves that a perturbation must not change: the report with
/// the perturbation's own faults and schedule, and the virtual time its
/// delays add, set aside.
fn essence(report: &RunReport, p: Perturbation) -> RunReport {
    let mut r = report.clone();
    r.faults = None;
    r.schedule = None;
    // A fault's line is `<time> fault(…) -> …`; a call's arguments may
    // hold the same words, so only the call's name is looked at.
    let is_fault = |l: &String| l.split_once(' ').is_some_and(|(_, call)| call.starts_with("fault(") || call.starts_with("schedule."));
    r.journal = report.journal.as_ref().map(|j| j.iter().filter(|l| !is_fault(l)).cloned().collect());
    if p == Perturbation::CompletionOrder {
        r.elapsed_ns = 0;
    }
    r
}

/// Runs `scenario` plainly, then under `variants` variants of each
/// perturbation (the ones in `only`, or all), and says what each did;
/// `allowed` lists the ones its guest may notice. A perturbation stops at
/// its first variant that changes the report.
pub fn perturb(
    harness: &Harness,
    guest: &Guest,
    scenario: &Scenario,
    only: Option<&[Perturbation]>,
    allowed: &[Perturbation],
    variants: u64,
) -> Result<Vec<Outcome>, HarnessError> {
    let plain = harness.run(guest, scenario)?;
    let mut out = Vec::new();
    for p in Perturbation::ALL.into_iter().filter(|p| only.is_none_or(|o| o.contains(p))) {
        let verdict = match p.idle(scenario, &plain) {
            Some(why) => Verdict::Idle(why),
            None => changed(harness, guest, scenario, &plain, p, variants)?,
        };
        out.push(Outcome { perturbation: p, allowed: allowed.contains(&p), verdict });
    }
    Ok(out)
}

/// The plain report of `scenario` and its report under `variant` of `p`,
/// each with what the perturbation itself adds set aside, as [`perturb`]
/// compared them: the pair to show for a perturbation that changed the
/// report. Runs are deterministic, so these are the reports it saw.
pub fn compared(harness: &Harness, guest: &Guest, scenario: &Scenario, p: Perturbation, variant: u64) -> Result<(RunReport, RunReport), HarnessError> {
    let plain = harness.run(guest, scenario)?;
    let got = harness.run(guest, &p.apply(scenario, variant))?;
    Ok((essence(&plain, p), essence(&got, p)))
}

fn changed(
    harness: &Harness,
    guest: &Guest,
    scenario: &Scenario,
    plain: &RunReport,
    p: Perturbation,
    variants: u64,
) -> Result<Verdict, HarnessError> {
    let expected = essence(plain, p);
    let mut without_journal = expected.clone();
    without_journal.journal = None;
    for v in 1..=variants {
        let got = essence(&harness.run(guest, &p.apply(scenario, v))?, p);
        let mut bare = got.clone();
        bare.journal = None;
        if bare == without_journal {
            continue;
        }
        let (field, plain, perturbed) = without_journal.first_difference(&bare).unwrap_or_else(|| ("report".into(), String::new(), String::new()));
        return Ok(Verdict::Changed { variant: v, field, plain, perturbed, divergence: expected.divergence(&got) });
    }
    Ok(Verdict::Held { variants })
}

/// A perturbation name that names none, and the names there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerturbError(String);

impl std::fmt::Display for PerturbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PerturbError {}
