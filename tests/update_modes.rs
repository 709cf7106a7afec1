//! `INSTA_UPDATE` and `CI` mean the same to scenario goldens as to insta's
//! own snapshots. For every value of the two (an unknown `INSTA_UPDATE`
//! included) and every starting point (no file, a file whose report
//! matches under a stale header, a file with another report), this binary
//! runs itself once per case: the child checks one insta snapshot and one
//! golden, each in a directory of its own, and the parent requires the
//! same outcome of both: passed or failed, the accepted file, the pending
//! file.
//!
//! A test binary of its own (no libtest harness): the environment is the
//! input, and insta reads it once per process.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasi_replay::cli_support::Golden;
use wasi_replay::Update;

/// Set in a child: the directory to probe in.
const PROBE: &str = "WASI_REPLAY_UPDATE_PROBE";
const REPORT: &str = "the new report";

fn main() {
    // A runner that lists tests (nextest: `--list --format terse`, and
    // again with `--ignored`) finds this binary's one test.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("every_update_mode: test");
        }
        return;
    }
    match std::env::var_os(PROBE) {
        Some(dir) => probe(Path::new(&dir)),
        None => std::process::exit(compare_every_case()),
    }
}

/// The child: both checks, each caught, each outcome printed.
fn probe(dir: &Path) {
    let insta_dir = dir.join("insta");
    let insta = std::panic::catch_unwind(|| {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&insta_dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!("probe", REPORT));
    })
    .is_ok();
    let golden = Golden { path: dir.join("golden").join("probe.snap"), source: "probe.toml".into() };
    let ours = match Update::from_env() {
        Ok(update) => golden.check(REPORT, update).is_ok_and(|v| matches!(v, wasi_replay::cli_support::Verdict::Match | wasi_replay::cli_support::Verdict::Accepted)),
        Err(_) => false,
    };
    println!("insta={insta} golden={ours}");
}

/// What a directory held before a check.
#[derive(Debug, Clone, Copy)]
enum Start {
    Nothing,
    SameReportStaleHeader,
    OtherReport,
}

/// What a check left: passed, and the accepted and pending files as
/// (present, holds the new report, header as it was).
#[derive(Debug, PartialEq, Eq)]
struct Left {
    passed: bool,
    accepted: Option<(bool, bool)>,
    pending: bool,
}

fn body(text: &str) -> &str {
    text.splitn(3, "---\n").nth(2).unwrap_or(text).trim_end()
}

fn prepare(dir: &Path, start: Start) -> Option<String> {
    std::fs::create_dir_all(dir).unwrap();
    let text = match start {
        Start::Nothing => return None,
        Start::SameReportStaleHeader => format!("---\nsource: stale.rs\n---\n{REPORT}\n"),
        Start::OtherReport => "---\nsource: stale.rs\n---\nan old report\n".to_string(),
    };
    std::fs::write(dir.join("probe.snap"), &text).unwrap();
    Some(text)
}

fn left(dir: &Path, before: &Option<String>, passed: bool) -> Left {
    let accepted = std::fs::read_to_string(dir.join("probe.snap")).ok().map(|now| {
        let header_kept = before.as_deref().is_some_and(|b| b.split("\n---\n").next() == now.split("\n---\n").next());
        (body(&now) == REPORT, header_kept)
    });
    Left { passed, accepted, pending: dir.join("probe.snap.new").exists() }
}

fn compare_every_case() -> i32 {
    let me = std::env::current_exe().unwrap();
    let work = tempfile::tempdir().unwrap();
    let updates = [None, Some(""), Some("auto"), Some("always"), Some("1"), Some("new"), Some("unseen"), Some("no"), Some("force"), Some("sometimes")];
    let cis = [None, Some("true"), Some("false")];
    let starts = [Start::Nothing, Start::SameReportStaleHeader, Start::OtherReport];
    let mut failures = Vec::new();
    let mut n = 0;
    for update in updates {
        for ci in cis {
            for start in starts {
                n += 1;
                let dir: PathBuf = work.path().join(n.to_string());
                let before = [prepare(&dir.join("insta"), start), prepare(&dir.join("golden"), start)];
                let mut child = Command::new(&me);
                child.env(PROBE, &dir).env_remove("TF_BUILD");
                for (k, _) in std::env::vars() {
                    if k.starts_with("INSTA_") || k == "CI" {
                        child.env_remove(k);
                    }
                }
                // Where insta would look for a workspace: none but ours.
                child.env("INSTA_WORKSPACE_ROOT", env!("CARGO_MANIFEST_DIR"));
                if let Some(u) = update {
                    child.env("INSTA_UPDATE", u);
                }
                if let Some(c) = ci {
                    child.env("CI", c);
                }
                let out = child.output().unwrap();
                let said = String::from_utf8_lossy(&out.stdout).to_string();
                let Some(line) = said.lines().find(|l| l.starts_with("insta=")) else {
                    failures.push(format!("{update:?} {ci:?} {start:?}: the probe said nothing:\n{}", String::from_utf8_lossy(&out.stderr)));
                    continue;
                };
                let insta = left(&dir.join("insta"), &before[0], line.contains("insta=true"));
                let golden = left(&dir.join("golden"), &before[1], line.contains("golden=true"));
                if insta != golden {
                    failures.push(format!("INSTA_UPDATE={update:?} CI={ci:?} from {start:?}: insta {insta:?}, golden {golden:?}"));
                }
            }
        }
    }
    println!("{n} cases of INSTA_UPDATE, CI and a starting file");
    if failures.is_empty() {
        println!("insta snapshots and goldens left the same outcome in each");
        0
    } else {
        eprintln!("{} cases differ:\n{}", failures.len(), failures.join("\n"));
        1
    }
}
