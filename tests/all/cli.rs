//! The real `wasi-replay` binary on catalog guests: every command, the exit
//! codes, and one clean line for each kind of bad input.

use crate::support::harness;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use wasi_replay::catalog::{self, component_path};
use wasi_replay::World;
use wasi_replay::report::RunReport;

fn cli() -> Command {
    harness(); // builds the catalog once
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasi-replay"));
    // What the outer run says about goldens is not this command's input.
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env_remove("CI").env_remove("INSTA_UPDATE");
    c
}

/// Rows `wasi-replay test scenarios` prints: each catalog, hostile and
/// bug-finding guest in both worlds (and its journaled twin, where it has one), each C and
/// AssemblyScript guest once (in p1), each Python and JavaScript guest
/// once (in p2).
fn suite_rows() -> usize {
    2 * (catalog::SCENARIOS.len() + catalog::HOSTILE.len() + catalog::JOURNALED.len() + catalog::EXPLORED.len())
        + catalog::C_GUESTS.len()
        + catalog::AS_GUESTS.len()
        + catalog::PY_GUESTS.len()
        + catalog::JS_GUESTS.len()
}

fn p2(name: &str) -> PathBuf {
    component_path(name, World::P2)
}

fn p3(name: &str) -> PathBuf {
    component_path(name, World::P3)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Runs the CLI and requires exit 2 with exactly one line on stderr that
/// contains `needle`, and no panic.
#[track_caller]
fn bad_input(args: &[&str], needle: &str) {
    let out = cli().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: expected one line, got:\n{err}");
    assert!(err.contains(needle), "{args:?}: {err:?} does not contain {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

// ----- run ---------------------------------------------------------------

#[test]
fn run_prints_a_yaml_report_and_exits_0_whatever_the_guest_did() {
    let out = cli().arg("run").arg(p2("exit-code")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    assert_eq!(report.exit, wasi_replay::report::Exit::Status(3));
    assert_eq!(report.guest, "exit_code");
}

#[test]
fn argv0_is_the_file_name_as_wasmtime_run_passes_it() {
    // From the library, a scenario without arguments gets the same argv.
    let h = crate::support::harness();
    let guest = h.load(&p3("cli-io")).unwrap();
    assert_eq!(guest.program(), "cli_io.wasm");
    let report = h.run(&guest, &wasi_replay::scenario::Scenario::new("x")).unwrap();
    let wasi_replay::report::Output::Text(text) = &report.stdout else { panic!() };
    assert!(text.starts_with("arg[0] = cli_io.wasm\nstdin"), "{text}");
    let out = cli().arg("run").arg(p3("cli-io")).output().unwrap();
    assert!(stdout(&out).contains("  arg[0] = cli_io.wasm\n  stdin"), "{}", stdout(&out));
}

#[test]
fn run_passes_args_env_stdin_and_prints_json() {
    let stdin = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(stdin.path(), "from a file\n").unwrap();
    let out = cli()
        .arg("run")
        .arg(p3("cli-io"))
        .args(["--arg", "--flag", "--arg", "x y", "--env", "K=V", "--env", "A=b=c", "--format", "json"])
        .arg("--stdin")
        .arg(stdin.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json["stdout"],
        "arg[0] = cli_io.wasm\narg[1] = --flag\narg[2] = x y\nenv K=V\nenv A=b=c\nstdin: 12 bytes\nfrom a file\n"
    );
    assert_eq!(json["world"], "p3");
}

#[test]
fn run_reads_stdin_from_a_dash() {
    let out = cli().arg("run").arg(p2("cli-io")).args(["--stdin", "-"]).write_stdin("piped").output().unwrap();
    assert!(stdout(&out).contains("stdin: 5 bytes"), "{}", stdout(&out));
}

#[test]
fn run_seed_changes_random_bytes() {
    let random = |seed: &str| {
        let out = cli().arg("run").arg(p2("clock-random")).args(["--seed", seed]).output().unwrap();
        stdout(&out).lines().find(|l| l.contains("random:")).unwrap().to_string()
    };
    assert_eq!(random("1"), random("1"));
    assert_ne!(random("1"), random("2"));
}

#[test]
fn run_copies_fs_in_and_writes_the_final_tree_out_without_touching_the_source() {
    let fixture = catalog::scenarios_dir().join("tree");
    let before = std::fs::read_to_string(fixture.join("fixture/hello.txt")).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("out");
    let out = cli()
        .arg("run")
        .arg(p3("fs-tree"))
        .arg("--fs")
        .arg(&fixture)
        .arg("--out")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("status: 0"));
    assert_eq!(std::fs::read_to_string(out_path.join("data/renamed.txt")).unwrap(), "alpha\nbeta\n");
    assert_eq!(std::fs::read_to_string(out_path.join("fixture/hello.txt")).unwrap(), "hello, replaced\n");
    assert_eq!(std::fs::read_to_string(fixture.join("fixture/hello.txt")).unwrap(), before);
}

#[test]
fn run_refuses_a_non_empty_out_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep"), "").unwrap();
    let d = dir.path().to_str().unwrap();
    let c = p2("fs-tree");
    bad_input(&["run", c.to_str().unwrap(), "--out", d], "not an empty directory");
}

#[test]
fn run_world_auto_and_forced() {
    let out = cli().arg("run").arg(p2("exit-code")).args(["--world", "p3"]).output().unwrap();
    assert!(stdout(&out).contains("world: p3"), "{}", stderr(&out));
    let c = p3("exit-code");
    bad_input(&["run", c.to_str().unwrap(), "--world", "p2"], "cannot run on the p2 host");
}

#[test]
fn run_limit_flags_reach_the_guest() {
    let fuel = cli().arg("run").arg(p3("hostile-loop")).args(["--fuel", "1000000"]).output().unwrap();
    assert!(stdout(&fuel).contains("limit: out-of-fuel"), "{}", stdout(&fuel));
    let timeout = cli().arg("run").arg(p2("hostile-loop")).args(["--fuel", "0", "--timeout-ms", "200"]).output().unwrap();
    assert_eq!(timeout.status.code(), Some(0));
    assert!(stdout(&timeout).contains("limit: timeout") && stdout(&timeout).contains("nondeterministic: true"));
    let flood = cli().arg("run").arg(p2("hostile-flood")).args(["--capture-bytes", "100"]).output().unwrap();
    assert!(stdout(&flood).contains("truncated:\n- stdout"), "{}", stdout(&flood));
    let memory = cli().arg("run").arg(p3("hostile-memory")).args(["--memory-bytes", "8388608"]).output().unwrap();
    assert!(stdout(&memory).contains("memory allocation of 1048576 bytes failed"), "{}", stdout(&memory));
    let bomb = cli()
        .arg("run")
        .arg(p2("hostile-fs-bomb"))
        .args(["--dir", "::/", "--fs-bytes", "8192", "--fs-inodes", "100"])
        .output()
        .unwrap();
    assert!(stdout(&bomb).contains("file 2 failed: insufficient-space"), "{}", stdout(&bomb));
}

#[test]
fn run_takes_http_mocks_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mocks = dir.path().join("mocks.toml");
    std::fs::write(&mocks, "[[mock]]\nmethod = \"POST\"\nurl-prefix = \"https://api.example.com/\"\nstatus = 202\nbody = \"queued\"\nchunks = 2\n").unwrap();
    let out = cli().arg("run").arg(p2("http-post")).arg("--http-mock").arg(&mocks).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("POST status: 202") && text.contains("response: queued") && text.contains("rule: '#0'"), "{text}");
    std::fs::write(&mocks, "[[mock]]\nurl = \"x\"\nurl-glob = \"y\"\n").unwrap();
    bad_input(&["run", p2("http-post").to_str().unwrap(), "--http-mock", mocks.to_str().unwrap()], "http mock #0: give exactly one of");
    let none = cli().arg("run").arg(p3("http-get")).args(["--dir", "::/"]).output().unwrap();
    assert!(stdout(&none).contains("http-request-denied"), "{}", stdout(&none));
}

#[test]
fn cache_flags_choose_or_skip_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let out = cli().arg("--cache-dir").arg(&cache).arg("run").arg(p2("exit-code")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    let skip = dir.path().join("unused");
    let out = cli().arg("--no-cache").arg("--cache-dir").arg(&skip).arg("run").arg(p2("exit-code")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!skip.exists());
}

// ----- diff ----------------------------------------------------------------

/// Faults from the command line: exact ones strike and are listed, a draw
/// is listed with its seed, and a bad fault is one line naming it.
#[test]
fn run_injects_the_faults_the_flags_plan() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script");
    std::fs::write(&script, "open 0 \"a.txt\" c w f\nwstream 1 0 \"abcd\"\nsync 1\n").unwrap();
    let c = p2("fs-ops");
    let base = ["run", c.to_str().unwrap(), "--dir", "::/", "--stdin", script.to_str().unwrap()];
    let out = cli().args(base).args(["--fault", "no-space#1", "--fault", "sync-io#1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("2 wstream: err insufficient-space\n  3 sync: err io\n"), "{report}");
    assert!(report.contains("fired:\n  - fault: no-space#1\n    at: fs.write a.txt\n  - fault: sync-io#1\n    at: fs.sync a.txt\n"), "{report}");
    let drawn = cli().args(base).args(["--faults", "3", "--fault-kinds", "fs", "--fault-count", "2"]).output().unwrap();
    assert!(stdout(&drawn).contains("drawn-from: 3\n"), "{}", stdout(&drawn));
    let clean = cli().args(base).output().unwrap();
    assert!(!stdout(&clean).contains("faults:"), "no plan, no faults section");
    bad_input(&["run", c.to_str().unwrap(), "--fault", "disk-on-fire"], "--fault: fault `disk-on-fire`: no kind `disk-on-fire`");
    bad_input(&["run", c.to_str().unwrap(), "--faults", "1", "--fault-kinds", "fs,disk"], "--fault-kinds: `disk` is no fault kind");
    bad_input(&["run", c.to_str().unwrap(), "--dir", "::/", "--fault", "read-io#1", "--backend", "bridge"], "faults: the bridge backend");
}

#[test]
fn diff_of_the_p2_and_p3_builds_is_empty() {
    for name in catalog::SCENARIOS {
        let tree = catalog::scenarios_dir().join("tree");
        // A library runs only with calls; these read the seed and the clock.
        let calls: &[&str] = match *name {
            n if catalog::LIBRARIES.contains(&n) => &["--invoke", "roll(6)", "--invoke", "now()"],
            n if catalog::HANDLERS.contains(&n) => &["--request", "/now", "--request", "POST /echo"],
            _ => &[],
        };
        let out = cli().arg("diff").arg(p2(name)).arg(p3(name)).arg("--fs").arg(&tree).args(calls).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn diff_of_one_p2_component_runs_it_on_both_hosts() {
    let out = cli().arg("diff").arg(p2("clock-random")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains("(p3 host)"));
}

#[test]
fn diff_of_different_guests_is_a_unified_diff_and_exits_1() {
    let out = cli().arg("diff").arg(p2("exit-code")).arg(p3("trap")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("--- "), "{text}");
    assert!(text.contains("-  status: 3") && text.contains("+  trap:"), "{text}");
    assert!(!text.contains("\x1b["), "no colors off a terminal");
}

#[test]
fn diff_of_one_p3_component_asks_for_the_p2_build() {
    let c = p3("fs-tree");
    bad_input(&["diff", c.to_str().unwrap()], "give its p2 build");
}

// ----- check ---------------------------------------------------------------

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

// ----- test ----------------------------------------------------------------

#[test]
fn test_passes_on_the_committed_catalog_scenarios() {
    let out = cli().args(["test", "scenarios"]).output().unwrap();
    let table = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{table}{}", stderr(&out));
    assert_eq!(table.lines().filter(|l| l.contains(" ok ")).count(), suite_rows(), "{table}");
}

/// A copy of one catalog scenario in a tempdir, with its fixture.
fn scenario_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = catalog::scenarios_dir();
    std::fs::copy(src.join(format!("{name}.toml")), dir.path().join(format!("{name}.toml"))).unwrap();
    let fs = wasi_replay::memfs::memfs_from_dir(&src.join("tree")).unwrap();
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    wasi_replay::memfs::memfs_to_dir(&fs, &dir.path().join("tree")).unwrap();
    dir
}

fn run_test(dir: &Path, extra: &[&str]) -> std::process::Output {
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

#[test]
fn test_partitions_are_disjoint_and_cover_the_suite() {
    let rows = |k: &str| {
        let out = cli().args(["test", "scenarios", "--partition", k]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        stdout(&out).lines().skip(1).map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>()
    };
    let (a, b) = (rows("1/2"), rows("2/2"));
    assert!(!a.is_empty() && !b.is_empty());
    assert!(a.iter().all(|r| !b.contains(r)));
    assert_eq!(a.len() + b.len(), suite_rows());
}

// ----- demo ----------------------------------------------------------------

#[test]
fn demo_is_the_default_command() {
    let out = cli().output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    for name in catalog::SCENARIOS {
        let row = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{table}"));
        assert_eq!(row.matches("yes").count(), 2, "{row}");
    }
}

// ----- bench ---------------------------------------------------------------

#[test]
fn bench_prints_every_part() {
    let out = cli().args(["bench", "exit-code", "--runs", "4"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("direct") && text.contains("bridge") && text.contains("on-demand"), "{text}");
    // A row per world in the per-run table, and again in the journal's.
    assert_eq!(text.lines().filter(|l| l.starts_with("exit-code")).count(), 4, "{text}");
    for part in [
        "journal cost, one thread",
        "bytes/entry",
        "bytes per inode",
        "of YAML listed",
        "the same as a digest",
        "1 thread:",
        "reference loop (sorting",
        "reference loop, 4 calls",
        "explore's overhead:",
        "first (compiles)",
    ] {
        assert!(text.contains(part), "no `{part}` in:\n{text}");
    }
    bad_input(&["bench", "no-such-guest"], "no catalog scenario `no-such-guest`");
    bad_input(&["bench", "--only", "everything"], "--only");
}

#[test]
fn bench_only_runs_the_parts_asked_for() {
    let out = cli().args(["bench", "--only", "memory"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("bytes per inode") && !text.contains("runs/s"), "{text}");
}

// ----- bad input -----------------------------------------------------------

#[test]
fn bad_input_missing_file() {
    bad_input(&["run", "no/such/guest.wasm"], "cannot read no/such/guest.wasm");
}

#[test]
fn bad_input_not_wasm() {
    bad_input(&["run", "Cargo.toml"], "Cargo.toml: not a WebAssembly file");
}

#[test]
fn bad_input_core_module() {
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str("(module)").unwrap()).unwrap();
    bad_input(&["run", f.path().to_str().unwrap()], "is a core WebAssembly module but not a WASI p1 command: it exports no `_start`");
}

#[test]
fn bad_input_component_without_run() {
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str("(component)").unwrap()).unwrap();
    bad_input(&["check", f.path().to_str().unwrap()], "does not export wasi:cli/run");
}

#[test]
fn bad_input_unsatisfied_imports_are_listed_by_name() {
    let wat = r#"
        (component
          (import "acme:missing/thing@1.0.0" (instance (export "f" (func))))
          (import "wasi:http/outgoing-handler@0.2.0" (instance (export "handle" (func))))
          (core module $m (func (export "run") (result i32) i32.const 0))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $r (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $r)))
    "#;
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str(wat).unwrap()).unwrap();
    bad_input(
        &["run", f.path().to_str().unwrap()],
        "unsatisfied imports: acme:missing/thing@1.0.0, wasi:http/outgoing-handler@0.2.0",
    );
}

#[test]
fn bad_input_malformed_scenario_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "guest = \"fs-tree\"\n# a comment\nseed = \"many\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "bad.toml: line 3: field `seed`: invalid type");
    std::fs::write(&f, "guest = \"fs-tree\"\nsede = 1\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "line 2: field `sede`: unknown field");
    std::fs::write(&f, "guest = \"fs-tree\"\nargs = [\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "bad.toml: line");
}

#[test]
fn bad_input_missing_fixture_directory() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"fs-tree\"\nfixture = \"nowhere\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "field `fixture`: directory not found");
    let c = p2("fs-tree");
    bad_input(&["run", c.to_str().unwrap(), "--fs", "no/such/dir"], "--fs: directory not found: no/such/dir");
}

#[test]
fn bad_input_unknown_flag_values() {
    bad_input(&["run", "x.wasm", "--world", "p4"], "invalid value 'p4' for '--world");
    bad_input(&["run", "x.wasm", "--format", "xml"], "invalid value 'xml'");
    bad_input(&["run", "x.wasm", "--env", "NOEQUALS"], "is not K=V");
    bad_input(&["test", "--partition", "3/2"], "is not K/N");
    bad_input(&["run", "x.wasm", "--seed", "many"], "invalid value 'many' for '--seed");
}

// ----- invoke ----------------------------------------------------------------

#[test]
fn run_invoke_calls_exports_in_order_on_one_instance() {
    let lib = p2("lib-counter");
    let out = cli().arg("run").arg(&lib).args(["--invoke", "add(2)", "--invoke", "add(40)", "--invoke", r#"shout("hi")"#]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    let results: Vec<_> = report.calls.iter().map(|c| (c.invoke.as_str(), c.result.as_deref())).collect();
    assert_eq!(results, [("add(2)", Some("2")), ("add(40)", Some("42")), (r#"shout("hi")"#, Some(r#""HI!""#))]);
}

#[test]
fn bad_input_invoke() {
    let lib = p2("lib-counter");
    let lib = lib.to_str().unwrap();
    bad_input(&["run", lib, "--invoke", "add(1,"], "--invoke: `add(1,`: ");
    bad_input(&["run", lib, "--invoke", "nope()"], "lib_counter: call `nope()`: no exported function `nope` (exported: ");
    bad_input(&["run", lib, "--invoke", "add(true)"], "`add` is func(n: u32) -> u64");
    bad_input(&["run", lib], "does not export wasi:cli/run");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"lib-counter\"\n[[call]]\ninvoke = \"add(\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "field `call`: `add(`: ");
}

// ----- requests --------------------------------------------------------------

#[test]
fn run_request_serves_a_handler_and_reports_each_response() {
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), "ping").unwrap();
    let out = cli()
        .arg("run")
        .arg(p3("http-handler"))
        .args(["--request", "GET /hello?name=Grace", "--request", "POST /echo", "--request-body"])
        .arg(body.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    let bodies: Vec<_> = report.responses.iter().map(|r| (r.status, r.body.as_ref().and_then(|b| b.text.clone()))).collect();
    assert_eq!(bodies, [(Some(200), Some("hello, Grace\n".to_string())), (Some(200), Some("ping".to_string()))]);
}

#[test]
fn bad_input_requests() {
    let handler = p2("http-handler");
    let handler = handler.to_str().unwrap();
    bad_input(&["run", handler], "requests: it is an HTTP handler; give requests");
    bad_input(&["run", handler, "--request", "GET items"], "`items` is not a path: it starts with `/` and has no spaces");
    bad_input(&["run", handler, "--request", "GET /a b"], "`GET /a b` is not `METHOD /path`");
    bad_input(&["run", handler, "--request-body", "Cargo.toml"], "--request-body: there is no --request to carry it");
    bad_input(&["run", handler, "--request", "/x", "--request-body", "no/such"], "--request-body: no/such: ");
    bad_input(&["run", p2("exit-code").to_str().unwrap(), "--request", "/x"], "requests: it exports no HTTP handler");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"http-handler\"\n[[request]]\nmethod = \"GET\"\npath = \"nope\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "request #0: `nope` is not a path");
    std::fs::write(&f, "guest = \"http-handler\"\n[[request]]\npath = \"/\"\nheaders = { \"bad name\" = \"x\" }\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "request #0: `bad name` is not an HTTP header name");
}
