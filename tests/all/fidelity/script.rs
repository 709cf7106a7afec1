//! The fidelity scripts: what may differ between the backends, the
//! masking, the fixture, the fs-ops runs, and the strategies that generate
//! scripts. Shared by the fidelity tests and `examples/fidelity-survey.rs`;
//! the including module provides `guest` and `harness`.

use super::{guest, harness};
use proptest::prelude::*;
use std::sync::OnceLock;
use wasi_replay::{Guest, Output, RunReport, Scenario, World};
use wasi_replay::host::{Backend, Preopen};
use wasi_replay::memfs::MemFs;

/// What may differ between the backends, and why. [`masked`] applies them.
pub const ALLOWED: &[(&str, &str)] = &[
    (
        "clock readings",
        "a timestamp the host stamped itself (creation, a write, `now`) comes from the \
         virtual clock on the direct backend and from the real clock on the bridge; \
         whether it has a sub-second part is compared, and timestamps a guest set to a \
         value are compared whole",
    ),
    ("read-directory order", "the bridge lists entries in the host filesystem's order; MemFs in name order"),
    (
        "access times",
        "the bridge's follow the host's mount options (relatime refreshes an access time older than \
         the file's change on the next read); MemFs changes one only when asked to",
    ),
    ("metadata-hash values", "the bridge hashes host device and inode numbers; fs-ops prints only whether a hash was given"),
];

/// One output line with the allowed differences masked.
pub fn mask_line(line: &str) -> String {
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
            Some(("size", _)) if is_dir && !bridge_on_ext4() => "size=<dir>".to_string(),
            Some(("a", _)) => "a=<atime>".to_string(),
            Some((t @ ("m" | "c"), value)) if is_clock_reading(value) => {
                let whole = value.split_once('.').is_none_or(|(_, ns)| ns.bytes().all(|b| b == b'0'));
                format!("{t}=<clock{}>", if whole { "" } else { ".ns" })
            }
            _ => w.to_string(),
        })
        .collect();
    format!("{head}: ok {}", words.join(" "))
}

/// Does the bridge's tempdir live on ext4, whose directory sizes the
/// direct backend gives? Elsewhere directory sizes are not compared, and
/// the first comparison says so on stderr.
pub fn bridge_on_ext4() -> bool {
    static ON_EXT4: OnceLock<bool> = OnceLock::new();
    *ON_EXT4.get_or_init(|| {
        let tmp = std::env::temp_dir();
        let out = std::process::Command::new("stat").args(["-f", "-c", "%T"]).arg(&tmp).output();
        // ext4 shares its magic number with ext2 and ext3, and `stat -f`
        // names the three together.
        let kind = out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
        let ext4 = kind == "ext2/ext3";
        if !ext4 {
            eprintln!("fidelity: directory sizes not compared: the bridge's tempdir {} is on `{kind}`, not ext4", tmp.display());
        }
        ext4
    })
}

/// Seconds in 2001..2286: what a clock says, never one of the values a
/// script sets (those come from [`TIMES`]).
pub fn is_clock_reading(value: &str) -> bool {
    let secs: u64 = value.split('.').next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (1_000_000_000..10_000_000_000).contains(&secs)
}

pub fn masked(report: &RunReport) -> String {
    match &report.stdout {
        Output::Text(t) => t.lines().map(mask_line).collect::<Vec<_>>().join("\n"),
        other => format!("{other:?}"),
    }
}

/// The whole report with the backend set aside and stdout masked: exit,
/// stderr and the final tree are compared as they are.
pub fn comparable(report: &RunReport) -> String {
    let mut r = report.without_backend();
    r.stdout = Output::Text(masked(report));
    r.to_yaml()
}

/// The fixture every script starts from: a read-write preopen at `/` and a
/// read-only one at `/ro`, with files, a directory and symlinks that stay
/// inside and point out.
pub fn fixture() -> MemFs {
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

pub fn scenario(script: &str, backend: Backend) -> Scenario {
    Scenario::new("fs-ops")
        .args(["fs-ops"])
        .fs(fixture())
        .preopens(vec![Preopen::rw("/"), Preopen::ro("/ro")])
        .stdin(script.as_bytes().to_vec())
        .backend(backend)
}

/// The fs-ops guest of `world`, compiled once per test binary.
pub fn fs_ops(world: World) -> &'static Guest {
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
pub const WORLDS: [World; 3] = [World::P1, World::P2, World::P3];

/// An error as fs-ops prints it in `world`: p2 and p3 name the WIT code,
/// p1 its errno.
pub fn named(code: &str, world: World) -> String {
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

pub fn run(script: &str, world: World, backend: Backend) -> RunReport {
    harness().run(fs_ops(world), &scenario(script, backend)).unwrap_or_else(|e| panic!("{e}"))
}

/// Paths from the edge cases: empty, dots, trailing slashes, absolute,
/// too long, through and out of symlinks, and names that do not exist.
pub const PATHS: &[&str] = &[
    "", ".", "..", "a/..", "./a.txt", "a.txt", "a.txt/", "a.txt/.", "d", "d/", "d/.", "d/..", "d/b.txt",
    "d/../a.txt", "d/e", "d/e/..", "d/e/../..", "/", "/a.txt", "ln", "ln/", "dl", "dl/", "dl/b.txt", "up",
    "up/x", "dangling", "new", "new/", "d/new", "new2", "nope/x", "ro", "ro/r.txt", "r.txt", "b.txt", "e",
    LONG_NAME,
];

/// A name of 261 bytes, longer than Linux allows (255).
pub const LONG_NAME: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

/// Numbers from the edge cases.
pub const NUMBERS: &[u64] = &[0, 1, 4095, 4096, i64::MAX as u64, u64::MAX];

/// Times a script sets: what every world can say, and times before 1970,
/// which only p3's signed seconds can (ext4 keeps them from 1901-12-13 and
/// clamps earlier ones to it).
pub const TIMES: &[&str] = &["-", "now", "0", "1", "4096", "9223372036854775807", "-86400", "-4000000000"];

/// Descriptors a script names: the two preopens and the first few it opens.
pub fn fd() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => Just(1u8), 4 => 2u8..8]
}

pub fn path() -> impl Strategy<Value = String> {
    prop::sample::select(PATHS).prop_map(|p| format!("\"{p}\""))
}

pub fn num() -> impl Strategy<Value = u64> {
    prop::sample::select(NUMBERS)
}

pub fn follow() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["f", "n"][..])
}

pub fn time() -> impl Strategy<Value = &'static str> {
    prop::sample::select(TIMES)
}

pub fn data() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["\"x\"", "\"hello\"", "\"\""][..])
}

pub fn oflags() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(c, x, t, d)| {
        let s: String = [(c, 'c'), (x, 'x'), (t, 't'), (d, 'd')].iter().filter(|(on, _)| *on).map(|(_, ch)| *ch).collect();
        if s.is_empty() { "-".into() } else { s }
    })
}

pub fn dflags() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(r, w, m)| {
        let s: String = [(r, 'r'), (w, 'w'), (m, 'm')].iter().filter(|(on, _)| *on).map(|(_, ch)| *ch).collect();
        if s.is_empty() { "-".into() } else { s }
    })
}

/// One script line.
pub fn op() -> impl Strategy<Value = String> {
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

pub fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(op(), 1..24).prop_map(|lines| lines.join("\n") + "\n")
}
