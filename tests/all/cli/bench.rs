//! `bench`: every part, and only the parts asked for.

use super::*;

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
