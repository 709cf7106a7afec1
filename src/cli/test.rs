//! `test`: scenario files against their golden files.

use super::style::{color_stderr, color_stdout, diff, paint};
use super::{EXIT_ERROR, EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use wasi_replay::{catalog, Suite, Update};
use super::junit::{self, Case, Outcome};
use wasi_replay::cli_support::{discover, partition, CaseOutcome, CaseResult};

pub fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not K/N with 1 <= K <= N");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (k.parse::<usize>().map_err(|_| bad())?, n.parse::<usize>().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The files `test` writes besides its table.
pub struct Reports<'a> {
    /// `--junit`.
    pub junit: Option<&'a Path>,
    /// `--html`.
    pub html: Option<&'a Path>,
}

struct Row {
    result: CaseResult,
    ms: f64,
}

pub fn test(
    paths: Vec<PathBuf>,
    snapshot_dir: Option<PathBuf>,
    accept: bool,
    slice: Option<(usize, usize)>,
    reports: Reports<'_>,
) -> anyhow::Result<u8> {
    let Reports { junit: junit_file, html } = reports;
    let (paths, snapshot_dir) = match paths.is_empty() {
        true => (vec![catalog::scenarios_dir()], snapshot_dir.or_else(|| Some(catalog::snapshots_dir()))),
        false => (paths, snapshot_dir),
    };
    let update = if accept { Update::Accept } else { Update::from_env()? };
    let mut suite = Suite::new().guests(catalog::Catalog).update(update);
    if let Some(dir) = snapshot_dir {
        suite = suite.snapshot_dir(dir);
    }
    let mut files = discover(&paths)?;
    if let Some((k, n)) = slice {
        files = partition(files, k, n);
    }
    // Every file is read before anything runs: a malformed one is bad input.
    let scenarios = suite.load(&files)?;
    let mut page = super::Page::create(html)?;
    if scenarios.iter().any(|s| s.guest.is_some()) {
        catalog::build_all_with(catalog::Progress::Shown)?;
    }
    let harness = super::new_harness(1)?;
    let cases = Suite::cases(&scenarios);
    // Ctrl-C ends the case that is running and prints the table of those
    // that ran; a second press ends the process.
    let watch = super::progress::on_ctrl_c();
    // Drawn only when stderr is a terminal (indicatif hides it otherwise).
    let bar = ProgressBar::new(cases.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} cases, {per_sec} {wide_msg}").expect("template"),
    );
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    for case in &cases {
        if watch.stop.load(Ordering::Relaxed) {
            break;
        }
        if started.elapsed() > Duration::from_secs(1) {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        let failed = rows.iter().filter(|r| !r.result.passed()).count();
        let failed = if failed > 0 { format!("{failed} failed so far; ") } else { String::new() };
        bar.set_message(format!("{failed}{}", case.file.scenario.name()));
        let t0 = Instant::now();
        let mut result = suite.run_case(&harness, case);
        if html.is_none() {
            // Only the page shows a passing case's report.
            result.report = None;
        }
        rows.push(Row { result, ms: t0.elapsed().as_secs_f64() * 1000.0 });
        bar.inc(1);
    }
    bar.finish_and_clear();
    print_table(&rows);
    let interrupted = rows.len() < cases.len();
    if interrupted {
        println!("interrupted after {} of {} cases", rows.len(), cases.len());
    }
    if let Some(file) = junit_file {
        let cases: Vec<Case> = rows.iter().map(junit_case).collect();
        let xml = junit::render("wasi-replay test", cases).map_err(|e| anyhow::anyhow!("--junit {}: {e}", file.display()))?;
        std::fs::write(file, xml).map_err(|e| anyhow::anyhow!("--junit {}: {e}", file.display()))?;
    }
    super::write_page(&mut page, || {
        let cases: Vec<wasi_replay::html::SuiteCase> =
            rows.iter().map(|r| wasi_replay::html::SuiteCase { result: &r.result, time: Duration::from_secs_f64(r.ms / 1000.0) }).collect();
        wasi_replay::html::suite_page("wasi-replay test", &cases)
    })?;
    let color = color_stderr();
    for row in &rows {
        if let Some(detail) = detail(&row.result, color) {
            eprintln!("{}", detail.trim_end());
        }
    }
    let failed = rows.iter().filter(|r| !r.result.passed()).count();
    if failed > 0 {
        eprintln!("{}", paint(&format!("{failed} of {} failed", rows.len()), false, color));
        eprintln!("review pending goldens with `cargo insta review`, or accept all with `wasi-replay test --accept`");
    }
    let error = rows.iter().any(|r| matches!(r.result.outcome, CaseOutcome::Error(_)));
    Ok(if interrupted {
        EXIT_INTERRUPTED
    } else if error {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_MISMATCH
    } else {
        EXIT_OK
    })
}

/// What the terminal shows under the table for a case that failed: the
/// colored diff for a mismatch.
fn detail(r: &CaseResult, color: bool) -> Option<String> {
    match &r.outcome {
        CaseOutcome::Mismatch { golden, pending, old, new } => {
            let right = pending.as_ref().map_or("new report".to_string(), |p| p.display().to_string());
            let divergence = wasi_replay::journal::heading(wasi_replay::journal::divergence_in_text(old, new));
            Some(divergence + &diff(&golden.display().to_string(), old, &right, new, color))
        }
        _ => r.explain(),
    }
}

fn junit_case(row: &Row) -> Case {
    let r = &row.result;
    let outcome = match &r.outcome {
        CaseOutcome::Passed { .. } => Outcome::Passed,
        CaseOutcome::Mismatch { old, new, .. } => Outcome::Failed {
            message: wasi_replay::journal::divergence_in_text(old, new).unwrap_or_else(|| junit::first_changed_line(old, new)),
            detail: detail(r, false).unwrap_or_default(),
        },
        CaseOutcome::Missing { golden, .. } => Outcome::Failed {
            message: format!("no golden at {}", golden.display()),
            detail: r.explain().unwrap_or_default(),
        },
        CaseOutcome::NotOneClass { classes, .. } => Outcome::Failed {
            message: format!("exploration found {classes} classes where one is asked for"),
            detail: r.explain().unwrap_or_default(),
        },
        CaseOutcome::Perturbed { lines, .. } => Outcome::Failed {
            message: lines.iter().find(|l| l.contains("changed") && !l.contains("(allowed)")).cloned().unwrap_or_default(),
            detail: r.explain().unwrap_or_default(),
        },
        CaseOutcome::Error(e) => Outcome::Error { message: e.clone() },
    };
    Case { file: r.file.display().to_string(), scenario: r.scenario.clone(), world: r.world_name(), time: Duration::from_secs_f64(row.ms / 1000.0), outcome }
}

fn print_table(rows: &[Row]) {
    let color = color_stdout();
    let width = rows.iter().map(|r| r.result.scenario.len()).max().unwrap_or(8).max(8);
    println!("{:<width$}  {:<5}  {:<8}  {:>8}", "scenario", "world", "result", "ms");
    for row in rows {
        let r = &row.result;
        let result = paint(&format!("{:<8}", r.outcome.label()), r.passed(), color);
        println!("{:<width$}  {:<5}  {}  {:>8.1}", r.scenario, r.world_name(), result, row.ms);
    }
}
