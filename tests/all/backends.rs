//! The direct backend against the bridge: every catalog guest, in both
//! worlds, must leave the same report on both, except where the bridge
//! leaks the host. Those places are listed here, each with its reason.

use crate::support::{assert_same_text, guest, harness};
use wasi_replay::{catalog, Output, RunReport, World};
use wasi_replay::catalog::SCENARIOS;
use wasi_replay::host::Backend;

/// `fs-semantics` check labels whose output differs on the bridge, and why.
const BRIDGE_DIFFERS: &[(&str, &str)] = &[
    ("set-times-at now is the wall clock", "the bridge stamps `now` with the host's real clock"),
    ("read-directory order", "the bridge lists entries in the host filesystem's order"),
    ("write past the byte quota", "the bridge writes through the host, which knows no MemFs quota"),
];

/// The report with the backend and the listed stdout lines set aside, and
/// directory sizes too where the bridge's tempdir is not on ext4, whose
/// sizes the direct backend gives.
fn comparable(report: &RunReport) -> String {
    let mut r = report.without_backend();
    if let Output::Text(text) = &r.stdout {
        let ext4 = crate::fidelity::script::bridge_on_ext4();
        let kept: Vec<&str> = text
            .lines()
            .filter(|line| !BRIDGE_DIFFERS.iter().any(|(label, _)| line.contains(&format!(" {label}: "))))
            .filter(|line| ext4 || !line.contains(" directory size: "))
            .collect();
        r.stdout = Output::Text(kept.join("\n"));
    }
    r.to_yaml()
}

fn run(name: &str, world: World, backend: Backend) -> RunReport {
    let scenario = catalog::scenario(name).unwrap().backend(backend);
    harness().run(&guest(name, world), &scenario).unwrap()
}

#[test]
fn every_catalog_guest_leaves_the_same_report_on_both_backends() {
    for name in SCENARIOS {
        for world in [World::P2, World::P3] {
            let direct = run(name, world, Backend::Direct);
            let bridge = run(name, world, Backend::Bridge);
            assert_eq!((direct.backend, bridge.backend), (Backend::Direct, Backend::Bridge));
            assert_same_text(
                &format!("{name} ({world}) on the two backends"),
                "direct",
                &comparable(&direct),
                "bridge",
                &comparable(&bridge),
            );
        }
    }
}

#[test]
fn the_listed_differences_are_real() {
    // Each exception must still name a line the semantics guest prints, and
    // the direct backend must give the virtual kernel's answer there.
    let direct = run("fs-semantics", World::P2, Backend::Direct);
    let Output::Text(text) = &direct.stdout else { panic!("binary stdout") };
    for (label, why) in BRIDGE_DIFFERS {
        assert!(text.lines().any(|l| l.contains(&format!(" {label}: "))), "{label} ({why})");
    }
    assert!(text.contains("set-times-at now is the wall clock: Ok(true)"));
    assert!(text.contains("read-directory order: [\"a.txt:file\", \"e:dir\", \"link:symlink\"]"));
    assert!(text.contains("write past the byte quota: \"insufficient-space\""));
}

#[test]
fn the_semantics_guest_runs_at_least_forty_checks() {
    let report = run("fs-semantics", World::P3, Backend::Direct);
    let Output::Text(text) = &report.stdout else { panic!("binary stdout") };
    let checks = text.lines().filter(|l| l.as_bytes().first().is_some_and(u8::is_ascii_digit)).count();
    assert!(checks > 40, "{checks} checks");
}

/// The direct backend never asks for a tempdir or touches a host file: the
/// CLI runs the catalog with TMPDIR pointing nowhere and an empty working
/// directory, and both stay as they were. The bridge, which needs a
/// tempdir, fails the same way.
#[test]
fn the_direct_backend_creates_no_tempdir_and_no_host_file() {
    harness();
    let cwd = tempfile::tempdir().unwrap();
    let nowhere = cwd.path().join("no-such-tmp");
    let run_cli = |name: &str, world: World, backend: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wasi-replay"))
            .current_dir(cwd.path())
            .env("TMPDIR", &nowhere)
            .arg("run")
            .arg(catalog::component_path(name, world))
            .arg("--dir")
            .arg(format!("{}::/", catalog::scenarios_dir().join("tree").display()))
            .args(["--backend", backend])
            .args(match name {
                n if catalog::LIBRARIES.contains(&n) => &["--invoke", "add(2)"][..],
                n if catalog::HANDLERS.contains(&n) => &["--request", "/hello"][..],
                _ => &[],
            })
            .output()
            .unwrap()
    };
    for name in SCENARIOS {
        for world in [World::P2, World::P3] {
            let out = run_cli(name, world, "direct");
            assert_eq!(out.status.code(), Some(0), "{name} {world}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    assert!(!nowhere.exists());
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0, "no host file appeared");
    let out = run_cli("fs-tree", World::P2, "bridge");
    assert_eq!(out.status.code(), Some(2), "the bridge needs a tempdir");
}
