//! Exploration: classes over seeds, shrinking to the fewest faults, the
//! same table on every run, partitions that merge into the unsplit
//! result, and replay commands that give their class back.

use crate::support::{guest, harness};
use std::process::Command;
use wasi_replay::{explore, MemFs, RunReport, Scenario, World};
use wasi_replay::explore::{Config, Exploration};
use wasi_replay::faults::Group;

const SCRIPT: &str = "open 0 \"a.txt\" c w f\nwstream 1 0 \"abcd\"\nopen 0 \"in.txt\" - r f\nrstream 2 0\nsync 1\nrename 0 \"a.txt\" 0 \"b.txt\"\n";

fn base() -> Scenario {
    let mut fs = MemFs::new();
    fs.write_string("/in.txt", "0123456789").unwrap();
    Scenario::new("fs-ops").fs(fs).stdin(SCRIPT)
}

fn config(seeds: std::ops::Range<u64>, faults: u32, partition: Option<(u64, u64)>) -> Config {
    Config { seeds, faults, kinds: Group::Fs.kinds(), partition, threads: 2 }
}

fn run_explore(world: World, c: &Config) -> Exploration {
    explore::explore(harness(), &guest("fs-ops", world), &base(), c).unwrap_or_else(|e| panic!("{e}"))
}

/// Faults split the runs into classes; the table is the same on every
/// exploration; each class's seed and fewest faults give it back, and no
/// fault of those few can go.
#[test]
fn exploration_finds_classes_and_shrinks_their_faults() {
    for world in [World::P2, World::P3] {
        let c = config(0..30, 2, None);
        let found = run_explore(world, &c);
        assert_eq!(found.runs, 30);
        assert_eq!(found.classes.iter().map(|c| c.runs).sum::<u64>(), 30, "{world}: every run is in one class");
        assert!(found.classes.len() > 3, "{world}: two fs faults per run give several classes:\n{}", found.table());
        assert_eq!(run_explore(world, &c), found, "{world}: the same exploration finds the same classes");
        let g = guest("fs-ops", world);
        for class in &found.classes {
            let key = (class.exit.clone(), class.output.clone());
            let replay = harness().run(&g, &explore::replay_scenario(&base(), class.first_seed, &class.minimal)).unwrap();
            assert_eq!(explore::class_of(&replay), key, "{world}: seed {} with {:?}", class.first_seed, class.minimal);
            assert!(class.minimal.iter().all(|f| class.struck.contains(f)), "{world}: the fewest are among those that struck");
            for i in 0..class.minimal.len() {
                let mut fewer = class.minimal.clone();
                fewer.remove(i);
                let r = harness().run(&g, &explore::replay_scenario(&base(), class.first_seed, &fewer)).unwrap();
                assert_ne!(explore::class_of(&r), key, "{world}: {:?} could lose {}", class.minimal, class.minimal[i]);
            }
        }
        // fs-ops reads each file to its end, so a short read changes
        // nothing: shrinking drops it.
        assert!(
            found.classes.iter().any(|c| c.minimal.len() < c.struck.len()),
            "{world}: some fault that struck is not needed for its class:\n{found:#?}"
        );
        let plain = run_explore(world, &config(0..5, 0, None));
        assert_eq!(plain.classes.len(), 1, "{world}: without faults, fs-ops does the same on every seed");
        assert!(plain.classes[0].struck.is_empty() && plain.classes[0].minimal.is_empty());
    }
}

/// The partitions' results merge into what the unsplit exploration finds.
#[test]
fn partitions_merge_into_the_unsplit_exploration() {
    let whole = run_explore(World::P2, &config(0..24, 1, None));
    let parts: Vec<Exploration> = (1..=3).map(|k| run_explore(World::P2, &config(0..24, 1, Some((k, 3))))).collect();
    assert_eq!(parts.iter().map(|p| p.runs).sum::<u64>(), 24);
    let merged = explore::merge(parts.clone()).unwrap();
    assert_eq!(merged.classes, whole.classes);
    assert_eq!(merged.table(), whole.table());
    assert_eq!(merged.partitions, ["1/3", "2/3", "3/3"]);
    let e = explore::merge(vec![parts[0].clone(), parts[0].clone()]).unwrap_err();
    assert_eq!(e.to_string(), "partition 1/3 is given twice");
    let other = run_explore(World::P2, &config(0..10, 1, Some((2, 3))));
    assert!(explore::merge(vec![parts[0].clone(), other]).unwrap_err().to_string().contains("not what 1/3 did"));
}

/// Every replay command `explore` prints, run as printed, gives a report
/// of its class; the table is the same on a second run, and `merge` of
/// the partitions' JSON prints the unsplit table.
#[test]
fn printed_replay_commands_reproduce_their_class() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script");
    std::fs::write(&script, SCRIPT).unwrap();
    let fixture = dir.path().join("tree");
    std::fs::create_dir(&fixture).unwrap();
    std::fs::write(fixture.join("in.txt"), "0123456789").unwrap();
    let component = wasi_replay::catalog::component_path("fs-ops", World::P3);
    let cli = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wasi-replay"));
        c.env_remove("CI").env_remove("INSTA_UPDATE").arg("--no-cache");
        c
    };
    let explore = |extra: &[&str]| {
        let out = cli()
            .arg("explore")
            .arg(&component)
            .args(["--fs", fixture.to_str().unwrap(), "--stdin", script.to_str().unwrap(), "--seeds", "0..20", "--faults", "2"])
            .args(["--fault-kinds", "fs"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let printed = explore(&[]);
    assert_eq!(explore(&[]), printed, "the same command prints the same table");
    let commands: Vec<&str> = printed.lines().filter_map(|l| l.split_once(": wasi-replay run ").map(|(_, c)| c)).collect();
    assert!(commands.len() > 2, "{printed}");
    let rows: Vec<Vec<&str>> = printed.lines().skip(2).take(commands.len()).map(|l| l.split_whitespace().collect()).collect();
    for (i, command) in commands.iter().enumerate() {
        let words = shell_words(command);
        let out = cli().arg("run").args(&words).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        let report: RunReport = serde_yaml_ng::from_slice(&out.stdout).unwrap();
        let (_, output) = explore::class_of(&report);
        assert!(rows[i].contains(&output.as_str()), "class {}: `{command}` gave output {output}, not the row {:?}", i + 1, rows[i]);
    }
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    explore(&["--partition", "1/2", "--json", a.to_str().unwrap()]);
    explore(&["--partition", "2/2", "--json", b.to_str().unwrap()]);
    let merged = cli().arg("merge").args([&a, &b]).output().unwrap();
    assert_eq!(String::from_utf8(merged.stdout).unwrap(), printed, "merge prints the unsplit table and commands");
}

/// Splits a command the way a shell splits what `explore` prints: words,
/// and single-quoted words.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in line.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}
