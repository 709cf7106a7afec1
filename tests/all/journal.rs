//! Journals (their goldens are checked with the catalog's): p2 = p3
//! journals where the
//! calls mean the same, the first divergence as the user sees it, and
//! the runs that cannot keep a journal.

use crate::support::{guest, harness, wasi_replay};
use wasi_replay::{catalog, Scenario, World};
use wasi_replay::catalog::{JOURNALED, JOURNALS_DIFFER};
use wasi_replay::host::Backend;
use wasi_replay::cli_support::{Origin, ScenarioText};

fn journal_of(name: &str, world: World) -> wasi_replay::RunReport {
    let scenario = catalog::scenario(&format!("{name}.journal")).unwrap_or_else(|e| panic!("{e}"));
    assert!(scenario.journals(), "{name}.journal.toml keeps a journal");
    harness().run(&guest(name, world), &scenario).unwrap_or_else(|e| panic!("{e}"))
}

/// In every journaled catalog scenario the journal is the whole difference from the plain scenario's report;
/// and the p2 and p3 journals are equal unless the catalog says why not.
#[test]
fn catalog_journals_are_all_a_journal_adds_and_agree_across_worlds() {
    for name in JOURNALED {
        let mut journals = Vec::new();
        for world in [World::P2, World::P3] {
            let report = journal_of(name, world);
            let journal = report.journal.clone().unwrap_or_else(|| panic!("{name} ({world}): no journal"));
            assert!(!journal.is_empty(), "{name} ({world}): an empty journal");
            let plain = crate::support::run(name, world);
            assert_eq!(plain.journal, None, "{name}: the plain scenario keeps no journal");
            let without = wasi_replay::RunReport { journal: None, guest: plain.guest.clone(), ..report };
            assert_eq!(without.to_yaml(), plain.to_yaml(), "{name} ({world}): the journal changed the rest of the report");
            journals.push(journal);
        }
        let divergence = wasi_replay::journal::first_divergence(&journals[0], &journals[1]);
        match JOURNALS_DIFFER.iter().find(|(n, _)| n == name) {
            None => assert_eq!(divergence, None, "{name}: the p2 and p3 journals differ"),
            Some((_, why)) => assert!(divergence.is_some(), "{name}: said to differ ({why}), but the journals are equal"),
        }
    }
}

/// The documented differences are the ones that show first.
#[test]
fn p2_and_p3_journals_part_where_the_catalog_says() {
    let first = |name: &str| {
        let (p2, p3) = (journal_of(name, World::P2), journal_of(name, World::P3));
        p2.divergence(&p3).expect("they differ")
    };
    let clock = first("clock-random");
    assert!(clock.contains("expected clock.subscribe(5s), got clock.wait(5s)"), "{clock}");
    let fs = first("fs-semantics");
    assert!(fs.contains("expected fs.write(fd 6, @0, 11 bytes") && fs.contains("got fs.write-via-stream(fd 6, @0) -> stream"), "{fs}");
}

/// `fs-ops` with a script on stdin that creates `a.txt` exclusively and
/// writes it.
const SCRIPT: &str = "open 0 \"a.txt\" cx w f\nwrite 1 0 \"hello\"\nclose 1\n";

fn writes(script: &str, fs: wasi_replay::MemFs) -> Scenario {
    Scenario::new("writes").fs(fs).stdin(script).journal(true)
}

/// A script that names another file differs first where the guest reads
/// it; a tree that already holds the file differs first at the open.
#[test]
fn a_changed_input_is_named_at_the_call_where_the_runs_part() {
    let g = guest("fs-ops", World::P2);
    let run = |s: &Scenario| harness().run(&g, s).unwrap_or_else(|e| panic!("{e}"));
    let a = run(&writes(SCRIPT, wasi_replay::MemFs::new()));
    let total = a.journal.as_ref().unwrap().len();
    assert_eq!(a.divergence(&a), None);

    let b = run(&writes(&SCRIPT.replace("a.txt", "b.txt"), wasi_replay::MemFs::new()));
    let line = a.divergence(&b).expect("the journals differ");
    assert!(line.starts_with(&format!("diverged at call 1 of {total}: expected stdin.read() -> 48 bytes #")), "{line}");
    assert!(line.contains(", got stdin.read() -> 48 bytes #") && line.ends_with("(0 calls matched)"), "{line}");

    let mut taken = wasi_replay::MemFs::new();
    taken.write("/a.txt", b"already here").unwrap();
    let c = run(&writes(SCRIPT, taken));
    let at = a.journal.as_ref().unwrap().iter().position(|l| l.contains("fs.open-at")).unwrap();
    assert_eq!(
        a.divergence(&c).expect("the journals differ"),
        format!(
            "diverged at call {} of {total}: expected fs.open-at(fd 3, \"a.txt\", create|exclusive, write) -> fd 4, \
             got fs.open-at(fd 3, \"a.txt\", create|exclusive, write) -> exist ({at} calls matched)",
            at + 1
        )
    );
}

/// The line heads what `wasi-replay test` prints for a changed golden.
#[test]
fn wasi_replay_test_prints_the_first_divergence_before_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(catalog::component_path("fs-ops", World::P2), dir.path().join("fs-ops.wasm")).unwrap();
    std::fs::create_dir_all(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/a.txt"), "already here").unwrap();
    let script = SCRIPT.replace('"', "\\\"").replace('\n', "\\n");
    let write = |fixture: &str| {
        let toml = format!("components = [\"fs-ops.wasm\"]\njournal = true\nstdin = \"{script}\"\n{fixture}");
        std::fs::write(dir.path().join("writes.toml"), toml).unwrap();
    };
    let wasi_replay = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_wasi-replay"));
        c.args(args).arg(dir.path()).env("NO_COLOR", "1").env_remove("CI").env_remove("INSTA_UPDATE");
        c.output().unwrap()
    };
    write("[[preopen]]\nguest = \"/\"\n");
    let accept = wasi_replay(&["test", "--accept"]);
    assert!(accept.status.success(), "{}", String::from_utf8_lossy(&accept.stderr));
    assert!(wasi_replay(&["test"]).status.success());
    write("fixture = \"taken\"\n");
    let out = wasi_replay(&["test"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("diverged at call")).unwrap_or_else(|| panic!("no divergence in:\n{stderr}"));
    assert!(line.ends_with("expected fs.open-at(fd 3, \"a.txt\", create|exclusive, write) -> fd 4, got fs.open-at(fd 3, \"a.txt\", create|exclusive, write) -> exist (3 calls matched)"), "{line}");
    let diff_at = stderr.find("@@").expect("a unified diff");
    assert!(stderr.find("diverged at call").unwrap() < diff_at, "the line comes before the diff");
}

#[test]
fn runs_that_cannot_keep_a_journal_are_refused_in_one_line() {
    let on = Scenario::new("j").journal(true).fs(wasi_replay::MemFs::new());
    let bridge = harness().run(&guest("fs-tree", World::P2), &on.clone().backend(Backend::Bridge)).unwrap_err().to_string();
    assert!(bridge.contains(": journal: the bridge backend"), "{bridge}");
    let p1 = harness().load(catalog::component_path("fs-ops", World::P1)).unwrap();
    let p1 = harness().run(&p1, &on).unwrap_err().to_string();
    assert!(p1.contains("journal: a p1 module runs without one"), "{p1}");
    for e in [bridge, p1] {
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}

/// `run --journal-out` then `replay`: the same build matches call for
/// call, another build is named and stopped at its first other call, and
/// a file of another format is refused in one line.
#[test]
fn a_recorded_run_replays_against_the_same_build_and_names_where_another_parts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.journal.yaml");
    let fs_tree = catalog::component_path("fs-tree", World::P2);
    let tree = catalog::scenarios_dir().join("tree");
    let out = wasi_replay(&["run".as_ref(), fs_tree.as_ref(), "--fs".as_ref(), tree.as_ref(), "--seed".as_ref(), "3".as_ref(), "--journal-out".as_ref(), file.as_ref()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recorded = wasi_replay::cli_support::JournalFile::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(recorded.sha256, wasi_replay::cli_support::sha256_hex(&std::fs::read(&fs_tree).unwrap()));
    assert_eq!((recorded.seed, recorded.world, recorded.wasmtime.as_str()), (3, World::P2, "50.0.1"));
    assert!(!recorded.journal.is_empty());

    let same = wasi_replay(&["replay".as_ref(), file.as_ref(), fs_tree.as_ref()]);
    assert_eq!(same.status.code(), Some(0), "{}", String::from_utf8_lossy(&same.stderr));
    assert_eq!(String::from_utf8_lossy(&same.stdout), format!("replayed {} calls: every call matches the journal\n", recorded.journal.len()));
    assert!(same.stderr.is_empty(), "{}", String::from_utf8_lossy(&same.stderr));

    let other = catalog::component_path("cli-io", World::P2);
    let changed = wasi_replay(&["replay".as_ref(), file.as_ref(), other.as_ref()]);
    assert_eq!(changed.status.code(), Some(1));
    let note = String::from_utf8_lossy(&changed.stderr);
    assert!(note.contains("is not the recorded component fs_tree.wasm") && note.contains("replaying anyway"), "{note}");
    let line = String::from_utf8_lossy(&changed.stdout);
    assert_eq!(
        line,
        format!("diverged at call 1 of {}: expected fs.preopens() -> [fd 3 \"/\"], got env.args() -> [\"fs_tree.wasm\"] (0 calls matched)\n", recorded.journal.len())
    );

    let future = dir.path().join("future.yaml");
    std::fs::write(&future, std::fs::read_to_string(&file).unwrap().replacen("format: 2", "format: 3", 1)).unwrap();
    let refused = wasi_replay(&["replay".as_ref(), future.as_ref(), fs_tree.as_ref()]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("journal format 3 is not one this wasi-replay") && err.contains("reads formats 1 and 2"), "{err}");
}

/// A scenario written out and read back runs as the original does: the
/// tree, stdin, mocks, limits and calls all survive.
#[test]
fn recorded_inputs_give_back_the_same_run() {
    for name in ["fs-semantics", "http-get", "cli-io", "lib-counter", "http-handler"] {
        let scenario = catalog::scenario(name).unwrap().journal(true);
        let recorded = ScenarioText::of(&scenario);
        let text = serde_yaml_ng::to_string(&recorded).unwrap();
        let back: ScenarioText = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, recorded, "{name}: the YAML round trip");
        let toml = toml::to_string(&recorded).unwrap();
        assert_eq!(toml::from_str::<ScenarioText>(&toml).unwrap(), recorded, "{name}: the TOML round trip");
        let again = back.build(Origin::inline()).unwrap();
        let g = guest(name, World::P3);
        let (a, b) = (harness().run(&g, &scenario).unwrap(), harness().run(&g, &again).unwrap());
        assert_eq!(a.to_yaml(), b.to_yaml(), "{name}: the scenario read back runs otherwise");
    }
}

/// `run --emit-scenario`: the written scenario passes `wasi-replay test`
/// at once, its golden is the report `run` printed, and nothing in it
/// names the machine.
#[test]
fn an_emitted_scenario_passes_at_once_and_names_nothing_of_the_machine() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("items.json"), "{\"items\": []}\n").unwrap();
    let mocks = work.path().join("mocks.toml");
    std::fs::write(&mocks, "[[mock]]\nname = \"items\"\nurl-prefix = \"https://api.example.com/v1/items\"\nbody-file = \"items.json\"\nchunks = 2\n").unwrap();
    let stdin = work.path().join("stdin.bin");
    std::fs::write(&stdin, [0u8, 0xff, 0x10]).unwrap();
    let tree = catalog::scenarios_dir().join("tree");
    for (name, world, extra) in [
        ("http-get", World::P2, vec!["--dir".into(), format!("{}::/", tree.display()), "--http-mock".into(), mocks.display().to_string(), "--journal".into()]),
        ("fs-tree", World::P3, vec!["--fs".into(), tree.display().to_string(), "--stdin".into(), stdin.display().to_string(), "--fuel".into(), "0".into()]),
    ] {
        let dir = work.path().join(format!("emitted-{name}"));
        let component = catalog::component_path(name, world);
        let mut args: Vec<std::ffi::OsString> = vec!["run".into(), component.clone().into()];
        args.extend(extra.iter().map(Into::into));
        args.extend(["--emit-scenario".into(), dir.clone().into()]);
        let out = wasi_replay(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let stem = component.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = std::fs::read_to_string(dir.join(format!("{stem}.{world}.snap"))).unwrap();
        let body = golden.splitn(3, "---\n").nth(2).unwrap();
        assert_eq!(body.trim_end(), String::from_utf8_lossy(&out.stdout).trim_end(), "{name}: the golden is the printed report");
        let machine = [work.path().display().to_string(), env!("CARGO_MANIFEST_DIR").to_string()];
        for entry in walkdir::WalkDir::new(&dir).into_iter().map(|e| e.unwrap().into_path()) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                for m in &machine {
                    assert!(!text.contains(m.as_str()), "{} names {m}", entry.display());
                }
            }
        }
        let test = wasi_replay(&["test".as_ref(), dir.as_ref()]);
        assert!(test.status.success(), "{name}: {}{}", String::from_utf8_lossy(&test.stdout), String::from_utf8_lossy(&test.stderr));
        let toml = std::fs::read_to_string(dir.join(format!("{stem}.toml"))).unwrap();
        if name == "fs-tree" {
            assert!(toml.contains(&format!("stdin-file = \"{stem}.stdin.bin\"")) && toml.contains("fuel = 0"), "{toml}");
            assert!(toml.contains(&format!("fixture = \"{stem}.fs\"")), "{toml}");
        } else {
            assert!(toml.contains("journal = true") && toml.contains("[[http.mock]]") && toml.contains("chunks = 2"), "{toml}");
            assert!(golden.contains("journal:"), "the journal is in the golden");
        }
    }
}

/// `[[entry]]` writes a tree into the scenario file itself: directories,
/// text and base64 files and symlinks, parents made as needed; the run
/// starts from the same tree the MemFs API builds. Malformed entries are
/// refused in one line that names the entry.
#[test]
fn entries_in_a_scenario_file_are_the_tree_the_run_starts_from() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("inline.toml");
    let head = "guest = \"fs-tree\"\nworlds = [\"p2\"]\n[[preopen]]\n";
    let entries = "[[entry]]\npath = \"/empty\"\nkind = \"dir\"\n\
                   [[entry]]\npath = \"/data/a.txt\"\ntext = \"alpha\\n\"\n\
                   [[entry]]\npath = \"/data/bin\"\nbase64 = \"AP8Q\"\n\
                   [[entry]]\npath = \"/link\"\nkind = \"symlink\"\ntarget = \"data/a.txt\"\n";
    std::fs::write(&f, format!("{head}{entries}")).unwrap();
    let sf = wasi_replay::cli_support::ScenarioFile::load(&f, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}"));
    let mut fs = wasi_replay::MemFs::new();
    fs.mkdir_p("/empty").unwrap();
    fs.mkdir_p("/data").unwrap();
    fs.write_string("/data/a.txt", "alpha\n").unwrap();
    fs.write("/data/bin", vec![0, 0xff, 0x10]).unwrap();
    fs.symlink("data/a.txt", "/link").unwrap();
    let by_api = Scenario::new("inline").fs(fs).preopens(vec![wasi_replay::Preopen::rw("/")]);
    let g = guest("fs-tree", World::P2);
    let (a, b) = (harness().run(&g, &sf.scenario).unwrap(), harness().run(&g, &by_api).unwrap());
    assert_eq!(a.to_yaml(), b.to_yaml());
    assert!(a.to_yaml().contains("/data/bin"), "{}", a.to_yaml());

    for (entry, needle) in [
        ("path = \"rel\"\n", "field `entry`: rel: not an absolute path"),
        ("path = \"/l\"\nkind = \"symlink\"\n", "field `entry`: /l: a symlink needs a `target`"),
        ("path = \"/f\"\ntext = \"x\"\nbase64 = \"eA==\"\n", "field `entry`: /f: fields `text` and `base64` exclude each other"),
        ("path = \"/f\"\nbase64 = \"not base64!\"\n", "field `entry`: /f: field `base64`: bad base64"),
        ("path = \"/d\"\nkind = \"dir\"\ntext = \"x\"\n", "field `entry`: /d: a directory has no `text`"),
    ] {
        std::fs::write(&f, format!("{head}[[entry]]\n{entry}")).unwrap();
        let msg = wasi_replay::cli_support::ScenarioFile::load(&f, &catalog::Catalog).unwrap_err().to_string();
        assert!(msg.contains(needle), "{entry}: {msg}");
        assert_eq!(msg.lines().count(), 1, "{msg}");
    }
}

/// A journal file of format 1, written by the harness before journal
/// inputs became a scenario text, is still read and replayed: its inputs
/// rebuild the run, which matches call for call until the first answer
/// this harness gives otherwise (a directory's size, ext4's since then).
#[test]
fn a_journal_file_of_format_one_still_replays() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-format-1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("format: 1\n"), "the fixture is of format 1");
    let recorded = wasi_replay::cli_support::JournalFile::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded.format, 1);
    let fs_tree = catalog::component_path("fs-tree", World::P2);
    let replayed = wasi_replay(&["replay".as_ref(), file.as_ref(), fs_tree.as_ref()]);
    assert_eq!(replayed.status.code(), Some(1), "{}", String::from_utf8_lossy(&replayed.stderr));
    assert_eq!(
        String::from_utf8_lossy(&replayed.stdout),
        format!(
            "diverged at call 46 of {}: expected fs.stat-at(fd 3, \"data/sub\") -> dir 1 bytes, 2 links, \
             got fs.stat-at(fd 3, \"data/sub\") -> dir 4096 bytes, 2 links (45 calls matched)\n",
            recorded.journal.len()
        )
    );
    let inputs = recorded.inputs;
    assert_eq!((inputs.seed, inputs.name.as_deref()), (3, Some("fs_tree")));
    assert_eq!(inputs.env, ["LANG=C.UTF-8"]);
    assert_eq!(inputs.stdin_base64.as_deref(), Some("AP9iaW5hcnk="), "binary stdin stays base64");
    assert!(inputs.entry.iter().any(|e| e.path == "/fixture/hello.txt" && e.text.is_some()), "{inputs:?}");
}
