//! Fidelity: the direct backend answers every filesystem call as stock
//! wasmtime-wasi over a real directory (the bridge) does. Scripts of
//! operations are generated, run by the `fs-ops` guest on both backends in
//! p1, p2 and p3 over the same fixture, and compared line by line; the
//! final trees must be equal too.
//!
//! The comparison masks exactly the differences in [`ALLOWED`], each for a
//! reason, and nothing else.

use crate::support::{guest, harness, proptest_config, text_diff};
use proptest::prelude::*;
use std::sync::OnceLock;
use wasi_replay::harness::Guest;
use wasi_replay::host::{Backend, Preopen};
use wasi_replay::memfs::MemFs;
use wasi_replay::World;
use wasi_replay::report::{Output, RunReport};
use wasi_replay::scenario::Scenario;

/// What may differ between the backends, and why. [`masked`] applies them.
pub const ALLOWED: &[(&str, &str)] = &[
    (
        "clock readings",
        "a timestamp the host stamped itself (creation, a write, `now`) comes from the \
         virtual clock on the direct backend and from the real clock on the bridge; \
         timestamps a guest set to a value are compared",
    ),
    ("read-directory order", "the bridge lists entries in the host filesystem's order; MemFs in name order"),
    ("directory sizes", "a directory's size is the host filesystem's business (ext4 says 4096)"),
    (
        "access times",
        "the bridge's follow the host's mount options (relatime refreshes an access time older than \
         the file's change on the next read); MemFs changes one only when asked to",
    ),
    ("metadata-hash values", "the bridge hashes host device and inode numbers; fs-ops prints only whether a hash was given"),
];

/// One output line with the allowed differences masked.
fn mask_line(line: &str) -> String {
    let Some((head, rest)) = line.split_once(": ok ") else { return line.to_string() };
    if head.ends_with(" readdir") {
        let mut entries: Vec<&str> = rest.split(' ').collect();
        entries.sort_unstable();
        return format!("{head}: ok {}", entries.join(" "));
    }
    if !(head.ends_with(" stat") || head.ends_with(" stat-at")) {
        return line.to_string();
    }
    let is_dir = rest.starts_with("dir ");
    let words: Vec<String> = rest
        .split(' ')
        .map(|w| match w.split_once('=') {
            Some(("size", _)) if is_dir => "size=<dir>".to_string(),
            Some(("a", _)) => "a=<atime>".to_string(),
            Some((t @ ("m" | "c"), value)) if is_clock_reading(value) => format!("{t}=<clock>"),
            _ => w.to_string(),
        })
        .collect();
    format!("{head}: ok {}", words.join(" "))
}

/// Seconds in 2001..2286: what a clock says, never one of the values a
/// script sets (those come from [`TIMES`]).
fn is_clock_reading(value: &str) -> bool {
    let secs: u64 = value.split('.').next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (1_000_000_000..10_000_000_000).contains(&secs)
}

fn masked(report: &RunReport) -> String {
    match &report.stdout {
        Output::Text(t) => t.lines().map(mask_line).collect::<Vec<_>>().join("\n"),
        other => format!("{other:?}"),
    }
}

/// The whole report with the backend set aside and stdout masked: exit,
/// stderr and the final tree are compared as they are.
fn comparable(report: &RunReport) -> String {
    let mut r = report.without_backend();
    r.stdout = Output::Text(masked(report));
    r.to_yaml()
}

/// The fixture every script starts from: a read-write preopen at `/` and a
/// read-only one at `/ro`, with files, a directory and symlinks that stay
/// inside and point out.
fn fixture() -> MemFs {
    let mut fs = MemFs::new();
    fs.write("/a.txt", "hello").unwrap();
    fs.mkdir_p("/d/e").unwrap();
    fs.write("/d/b.txt", "bee").unwrap();
    fs.symlink("a.txt", "/ln").unwrap();
    fs.symlink("d", "/dl").unwrap();
    fs.symlink("../outside", "/up").unwrap();
    fs.symlink("missing", "/dangling").unwrap();
    fs.mkdir_p("/ro").unwrap();
    fs.write("/ro/r.txt", "read me").unwrap();
    fs
}

fn scenario(script: &str, backend: Backend) -> Scenario {
    Scenario::new("fs-ops")
        .args(["fs-ops"])
        .fs(fixture())
        .preopens(vec![Preopen::rw("/"), Preopen::ro("/ro")])
        .stdin(script.as_bytes().to_vec())
        .backend(backend)
}

/// The fs-ops guest of `world`, compiled once per test binary.
fn fs_ops(world: World) -> &'static Guest {
    static GUESTS: OnceLock<[Guest; 3]> = OnceLock::new();
    let [p1, p2, p3] =
        GUESTS.get_or_init(|| [guest("fs-ops", World::P1), guest("fs-ops", World::P2), guest("fs-ops", World::P3)]);
    match world {
        World::P1 => p1,
        World::P2 => p2,
        World::P3 => p3,
    }
}

/// The worlds fs-ops is built for: p1 is its `wasm32-wasip1` build, run on
/// the p1 host (wasmtime-wasi's own p1 on the bridge, as `wasmtime run`
/// runs it).
const WORLDS: [World; 3] = [World::P1, World::P2, World::P3];

/// An error as fs-ops prints it in `world`: p2 and p3 name the WIT code,
/// p1 its errno.
fn named(code: &str, world: World) -> String {
    if world != World::P1 {
        return code.to_string();
    }
    let errno = match code {
        "no-entry" => "noent",
        "not-permitted" => "perm",
        "bad-descriptor" => "badf",
        "invalid" => "inval",
        "file-too-large" => "fbig",
        other => other,
    };
    errno.to_string()
}

fn run(script: &str, world: World, backend: Backend) -> RunReport {
    harness().run(fs_ops(world), &scenario(script, backend)).unwrap_or_else(|e| panic!("{e}"))
}

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

/// Paths from the edge cases: empty, dots, trailing slashes, absolute,
/// too long, through and out of symlinks, and names that do not exist.
const PATHS: &[&str] = &[
    "", ".", "..", "a/..", "./a.txt", "a.txt", "a.txt/", "a.txt/.", "d", "d/", "d/.", "d/..", "d/b.txt",
    "d/../a.txt", "d/e", "d/e/..", "d/e/../..", "/", "/a.txt", "ln", "ln/", "dl", "dl/", "dl/b.txt", "up",
    "up/x", "dangling", "new", "new/", "d/new", "new2", "nope/x", "ro", "ro/r.txt", "r.txt", "b.txt", "e",
    LONG_NAME,
];

/// A name of 261 bytes, longer than Linux allows (255).
const LONG_NAME: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

/// Numbers from the edge cases.
const NUMBERS: &[u64] = &[0, 1, 4095, 4096, i64::MAX as u64, u64::MAX];

/// Times a script sets: what both worlds can say (p3's seconds are signed).
const TIMES: &[&str] = &["-", "now", "0", "1", "4096", "9223372036854775807"];

/// Descriptors a script names: the two preopens and the first few it opens.
fn fd() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => Just(1u8), 4 => 2u8..8]
}

fn path() -> impl Strategy<Value = String> {
    prop::sample::select(PATHS).prop_map(|p| format!("\"{p}\""))
}

fn num() -> impl Strategy<Value = u64> {
    prop::sample::select(NUMBERS)
}

fn follow() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["f", "n"][..])
}

fn time() -> impl Strategy<Value = &'static str> {
    prop::sample::select(TIMES)
}

fn data() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["\"x\"", "\"hello\"", "\"\""][..])
}

fn oflags() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(c, x, t, d)| {
        let s: String = [(c, 'c'), (x, 'x'), (t, 't'), (d, 'd')].iter().filter(|(on, _)| *on).map(|(_, ch)| *ch).collect();
        if s.is_empty() { "-".into() } else { s }
    })
}

fn dflags() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(r, w, m)| {
        let s: String = [(r, 'r'), (w, 'w'), (m, 'm')].iter().filter(|(on, _)| *on).map(|(_, ch)| *ch).collect();
        if s.is_empty() { "-".into() } else { s }
    })
}

/// One script line.
fn op() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (fd(), path(), oflags(), dflags(), follow()).prop_map(|(d, p, o, f, fl)| format!("open {d} {p} {o} {f} {fl}")),
        2 => (fd(), num(), num()).prop_map(|(f, l, o)| format!("read {f} {l} {o}")),
        2 => (fd(), num(), data()).prop_map(|(f, o, x)| format!("write {f} {o} {x}")),
        1 => (fd(), num()).prop_map(|(f, o)| format!("rstream {f} {o}")),
        1 => (fd(), num(), data()).prop_map(|(f, o, x)| format!("wstream {f} {o} {x}")),
        1 => (fd(), data()).prop_map(|(f, x)| format!("append {f} {x}")),
        1 => (fd(), num()).prop_map(|(f, n)| format!("size {f} {n}")),
        1 => (fd(), time(), time()).prop_map(|(f, a, m)| format!("times {f} {a} {m}")),
        1 => (fd(), path(), follow(), time(), time()).prop_map(|(d, p, fl, a, m)| format!("times-at {d} {p} {fl} {a} {m}")),
        1 => (fd(), num(), num()).prop_map(|(f, o, l)| format!("advise {f} {o} {l}")),
        1 => fd().prop_map(|f| format!("sync {f}")),
        1 => fd().prop_map(|f| format!("sync-data {f}")),
        1 => fd().prop_map(|f| format!("readdir {f}")),
        2 => fd().prop_map(|f| format!("stat {f}")),
        2 => (fd(), path(), follow()).prop_map(|(d, p, fl)| format!("stat-at {d} {p} {fl}")),
        2 => (fd(), path()).prop_map(|(d, p)| format!("mkdir {d} {p}")),
        1 => (fd(), path(), fd(), path()).prop_map(|(a, p, b, q)| format!("rename {a} {p} {b} {q}")),
        1 => (fd(), path(), follow(), fd(), path()).prop_map(|(a, p, fl, b, q)| format!("link {a} {p} {fl} {b} {q}")),
        1 => (fd(), path(), path()).prop_map(|(d, t, p)| format!("symlink {d} {t} {p}")),
        1 => (fd(), path()).prop_map(|(d, p)| format!("readlink {d} {p}")),
        1 => (fd(), path()).prop_map(|(d, p)| format!("unlink {d} {p}")),
        1 => (fd(), path()).prop_map(|(d, p)| format!("rmdir {d} {p}")),
        1 => fd().prop_map(|f| format!("hash {f}")),
        1 => (fd(), path(), follow()).prop_map(|(d, p, fl)| format!("hash-at {d} {p} {fl}")),
        1 => (fd(), fd()).prop_map(|(a, b)| format!("same {a} {b}")),
        2 => fd().prop_map(|f| format!("flags {f}")),
        1 => fd().prop_map(|f| format!("type {f}")),
        1 => fd().prop_map(|f| format!("close {f}")),
    ]
}

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(op(), 1..24).prop_map(|lines| lines.join("\n") + "\n")
}

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

/// Not a check: runs `FIDELITY_SURVEY` generated scripts (default 500)
/// and prints each kind of first divergence once, with its count and the
/// script line that caused it. For finding the next fix quickly:
/// `FIDELITY_SURVEY=2000 cargo test --test all fidelity::survey -- --ignored --nocapture`.
#[test]
#[ignore]
fn survey() {
    use proptest::strategy::ValueTree;
    let n: usize = std::env::var("FIDELITY_SURVEY").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut kinds: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    for _ in 0..n {
        let s = script().new_tree(&mut runner).unwrap().current();
        for world in WORLDS {
            let (d, b) = (masked(&run(&s, world, Backend::Direct)), masked(&run(&s, world, Backend::Bridge)));
            let Some((dl, bl)) = d.lines().zip(b.lines()).find(|(x, y)| x != y) else { continue };
            let n: usize = dl.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let line = s.lines().nth(n.saturating_sub(1)).unwrap_or("").to_string();
            let strip = |l: &str| l.split_once(' ').map_or(l.to_string(), |(_, r)| r.to_string());
            let key = format!("{world} {} | bridge: {}", strip(dl), strip(bl));
            kinds.entry(key).or_insert((0, line)).0 += 1;
        }
    }
    for (k, (count, line)) in &kinds {
        println!("{count:5}  {k}\n       e.g. {line}");
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

#[test]
fn the_masks_hide_real_differences_only() {
    // Clock readings and directory sizes differ on every run; without the
    // masks the backends disagree, with them they agree.
    let s = "stat 0\nstat-at 0 \"d\" f\nstat-at 0 \"a.txt\" f\n";
    for world in WORLDS {
        let (d, b) = (run(s, world, Backend::Direct), run(s, world, Backend::Bridge));
        assert_ne!(d.stdout, b.stdout, "{world}: nothing to mask ({ALLOWED:?})");
        assert_eq!(masked(&d), masked(&b), "{world}");
        // A timestamp a script sets is compared, never masked.
        assert!(mask_line("1 stat: ok file size=5 nlink=1 a=0.000000000 m=4096.000000000 c=1.0").contains("m=4096."));
    }
}
