//! Each fuzz target's committed corpus (`fuzz/corpus/<target>/`) run as a
//! plain test, on stable Rust and without libFuzzer: the inputs that found
//! a defect, and the ones that reached new code when the targets ran, go
//! through the same body (`fuzz/entry.rs`) the fuzzer calls, so a
//! regression fails `cargo test`.

#[allow(dead_code)]
#[path = "../../fuzz/entry.rs"]
mod entry;

use std::path::Path;

/// Feeds every file of `target`'s corpus to its body. A corpus of fewer
/// than `at_least` inputs is itself a failure: the test must have
/// something to run.
fn corpus(target: &str, at_least: usize) {
    let (_, body) = entry::TARGETS.iter().find(|(name, _)| *name == target).expect("a target of that name");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= at_least, "{}: {} inputs, fewer than {at_least}", dir.display(), files.len());
    for file in files {
        let bytes = std::fs::read(&file).expect("read a corpus input");
        let ran = std::panic::catch_unwind(|| body(&bytes));
        if let Err(panic) = ran {
            let message = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            panic!("{target}: {} panicked: {}", file.display(), message.unwrap_or_default());
        }
    }
}

#[test]
fn every_target_has_a_corpus_test() {
    let here = include_str!("fuzz_corpora.rs");
    for (name, _) in entry::TARGETS {
        assert!(here.contains(&format!("fn {name}()")), "no test runs the corpus of `{name}`");
    }
}

#[test]
fn scenario_file() {
    corpus("scenario_file", 10);
}

#[test]
fn journal_file() {
    corpus("journal_file", 3);
}

#[test]
fn fault_plan() {
    corpus("fault_plan", 10);
}

#[test]
fn wave_call() {
    corpus("wave_call", 10);
}

#[test]
fn request() {
    corpus("request", 10);
}

#[test]
fn mock_rules() {
    corpus("mock_rules", 10);
}

#[test]
fn emitted_scenario() {
    corpus("emitted_scenario", 10);
}

#[test]
fn fs_ops() {
    corpus("fs_ops", 10);
}

#[test]
fn component_loader() {
    corpus("component_loader", 3);
}
