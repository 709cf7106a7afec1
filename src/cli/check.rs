//! `check`: many runs spread over every core, all byte-identical. Each
//! report is compared as it arrives and dropped, so memory stays flat.

use super::{EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK, FaultArgs, InputArgs};
use std::sync::atomic::Ordering;
use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;
use wasi_replay::RunReport;
use wasi_replay::cli_support::MAX_CONCURRENT_RUNS;
use wasi_replay::perturb::{Perturbation, Verdict};

/// What `check` was asked, besides the inputs.
pub struct Options<'a> {
    pub runs: usize,
    pub threads: Option<usize>,
    pub perturb: Option<&'a [Perturbation]>,
    pub html: Option<&'a Path>,
}

pub fn check(component: &Path, o: Options<'_>, inputs: &InputArgs, faults: &FaultArgs) -> anyhow::Result<u8> {
    let Options { runs, threads, perturb, html } = o;
    let watch = super::progress::on_ctrl_c();
    let scenario = inputs.scenario(component)?.faults(faults.plan()?);
    let mut page = super::Page::create(html)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = threads.unwrap_or(cores).min(runs).min(MAX_CONCURRENT_RUNS as usize);
    let harness = super::new_harness(threads)?;
    let guest = harness.load_on(component, inputs.world())?;
    let start = std::time::Instant::now();
    // Run 1 is the reference; every later report is compared with it as
    // it arrives and dropped, and only the earliest that differs is kept.
    let first = harness.run(&guest, &scenario)?;
    let first_text = inputs.render(&first);
    let differing: Mutex<Option<(usize, RunReport)>> = Mutex::new(None);
    // Progress on a terminal counts runs (one class: all alike so far),
    // and Ctrl-C stops the workers and says how many ran.
    watch.runs.store(1, Ordering::Relaxed);
    watch.classes.store(1, Ordering::Relaxed);
    let progress = super::progress::Progress::start(&watch);
    let ran = harness.run_each(&guest, runs - 1, threads, |_| Cow::Borrowed(&scenario), |i, report| {
        watch.runs.fetch_add(1, Ordering::Relaxed);
        if inputs.render(&report) == first_text {
            return !watch.stop.load(Ordering::Relaxed);
        }
        let mut d = differing.lock().unwrap_or_else(|e| e.into_inner());
        if d.as_ref().is_none_or(|(j, _)| i < *j) {
            *d = Some((i, report));
        }
        false
    });
    progress.finish();
    ran?;
    let elapsed = start.elapsed();
    let differing = differing.into_inner().unwrap_or_else(|e| e.into_inner());
    if differing.is_none() {
        super::write_page(&mut page, || wasi_replay::html::run_page(&first))?;
    }
    if let Some((i, r)) = differing {
        let n = i + 2;
        super::write_page(&mut page, || wasi_replay::html::pair_page("run 1", &first, &format!("run {n}"), &r))?;
        let (field, a, b) = first.first_difference(&r).unwrap_or_else(|| ("report".into(), first_text.clone(), inputs.render(&r)));
        print!("{}", wasi_replay::journal::heading(first.divergence(&r)));
        println!("run 1 and run {n} differ at `{field}`:");
        println!("run 1:\n{}", indent(&a));
        println!("run {n}:\n{}", indent(&b));
        return Ok(EXIT_MISMATCH);
    }
    if watch.stop.load(Ordering::Relaxed) {
        let done = watch.runs.load(Ordering::Relaxed);
        println!("interrupted after {done} of {runs} runs: all byte-identical so far");
        return Ok(EXIT_INTERRUPTED);
    }
    eprintln!(
        "{runs} runs on {threads} thread{}: all byte-identical ({:.1} runs/s)",
        if threads == 1 { "" } else { "s" },
        runs as f64 / elapsed.as_secs_f64()
    );
    let Some(allowed) = perturb else { return Ok(EXIT_OK) };
    let outcomes = wasi_replay::perturb::perturb(&harness, &guest, &scenario, None, allowed, wasi_replay::perturb::VARIANTS)?;
    for o in &outcomes {
        println!("{}", o.line());
    }
    match outcomes.iter().find(|o| o.failed()) {
        Some(bad) => {
            print!("{}", bad.detail());
            if let (Some(_), Verdict::Changed { variant, .. }) = (&page, &bad.verdict) {
                let p = bad.perturbation;
                let (plain, perturbed) = wasi_replay::perturb::compared(&harness, &guest, &scenario, p, *variant)?;
                let right = format!("{p}, variant {variant}");
                super::write_page(&mut page, || wasi_replay::html::pair_page("the plain run", &plain, &right, &perturbed))?;
            }
            Ok(EXIT_MISMATCH)
        }
        None => Ok(EXIT_OK),
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
