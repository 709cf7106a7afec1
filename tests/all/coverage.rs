//! Coverage instrumentation across the catalog: an instrumented guest
//! leaves the same report as the original, in every world it runs in, and
//! its modules count edges, except where the run ends in a trap (its
//! counts are lost with the instance).

use crate::support::{assert_same_text, harness, wasi_replay};
use wasi_replay::catalog::{self, SCENARIOS};
use wasi_replay::World;

/// Every guest of the catalog's main job, with the worlds it runs in.
fn guests() -> Vec<(&'static str, Vec<World>)> {
    let both = || vec![World::P2, World::P3];
    let mut all: Vec<(&str, Vec<World>)> = SCENARIOS.iter().map(|n| (*n, both())).collect();
    all.extend(catalog::C_GUESTS.iter().map(|(n, _)| (*n, vec![World::P1])));
    all.extend(catalog::AS_GUESTS.iter().map(|(n, _)| (*n, vec![World::P1])));
    all.extend(catalog::PY_GUESTS.iter().map(|(n, _, _)| (*n, vec![World::P2])));
    all.extend(catalog::JS_GUESTS.iter().map(|(n, _, _)| (*n, vec![World::P2])));
    all
}

#[test]
fn an_instrumented_guest_leaves_the_same_report_and_counts_edges() {
    let h = harness();
    for (name, worlds) in guests() {
        let scenario = catalog::scenario(name).unwrap_or_else(|e| panic!("{e}"));
        for world in worlds {
            let path = catalog::component_path(name, world);
            let plain = h.load(&path).unwrap_or_else(|e| panic!("{e}"));
            let covered = h.load_covered(&path).unwrap_or_else(|e| panic!("{name} ({world}): {e}"));
            let report = h.run(&plain, &scenario).unwrap_or_else(|e| panic!("{e}"));
            let (under, map) = h.run_covered(&covered, &scenario).unwrap_or_else(|e| panic!("{e}"));
            assert_same_text(&format!("{name} ({world})"), "plain", &report.to_yaml(), "instrumented", &under.to_yaml());
            let trapped = matches!(report.exit, wasi_replay::Exit::Trap(_));
            assert_eq!(map.edges() == 0, trapped, "{name} ({world}): {} edges, exit {:?}", map.edges(), report.exit);
        }
    }
}

/// The rewrite is a pure function of the bytes: the same guest gives the
/// same instrumented bytes, and they differ from the original's.
#[test]
fn instrumenting_is_deterministic_and_changes_the_guest() {
    for name in ["fs-tree", "p1-cli"] {
        let world = if name == "p1-cli" { World::P1 } else { World::P2 };
        let bytes = std::fs::read(catalog::component_path(name, world)).unwrap();
        let once = wasi_replay::coverage::instrument(&bytes).unwrap();
        let twice = wasi_replay::coverage::instrument(&bytes).unwrap();
        assert_eq!(once, twice, "{name}: two rewrites differ");
        assert_ne!(once, bytes, "{name}: the rewrite changed nothing");
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&once).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// A guest that is not wasm at all is refused with the reason.
#[test]
fn bytes_that_do_not_parse_are_refused_with_the_reason() {
    let e = wasi_replay::coverage::instrument(b"\0asm\x01\0\0\0\x01\xff").unwrap_err();
    assert!(e.to_string().starts_with("the guest does not parse"), "{e}");
}

/// Guided search on the record parser: the same seed and budget give the
/// same search, and the twin that checks its lengths never fails.
#[test]
fn a_search_is_a_function_of_its_seed_and_budget_and_the_checked_twin_never_fails() {
    use wasi_replay::fuzz::{Config, fuzz};
    let h = harness();
    let path = catalog::component_path("record-parser", World::P2);
    let guest = h.load_covered(&path).unwrap_or_else(|e| panic!("{e}"));
    let dictionary = wasi_replay::coverage::dictionary(&std::fs::read(&path).unwrap()).unwrap();
    assert!(dictionary.contains(&b'R') && dictionary.contains(&b'b'), "the magic and the blob kind are compared: {dictionary:?}");
    let config = Config { seed: 7, runs: 400, guided: true, corpus: Vec::new(), threads: 2, fail_on: Vec::new(), fields: Vec::new(), signal: Default::default() };
    let base = catalog::scenario("record-parser").unwrap();
    let once = fuzz(h, &guest, &base, &dictionary, &config).unwrap();
    let again = fuzz(h, &guest, &base, &dictionary, &Config { threads: 1, ..config.clone() }).unwrap();
    assert_eq!(once, again, "two searches with one seed and budget differ");
    assert_eq!(once.runs, 400);
    assert!(once.corpus > 1, "the search kept no input beyond the sample: {once:?}");
    let checked = base.clone().args(["record-parser", "--checked"]);
    let twin = fuzz(h, &guest, &checked, &dictionary, &config).unwrap();
    assert!(twin.findings.is_empty(), "the checked twin failed: {:?}", twin.findings);
    assert_eq!(twin.passing, 400);
}

/// Each record parser's one failing class is a catalog scenario with its
/// goldens (`scenarios/fuzz/record-parser-blob-overflow.toml` in both
/// worlds, `record-parser-c-blob-overflow.toml` in p1), and it is what a
/// search of the guest's catalog scenario finds: the seed and 8,000 runs
/// give that class, shrunk to an input that leaves that scenario's report.
#[test]
fn the_class_a_search_finds_is_the_catalog_scenario_of_it() {
    use wasi_replay::fuzz::{Config, fuzz};
    let h = harness();
    for (name, world, seed) in [("record-parser", World::P2, 5), ("record-parser-c", World::P1, 0)] {
        let path = catalog::component_path(name, world);
        let guest = h.load_covered(&path).unwrap_or_else(|e| panic!("{e}"));
        let dictionary = wasi_replay::coverage::dictionary(&std::fs::read(&path).unwrap()).unwrap();
        let config = Config { seed, runs: 8000, guided: true, corpus: Vec::new(), threads: 2, fail_on: Vec::new(), fields: Vec::new(), signal: Default::default() };
        let base = catalog::scenario(name).unwrap();
        let found = fuzz(h, &guest, &base, &dictionary, &config).unwrap();
        let [class] = &found.findings[..] else { panic!("{name}: one class of failure, not {:?}", found.findings) };
        let pinned_name = format!("{name}-blob-overflow");
        let file = catalog::scenarios_dir().join(format!("fuzz/{pinned_name}.toml"));
        let pinned = wasi_replay::cli_support::ScenarioFile::load(&file, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}"));
        let run = h.run(&guest, &pinned.scenario).unwrap();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &class.input[0]);
        let says = format!("{}: the search's class is stdin-base64 = {b64:?}", file.display());
        assert_eq!(wasi_replay::fuzz::class_of(&run, &[]).as_deref(), Some(class.class.as_str()), "{says}");
        let shrunk = class.scenario(&base, &pinned_name);
        assert_eq!(h.run(&guest, &shrunk).unwrap().to_yaml(), run.to_yaml(), "{says}");
    }
}

/// `wasi-replay fuzz` from the record parser's sample finds its blob
/// overflow (a panic behind a version 2 header, its check byte and a blob
/// record), shrinks it, and writes it as a scenario that `wasi-replay test`
/// replays at once; the unguided baseline with the same budget finds
/// nothing.
#[test]
fn a_found_class_is_a_scenario_that_replays() {
    let work = tempfile::tempdir().unwrap();
    let sample = sample(work.path());
    let component = catalog::component_path("record-parser", World::P2);
    let emitted = work.path().join("found");
    let search = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["fuzz".as_ref(), component.as_ref(), "--stdin".as_ref(), sample.as_ref()];
        args.extend(["--runs", "8000", "--search-seed", "5"].iter().chain(extra).map(std::ffi::OsStr::new));
        let out = wasi_replay(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let table = search(&["--emit", emitted.to_str().unwrap()]);
    assert!(table.contains("2 classes") && table.contains("panicked at record-parser/src/lib.rs"), "{table}");
    let unguided = search(&["--unguided"]);
    assert!(unguided.contains("1 class;"), "{unguided}");
    // The table's second class, after the passing runs.
    let class = emitted.join("record-parser-class-2");
    let toml = std::fs::read_to_string(class.join("record-parser-class-2.toml")).unwrap();
    assert!(toml.contains("stdin-file = \"record-parser-class-2.stdin.bin\""), "{toml}");
    let golden = std::fs::read_to_string(class.join("record-parser-class-2.p2.snap")).unwrap();
    assert!(golden.contains("panicked at record-parser/src/lib.rs"), "{golden}");
    let test = wasi_replay(&["test".as_ref(), class.as_ref()]);
    assert!(test.status.success(), "{}{}", String::from_utf8_lossy(&test.stdout), String::from_utf8_lossy(&test.stderr));
}

/// A guest from another toolchain is searched as built: the C record
/// parser, a WASI p1 module from zig, instrumented whole. From the same
/// sample, the search finds its blob overflow (an abort after `take`
/// reports the blob), and the unguided baseline with the same budget does
/// not.
#[test]
fn a_c_guest_is_searched_as_built() {
    let work = tempfile::tempdir().unwrap();
    let sample = sample(work.path());
    let component = catalog::component_path("record-parser-c", World::P1);
    let search = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["fuzz".as_ref(), component.as_ref(), "--stdin".as_ref(), sample.as_ref()];
        args.extend(["--runs", "8000", "--search-seed", "0"].iter().chain(extra).map(std::ffi::OsStr::new));
        let out = wasi_replay(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let guided = search(&[]);
    assert!(guided.contains("2 classes") && guided.contains("trap: wasm trap: wasm `unreachable`"), "{guided}");
    let unguided = search(&["--unguided"]);
    assert!(unguided.contains("1 class;"), "{unguided}");
    let checked = search(&["--arg", "--checked"]);
    assert!(checked.contains("1 class;"), "{checked}");
}

/// `--fail-on TEXT`: a run that exits 0 with TEXT in its output is a class
/// of its own. The checked twin never fails, yet a blob record reached
/// behind its header and check byte is found, shrunk, and still gives the
/// class.
#[test]
fn output_holding_the_given_text_is_a_failure() {
    let work = tempfile::tempdir().unwrap();
    let sample = sample(work.path());
    let component = catalog::component_path("record-parser", World::P2);
    let args = ["fuzz".as_ref(), component.as_os_str(), "--stdin".as_ref(), sample.as_os_str()];
    let more = ["--arg", "--checked", "--fail-on", "blob:", "--runs", "8000", "--search-seed", "5"];
    let out = wasi_replay(&args.into_iter().chain(more.iter().map(std::ffi::OsStr::new)).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("2 classes") && table.contains("exit 0, output holds \"blob:\""), "{table}");
}

/// `--mutate`: a fixture file is searched as stdin is. The parser reads
/// the file `--file` names; the search finds the overflow in it, and the
/// emitted scenario carries the shrunk file as its fixture and replays.
/// With `--checked` given, the overflow is out of reach of stdin alone;
/// a search that mutates the argument too finds it.
#[test]
fn a_fixture_file_and_an_argument_are_searched_as_stdin_is() {
    let work = tempfile::tempdir().unwrap();
    let sample = sample(work.path());
    let fixture = work.path().join("fixture");
    std::fs::create_dir_all(fixture.join("data")).unwrap();
    std::fs::copy(&sample, fixture.join("data/in.rec")).unwrap();
    let component = catalog::component_path("record-parser", World::P2);
    let emitted = work.path().join("found");
    let fuzz = |more: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["fuzz".as_ref(), component.as_ref(), "--search-seed".as_ref(), "0".as_ref()];
        args.extend(more);
        let out = wasi_replay(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let table = fuzz(&[
        os("--fs"), fixture.as_os_str(), os("--arg"), os("--file"), os("--arg"), os("/data/in.rec"),
        os("--mutate"), os("file:/data/in.rec"), os("--runs"), os("8000"), os("--emit"), emitted.as_os_str(),
    ]);
    assert!(table.contains("2 classes") && table.contains("panicked at record-parser/src/lib.rs"), "{table}");
    let class = emitted.join("record-parser-class-2");
    let toml = std::fs::read_to_string(class.join("record-parser-class-2.toml")).unwrap();
    assert!(toml.contains("fixture = \"record-parser-class-2.fs\"") && !toml.contains("stdin"), "{toml}");
    let file = std::fs::read(class.join("record-parser-class-2.fs/data/in.rec")).unwrap();
    assert!(file.starts_with(b"REC\x02") && file.len() < 16, "the shrunk file: {file:?}");
    let test = wasi_replay(&["test".as_ref(), class.as_ref()]);
    assert!(test.status.success(), "{}{}", String::from_utf8_lossy(&test.stdout), String::from_utf8_lossy(&test.stderr));

    let both = [os("--stdin"), sample.as_os_str(), os("--arg"), os("--checked"), os("--runs"), os("20000")];
    let stdin_only = fuzz(&both);
    assert!(stdin_only.contains("1 class;"), "{stdin_only}");
    let with_arg = fuzz(&[&both[..], &[os("--mutate"), os("stdin"), os("--mutate"), os("arg:1")]].concat());
    assert!(with_arg.contains("2 classes") && with_arg.contains("panicked at record-parser/src/lib.rs"), "{with_arg}");
}

/// Two partitions search from their own seeds into their own corpora;
/// a search of no runs over both corpora merges them into a third: it
/// keeps only the inputs that reach something new, yet reaches all that
/// the two reached, and finds, shrinks and emits the class found in them.
#[test]
fn partitions_merge_into_one_corpus_with_their_classes() {
    let work = tempfile::tempdir().unwrap();
    let sample = sample(work.path());
    let component = catalog::component_path("record-parser", World::P2);
    let dir = |name: &str| work.path().join(name);
    let fuzz = |more: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["fuzz".as_ref(), component.as_ref(), "--stdin".as_ref(), sample.as_ref()];
        args.extend(more);
        let out = wasi_replay(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let files = |name: &str| std::fs::read_dir(dir(name)).unwrap().count();
    let (p1, p2, merged, found) = (dir("p1"), dir("p2"), dir("merged"), dir("found"));
    let one = fuzz(&[os("--runs"), os("9000"), os("--partition"), os("1/2"), os("--corpus"), p1.as_os_str()]);
    let two = fuzz(&[os("--runs"), os("9000"), os("--partition"), os("2/2"), os("--corpus"), p2.as_os_str()]);
    assert_ne!(one, two, "two partitions made the same search");
    for table in [&one, &two] {
        assert!(table.contains("2 classes") && table.contains("panicked at record-parser/src/lib.rs"), "{table}");
    }
    let merge = fuzz(&[
        os("--runs"), os("0"), os("--corpus"), merged.as_os_str(), os("--corpus"), p1.as_os_str(), os("--corpus"), p2.as_os_str(),
        os("--emit"), found.as_os_str(),
    ]);
    assert!(merge.contains("0 runs, 1 class;") && merge.contains("corpus  9 B"), "{merge}");
    assert!(files("merged") < files("p1") + files("p2"), "the merge kept every input");
    let features = |table: &str| table.lines().next().unwrap().rsplit(", ").next().unwrap().to_string();
    let again = fuzz(&[os("--runs"), os("0"), os("--corpus"), merged.as_os_str()]);
    assert_eq!(features(&again), features(&merge), "the merged corpus reaches less than its parts");
    let test = wasi_replay(&["test".as_ref(), found.as_ref()]);
    assert!(test.status.success(), "{}{}", String::from_utf8_lossy(&test.stdout), String::from_utf8_lossy(&test.stderr));
}

/// `--signal journal` guides a search by the shape of the guest's host
/// calls, with the guest as it is: on the fs-ops interpreter, inputs that
/// make new calls or new errors join the corpus, where the unguided
/// baseline keeps none. The same search twice is the same; a p1 module,
/// which keeps no journal, is refused.
#[test]
fn the_journals_shape_guides_a_search_of_the_guest_as_it_is() {
    let work = tempfile::tempdir().unwrap();
    let script = work.path().join("ops.txt");
    std::fs::write(&script, "open 0 \"a.txt\" c rw f\nwrite 1 0 \"hi\"\nread 1 2 0\nstat 1\nmkdir 0 \"d\"\nreaddir 0\nclose 1\n").unwrap();
    let search = |component: &std::path::Path, more: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["fuzz".as_ref(), component.as_ref(), "--stdin".as_ref(), script.as_ref()];
        args.extend(["--dir", "::/", "--runs", "2000", "--signal", "journal"].iter().chain(more).map(std::ffi::OsStr::new));
        wasi_replay(&args)
    };
    let table = |out: std::process::Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let corpus: usize = text.split("corpus ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
        (text, corpus)
    };
    let component = catalog::component_path("fs-ops", World::P2);
    let (guided, kept) = table(search(&component, &[]));
    assert!(kept > 5, "the journal's shape kept {kept} inputs: {guided}");
    assert_eq!(table(search(&component, &[])).0, guided, "the same search twice differs");
    let (unguided, none) = table(search(&component, &["--unguided"]));
    assert_eq!(none, 1, "{unguided}");
    let p1 = catalog::component_path("fs-ops", World::P1);
    let refused = search(&p1, &[]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && err.contains("a p1 module keeps none"), "{err}");
}

/// `--mutate faults`: the drawn faults' seed and count are searched, and
/// a class is shrunk to the fewest of the faults that struck, as exact
/// faults. `fault-latent` fails when its index write fails; the emitted
/// scenario holds that one fault and replays.
#[test]
fn drawn_faults_are_searched_and_cut_to_the_fewest() {
    let work = tempfile::tempdir().unwrap();
    let emitted = work.path().join("found");
    let component = catalog::component_path("fault-latent", World::P2);
    let records = catalog::scenarios_dir().join("explore/records");
    let args: Vec<&std::ffi::OsStr> = vec![
        "fuzz".as_ref(), component.as_ref(), "--fs".as_ref(), records.as_ref(), "--faults".as_ref(), "0".as_ref(),
        "--fault-count".as_ref(), "2".as_ref(), "--fault-kinds".as_ref(), "no-space,read-io".as_ref(), "--mutate".as_ref(),
        "faults".as_ref(), "--runs".as_ref(), "300".as_ref(), "--emit".as_ref(), emitted.as_ref(),
    ];
    let out = wasi_replay(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("panicked at fault-latent/src/lib.rs") && table.contains("[faults: no-space#"), "{table}");
    let class = emitted.join("fault-latent-class-2");
    let toml = std::fs::read_to_string(class.join("fault-latent-class-2.toml")).unwrap();
    let plan: toml::Table = toml.parse().unwrap();
    let faults = plan["faults"]["plan"].as_array().unwrap_or_else(|| panic!("{toml}"));
    assert_eq!(faults.len(), 1, "{toml}");
    let test = wasi_replay(&["test".as_ref(), class.as_ref()]);
    assert!(test.status.success(), "{}{}", String::from_utf8_lossy(&test.stdout), String::from_utf8_lossy(&test.stderr));
}

/// A module that already has two memories gains a third, the map, and
/// the pools of both harnesses take it: the instrumented guest runs, uses
/// its second memory, and counts edges.
#[test]
fn a_guest_with_two_memories_runs_instrumented() {
    let wasm = wat::parse_str(
        r#"(component
          (core module $m
            (memory 1)
            (memory $b 1)
            (func (export "run") (result i32)
              (i32.store $b (i32.const 8) (i32.const 7))
              (i32.ne (i32.load $b (i32.const 8)) (i32.const 7))))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $r (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $r)))"#,
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("two-memories.wasm");
    std::fs::write(&path, wasm).unwrap();
    let harnesses = [
        wasi_replay::Harness::with_allocation(wasi_replay::Allocation::Pooling { concurrent_runs: 1 }).unwrap(),
        wasi_replay::Harness::for_search(1).unwrap(),
    ];
    for h in harnesses {
        let h = h.without_cache();
        let guest = h.load_covered(&path).unwrap_or_else(|e| panic!("{e}"));
        let (report, map) = h.run_covered(&guest, &wasi_replay::Scenario::new("two")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.exit, wasi_replay::Exit::Status(0), "{}", report.to_yaml());
        assert!(map.edges() > 0, "no edges counted: {map:?}");
    }
}

/// A field the scenario does not have, or text that names none, is one
/// line naming it, and no search.
#[test]
fn a_field_the_scenario_lacks_is_refused() {
    let component = catalog::component_path("record-parser", World::P2);
    for (field, says) in [
        ("arg:5", "field arg:5: the scenario has 1 argument"),
        ("file:/in.rec", "field file:/in.rec: the scenario has no filesystem"),
        ("file:in.rec", "starts at the MemFs's root"),
        ("body:0", "field body:0: the scenario has 0 requests"),
        ("faults", "field faults: the scenario draws no faults (give --faults SEED)"),
        ("schedule", "field schedule: the scenario's schedule has no seed"),
        ("stdout", "expected stdin, seed, faults, schedule, arg:N"),
    ] {
        let out = wasi_replay(&["fuzz".as_ref(), component.as_ref(), "--mutate".as_ref(), field.as_ref(), "--runs".as_ref(), "10".as_ref()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says) && err.trim().lines().count() == 1, "{field}: {err}");
    }
}

/// The record parser's sample, a valid version 1 file with a text and a
/// number record, written into `dir`.
fn sample(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("sample.rec");
    std::fs::write(&path, b"REC\x01\x02\xfdt\x05hellon\x0242").unwrap();
    path
}
