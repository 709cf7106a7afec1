//! Fidelity: the direct backend answers every filesystem call as stock
//! wasmtime-wasi over a real directory (the bridge) does. Scripts of
//! operations are generated, run by the `fs-ops` guest on both backends in
//! p1, p2 and p3 over the same fixture, and compared line by line; the
//! final trees must be equal too.
//!
//! The comparison masks exactly the differences in [`script::ALLOWED`],
//! each for a reason, and nothing else. The generator and the runner are in
//! `script.rs`, which `examples/fidelity-survey.rs` shares.

use crate::support::{guest, harness, proptest_config, text_diff};
use proptest::prelude::*;
use wasi_replay::{Output, World};
use wasi_replay::host::Backend;

pub(crate) mod script;
use script::*;

/// Runs `script` on both backends in `world`: the unified diff of their
/// comparable reports, or `None` when they answer alike.
fn difference(script: &str, world: World) -> Option<String> {
    let (direct, bridge) = (run(script, world, Backend::Direct), run(script, world, Backend::Bridge));
    let diff = text_diff("direct", &comparable(&direct), "bridge", &comparable(&bridge))?;
    Some(format!("fs-ops ({world}) reports for the script\n{script}\ndiffer:\n{diff}"))
}

/// Panics with the diff when the backends answer `script` differently.
fn check(script: &str, world: World) {
    if let Some(diff) = difference(script, world) {
        panic!("{diff}");
    }
}

// ----- script generation

proptest! {
    #![proptest_config(proptest_config(2000, 0x5eed_f1de))]

    #[test]
    fn the_direct_backend_answers_as_the_bridge_does(s in script()) {
        for world in WORLDS {
            let diff = difference(&s, world);
            prop_assert!(diff.is_none(), "{}", diff.unwrap_or_default());
        }
    }
}

// ----- the cases the issue names, one script each

#[test]
fn directories_opened_by_the_guest_keep_the_preopens_rights() {
    let s = "open 0 \".\" d - f\nflags 2\nmkdir 2 \"sub\"\nopen 2 \"sub/f.txt\" c w f\n\
             open 1 \".\" d - f\nflags 4\nmkdir 4 \"sub\"\nopen 4 \"r.txt\" - w f\n";
    for world in WORLDS {
        check(s, world);
        let out = masked(&run(s, world, Backend::Direct));
        assert!(out.contains("3 mkdir: ok\n4 open: ok fd 3"), "{out}");
        let denied = named("not-permitted", world);
        assert!(out.contains(&format!("7 mkdir: err {denied}\n8 open: err {denied}")), "{out}");
    }
}

#[test]
fn the_cases_of_the_fidelity_issue_answer_as_wasmtime_does() {
    // Each line with the answer stock wasmtime-wasi gives; `check` also
    // compares the whole run with the bridge.
    let cases = [
        ("open 0 \"d\" d - f", "ok fd 2"),
        ("flags 2", "ok read"),
        ("stat-at 0 \"\" f", "err no-entry"),
        ("open 0 \"\" - r f", "err no-entry"),
        ("mkdir 0 \"\"", "err no-entry"),
        ("unlink 0 \"\"", "err no-entry"),
        ("link 0 \"\" n 0 \"x\"", "err no-entry"),
        ("hash-at 0 \"\" f", "err no-entry"),
        ("open 2 \"../a.txt\" - r f", "err not-permitted"),
        ("advise 2 0 0", "err bad-descriptor"),
        ("open 0 \"a.txt\" - rw f", "ok fd 3"),
        ("read 3 5 18446744073709551615", "err invalid"),
        ("write 3 18446744073709551615 \"x\"", "err invalid"),
        ("advise 3 18446744073709551615 1", "ok"),
        ("advise 3 0 18446744073709551615", "err invalid"),
        ("size 3 18446744073709551615", "err invalid"),
        ("size 3 9223372036854775807", "err file-too-large"),
        ("write 3 9223372036854775807 \"x\"", "err invalid"),
        ("write 3 9223372036854775806 \"x\"", "err file-too-large"),
        ("write 3 9223372036854775807 \"\"", "ok wrote=0"),
        ("open 1 \"r.txt\" - w f", "err not-permitted"),
        ("rename 1 \"r.txt\" 0 \"x\"", "err not-permitted"),
        ("link 1 \"r.txt\" n 0 \"x\"", "err not-permitted"),
        ("open 1 \"r.txt\" - r f", "ok fd 4"),
        // p1 has no write stream: fs-ops seeks and calls `fd_write`, which
        // the host kernel refuses on a descriptor opened for reading.
        ("wstream 4 0 \"x\"", "err not-permitted|badf"),
        ("size 4 0", "err not-permitted"),
        ("times 4 - -", "err not-permitted"),
    ];
    let script: String = cases.iter().map(|(line, _)| format!("{line}\n")).collect();
    for world in WORLDS {
        check(&script, world);
        let report = run(&script, world, Backend::Direct);
        let Output::Text(out) = &report.stdout else { panic!("binary stdout") };
        for ((line, want), got) in cases.iter().zip(out.lines()) {
            let got = got.split_once(": ").map_or(got, |(_, r)| r);
            // `answer|p1 errno` where p1 answers otherwise.
            let (want, p1) = want.split_once('|').map_or((*want, None), |(w, p1)| (w, Some(p1)));
            let want = match (world, p1, want.strip_prefix("err ")) {
                (World::P1, Some(p1), _) => format!("err {p1}"),
                (_, _, Some(code)) => format!("err {}", named(code, world)),
                _ => want.to_string(),
            };
            assert_eq!(got, want, "{world}: {line}");
        }
    }
}

/// A time before 1970 set in p3 is kept as ext4 keeps it (and one before
/// 1901 clamped to 1901-12-13T20:45:52Z); p1 and p2 cannot say one.
#[test]
fn times_before_1970_are_kept_as_ext4_keeps_them() {
    let s = "times-at 0 \"a.txt\" f -86400 -4000000000\nstat-at 0 \"a.txt\" f\n";
    for world in WORLDS {
        check(s, world);
    }
    let Output::Text(out) = run(s, World::P3, Backend::Direct).stdout else { panic!("binary stdout") };
    assert!(out.contains("a=-86400.000000000 m=-2147483648.000000000"), "{out}");
}

#[test]
fn the_masks_hide_real_differences_only() {
    // Clock readings differ on every run; without the masks the backends
    // disagree, with them they agree.
    let s = "stat 0\nstat-at 0 \"d\" f\nstat-at 0 \"a.txt\" f\n";
    for world in WORLDS {
        let (d, b) = (run(s, world, Backend::Direct), run(s, world, Backend::Bridge));
        assert_ne!(d.stdout, b.stdout, "{world}: nothing to mask ({ALLOWED:?})");
        assert_eq!(masked(&d), masked(&b), "{world}");
        // A timestamp a script sets is compared, never masked.
        assert!(mask_line("1 stat: ok file size=5 nlink=1 a=0.000000000 m=4096.000000000 c=1.0").contains("m=4096."));
        // A clock reading keeps whether it has a sub-second part.
        let (whole, fine) = ("1 stat: ok file m=1704067200.000000000", "1 stat: ok file m=1704067200.183047291");
        assert_ne!(mask_line(whole), mask_line(fine));
        // On ext4 a directory's size is compared.
        let dir = "1 stat: ok dir size=4096 nlink=2";
        assert_eq!(mask_line(dir) == dir, bridge_on_ext4());
    }
}
