//! Faults: each kind strikes the call it names, in both worlds, and shows
//! in the report and the journal; the fired list replays the run; a draw
//! is the same on every run; and what cannot be faulted is refused.

use crate::support::{guest, harness};
use wasi_replay::{catalog, MemFs, Output, RunReport, Scenario, World};
use wasi_replay::faults::{FaultPlan, Fired};
use wasi_replay::host::Backend;

fn plan(entries: &[&str]) -> FaultPlan {
    let mut p = FaultPlan::default();
    for e in entries {
        p.push_text(e).unwrap_or_else(|e| panic!("{e}"));
    }
    p
}

/// `fs-ops` running `script` over a tree holding `data/in.txt`.
fn fs_ops(script: &str, world: World, faults: FaultPlan) -> RunReport {
    let mut fs = MemFs::new();
    fs.mkdir_p("/data").unwrap();
    fs.write_string("/data/in.txt", "0123456789").unwrap();
    let scenario = Scenario::new("fs-ops").fs(fs).stdin(script).faults(faults);
    harness().run(&guest("fs-ops", world), &scenario).unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(r: &RunReport) -> &str {
    match &r.stdout {
        Output::Text(t) => t,
        Output::Binary { .. } => panic!("binary stdout"),
    }
}

fn fired(r: &RunReport) -> Vec<(String, String)> {
    r.faults.as_ref().expect("a faults section").fired.iter().map(|Fired { fault, at }| (fault.clone(), at.clone())).collect()
}

const SCRIPT: &str = "open 0 \"a.txt\" c w f\n\
                      wstream 1 0 \"abcd\"\n\
                      open 0 \"data/b.txt\" c w f\n\
                      wstream 2 0 \"efgh\"\n\
                      open 0 \"data/in.txt\" - r f\n\
                      rstream 3 0\n\
                      sync 1\n\
                      rename 0 \"a.txt\" 0 \"c.txt\"\n";

/// Each filesystem kind fails the call it names with the code a full
/// disk or a failing device gives, in both worlds.
#[test]
fn filesystem_faults_strike_the_call_they_name() {
    for world in [World::P2, World::P3] {
        let clean = fs_ops(SCRIPT, world, FaultPlan::default());
        assert_eq!(clean.faults, None, "no plan, no faults section");
        assert!(!stdout(&clean).contains("err"), "{world}: the script runs clean:\n{}", stdout(&clean));

        let r = fs_ops(SCRIPT, world, plan(&["no-space#1@data/", "read-io#1", "sync-io#1", "rename-io#1@a.txt"]));
        let out = stdout(&r);
        assert!(out.contains("2 wstream: ok"), "{world}: the write outside data/ is not struck:\n{out}");
        assert!(out.contains("4 wstream: err insufficient-space"), "{world}:\n{out}");
        assert!(out.contains("6 rstream: err io"), "{world}:\n{out}");
        assert!(out.contains("7 sync: err io"), "{world}:\n{out}");
        assert!(out.contains("8 rename: err io"), "{world}:\n{out}");
        assert_eq!(
            fired(&r),
            [
                ("no-space#1@data/".to_string(), "fs.write data/b.txt".to_string()),
                ("read-io#1".to_string(), "fs.read data/in.txt".to_string()),
                ("sync-io#1".to_string(), "fs.sync a.txt".to_string()),
                ("rename-io#1@a.txt".to_string(), "fs.rename a.txt".to_string()),
            ],
            "{world}"
        );
        let tree: Vec<&str> = match &r.fs {
            wasi_replay::FsView::Tree(entries) => entries.iter().map(|e| e.path.as_str()).collect(),
            other => panic!("{other:?}"),
        };
        assert!(tree.contains(&"/a.txt") && !tree.contains(&"/c.txt"), "{world}: the failed rename left a.txt: {tree:?}");
    }
}

/// `no-space-after` lets its bytes in, then fails every later write.
#[test]
fn a_disk_fills_after_its_bytes() {
    let script = "open 0 \"a.txt\" c w f\nwstream 1 0 \"abcd\"\nwstream 1 4 \"efgh\"\nwstream 1 8 \"ij\"\n";
    for world in [World::P2, World::P3] {
        let r = fs_ops(script, world, plan(&["no-space-after=6"]));
        let out = stdout(&r);
        assert!(out.contains("2 wstream: ok"), "{world}:\n{out}");
        assert!(out.contains("3 wstream: err insufficient-space"), "{world}:\n{out}");
        assert!(out.contains("4 wstream: err insufficient-space"), "{world}:\n{out}");
        assert_eq!(fired(&r).len(), 1, "{world}: it strikes once, and stays struck");
    }
}

/// A short write through p2's `descriptor.write` takes half the bytes,
/// and says so; a p2 output stream cannot write short, so it is not struck.
#[test]
fn a_short_write_says_how_much_went_in() {
    let script = "open 0 \"a.txt\" c w f\nwrite 1 0 \"abcdef\"\nwstream 1 0 \"xyz\"\n";
    let r = fs_ops(script, World::P2, plan(&["short-write#1", "short-write#2"]));
    let out = stdout(&r);
    assert!(out.contains("2 write: ok wrote=3"), "{out}");
    assert!(out.contains("3 wstream: ok"), "{out}");
    assert_eq!(fired(&r), [("short-write#1".to_string(), "fs.write a.txt".to_string())]);
}

/// The fired list, given back as a plan, gives the same report; a rate's
/// strikes are listed by occurrence, so this holds for rates too.
#[test]
fn the_fired_faults_replay_the_run() {
    let script = (0..40).map(|i| format!("open 0 \"f{i}.txt\" c w f\nwstream {} 0 \"x\"\n", i + 1)).collect::<String>();
    for world in [World::P2, World::P3] {
        let r = fs_ops(&script, world, plan(&["no-space~0.3"]));
        let struck = fired(&r);
        assert!(struck.len() > 3 && struck.len() < 30, "{world}: a rate of 0.3 over 40 writes struck {}", struck.len());
        let again = fs_ops(&script, world, plan(&["no-space~0.3"]));
        assert_eq!(again.to_yaml(), r.to_yaml(), "{world}: a rate is decided by the seed, not by chance");
        let exact: Vec<&str> = struck.iter().map(|(f, _)| f.as_str()).collect();
        let replayed = fs_ops(&script, world, plan(&exact));
        assert_eq!(replayed.stdout, r.stdout, "{world}");
        assert_eq!(replayed.fs, r.fs, "{world}");
        assert_eq!(fired(&replayed), struck, "{world}");
        let other_seed = {
            let mut fs = MemFs::new();
            fs.mkdir_p("/data").unwrap();
    fs.write_string("/data/in.txt", "0123456789").unwrap();
            let s = Scenario::new("fs-ops").fs(fs).stdin(script.clone()).faults(plan(&["no-space~0.3"])).seed(1);
            harness().run(&guest("fs-ops", world), &s).unwrap()
        };
        assert_ne!(fired(&other_seed), struck, "{world}: another seed strikes other writes");
    }
}

/// A draw lands on calls the guest makes, is the same on every run, and
/// lists what it drew in the plan.
#[test]
fn a_drawn_plan_is_the_same_on_every_run() {
    let draw = |seed: u64| FaultPlan::from_parts(&[], Some(seed), Some("fs"), Some(2), ("s", "k", "c")).unwrap();
    for world in [World::P2, World::P3] {
        let a = fs_ops(SCRIPT, world, draw(7));
        let b = fs_ops(SCRIPT, world, draw(7));
        assert_eq!(a.to_yaml(), b.to_yaml(), "{world}");
        let f = a.faults.as_ref().unwrap();
        assert_eq!(f.drawn_from, Some(7));
        assert_eq!(f.plan.len(), 2, "{world}: two faults drawn: {:?}", f.plan);
        assert_eq!(f.fired.len(), 2, "{world}: every drawn fault lands: {:?}", f.plan);
        let seeds: std::collections::BTreeSet<Vec<String>> = (0..12).map(|s| fs_ops(SCRIPT, world, draw(s)).faults.unwrap().plan).collect();
        assert!(seeds.len() > 6, "{world}: twelve fault seeds drew {} plans", seeds.len());
    }
}

/// A journal shows each fault just before the call it changed.
#[test]
fn the_journal_shows_the_fault_before_the_call() {
    let mut fs = MemFs::new();
    fs.mkdir_p("/data").unwrap();
    fs.write_string("/data/in.txt", "0123456789").unwrap();
    let s = Scenario::new("fs-ops").fs(fs).stdin(SCRIPT).faults(plan(&["sync-io#1"])).journal(true);
    for world in [World::P2, World::P3] {
        let r = harness().run(&guest("fs-ops", world), &s).unwrap();
        let journal = r.journal.unwrap();
        let at = journal.iter().position(|l| l.ends_with("fault(sync-io#1) -> fs.sync a.txt")).unwrap_or_else(|| panic!("{journal:#?}"));
        assert!(journal[at + 1].ends_with("fs.sync(fd 4) -> io"), "{world}: {}", journal[at + 1]);
    }
}

/// HTTP faults: a status, a refused connection, a cut body and latency,
/// as the guest and the report see them.
#[test]
fn http_faults_answer_in_place_of_the_mocks() {
    let base = catalog::scenario("http-get").unwrap();
    for world in [World::P2, World::P3] {
        let g = guest("http-get", world);
        let run = |entries: &[&str]| harness().run(&g, &base.clone().faults(plan(entries))).unwrap();
        let clean = run(&[]);
        let r = run(&["http-503#1"]);
        assert_eq!(r.http[0].status, Some(503), "{world}");
        assert_eq!(r.http[0].rule.as_deref(), Some("fault"));
        assert_ne!(r.stdout, clean.stdout, "{world}: the guest saw the 503");
        let r = run(&["http-refused#1"]);
        assert_eq!(r.http[0].error.as_deref(), Some("connection-refused"), "{world}");
        let r = run(&["http-cut#1"]);
        assert_eq!(r.http[0].status, Some(200), "{world}");
        assert_ne!((&r.stdout, &r.fs), (&clean.stdout, &clean.fs), "{world}: the cut body changed what the guest did");
        let r = run(&["http-latency=3s#1"]);
        assert_eq!(r.elapsed_ns, clean.elapsed_ns + 3_000_000_000, "{world}: the answer came 3 s later in virtual time");
        assert_eq!(r.stdout, clean.stdout, "{world}");
    }
}

/// A wall clock stepped back or forward is seen by the guest from then on.
#[test]
fn the_wall_clock_steps_when_planned() {
    let base = catalog::scenario("clock-random").unwrap();
    for world in [World::P2, World::P3] {
        let g = guest("clock-random", world);
        let clean = harness().run(&g, &base).unwrap();
        let back = harness().run(&g, &base.clone().faults(plan(&["clock-back=1d#1"]))).unwrap();
        assert_eq!(fired(&back), [("clock-back=1d#1".to_string(), "clock.wall".to_string())], "{world}");
        assert_ne!(back.stdout, clean.stdout, "{world}: the guest printed the stepped time");
        let out = stdout(&back);
        assert!(out.contains("2023-12-31") || out.contains("1703980800"), "{world}: a day before 2024-01-01:\n{out}");
    }
}

/// Short stdin reads strike, and a guest that reads to the end is not
/// changed by them.
#[test]
fn short_stdin_reads_do_not_change_a_careful_reader() {
    let base = catalog::scenario("cli-io").unwrap();
    for world in [World::P2, World::P3] {
        let g = guest("cli-io", world);
        let clean = harness().run(&g, &base).unwrap();
        let short = harness().run(&g, &base.clone().faults(plan(&["stdin-short#1", "stdin-short#2"]))).unwrap();
        assert_eq!(fired(&short).len(), 2, "{world}");
        assert_eq!(short.stdout, clean.stdout, "{world}");
    }
}

/// What cannot be faulted is refused in one line.
#[test]
fn filesystem_faults_need_the_direct_backend_and_a_component() {
    let s = Scenario::new("fs-ops").fs(MemFs::new()).faults(plan(&["no-space#1"])).backend(Backend::Bridge);
    let e = harness().run(&guest("fs-ops", World::P2), &s).unwrap_err().to_string();
    assert_eq!(e, "fs_ops: faults: the bridge backend serves the filesystem through wasmtime-wasi, which cannot fail a call on cue; use the direct backend");
    let p1 = harness().load(catalog::component_path("fs-ops", World::P1)).unwrap();
    let e = harness().run(&p1, &Scenario::new("x").faults(plan(&["read-io#1"]))).unwrap_err().to_string();
    assert_eq!(e, "fs_ops: faults: a p1 module gets no filesystem faults (only components do)");
    // HTTP faults need no filesystem hook: the bridge takes them.
    let base = catalog::scenario("http-get").unwrap().backend(Backend::Bridge).faults(plan(&["http-503#1"]));
    let r = harness().run(&guest("http-get", World::P2), &base).unwrap();
    assert_eq!(r.http[0].status, Some(503));
}

/// A scenario file plans faults under `[faults]`, and a bad plan is an
/// error naming the file and the field.
#[test]
fn a_scenario_file_plans_faults() {
    use wasi_replay::cli_support::{NoGuests, ScenarioFile};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    let component = catalog::component_path("fs-ops", World::P2);
    let write = |faults: &str| {
        let text = format!(
            "components = [{:?}]\nstdin = \"open 0 \\\"a.txt\\\" c w f\\nwstream 1 0 \\\"x\\\"\\n\"\n[[preopen]]\n{faults}",
            component.display()
        );
        std::fs::write(&file, text).unwrap();
    };
    write("[faults]\nplan = [\"no-space#1\"]\nseed = 4\nkinds = [\"clock\"]\n");
    let loaded = ScenarioFile::load(&file, &NoGuests).unwrap_or_else(|e| panic!("{e}"));
    let plan = loaded.scenario.fault_plan();
    assert_eq!(plan.texts(), ["no-space#1"]);
    assert_eq!(plan.draw.as_ref().map(|d| (d.seed, d.count, d.kinds.len())), Some((4, 1, 2)));
    let r = harness().run(&guest("fs-ops", World::P2), &loaded.scenario).unwrap();
    assert!(stdout(&r).contains("2 wstream: err insufficient-space"), "{}", stdout(&r));
    // fs-ops reads no clock, so the draw among clock kinds finds nothing.
    assert_eq!(r.faults.unwrap().plan, ["no-space#1"]);
    let refused = |faults: &str| {
        write(faults);
        ScenarioFile::load(&file, &NoGuests).unwrap_err().to_string()
    };
    let e = refused("[faults]\nplan = [\"no-space#0\"]\n");
    assert!(e.ends_with("field `faults.plan`: fault `no-space#0`: `#0` is not an occurrence (1, 2, …)"), "{e}");
    let e = refused("[faults]\ncount = 2\n");
    assert!(e.ends_with("field `faults.count`: it says what to draw, and there is no `faults.seed` to draw from"), "{e}");
    let e = refused("[faults]\nseed = 1\nkinds = [\"disk\"]\n");
    assert!(e.contains("field `faults.kinds`: `disk` is no fault kind"), "{e}");
}

/// A plan survives the recorded inputs a journal file and an emitted
/// scenario carry, and the inputs read back give the same report.
#[test]
fn a_plan_is_kept_with_the_recorded_inputs() {
    let mut fs = MemFs::new();
    fs.mkdir_p("/data").unwrap();
    fs.write_string("/data/in.txt", "0123456789").unwrap();
    let faults = FaultPlan::from_parts(&["sync-io#1".to_string(), "no-space~0.5".to_string()], Some(3), Some("fs"), Some(1), ("s", "k", "c")).unwrap();
    let scenario = Scenario::new("fs-ops").fs(fs).stdin(SCRIPT).faults(faults);
    let recorded = wasi_replay::cli_support::ScenarioText::of(&scenario);
    let text = serde_yaml_ng::to_string(&recorded).unwrap();
    assert!(text.contains("faults:\n  plan:\n  - sync-io#1\n  - no-space~0.5\n  seed: 3\n  kinds:\n"), "{text}");
    let back: wasi_replay::cli_support::ScenarioText = serde_yaml_ng::from_str(&text).unwrap();
    let again = back.build(wasi_replay::cli_support::Origin::inline()).unwrap();
    assert_eq!(again.fault_plan(), scenario.fault_plan());
    let g = guest("fs-ops", World::P2);
    assert_eq!(harness().run(&g, &again).unwrap().to_yaml(), harness().run(&g, &scenario).unwrap().to_yaml());
}
