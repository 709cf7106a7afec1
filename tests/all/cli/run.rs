//! `run`: reports, inputs from flags, files in and out, limits, mocks, faults and the cache.

use super::*;

#[test]
fn run_prints_a_yaml_report_and_exits_0_whatever_the_guest_did() {
    let out = cli().arg("run").arg(p2("exit-code")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    assert_eq!(report.exit, wasi_replay::Exit::Status(3));
    assert_eq!(report.guest, "exit_code");
}

#[test]
fn argv0_is_the_file_name_as_wasmtime_run_passes_it() {
    // From the library, a scenario without arguments gets the same argv.
    let h = crate::support::harness();
    let guest = h.load(&p3("cli-io")).unwrap();
    assert_eq!(guest.program(), "cli_io.wasm");
    let report = h.run(&guest, &wasi_replay::Scenario::new("x")).unwrap();
    let wasi_replay::Output::Text(text) = &report.stdout else { panic!() };
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

/// A reader that goes away (`wasi-replay run … | head`) ends the command
/// as SIGPIPE ends other Unix tools, with no panic on stderr.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    harness(); // builds the catalog once
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wasi-replay"))
        .args(["run".as_ref(), p2("fs-bulk").as_os_str(), "--dir".as_ref(), "::/".as_ref(), "--arg".as_ref(), "300".as_ref(), "--journal".as_ref()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The report (a journal of some 3,000 lines and a listing of 300
    // files) is far more than a pipe holds.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.signal(), Some(13), "not ended by SIGPIPE: {:?} {err}", out.status);
}
