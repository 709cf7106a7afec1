//! RunReport: canonical forms and how content is classified.

use crate::support::run;
use wasi_replay::memfs::MemFs;
use wasi_replay::{Exit, Output, RunReport, World};
use wasi_replay::cli_support::{fs_entries, INLINE_TEXT_LIMIT};

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
    let msg = wasi_replay::catalog::BuildError::MissingTarget(wasi_replay::catalog::P1_TARGET).to_string();
    assert!(msg.contains("rustup target add wasm32-wasip1"), "{msg}");
}

/// The hand-written listing must give serde_yaml_ng's bytes for any entry:
/// awkward paths, text that needs quoting, digests that read as numbers.
#[test]
fn the_fast_yaml_listing_matches_serde_yaml() {
    use proptest::prelude::*;
    use wasi_replay::memfs::Kind;
    use wasi_replay::FsEntry;
    use wasi_replay::cli_support::yaml_listing;
    let path = prop_oneof![
        "(/[a-zA-Z0-9._-]{1,12}){1,4}",
        "/[ -~]{1,16}",
        "/(true|null|~|1e5|0x1F|-|: x|#c|a b|'q'|\"d\")",
        "/[\\PC]{1,8}",
    ];
    let digest = prop_oneof!["[0-9a-f]{64}", "[0-9]{64}", "[0-9]{30}e[0-9]{33}", "[0-9e]{64}"];
    let text = prop_oneof!["[ -~]{0,40}", "[\\PC\n\t]{0,40}", Just(String::new()), Just("a\n\nb\n".to_string())];
    let entry = (path, 0..3u8, any::<u32>(), prop::option::of(2..5u64), prop::option::of(digest), prop::option::of(text))
        .prop_map(|(path, k, size, nlink, sha256, text)| {
            let kind = [Kind::File, Kind::Dir, Kind::Symlink][usize::from(k)];
            let (sha256, target, text) = match kind {
                Kind::File => (if text.is_none() { sha256 } else { None }, None, text),
                Kind::Dir => (None, None, None),
                Kind::Symlink => (None, Some(text.unwrap_or_else(|| "t".into())), None),
            };
            let size = (kind == Kind::File).then_some(u64::from(size));
            FsEntry { path, kind, size, nlink: nlink.filter(|_| kind == Kind::File), text, sha256, target }
        });
    let mut runner = proptest::test_runner::TestRunner::new(crate::support::proptest_config(512, 0x5a_4d1));
    runner
        .run(&prop::collection::vec(entry, 1..6), |entries| {
            prop_assert_eq!(yaml_listing(&entries), serde_yaml_ng::to_string(&entries).unwrap());
            Ok(())
        })
        .unwrap();
}

/// `to_yaml` splices the listing into serde_yaml_ng's report; the whole
/// must be what serde_yaml_ng writes for the whole report.
#[test]
fn to_yaml_is_serde_yaml_for_every_catalog_report() {
    for name in wasi_replay::catalog::SCENARIOS {
        for world in [World::P2, World::P3] {
            let report = run(name, world);
            assert_eq!(report.to_yaml(), serde_yaml_ng::to_string(&report).unwrap(), "{name} {world}");
        }
    }
}

#[test]
fn a_digest_counts_the_tree_and_hashes_its_listing() {
    use sha2::{Digest, Sha256};
    use wasi_replay::{FsDigest, FsReport, FsView};
    use wasi_replay::cli_support::yaml_listing;
    let mut fs = MemFs::new();
    fs.mkdir_p("/a/b").unwrap();
    fs.write_string("/a/b/one.txt", "one").unwrap();
    fs.write("/a/two.bin", [0u8, 1, 2]).unwrap();
    fs.symlink("b/one.txt", "/a/link").unwrap();
    let FsView::Digest(d) = FsView::of(&fs, FsReport::Digest) else { panic!("not a digest") };
    let listing = yaml_listing(&fs_entries(&fs));
    let hex: String = Sha256::digest(listing.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(d, FsDigest { dirs: 2, files: 2, symlinks: 1, bytes: 6, sha256: hex });
    // Any change to any entry shows.
    let before = d.sha256;
    fs.write_string("/a/b/one.txt", "One").unwrap();
    let FsView::Digest(after) = FsView::of(&fs, FsReport::Digest) else { panic!("not a digest") };
    assert_ne!(after.sha256, before);
    // An empty tree hashes the `[]` the tree form shows.
    assert_eq!(yaml_listing(&[]), serde_yaml_ng::to_string(&Vec::<wasi_replay::FsEntry>::new()).unwrap());
}

#[test]
fn a_digest_report_round_trips_and_diffs_at_fs() {
    use wasi_replay::FsView;
    let report = run("fs-bulk", World::P2);
    let FsView::Digest(d) = &report.fs else { panic!("fs-bulk reports a digest: {:?}", report.fs) };
    assert_eq!((d.files, d.bytes), (10_000, 10_000 * 1024));
    let from_yaml: RunReport = serde_yaml_ng::from_str(&report.to_yaml()).unwrap();
    assert_eq!(from_yaml, report);
    let from_json: RunReport = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(from_json, report);
    let mut changed = report.clone();
    if let FsView::Digest(d) = &mut changed.fs {
        d.files += 1;
    }
    let (field, _, _) = report.first_difference(&changed).expect("they differ");
    assert_eq!(field, "fs");
}

/// The helper takes its arguments: each call gets the count and the seed
/// it asks for, unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED` (a by-hand
/// run) says otherwise, and no call writes regression files.
#[test]
fn the_proptest_helper_takes_its_arguments() {
    use proptest::test_runner::RngSeed;
    let (a, b) = (crate::support::proptest_config(7, 11), crate::support::proptest_config(120, 1));
    match std::env::var_os("PROPTEST_CASES") {
        None => assert_eq!((a.cases, b.cases), (7, 120)),
        Some(_) => assert_eq!(a.cases, b.cases, "PROPTEST_CASES wins over both"),
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        assert_eq!((a.rng_seed, b.rng_seed), (RngSeed::Fixed(11), RngSeed::Fixed(1)));
    }
    assert!(a.failure_persistence.is_none() && b.failure_persistence.is_none());
}
