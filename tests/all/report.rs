//! RunReport: canonical forms and how content is classified.

use crate::support::run;
use wasi_replay::memfs::MemFs;
use wasi_replay::report::{Exit, INLINE_TEXT_LIMIT, Output, RunReport, World, fs_entries};

#[test]
fn yaml_and_json_are_canonical_and_round_trip() {
    let report = run("fs-tree", World::P3);
    assert_eq!(report.to_yaml(), run("fs-tree", World::P3).to_yaml());
    assert_eq!(report.to_json(), run("fs-tree", World::P3).to_json());
    let from_json: RunReport = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(from_json, report);
    let from_yaml: RunReport = serde_yaml_ng::from_str(&report.to_yaml()).unwrap();
    assert_eq!(from_yaml, report);
}

#[test]
fn top_level_fields_are_the_documented_ones() {
    let report = run("exit-code", World::P2);
    let yaml = report.to_yaml();
    let keys: Vec<_> = yaml.lines().filter(|l| !l.is_empty() && !l.starts_with([' ', '-'])).filter_map(|l| l.split(':').next()).collect();
    assert_eq!(keys, ["guest", "world", "seed", "backend", "exit", "elapsed-ns", "stdout", "stderr", "fs"]);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["exit"], serde_json::json!({ "status": 3 }));
}

#[test]
fn binary_output_is_base64() {
    assert_eq!(Output::from_bytes(b"text\n".to_vec()), Output::Text("text\n".into()));
    assert_eq!(Output::from_bytes(vec![0xff, 0x00]), Output::Binary { base64: "/wA=".into() });
}

#[test]
fn small_text_files_inline_and_others_hash() {
    let mut fs = MemFs::new();
    fs.write_string("/small.txt", "hi").unwrap();
    fs.write("/big.txt", "x".repeat(INLINE_TEXT_LIMIT + 1)).unwrap();
    fs.write("/bin", [0xffu8]).unwrap();
    fs.symlink("small.txt", "/link").unwrap();
    let entries = fs_entries(&fs);
    let by_path = |p: &str| entries.iter().find(|e| e.path == p).unwrap();
    assert_eq!(by_path("/small.txt").text.as_deref(), Some("hi"));
    assert!(by_path("/big.txt").text.is_none() && by_path("/big.txt").sha256.is_some());
    assert_eq!(
        by_path("/bin").sha256.as_deref(),
        Some("a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89")
    );
    assert_eq!(by_path("/link").target.as_deref(), Some("small.txt"));
}

#[test]
fn exit_serializes_as_a_one_key_map() {
    let trap = serde_json::to_string(&Exit::Trap("boom".into())).unwrap();
    assert_eq!(trap, r#"{"trap":"boom"}"#);
    assert!(serde_json::from_str::<Exit>(r#"{"status":1,"trap":"x"}"#).is_err());
}

#[test]
fn a_missing_target_names_the_install_command() {
    let msg = wasi_replay::catalog::BuildError::MissingTarget.to_string();
    assert!(msg.contains("rustup target add wasm32-wasip2"), "{msg}");
}
