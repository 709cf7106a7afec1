//! `test`: scenario files against their golden files.

use super::style::{color_stderr, color_stdout, diff, paint};
use super::{EXIT_ERROR, EXIT_MISMATCH, EXIT_OK};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasi_replay::catalog;
use wasi_replay::suite::junit::{self, Case, Outcome};
use wasi_replay::suite::{Golden, ScenarioFile, Verdict, discover, partition};

pub fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not K/N with 1 <= K <= N");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (k.parse::<usize>().map_err(|_| bad())?, n.parse::<usize>().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

struct Row {
    scenario: String,
    world: String,
    result: String,
    good: bool,
    ms: f64,
    detail: Option<String>,
    /// How the case ends in JUnit terms.
    outcome: Outcome,
}

pub fn test(paths: Vec<PathBuf>, accept: bool, slice: Option<(usize, usize)>, junit_file: Option<&Path>) -> anyhow::Result<u8> {
    let paths = if paths.is_empty() { vec![PathBuf::from("scenarios")] } else { paths };
    let mut files = discover(&paths)?;
    if let Some((k, n)) = slice {
        files = partition(files, k, n);
    }
    // Every file is read before anything runs: a malformed one is bad input.
    let scenarios = files.iter().map(|f| ScenarioFile::load(f, &catalog::Catalog)).collect::<Result<Vec<_>, _>>()?;
    if scenarios.iter().any(|s| s.guest.is_some()) {
        catalog::build_all_with(catalog::Progress::Shown)?;
    }
    let harness = super::new_harness(1)?;
    let cases: usize = scenarios.iter().map(|s| s.targets.len()).sum();
    let bar = ProgressBar::new(cases as u64).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} {wide_msg}").expect("template"),
    );
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut cases = Vec::new();
    let mut error = false;
    for sf in &scenarios {
        for target in &sf.targets {
            if started.elapsed() > Duration::from_secs(1) {
                bar.enable_steady_tick(Duration::from_millis(120));
            }
            bar.set_message(sf.scenario.name().to_string());
            let t0 = Instant::now();
            let row = match run_case(&harness, sf, target, accept) {
                Ok(mut row) => {
                    row.ms = t0.elapsed().as_secs_f64() * 1000.0;
                    row
                }
                Err(e) => {
                    error = true;
                    Row {
                        scenario: sf.scenario.name().to_string(),
                        world: target.world.map_or("?".into(), |w| w.to_string()),
                        result: "error".into(),
                        good: false,
                        ms: t0.elapsed().as_secs_f64() * 1000.0,
                        detail: Some(format!("{}: {e:#}", sf.path.display())),
                        outcome: Outcome::Error { message: format!("{e:#}") },
                    }
                }
            };
            cases.push(Case {
                file: sf.path.display().to_string(),
                scenario: row.scenario.clone(),
                world: row.world.clone(),
                seconds: row.ms / 1000.0,
                outcome: row.outcome.clone(),
            });
            rows.push(row);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    print_table(&rows);
    if let Some(file) = junit_file {
        std::fs::write(file, junit::render("wasi-replay test", &cases))
            .map_err(|e| anyhow::anyhow!("--junit {}: {e}", file.display()))?;
    }
    let color = color_stderr();
    for row in rows.iter().filter_map(|r| r.detail.as_ref()) {
        eprintln!("{}", row.trim_end());
    }
    let failed = rows.iter().filter(|r| !r.good).count();
    if failed > 0 {
        eprintln!("{}", paint(&format!("{failed} of {} failed", rows.len()), false, color));
        eprintln!("review pending goldens with `cargo insta review`, or accept all with `wasi-replay test --accept`");
    }
    Ok(if error {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_MISMATCH
    } else {
        EXIT_OK
    })
}

fn run_case(
    harness: &wasi_replay::harness::Harness,
    sf: &ScenarioFile,
    target: &wasi_replay::suite::Target,
    accept: bool,
) -> anyhow::Result<Row> {
    let guest = harness.load_on(&target.component, target.world)?;
    let world = guest.host().to_string();
    let report = harness.run(&guest, &sf.scenario)?.to_yaml();
    let golden = Golden::beside(&sf.path, &world);
    let before = golden.read()?;
    let verdict = golden.check(&report, accept)?;
    let (result, good) = match verdict {
        Verdict::Match => ("ok", true),
        Verdict::Accepted => ("accepted", true),
        Verdict::Mismatch => ("MISMATCH", false),
        Verdict::Missing => ("MISSING", false),
    };
    let (names, pending) = (golden.path.display().to_string(), golden.pending().display().to_string());
    let (detail, outcome) = match (verdict, before) {
        (Verdict::Mismatch, Some(old)) => {
            let message = junit::first_difference(&old, &report);
            let plain = diff(&names, &old, &pending, &report, false);
            (Some(diff(&names, &old, &pending, &report, color_stderr())), Outcome::Failed { message, detail: plain })
        }
        (Verdict::Missing, _) => {
            let text = format!("no golden: new report written to {pending}");
            (Some(text.clone()), Outcome::Failed { message: format!("no golden at {names}"), detail: text })
        }
        _ => (None, Outcome::Passed),
    };
    Ok(Row { scenario: sf.scenario.name().to_string(), world, result: result.into(), good, ms: 0.0, detail, outcome })
}

fn print_table(rows: &[Row]) {
    let color = color_stdout();
    let width = rows.iter().map(|r| r.scenario.len()).max().unwrap_or(8).max(8);
    println!("{:<width$}  {:<5}  {:<8}  {:>8}", "scenario", "world", "result", "ms");
    for r in rows {
        let result = paint(&format!("{:<8}", r.result), r.good, color);
        println!("{:<width$}  {:<5}  {}  {:>8.1}", r.scenario, r.world, result, r.ms);
    }
}
