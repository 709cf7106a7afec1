//! `check`: many runs, one report.

use super::*;

#[test]
fn check_many_runs_are_identical() {
    let out = cli().arg("check").arg(p3("clock-random")).args(["--runs", "16"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains("16 runs"), "{}", stderr(&out));
}

#[test]
fn check_runs_on_the_threads_asked_for() {
    let out = cli().arg("check").arg(p2("fs-tree")).args(["--runs", "6", "--threads", "1", "--fs"]).arg(catalog::scenarios_dir().join("tree")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("6 runs on 1 thread:"), "{}", stderr(&out));
    bad_input(&["check", p2("fs-tree").to_str().unwrap(), "--threads", "0"], "--threads");
}

#[test]
fn check_rejects_zero_runs() {
    let c = p2("trap");
    bad_input(&["check", c.to_str().unwrap(), "--runs", "0"], "--runs");
}
