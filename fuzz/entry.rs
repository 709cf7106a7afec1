//! What each fuzz target does with its bytes, shared by the targets in
//! `fuzz_targets/` and by `tests/all/fuzz_corpora.rs`, which feeds every
//! committed corpus through the same functions on stable Rust.
//!
//! Every parser a user feeds is reached the way the command line reaches
//! it, and what it accepts is then used: a scenario file is loaded with the
//! catalog's resolver, an accepted plan or mock file or request drives a
//! real run of a catalog guest, and what the harness writes (journals,
//! cassettes, emitted scenarios) must read back as it was. A panic is the
//! defect; so is an error of more than one line.

use arbitrary::{Arbitrary, Unstructured};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use wasi_replay::catalog;
use wasi_replay::cli_support::{CallText, JournalFile, NoGuests, Origin, ScenarioFile, ScenarioText, emit, load_mocks, save_mocks};
use wasi_replay::faults::FaultPlan;
use wasi_replay::host::{Limits, Preopen};
use wasi_replay::memfs::MemFs;
use wasi_replay::{Guest, Harness, Request, Scenario, World};

/// Every target, by the name of its binary and corpus directory.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("scenario_file", scenario_file),
    ("journal_file", journal_file),
    ("fault_plan", fault_plan),
    ("wave_call", wave_call),
    ("request", request),
    ("mock_rules", mock_rules),
    ("emitted_scenario", emitted_scenario),
    ("fs_ops", fs_ops),
    ("component_loader", component_loader),
];

/// A scenario file, loaded as `wasi-replay test` loads it: parsed, its
/// paths resolved against its directory (which holds a small fixture), its
/// guest looked up in the catalog, and its cases listed.
pub fn scenario_file(bytes: &[u8]) {
    let path = scratch().join("case.toml");
    std::fs::write(&path, bytes).expect("write the scenario file");
    let suite = catalog::suite();
    match suite.load([&path]) {
        Ok(files) => {
            let _ = wasi_replay::Suite::cases(&files);
            for f in &files {
                // What a journal would carry must build again.
                let again = ScenarioText::of(&f.scenario).build(Origin::inline());
                if let Err(e) = again {
                    panic!("a loaded scenario written out whole does not build again: {e}");
                }
            }
        }
        Err(e) => one_line(&e.to_string()),
    }
}

/// A journal file, read as `replay` reads it; one that reads must give its
/// scenario or a clean error, and write out as text that reads again.
pub fn journal_file(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    match JournalFile::parse(text) {
        Ok(journal) => {
            if let Err(e) = journal.scenario() {
                one_line(&e.to_string());
            }
            if journal.format != 1 {
                let again = JournalFile::parse(&journal.to_yaml()).unwrap_or_else(|e| panic!("a journal file written out does not read again: {e}"));
                assert_eq!(again.to_yaml(), journal.to_yaml(), "a journal file changes when written and read again");
            }
        }
        Err(e) => one_line(&e.to_string()),
    }
}

/// A fault plan as lines: each an entry of `--fault` (an exact fault or a
/// rate), or `seed=`, `kinds=` or `count=` for a draw. Parsed, written out
/// and parsed again unchanged, and run against fs-tree when it parses.
pub fn fault_plan(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let (mut entries, mut seed, mut kinds, mut count) = (Vec::new(), None, None, None);
    for line in text.lines().take(32) {
        if let Some(v) = line.strip_prefix("seed=") {
            seed = Some(v.parse().unwrap_or(0));
        } else if let Some(v) = line.strip_prefix("kinds=") {
            kinds = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("count=") {
            count = Some(v.parse().unwrap_or(u32::MAX));
        } else {
            entries.push(line.to_string());
        }
    }
    let names = ("--fault-seed", "--fault-kinds", "--fault-count");
    let plan = match FaultPlan::from_parts(&entries, seed, kinds.as_deref(), count, names) {
        Ok(plan) => plan,
        Err(e) => return one_line(&e.to_string()),
    };
    let texts = plan.texts();
    let again = FaultPlan::from_parts(&texts, None, None, None, names).unwrap_or_else(|e| panic!("plan {texts:?} does not read again: {e}"));
    assert_eq!(again.texts(), texts, "a plan changes when written and read again");
    let mut fs = MemFs::new();
    fs.write("/in.txt", "hello").expect("fixture");
    fs.mkdir_p("/d").expect("fixture");
    let scenario = small(Scenario::new("fuzz").args(["fs-tree"]).fs(fs).preopens(vec![Preopen::rw("/")]).faults(plan));
    ran(&scenario, guest("fs-tree", World::P2));
}

/// Lines of WAVE calls against lib-counter's exports: parsed, checked
/// against the signatures, and called.
pub fn wave_call(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let mut scenario = Scenario::new("fuzz");
    for line in text.lines().take(16) {
        scenario = scenario.call(line);
    }
    ran(&small(scenario), guest("lib-counter", World::P2));
}

/// A request as text, the way HTTP writes one: the line of `--request`,
/// then `name: value` lines as `--header` gives them, then after a blank
/// line the body. Parsed and checked, and served by http-handler when it
/// passes.
pub fn request(bytes: &[u8]) {
    let (head, body) = split_blank(bytes);
    let Ok(head) = std::str::from_utf8(head) else { return };
    let mut lines = head.split('\n');
    let mut request = match Request::parse(lines.next().unwrap_or_default()) {
        Ok(r) => r,
        Err(e) => return one_line(&e.to_string()),
    };
    for line in lines.take(16) {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        request = request.header(name, value.trim_start());
    }
    if let Err(e) = request.check() {
        return one_line(&e.to_string());
    }
    ran(&small(Scenario::new("fuzz").request(request.body(body))), guest("http-handler", World::P2));
}

/// A URL glob and a URL on the first two lines, then a `--http-mock`
/// file. The glob is matched against the URL; the file is read with its
/// globs, used by http-get's requests, and saved as a cassette that must
/// read back as the same rules.
pub fn mock_rules(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let mut parts = text.splitn(3, '\n');
    let (pattern, url, file) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let _ = wasi_replay::Glob::url(pattern).matches(url);
    let dir = scratch();
    let path = dir.join("mocks.toml");
    std::fs::write(&path, file).expect("write the mock file");
    let mocks = match load_mocks(&path, Limits::default().input_bytes) {
        Ok(m) => m,
        Err(e) => return one_line(&e.to_string()),
    };
    let saved = dir.join("saved").join("cassette.toml");
    let _ = std::fs::remove_dir_all(dir.join("saved"));
    std::fs::create_dir_all(dir.join("saved")).expect("make the cassette's directory");
    save_mocks(&mocks, &saved).unwrap_or_else(|e| panic!("rules that were read cannot be saved: {e}"));
    let again = load_mocks(&saved, u64::MAX).unwrap_or_else(|e| panic!("a saved cassette does not read again: {e}"));
    assert_eq!(again, mocks, "mock rules change when saved and read again");
    ran(&small(Scenario::new("fuzz").http(mocks)), guest("http-get", World::P2));
}

/// `bytes` split at its first blank line: the head, and what follows.
fn split_blank(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&bytes[..at], &bytes[at + 2..]),
        None => (bytes, &[]),
    }
}

/// A run's inputs, of the kinds `run --emit-scenario` writes out.
#[derive(Debug, Arbitrary)]
struct EmitInput {
    name: String,
    seed: u64,
    args: Option<Vec<String>>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
    entries: Vec<(u8, u8, Vec<u8>)>,
    read_only: Option<bool>,
    journal: bool,
    fuel: Option<Option<u64>>,
    timeout_ms: Option<Option<u16>>,
    wall_start_ns: Option<u64>,
    calls: Vec<String>,
    requests: Vec<(String, String, Vec<(String, String)>, Vec<u8>)>,
    plan: Vec<String>,
}

/// The names the emitted tree's entries take.
const NAMES: &[&str] = &["a", "b.txt", "d", "d/e", "d/e/f.bin", "ro", "ro/r", "sp ace", "ünï", ".hidden"];

/// Inputs written by `emit` and loaded back as a scenario file: a
/// scenario `emit` accepts must read back as the same inputs.
pub fn emitted_scenario(bytes: &[u8]) {
    let Ok(input) = EmitInput::arbitrary_take_rest(Unstructured::new(bytes)) else { return };
    let mut scenario = Scenario::new(input.name).seed(input.seed).stdin(input.stdin);
    if let Some(args) = input.args {
        scenario = scenario.args(args);
    }
    for (k, v) in input.env.into_iter().take(8) {
        // What a command line or a file can say: a key without `=` or NUL.
        if k.is_empty() || k.contains(['=', '\0']) || v.contains('\0') {
            continue;
        }
        scenario = scenario.env(k, v);
    }
    if let Some(read_only) = input.read_only {
        let mut fs = MemFs::new();
        for (name, kind, content) in input.entries.into_iter().take(12) {
            let path = format!("/{}", NAMES[usize::from(name) % NAMES.len()]);
            let _ = match kind % 3 {
                0 => fs.mkdir_p(&path),
                1 => fs.write(&path, &content),
                _ => fs.symlink(&String::from_utf8_lossy(&content), &path),
            };
        }
        let preopens = if read_only { vec![Preopen::rw("/"), Preopen::ro("/ro")] } else { vec![Preopen::rw("/")] };
        scenario = scenario.fs(fs).preopens(preopens);
    }
    scenario = scenario.journal(input.journal);
    if let Some(fuel) = input.fuel {
        scenario = scenario.fuel(fuel);
    }
    if let Some(ms) = input.timeout_ms {
        scenario = scenario.timeout(ms.map(|ms| Duration::from_millis(u64::from(ms))));
    }
    if let Some(ns) = input.wall_start_ns {
        scenario = scenario.wall_start(Duration::from_nanos(ns));
    }
    for call in input.calls.into_iter().take(4) {
        // Only calls that read as WAVE: a run with any other fails first.
        let text = ScenarioText { call: vec![CallText { invoke: call.clone() }], ..ScenarioText::default() };
        if text.build(Origin::inline()).is_ok() {
            scenario = scenario.call(call);
        }
    }
    for (method, path, headers, body) in input.requests.into_iter().take(4) {
        let mut r = Request::new(method, path).body(body);
        for (n, v) in headers.into_iter().take(4) {
            r = r.header(n, v);
        }
        // Only what the library itself would serve.
        if r.check().is_ok() {
            scenario = scenario.request(r);
        }
    }
    let mut plan = FaultPlan::default();
    for entry in input.plan.iter().take(4) {
        let _ = plan.push_text(entry);
    }
    scenario = scenario.faults(plan);

    let dir = scratch().join("emitted");
    let _ = std::fs::remove_dir_all(&dir);
    let component = component_file();
    let file = match emit(&scenario, &component, &dir) {
        Ok(f) => f,
        Err(e) => return one_line(&e.to_string()),
    };
    let loaded = ScenarioFile::load(&file, &NoGuests).unwrap_or_else(|e| {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        panic!("an emitted scenario does not load: {e}\n{text}")
    });
    // `emit` leaves out arguments that are just the component's file name,
    // which is what the guest is given when a scenario names none: the
    // same run.
    let program = component.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let whole = |s: &Scenario| {
        let mut text = ScenarioText { name: None, ..ScenarioText::of(s) };
        if text.args == [program.clone()] {
            text.args.clear();
        }
        text
    };
    let (before, after) = (whole(&scenario), whole(&loaded.scenario));
    if before != after {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let (before, after) = (format!("{before:#?}"), format!("{after:#?}"));
        let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
        let at = b.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(b.len().min(a.len()));
        let around = |l: &[&str]| l[at.saturating_sub(6)..(at + 3).min(l.len())].join("\n");
        panic!("an emitted scenario reads back different at line {at}:\nbefore\n{}\nafter\n{}\nfile:\n{text}", around(&b), around(&a));
    }
}

/// One fs-ops operation: the verb, its descriptors, paths, numbers,
/// times, data and flags, as indexes into the edge cases or values of the
/// fuzzer's own.
#[derive(Debug, Arbitrary)]
struct Op {
    verb: u8,
    fds: [u8; 2],
    paths: [Word; 2],
    nums: [Num; 2],
    times: [u8; 2],
    data: Word,
    flags: [u8; 2],
}

#[derive(Debug, Arbitrary)]
enum Word {
    Known(u8),
    Own(String),
}

#[derive(Debug, Arbitrary)]
enum Num {
    Known(u8),
    Own(u64),
}

/// Paths from the edge cases (the fidelity scripts' own list).
const PATHS: &[&str] = &[
    "", ".", "..", "a/..", "./a.txt", "a.txt", "a.txt/", "d", "d/", "d/..", "d/b.txt", "d/../a.txt", "d/e", "d/e/../..",
    "/", "/a.txt", "ln", "ln/", "dl", "dl/b.txt", "up", "up/x", "dangling", "new", "new/", "d/new", "nope/x", "ro",
    "ro/r.txt",
];
const NUMBERS: &[u64] = &[0, 1, 4095, 4096, i64::MAX as u64, u64::MAX];
const TIMES: &[&str] = &["-", "now", "0", "1", "4096", "9223372036854775807", "-86400", "-4000000000"];
const VERBS: &[&str] = &[
    "open", "read", "write", "rstream", "wstream", "append", "size", "times", "times-at", "advise", "sync", "sync-data",
    "readdir", "stat", "stat-at", "mkdir", "rename", "link", "symlink", "readlink", "unlink", "rmdir", "hash", "hash-at",
    "same", "flags", "type", "close",
];

impl Op {
    /// The script line.
    fn line(&self) -> String {
        let fd = |i: usize| self.fds[i] % 8;
        let word = |w: &Word| match w {
            Word::Known(i) => PATHS[usize::from(*i) % PATHS.len()].to_string(),
            Word::Own(s) => s.replace(['"', '\n', '\r'], ""),
        };
        let path = |i: usize| format!("\"{}\"", word(&self.paths[i]));
        let num = |i: usize| match self.nums[i] {
            Num::Known(k) => NUMBERS[usize::from(k) % NUMBERS.len()],
            Num::Own(n) => n,
        };
        let time = |i: usize| TIMES[usize::from(self.times[i]) % TIMES.len()];
        let data = format!("\"{}\"", word(&self.data));
        let letters = |bits: u8, all: &str| -> String {
            let s: String = all.chars().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, c)| c).collect();
            if s.is_empty() { "-".into() } else { s }
        };
        let follow = if self.flags[1] & 0x80 != 0 { "f" } else { "n" };
        let verb = VERBS[usize::from(self.verb) % VERBS.len()];
        let (a, b) = (fd(0), fd(1));
        match verb {
            "open" => format!("open {a} {} {} {} {follow}", path(0), letters(self.flags[0], "cxtd"), letters(self.flags[1], "rwm")),
            "read" | "advise" => format!("{verb} {a} {} {}", num(0), num(1)),
            "write" | "wstream" => format!("{verb} {a} {} {data}", num(0)),
            "rstream" | "size" => format!("{verb} {a} {}", num(0)),
            "append" => format!("append {a} {data}"),
            "times" => format!("times {a} {} {}", time(0), time(1)),
            "times-at" => format!("times-at {a} {} {follow} {} {}", path(0), time(0), time(1)),
            "stat-at" | "hash-at" => format!("{verb} {a} {} {follow}", path(0)),
            "mkdir" | "readlink" | "unlink" | "rmdir" => format!("{verb} {a} {}", path(0)),
            "rename" => format!("rename {a} {} {b} {}", path(0), path(1)),
            "link" => format!("link {a} {} {follow} {b} {}", path(0), path(1)),
            "symlink" => format!("symlink {a} {} {}", path(0), path(1)),
            "same" => format!("same {a} {b}"),
            _ => format!("{verb} {a}"),
        }
    }
}

/// A script of fs-ops lines against the fidelity fixture, through the
/// direct backend of p1 (the p1 interpreter), p2 or p3, as its first byte
/// picks.
pub fn fs_ops(bytes: &[u8]) {
    let Some((&pick, rest)) = bytes.split_first() else { return };
    let Ok(ops) = Vec::<Op>::arbitrary_take_rest(Unstructured::new(rest)) else { return };
    let script: String = ops.iter().take(32).map(|op| op.line() + "\n").collect();
    let world = [World::P1, World::P2, World::P3][usize::from(pick) % 3];
    let mut fs = MemFs::new();
    fs.write("/a.txt", "hello").expect("fixture");
    fs.mkdir_p("/d/e").expect("fixture");
    fs.write("/d/b.txt", "bee").expect("fixture");
    fs.symlink("a.txt", "/ln").expect("fixture");
    fs.symlink("d", "/dl").expect("fixture");
    fs.symlink("../outside", "/up").expect("fixture");
    fs.symlink("missing", "/dangling").expect("fixture");
    fs.mkdir_p("/ro").expect("fixture");
    fs.write("/ro/r.txt", "read me").expect("fixture");
    let scenario = Scenario::new("fs-ops")
        .args(["fs-ops"])
        .fs(fs)
        .preopens(vec![Preopen::rw("/"), Preopen::ro("/ro")])
        .stdin(script.into_bytes());
    ran(&small(scenario), guest("fs-ops", world));
}

/// Bytes as a component: loaded, and run with small limits when they
/// load. A clean error or a report, never a panic.
pub fn component_loader(bytes: &[u8]) {
    match harness().load_bytes("fuzz", bytes, None) {
        Ok(guest) => ran(&small(Scenario::new("fuzz")), &guest),
        Err(e) => one_line(&e.to_string()),
    }
}

/// A run with limits small enough that a fuzz execution stays short.
fn small(scenario: Scenario) -> Scenario {
    scenario.fuel(Some(20_000_000)).timeout(Some(Duration::from_secs(5)))
}

/// Runs `scenario`: a report or a one-line error, never a panic.
fn ran(scenario: &Scenario, guest: &Guest) {
    if let Err(e) = harness().run(guest, scenario) {
        one_line(&e.to_string());
    }
}

/// An error the user sees is one line.
fn one_line(message: &str) {
    assert!(!message.trim_end().contains('\n'), "an error of more than one line:\n{message}");
}

/// The harness, with the Rust guests of every world built (a no-op when
/// they are).
fn harness() -> &'static Harness {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        for world in [World::P1, World::P2, World::P3] {
            catalog::build(world).unwrap_or_else(|e| panic!("{e}"));
        }
    });
    Harness::shared().unwrap_or_else(|e| panic!("{e}"))
}

/// A catalog guest, loaded once per process.
fn guest(name: &'static str, world: World) -> &'static Guest {
    static GUESTS: std::sync::Mutex<Vec<(&str, World, &Guest)>> = std::sync::Mutex::new(Vec::new());
    let mut loaded = GUESTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, g)) = loaded.iter().find(|(n, w, _)| *n == name && *w == world) {
        return g;
    }
    let g: &'static Guest = Box::leak(Box::new(harness().load(catalog::component_path(name, world)).unwrap_or_else(|e| panic!("{e}"))));
    loaded.push((name, world, g));
    g
}

/// This process's scratch directory, with a small fixture a scenario file
/// may name (`tree/`, `in.txt`).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("wasi-replay-fuzz").tempdir().expect("a scratch directory").keep();
        std::fs::create_dir_all(dir.join("tree/d")).expect("fixture");
        std::fs::write(dir.join("tree/a.txt"), "hello").expect("fixture");
        std::fs::write(dir.join("tree/d/b.txt"), "bee").expect("fixture");
        std::fs::write(dir.join("in.txt"), "input").expect("fixture");
        dir
    })
}

/// A stand-in component file for `emit` to copy (it is never loaded).
fn component_file() -> PathBuf {
    let path = scratch().join("app.wasm");
    if !path.exists() {
        std::fs::write(&path, b"\0asm").expect("write the stand-in component");
    }
    path
}
