//! Long runs: Ctrl-C stops `explore`, `check` and `test` and prints what ran,
//! marked interrupted, with exit 130; a terminal shows progress, and a
//! pipe shows none.

use super::{cli, p2};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Starts `args`, sends SIGINT after a while, and returns the output.
fn interrupted(args: &[&str]) -> std::process::Output {
    // A short run first: the catalog is built and the component compiled
    // and cached, so the interrupted one is running when the signal comes.
    let component = p2("fs-tree");
    let warm = cli().args(["run", component.to_str().unwrap()]).output().unwrap();
    assert!(warm.status.success());
    let child = Command::new(env!("CARGO_BIN_EXE_wasi-replay"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    child.wait_with_output().unwrap()
}

#[test]
fn ctrl_c_stops_an_exploration_and_keeps_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("part.json");
    let component = p2("fs-tree");
    let out = interrupted(&[
        "explore",
        component.to_str().unwrap(),
        "--fs",
        "scenarios/tree",
        "--seeds",
        "0..18446744073709551615",
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(" runs, 1 class (interrupted: not every seed ran)\n"), "{stdout}");
    let part: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(part["interrupted"], true);
    assert!(part["runs"].as_u64().unwrap() > 0);
    // What ran is still an exploration `merge` takes.
    let merged = cli().args(["merge", json.to_str().unwrap()]).output().unwrap();
    assert_eq!(merged.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&merged.stdout).contains("(interrupted: not every seed ran)"));
}

#[test]
fn ctrl_c_stops_a_check_and_says_how_many_ran() {
    let component = p2("fs-tree");
    let out = interrupted(&["check", component.to_str().unwrap(), "--fs", "scenarios/tree", "--runs", "1000000000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("interrupted after ") && stdout.ends_with(" of 1000000000 runs: all byte-identical so far\n"), "{stdout}");
}

#[test]
fn progress_shows_on_a_terminal_and_not_in_a_pipe() {
    let component = p2("fs-tree");
    let args = format!("explore {} --fs scenarios/tree --seeds 0..20000", component.display());
    let _ = cli();
    // `script` gives the command a pseudo-terminal.
    let tty = Command::new("script")
        .args(["-qfec", &format!("{} {args}", env!("CARGO_BIN_EXE_wasi-replay")), "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(tty.status.success(), "{}", String::from_utf8_lossy(&tty.stderr));
    let seen = String::from_utf8_lossy(&tty.stdout);
    assert!(seen.contains("classes so far") && seen.contains("runs/s"), "{seen}");
    let piped = cli().args(args.split(' ')).output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("classes so far"));
    assert!(String::from_utf8_lossy(&piped.stdout).contains("20000 runs, 1 class\n"));
}

#[test]
fn ctrl_c_stops_a_suite_after_the_case_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let quick = "guest = \"exit-code\"\nworlds = [\"p2\"]\nargs = [\"exit-code\"]\n";
    std::fs::write(dir.path().join("a-quick.toml"), quick).unwrap();
    // Still running when the signal comes (1.5 s in); its timeout ends it.
    let slow = "guest = \"hostile-loop\"\nworlds = [\"p2\"]\nargs = [\"hostile-loop\"]\nlimits = { fuel = 0, timeout-ms = 3000 }\n";
    std::fs::write(dir.path().join("b-slow.toml"), slow).unwrap();
    std::fs::write(dir.path().join("c-never.toml"), quick).unwrap();
    let (scenarios, snapshots) = (dir.path().to_str().unwrap(), dir.path().join("snap"));
    let out = interrupted(&["test", scenarios, "--snapshot-dir", snapshots.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("a-quick") && stdout.contains("b-slow") && !stdout.contains("c-never"), "{stdout}");
    assert!(stdout.ends_with("interrupted after 2 of 3 cases\n"), "{stdout}");
}
