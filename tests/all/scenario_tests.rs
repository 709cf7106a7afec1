//! A scenario directory as one test per scenario file and world: the
//! example crate's `harness = false` target (`scenarios!`), driven through
//! libtest's command line and through nextest, and `Suite::test_names`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The example crate's `scenarios` test binary, built as `cargo test`
/// built it (so this finds it fresh, not built again).
fn example_scenarios() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["test", "--no-run", "--message-format=json"])
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "cargo test --no-run failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("wasi-replay-example") && l.contains(r#""name":"scenarios""#))
            .find_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                v["executable"].as_str().map(PathBuf::from)
            })
            .expect("cargo built the example's scenarios test")
    })
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/user-crate")
}

/// Runs the example's scenarios binary in `dir` with `args`, as cargo
/// would, without `CI` or `INSTA_UPDATE` from this process.
fn scenarios_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(example_scenarios());
    cmd.current_dir(dir).args(args).env_remove("CI").env_remove("INSTA_UPDATE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the scenarios binary runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// What libtest printed for test `name` (`ok`, `FAILED`), its line being
/// `test NAME   ... OUTCOME` with the name padded to the longest.
fn outcome<'a>(stdout: &'a str, name: &str) -> Option<&'a str> {
    stdout.lines().find_map(|l| {
        let rest = l.strip_prefix("test ")?.strip_prefix(name)?;
        rest.trim_start().strip_prefix("... ")
    })
}

const EXAMPLE_TESTS: [&str; 3] =
    ["scenarios::sorted.toml::p2", "scenarios::sorted.toml::p2::perturb", "scenarios::two-names.toml::p2"];

#[test]
fn the_example_lists_one_test_per_scenario_file_world_and_check() {
    let out = scenarios_in(&example_dir(), &["--list", "--format", "terse"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected: String = EXAMPLE_TESTS.iter().map(|t| format!("{t}: test\n")).collect();
    assert_eq!(text(&out.stdout), expected);
    // nextest lists the ignored tests apart: there are none.
    let ignored = scenarios_in(&example_dir(), &["--list", "--format", "terse", "--ignored"], &[]);
    assert!(ignored.status.success());
    assert_eq!(text(&ignored.stdout), "");
}

#[test]
fn exact_runs_one_test_and_a_filter_runs_its_matches() {
    let out = scenarios_in(&example_dir(), &["--exact", "scenarios::sorted.toml::p2", "--test-threads", "1"], &[("CI", "true")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(outcome(&stdout, "scenarios::sorted.toml::p2"), Some("ok"), "{stdout}");
    assert!(stdout.contains("1 passed; 0 failed; 0 ignored; 0 measured; 2 filtered out"), "{stdout}");

    let out = scenarios_in(&example_dir(), &["sorted", "--test-threads", "1"], &[("CI", "true")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(outcome(&stdout, "scenarios::sorted.toml::p2::perturb"), Some("ok"), "{stdout}");
    assert!(stdout.contains("2 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out"), "{stdout}");
}

/// Copies the example's scenario directory into a scratch package
/// directory (`tests/scenarios` below it) to change.
fn scratch_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let from = example_dir().join("tests/scenarios");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = tmp.path().join("tests/scenarios").join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    tmp
}

#[test]
fn a_failing_test_prints_the_divergence_the_diff_and_the_pending_file() {
    let tmp = scratch_copy();
    let golden = tmp.path().join("tests/scenarios/two-names.p2.snap");
    let changed = std::fs::read_to_string(&golden).unwrap().replace("hello, Grace", "hello, Ada");
    std::fs::write(&golden, changed).unwrap();

    let out = scenarios_in(tmp.path(), &["--test-threads", "1"], &[("INSTA_UPDATE", "new")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert_eq!(outcome(&stdout, "scenarios::two-names.toml::p2"), Some("FAILED"), "{stdout}");
    assert_eq!(outcome(&stdout, "scenarios::sorted.toml::p2"), Some("ok"), "{stdout}");
    let pending = golden.with_extension("snap.new");
    let (golden_rel, pending_rel) = ("tests/scenarios/two-names.p2.snap", "tests/scenarios/two-names.p2.snap.new");
    assert!(stdout.contains(&format!("the report differs from {golden_rel}; the new report is in {pending_rel}:\n")), "{stdout}");
    assert!(stdout.contains("-  hello, Ada\n+  hello, Grace"), "{stdout}");
    assert!(stdout.contains("review with `cargo insta review`"), "{stdout}");
    assert!(std::fs::read_to_string(&pending).unwrap().contains("hello, Grace"));

    // On CI nothing is written.
    std::fs::remove_file(&pending).unwrap();
    let out = scenarios_in(tmp.path(), &["two-names"], &[("CI", "true")]);
    assert_eq!(out.status.code(), Some(101));
    assert!(text(&out.stdout).contains("nothing was written"), "{}", text(&out.stdout));
    assert!(!pending.exists());
}

#[test]
fn a_scenario_file_that_does_not_load_is_one_failing_test() {
    let tmp = scratch_copy();
    std::fs::write(tmp.path().join("tests/scenarios/broken.toml"), "guest = \"greet\"\nseed = \"seven\"\n").unwrap();
    let list = scenarios_in(tmp.path(), &["--list", "--format", "terse"], &[]);
    assert!(text(&list.stdout).starts_with("scenarios::broken.toml: test\n"), "{}", text(&list.stdout));

    let out = scenarios_in(tmp.path(), &["--test-threads", "1"], &[("CI", "true")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert_eq!(outcome(&stdout, "scenarios::broken.toml"), Some("FAILED"), "{stdout}");
    assert!(stdout.contains("broken.toml: line 2: field `seed`"), "{stdout}");
    assert!(stdout.contains("3 passed; 1 failed"), "{stdout}");
}

#[test]
fn listing_loads_no_guest_and_runs_no_preparation() {
    let prepared = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = prepared.clone();
    let names = wasi_replay::catalog::suite()
        .prepare(move || {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
        .test_names(wasi_replay::catalog::scenarios_dir());
    assert!(!prepared.load(std::sync::atomic::Ordering::SeqCst));
    assert!(names.contains(&"scenarios::fs-tree.toml::p2".to_string()), "{names:?}");
    assert!(names.contains(&"scenarios::fs-tree.toml::p3".to_string()), "{names:?}");
    let files = wasi_replay::catalog::suite().load([wasi_replay::catalog::scenarios_dir()]).unwrap();
    let cases = wasi_replay::Suite::cases(&files).len();
    assert_eq!(names.iter().filter(|n| n.ends_with("::p1") || n.ends_with("::p2") || n.ends_with("::p3")).count(), cases);
}

/// `cargo nextest`, installed when missing (`.ci/run` installs it first).
fn ensure_nextest() {
    let have = Command::new(env!("CARGO")).args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    if !have {
        let status = Command::new(env!("CARGO")).args(["install", "--locked", "cargo-nextest"]).status().expect("cargo runs");
        assert!(status.success(), "installing cargo-nextest failed");
    }
}

/// The (binary, test) pairs a JUnit file lists, each passed.
fn junit_cases(path: &Path) -> Vec<(String, String)> {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            assert!(!n.children().any(|c| c.has_tag_name("failure") || c.has_tag_name("error")), "a failed case in {xml}");
            (n.attribute("classname").unwrap().to_string(), n.attribute("name").unwrap().to_string())
        })
        .collect()
}

#[test]
fn two_nextest_partitions_run_every_example_test_exactly_once() {
    ensure_nextest();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let junit = root.join("target/nextest/ci/junit.xml");
    let mut seen = Vec::new();
    for k in 1..=2 {
        let partition = format!("hash:{k}/2");
        let _ = std::fs::remove_file(&junit);
        let out = Command::new(env!("CARGO"))
            .current_dir(root)
            .args(["nextest", "run", "--profile", "ci", "--no-tests=pass", "--partition", &partition, "-E", "package(wasi-replay-example)"])
            .env("CI", "true")
            .env_remove("INSTA_UPDATE")
            .output()
            .expect("cargo nextest runs");
        assert!(out.status.success(), "nextest {partition}:\n{}", text(&out.stderr));
        seen.extend(if junit.exists() { junit_cases(&junit) } else { Vec::new() });
    }
    seen.sort();
    let mut expected: Vec<(String, String)> =
        EXAMPLE_TESTS.iter().map(|t| ("wasi-replay-example::scenarios".to_string(), t.to_string())).collect();
    expected.push(("wasi-replay-example::greet".to_string(), "greets_everyone".to_string()));
    expected.sort();
    assert_eq!(seen, expected, "the two partitions together, against every test of the example");
}

#[test]
fn a_guest_given_by_path_runs_in_the_world_its_file_speaks() {
    use wasi_replay::{catalog, GuestResolver, Suite, World};
    crate::support::harness(); // builds the catalog
    let mut checked = 0;
    for name in catalog::SCENARIOS {
        for world in [World::P2, World::P3] {
            let suite = Suite::new().guest("g", catalog::component_path(name, world));
            assert_eq!(suite.worlds("g"), [world], "{name} built for {world}");
            checked += 1;
        }
    }
    let p1 = Suite::new().guest("g", catalog::component_path("p1-cli", World::P1));
    assert_eq!(p1.worlds("g"), [World::P1]);
    assert!(checked >= 20, "only {checked} components");
    // A guest built twice is given twice; a file that is not a component
    // is an error when the suite loads.
    let both = Suite::new().guest("g", catalog::component_path("fs-tree", World::P3)).guest("g", catalog::component_path("fs-tree", World::P2));
    assert_eq!(both.worlds("g"), [World::P2, World::P3]);
    let not_wasm = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_wasm.path(), "not wasm").unwrap();
    let e = Suite::new().guest("g", not_wasm.path()).load([catalog::scenarios_dir()]).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: not a WebAssembly component or module", not_wasm.path().display()));
}
