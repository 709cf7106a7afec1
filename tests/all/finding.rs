//! The bug-finding catalog (`scenarios/explore/`) and perturbations: the
//! latent fault bug is found and shrunk to one fault, the robust guest is
//! one class, and `--perturb` names the readdir order the third guest
//! depends on, where exploring over seeds cannot see it.

use crate::support::{guest, harness};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasi_replay::{catalog, explore, perturb, Suite, Update, World};
use wasi_replay::explore::Exploration;
use wasi_replay::perturb::{Perturbation, Verdict};
use wasi_replay::cli_support::{CaseOutcome, ScenarioFile};

fn file(name: &str) -> ScenarioFile {
    let path = catalog::scenarios_dir().join(catalog::scenario_file(name));
    ScenarioFile::load(&path, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}"))
}

fn explored(name: &str, world: World) -> Exploration {
    let f = file(name);
    let spec = f.explore.as_ref().unwrap_or_else(|| panic!("{name} has no [explore]"));
    explore::explore(harness(), &guest(name, world), &f.scenario, &spec.config(2)).unwrap_or_else(|e| panic!("{e}"))
}

/// `fault-latent` passes its own run; exploring finds a panic, and the
/// panic's seed needs exactly one fault: the index write's.
#[test]
fn the_latent_bug_is_found_and_shrunk_to_one_fault() {
    for world in [World::P2, World::P3] {
        let found = explored("fault-latent", world);
        let table = found.show();
        assert_eq!(found.classes.len(), 2, "{world}: a clean class and the panic:\n{table}");
        let (clean, panic) = (&found.classes[0], &found.classes[1]);
        assert_eq!(clean.exit, "status 0", "{world}:\n{table}");
        assert!(panic.exit.starts_with("trap: "), "{world}:\n{table}");
        assert_eq!(panic.minimal.len(), 1, "{world}: one fault gives the panic:\n{table}");
        assert!(panic.minimal[0].starts_with("no-space#"), "{world}:\n{table}");
        assert_eq!(panic.struck.len(), 2, "{world}: a retried fault struck too, and shrinking dropped it:\n{table}");
        // The fault that panics is the index write: with only it, the
        // guest exported every record and then failed.
        let g = guest("fault-latent", world);
        let base = file("fault-latent").scenario;
        let report = harness().run(&g, &explore::replay_scenario(&base, panic.first_seed, &panic.minimal)).unwrap();
        assert_eq!(explore::class_of(&report), (panic.exit.clone(), panic.output.clone()), "{world}");
        let text = |o: &wasi_replay::Output| match o {
            wasi_replay::Output::Text(t) => t.clone(),
            other => panic!("{other:?}"),
        };
        assert!(text(&report.stdout).contains("exported gamma"), "{world}: {:?}", report.stdout);
        assert!(text(&report.stderr).contains("write the index"), "{world}: {:?}", report.stderr);
        // Clean runs had faults too, which the retries absorbed.
        assert_eq!(clean.minimal, Vec::<String>::new(), "{world}: the seed alone gives the clean class");
    }
}

/// `fault-robust` gives one class under two transient filesystem faults
/// per seed, though the faults did strike.
#[test]
fn the_robust_guest_is_one_class_under_faults() {
    for world in [World::P2, World::P3] {
        let found = explored("fault-robust", world);
        assert_eq!(found.classes.len(), 1, "{world}:\n{}", found.show());
        let class = &found.classes[0];
        assert_eq!(class.exit, "status 0");
        assert_eq!(class.struck.len(), 2, "{world}: both drawn faults struck at the first seed:\n{}", found.show());
        assert!(class.minimal.is_empty(), "{world}: no fault is needed for the class");
    }
}

/// `readdir-order` is one class over seeds, and `perturb` names the
/// readdir order, with what stdout was and became; the guests that sort
/// or never list hold under every perturbation.
#[test]
fn perturbations_name_the_order_a_guest_depends_on() {
    for world in [World::P2, World::P3] {
        assert_eq!(explored("readdir-order", world).classes.len(), 1, "{world}");
        let f = file("readdir-order");
        let outcomes = perturb::perturb(harness(), &guest("readdir-order", world), &f.scenario, None, &[], 3).unwrap();
        let lines: Vec<String> = outcomes.iter().map(|o| o.line()).collect();
        let changed: Vec<Perturbation> = outcomes.iter().filter(|o| o.failed()).map(|o| o.perturbation).collect();
        assert_eq!(changed, [Perturbation::ReaddirOrder], "{world}: {lines:#?}");
        let Verdict::Changed { variant, field, plain, perturbed, .. } = &outcomes[0].verdict else { unreachable!() };
        assert_eq!((*variant, field.as_str()), (1, "stdout"), "{world}: reversing the listing is variant 1");
        assert!(plain.contains("merging ana.txt\n  merging bo.txt"), "{world}: {plain}");
        assert!(perturbed.contains("merging cy.txt\n  merging bo.txt"), "{world}: {perturbed}");
        // Allowed, it is still run and shown, but does not fail.
        let allowed = perturb::perturb(harness(), &guest("readdir-order", world), &f.scenario, None, &[Perturbation::ReaddirOrder], 3).unwrap();
        assert!(allowed.iter().all(|o| !o.failed()), "{world}");
        assert!(allowed[0].line().ends_with("(allowed)"), "{}", allowed[0].line());

        for name in ["fs-tree", "fault-robust"] {
            let scenario = if name == "fs-tree" { catalog::scenario(name).unwrap() } else { file(name).scenario };
            let outcomes = perturb::perturb(harness(), &guest(name, world), &scenario, None, &[], 3).unwrap();
            assert!(outcomes.iter().all(|o| !o.failed()), "{name} ({world}): {:#?}", outcomes.iter().map(|o| o.line()).collect::<Vec<_>>());
            assert!(matches!(outcomes[0].verdict, Verdict::Held { variants: 3 }), "{name} ({world}) lists a directory");
        }
    }
}

/// `host-values` gives what other production hosts give. `mail-index`,
/// which sizes an index from a directory's size, holds over seeds (one
/// class) and loses a message under tmpfs's sizes (variant 1), and only
/// under that perturbation; each variant's values reach the guest as
/// `fs-semantics` prints them.
#[test]
fn host_values_find_a_guest_that_trusts_a_directory_size() {
    for world in [World::P2, World::P3] {
        assert_eq!(explored("mail-index", world).classes.len(), 1, "{world}");
        let f = file("mail-index");
        let outcomes = perturb::perturb(harness(), &guest("mail-index", world), &f.scenario, None, &[], 3).unwrap();
        let lines: Vec<String> = outcomes.iter().map(|o| o.line()).collect();
        let changed: Vec<Perturbation> = outcomes.iter().filter(|o| o.failed()).map(|o| o.perturbation).collect();
        assert_eq!(changed, [Perturbation::HostValues], "{world}: {lines:#?}");
        let o = outcomes.iter().find(|o| o.perturbation == Perturbation::HostValues).unwrap();
        let Verdict::Changed { variant, field, plain, perturbed, .. } = &o.verdict else { unreachable!() };
        assert_eq!((*variant, field.as_str()), (1, "stdout"), "{world}: tmpfs is variant 1");
        assert!(plain.contains("indexed 5 messages") && perturbed.contains("indexed 4 messages"), "{world}: {plain} / {perturbed}");
    }
    let semantics = catalog::scenario("fs-semantics").unwrap();
    let g = guest("fs-semantics", World::P3);
    let line = |v: u64, label: &str| {
        let r = harness().run(&g, &Perturbation::HostValues.apply(&semantics, v)).unwrap();
        let wasi_replay::Output::Text(out) = r.stdout else { panic!("binary stdout") };
        out.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no {label}")).rsplit_once(": ").unwrap().1.to_string()
    };
    // An empty directory, and one that had twenty 200-byte names.
    assert_eq!((line(1, "one block"), line(1, "never shrinks")), ("Ok(40)".into(), "Ok(40)".into()), "tmpfs");
    assert_eq!((line(2, "one block"), line(3, "one block")), ("Ok(0)".into(), "Ok(0)".into()), "btrfs, whole seconds");
    assert_eq!(line(2, "carry nanoseconds"), "(true, true)", "microseconds keep a sub-second part here");
    assert_eq!(line(3, "carry nanoseconds"), "(false, false)", "whole seconds");
}

/// `host-values` holds on the rest of the catalog: only `fs-semantics`,
/// which prints directory sizes and whether times carry nanoseconds on
/// purpose, notices it.
#[test]
fn host_values_hold_on_the_rest_of_the_catalog() {
    let only = [Perturbation::HostValues];
    for world in [World::P2, World::P3] {
        let mut noticed = Vec::new();
        for name in catalog::SCENARIOS.iter().chain(["fault-robust", "fault-latent", "readdir-order"].iter()) {
            let scenario = if catalog::SCENARIOS.contains(name) { catalog::scenario(name).unwrap() } else { file(name).scenario };
            let o = perturb::perturb(harness(), &guest(name, world), &scenario, Some(&only), &[], 3).unwrap();
            if o[0].failed() {
                noticed.push(*name);
            }
        }
        assert_eq!(noticed, ["fs-semantics"], "{world}");
    }
}

/// Each perturbation reaches the guest: env order, the wall clock's start,
/// the insecure seed, stdin chunking and response order each change the
/// report of a catalog guest that shows them, and journals give the
/// first divergence.
#[test]
fn every_perturbation_reaches_the_guest() {
    let world = World::P2;
    // cli-io echoes its environment in order, and reads stdin.
    let cli = catalog::scenario("cli-io").unwrap();
    let only = [Perturbation::EnvOrder];
    let o = perturb::perturb(harness(), &guest("cli-io", world), &cli, Some(&only), &[], 3).unwrap();
    assert!(matches!(&o[0].verdict, Verdict::Changed { field, .. } if field == "stdout"), "{:?}", o[0].verdict);
    // clock-random prints the wall clock and insecure random values.
    let clock = catalog::scenario("clock-random").unwrap().journal(true);
    let only = [Perturbation::WallStart, Perturbation::InsecureSeed];
    let o = perturb::perturb(harness(), &guest("clock-random", world), &clock, Some(&only), &[], 3).unwrap();
    for outcome in &o {
        let Verdict::Changed { divergence, .. } = &outcome.verdict else { panic!("{}", outcome.line()) };
        let divergence = divergence.as_deref().unwrap_or_else(|| panic!("{}: no divergence", outcome.line()));
        assert!(divergence.starts_with("diverged at call "), "{divergence}");
        assert!(outcome.detail().starts_with(divergence), "{}", outcome.detail());
    }
    // cli-io reads stdin to its end, so chunking holds, though every
    // read of variant 1 came back short.
    let only = [Perturbation::Chunking];
    let o = perturb::perturb(harness(), &guest("cli-io", world), &cli, Some(&only), &[], 3).unwrap();
    assert!(matches!(o[0].verdict, Verdict::Held { variants: 3 }), "{}", o[0].line());
    let chunked = harness().run(&guest("cli-io", world), &Perturbation::Chunking.apply(&cli, 1)).unwrap();
    let fired = chunked.faults.as_ref().map_or(0, |f| f.fired.iter().filter(|x| x.fault.starts_with("stdin-short#")).count());
    assert!(fired >= 1, "chunking split stdin: {:?}", chunked.faults);
    // Completion order delays the n-th response in virtual time, which
    // is set aside with the perturbation's fault.
    let get = catalog::scenario("http-get").unwrap();
    let plain = harness().run(&guest("http-get", World::P3), &get).unwrap();
    let late = harness().run(&guest("http-get", World::P3), &Perturbation::CompletionOrder.apply(&get, 1)).unwrap();
    assert_eq!(late.elapsed_ns, plain.elapsed_ns + 100_000_000, "the first response came 100 ms later");
    assert_eq!((late.stdout, late.fs), (plain.stdout, plain.fs));
    // fs-tree has no stdin, env or HTTP: those do not run.
    let o = perturb::perturb(harness(), &guest("fs-tree", world), &catalog::scenario("fs-tree").unwrap(), None, &[], 1).unwrap();
    let idle: Vec<String> = o.iter().filter(|o| matches!(o.verdict, Verdict::Idle(_))).map(|o| o.line()).collect();
    assert_eq!(idle, [
        "env-order: not run: fewer than two environment variables",
        "chunking: not run: no stdin and no HTTP requests",
        "completion-order: not run: fewer than two HTTP requests",
    ]);
}

fn wasi_replay_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasi-replay"))
}

fn mail() -> PathBuf {
    catalog::scenarios_dir().join("explore/mail")
}

/// `check --perturb` through the CLI: the readdir order fails the check
/// and is named, an allowed one does not fail it, and a bad name is one
/// line with exit 2.
#[test]
fn check_perturb_names_the_perturbation() {
    harness();
    let component = catalog::component_path("readdir-order", World::P3);
    let check = |extra: &[&str]| {
        let mut cmd = wasi_replay_bin();
        cmd.arg("check").arg(&component).arg("--runs").arg("2").arg("--dir").arg(mail()).args(extra);
        cmd.output().unwrap()
    };
    let out = check(&["--perturb"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("readdir-order: changed `stdout` (variant 1)\n"), "{stdout}");
    assert!(stdout.contains("`stdout` without readdir-order:\n"), "{stdout}");
    // With --html, the page is the plain run and the perturbed one side
    // by side, their journals marked where they part.
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("check.html");
    let out = check(&["--perturb", "--journal", "--html", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("<title>the plain run and readdir-order, variant 1</title>"), "{text}");
    assert!(text.contains("data-mark=\""), "no call marked where the journals part");
    let out = check(&["--perturb", "--allow-perturb", "readdir-order"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("readdir-order: changed `stdout` (variant 1) (allowed)\n"));
    let out = check(&["--perturb", "--allow-perturb", "disk-order"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--allow-perturb: no perturbation `disk-order` (there are: readdir-order, env-order"), "{stderr}");
}

fn scenario_dir(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["mail", "records"] {
        copy_dir(&catalog::scenarios_dir().join("explore").join(fixture), &dir.path().join(fixture));
    }
    std::fs::write(dir.path().join("case.toml"), toml).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// In a scenario file, `perturb = true` fails the case on a perturbation
/// it does not allow, `allow-perturb` lets it pass, and `one-class` fails
/// an exploration of more than one class; bad values are one-line errors.
#[test]
fn scenario_files_ask_for_perturbations_and_one_class() {
    harness();
    let suite = Suite::new().guests(catalog::Catalog).update(Update::Accept);
    let run = |toml: &str| {
        let dir = scenario_dir(toml);
        let files = suite.load([dir.path().join("case.toml")]).unwrap_or_else(|e| panic!("{e}"));
        let cases = Suite::cases(&files);
        let results: Vec<_> = cases.iter().map(|c| suite.run_case(harness(), c)).collect();
        (dir, results)
    };
    let head = "guest = \"readdir-order\"\nworlds = [\"p2\"]\nfixture = \"mail\"\n";
    let (_dir, r) = run(&format!("{head}perturb = true\n"));
    let CaseOutcome::Perturbed { lines, detail } = &r[0].outcome else { panic!("{:?}", r[0].outcome) };
    assert_eq!(lines[0], "readdir-order: changed `stdout` (variant 1)");
    assert!(detail.contains("under readdir-order (variant 1)"), "{detail}");
    assert!(r[0].explain().unwrap().contains("a perturbation the scenario does not allow changed the report"));
    let (_dir, r) = run(&format!("{head}perturb = true\nallow-perturb = [\"readdir-order\"]\n"));
    assert!(r[0].passed(), "{:?}", r[0].explain());

    let latent = "guest = \"fault-latent\"\nworlds = [\"p2\"]\nfixture = \"records\"\n[explore]\nseeds = \"0..32\"\nfaults = 2\nkinds = [\"no-space\", \"read-io\"]\n";
    let (dir, r) = run(latent);
    assert!(r[0].passed(), "{:?}", r[0].explain());
    let golden = std::fs::read_to_string(dir.path().join("case.p2.explore.snap")).unwrap();
    assert!(golden.contains("class 2: --seed "), "{golden}");
    let (_dir, r) = run(&format!("{latent}one-class = true\n"));
    let CaseOutcome::NotOneClass { classes: 2, shown } = &r[0].outcome else { panic!("{:?}", r[0].outcome) };
    assert!(shown.starts_with("fault_latent over seeds 0..32: 32 runs, 2 classes"), "{shown}");

    for (toml, message) in [
        (format!("{head}allow-perturb = [\"disk-order\"]\n"), "field `allow-perturb`: no perturbation `disk-order`"),
        (format!("{head}[explore]\nseeds = \"9..3\"\n"), "field `explore.seeds`: `9..3` is not A..B with A < B"),
        (format!("{head}[explore]\nseeds = \"0..3\"\nkinds = [\"fs\"]\n"), "field `explore.kinds`: there are no faults to draw"),
    ] {
        let dir = scenario_dir(&toml);
        let e = suite.load([dir.path().join("case.toml")]).unwrap_err().to_string();
        assert!(e.contains(message), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}
