//! `diff`: two builds, or one component on both hosts.

use super::*;

/// Faults from the command line: exact ones strike and are listed, a draw
/// is listed with its seed, and a bad fault is one line naming it.
#[test]
fn diff_of_the_p2_and_p3_builds_is_empty() {
    for name in catalog::SCENARIOS {
        let tree = catalog::scenarios_dir().join("tree");
        // A library runs only with calls; these read the seed and the clock.
        let calls: &[&str] = match *name {
            n if catalog::LIBRARIES.contains(&n) => &["--invoke", "roll(6)", "--invoke", "now()"],
            n if catalog::HANDLERS.contains(&n) => &["--request", "/now", "--request", "POST /echo"],
            _ => &[],
        };
        let out = cli().arg("diff").arg(p2(name)).arg(p3(name)).arg("--fs").arg(&tree).args(calls).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn diff_of_one_p2_component_runs_it_on_both_hosts() {
    let out = cli().arg("diff").arg(p2("clock-random")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains("(p3 host)"));
}

#[test]
fn diff_of_different_guests_is_a_unified_diff_and_exits_1() {
    let out = cli().arg("diff").arg(p2("exit-code")).arg(p3("trap")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("--- "), "{text}");
    assert!(text.contains("-  status: 3") && text.contains("+  trap:"), "{text}");
    assert!(!text.contains("\x1b["), "no colors off a terminal");
}

#[test]
fn diff_of_one_p3_component_asks_for_the_p2_build() {
    let c = p3("fs-tree");
    bad_input(&["diff", c.to_str().unwrap()], "give its p2 build");
}
