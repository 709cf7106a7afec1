//! `test`: scenario files against goldens, pending files, JUnit and partitions.

use super::*;

/// A copy of one catalog scenario in a tempdir, with its fixture.
pub(super) fn scenario_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = catalog::scenarios_dir();
    std::fs::copy(src.join(format!("{name}.toml")), dir.path().join(format!("{name}.toml"))).unwrap();
    let fs = wasi_replay::memfs::memfs_from_dir(&src.join("tree")).unwrap();
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    wasi_replay::memfs::memfs_to_dir(&fs, &dir.path().join("tree")).unwrap();
    dir
}

pub(super) fn run_test(dir: &Path, extra: &[&str]) -> std::process::Output {
    cli().arg("test").arg(dir).args(extra).output().unwrap()
}

#[test]
fn test_missing_goldens_fail_then_accept_then_pass() {
    let dir = scenario_copy("exit-code");
    // On CI, as insta does, nothing is written.
    let out = cli().arg("test").arg(dir.path()).env("CI", "true").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("nothing was written"), "{}", stderr(&out));
    assert!(!dir.path().join("exit-code.p2.snap.new").exists(), "CI writes no pending file");
    let out = run_test(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("MISSING"));
    assert!(dir.path().join("exit-code.p2.snap.new").exists());
    assert!(!dir.path().join("exit-code.p2.snap").exists(), "never written without --accept");

    let out = run_test(dir.path(), &["--accept"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.path().join("exit-code.p2.snap.new").exists());
    let golden = std::fs::read_to_string(dir.path().join("exit-code.p3.snap")).unwrap();
    assert!(golden.starts_with("---\nsource: "), "insta header: {golden}");

    assert_eq!(run_test(dir.path(), &[]).status.code(), Some(0));
}

#[test]
fn test_a_changed_golden_is_a_mismatch_with_a_diff() {
    let dir = scenario_copy("exit-code");
    assert_eq!(run_test(dir.path(), &["--accept"]).status.code(), Some(0));
    let golden = dir.path().join("exit-code.p2.snap");
    let text = std::fs::read_to_string(&golden).unwrap().replace("status: 3", "status: 4");
    std::fs::write(&golden, &text).unwrap();
    let out = run_test(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("MISMATCH"));
    assert!(stderr(&out).contains("-  status: 4") && stderr(&out).contains("+  status: 3"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&golden).unwrap(), text, "the golden is left alone");
}

#[test]
fn test_writes_junit_with_the_first_differing_line() {
    let dir = scenario_copy("exit-code");
    std::fs::copy(catalog::scenarios_dir().join("trap.toml"), dir.path().join("trap.toml")).unwrap();
    assert_eq!(run_test(dir.path(), &["--accept"]).status.code(), Some(0));
    let golden = dir.path().join("exit-code.p3.snap");
    let text = std::fs::read_to_string(&golden).unwrap().replace("status: 3", "status: 4");
    std::fs::write(&golden, text).unwrap();
    std::fs::remove_file(dir.path().join("trap.p2.snap")).unwrap();
    let xml_path = dir.path().join("junit.xml");
    let out = run_test(dir.path(), &["--junit", xml_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).expect("a testsuite");
    assert_eq!((suite.attribute("tests"), suite.attribute("failures"), suite.attribute("errors")), (Some("4"), Some("2"), Some("0")));
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["exit-code (p2)", "exit-code (p3)", "trap (p2)", "trap (p3)"]);
    let failure = |i: usize| cases[i].children().find(|n| n.has_tag_name("failure")).map(|f| f.attribute("message").unwrap().to_string());
    assert_eq!(failure(0), None);
    assert_eq!(failure(1).as_deref(), Some("line 6: golden `status: 4`, report `status: 3`"));
    assert!(failure(2).unwrap().starts_with("no golden at "), "{:?}", failure(2));
    assert_eq!(failure(3), None);
    assert!(cases[1].children().any(|n| n.text().is_some_and(|t| t.contains("-  status: 4"))), "the diff is in the failure");
    assert!(cases.iter().all(|c| c.attribute("classname").is_some_and(|f| f.ends_with(".toml"))));
}

/// A tempdir holding copies of catalog scenarios, with their fixture.
fn scenario_copies(names: &[&str]) -> tempfile::TempDir {
    let dir = scenario_copy(names[0]);
    for name in &names[1..] {
        std::fs::copy(catalog::scenarios_dir().join(format!("{name}.toml")), dir.path().join(format!("{name}.toml"))).unwrap();
    }
    dir
}

/// The (scenario, world) rows a `test` run printed.
fn rows(out: &std::process::Output) -> Vec<String> {
    stdout(out).lines().skip(1).map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect()
}

#[test]
fn test_partitions_are_disjoint_and_cover_the_suite() {
    let dir = scenario_copies(&["exit-code", "trap", "clock-random"]);
    let all = run_test(dir.path(), &["--accept"]);
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    let all = rows(&all);
    assert_eq!(all.len(), 6, "three scenarios in two worlds: {all:?}");
    let part = |k: &str| {
        let out = run_test(dir.path(), &["--partition", k]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        rows(&out)
    };
    // Slices of the sorted files: clock-random and trap in 1/2, exit-code in 2/2.
    let (a, b) = (part("1/2"), part("2/2"));
    assert_eq!(a, ["clock-random p2", "clock-random p3", "trap p2", "trap p3"]);
    assert_eq!(b, ["exit-code p2", "exit-code p3"]);
    let mut both: Vec<String> = a.into_iter().chain(b).collect();
    both.sort();
    let mut all = all;
    all.sort();
    assert_eq!(both, all, "the slices cover the suite, each case once");
    assert_eq!(part("3/3"), ["trap p2", "trap p3"], "every third file from the third");
}

#[test]
fn test_keeps_goldens_in_a_snapshot_dir() {
    let dir = scenario_copy("exit-code");
    let snapshots = dir.path().join("goldens");
    std::fs::create_dir(&snapshots).unwrap();
    let with_dir = |extra: &[&str]| {
        let mut args = vec!["--snapshot-dir", snapshots.to_str().unwrap()];
        args.extend_from_slice(extra);
        run_test(dir.path(), &args)
    };
    assert_eq!(with_dir(&["--accept"]).status.code(), Some(0));
    assert!(snapshots.join("exit-code.p2.snap").is_file());
    assert!(!dir.path().join("exit-code.p2.snap").exists(), "nothing beside the scenario");
    let golden = std::fs::read_to_string(snapshots.join("exit-code.p3.snap")).unwrap();
    assert!(golden.starts_with("---\nsource: exit-code.toml\n---\n"), "the header names the scenario file alone: {golden}");
    assert_eq!(with_dir(&[]).status.code(), Some(0));
    // Without the directory, the goldens are looked for beside the file.
    let out = run_test(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("MISSING"), "{}", stdout(&out));
}
