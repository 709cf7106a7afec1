//! The journal: every host call a guest makes, in order, with its virtual
//! time, its main arguments and its result.
//!
//! A run records one only when its scenario asks (`journal = true`,
//! `--journal`, [`Scenario::journal`](crate::Scenario::journal)); the
//! report then carries it under `journal:`, one line per call:
//!
//! ```text
//! 0s fs.open-at(fd 3, "data/a.txt", create|truncate, write) -> fd 4
//! 5s clock.wall() -> 1704067205.000000000
//! ```
//!
//! Names are the same in both component worlds wherever p2 and p3 mean the
//! same thing (`fs.open-at`, `fs.stream-read`, `clock.wait`,
//! `random.bytes`, `stdout.write`, `http.send`, …), so the journals of a
//! guest's p2 and p3 builds can be compared call by call. Descriptors are
//! numbered by the journal itself (`fd 3` is the first preopen), not by
//! the resource tables, which the two worlds fill differently. Byte buffers
//! appear as a length and a 32-bit digest (see `Digest`).
//!
//! Consecutive chunks of one stream make one line (`fs.stream-read(fd 4,
//! @0) -> 23 bytes #…`): p2 reads what the guest asks for and p3 what the
//! host hands over, and how a transfer is split is not what it means.
//!
//! Where the worlds differ, the journals differ, and that is the truth:
//! - a p2 guest sleeps by subscribing and blocking on the pollable
//!   (`clock.subscribe`), a p3 guest waits (`clock.wait`);
//! - p2 can read and write a file through `descriptor.read` and `write`
//!   (`fs.read`, `fs.write`) as well as through streams; p3 has streams
//!   only;
//! - a p2 name lookup returns a stream (`net.resolve(…) -> stream`, then
//!   `net.resolve-next`), a p3 one the addresses.
//!
//! What is journaled: the filesystem (direct backend), the clocks, random,
//! the environment and arguments, `exit`, stdin, stdout and stderr,
//! outgoing HTTP, and socket creation and name lookup (always denied). A
//! handler's journal marks where each request begins (`http.serve`).
//! The bridge backend serves the filesystem through wasmtime-wasi's own
//! code, so a journal needs the direct backend; p1 modules have none.
//!
//! [`first_divergence`] finds where two journals part; a journal file
//! (`wasi-replay run --journal-out`) keeps a run's inputs and journal for
//! `wasi-replay replay`.
//!
//! Layer L1: imports only `kernel`.
//! `tests/all/architecture.rs` holds it.

use crate::kernel::VirtualClock;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// Records a run's host calls. Clones share one list.
#[derive(Clone)]
pub(crate) struct Recorder {
    entries: Arc<Mutex<Entries>>,
    clock: VirtualClock,
}

#[derive(Default)]
struct Entries {
    lines: Vec<String>,
    /// The last line, when it is a stream transfer that a next chunk may
    /// continue.
    open: Option<Transfer>,
}

/// Consecutive chunks of one stream, noted as one call: how a guest or
/// the host splits a transfer into reads and writes is not what it means
/// (p2 reads what the guest asks for, p3 what the host hands over).
struct Transfer {
    op: String,
    args: String,
    start: Option<u64>,
    next: Option<u64>,
    write: bool,
    len: usize,
    hash: Digest,
    at: String,
}

impl Transfer {
    fn line(&self) -> String {
        let mut args = self.args.clone();
        if let Some(p) = self.start {
            let _ = write!(args, ", @{p}");
        }
        let data = digest(self.len, &self.hash);
        if self.write {
            format!("{} {}({args}, {data}) -> {}", self.at, self.op, self.len)
        } else {
            format!("{} {}({args}) -> {data}", self.at, self.op)
        }
    }
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

/// A run's journal, when it has one: every hook takes this and does
/// nothing when it is `None`.
pub(crate) type Journal = Option<Recorder>;

impl Recorder {
    pub(crate) fn new(clock: VirtualClock) -> Self {
        Recorder { entries: Arc::default(), clock }
    }

    /// Appends `op(args) -> result` at the current virtual time; an empty
    /// `result` leaves the arrow out.
    pub(crate) fn note(&self, op: &str, args: &str, result: &str) {
        let mut line = String::with_capacity(16 + op.len() + args.len() + result.len());
        write_duration(&mut line, self.clock.elapsed().as_nanos());
        let _ = write!(line, " {op}({args})");
        if !result.is_empty() {
            let _ = write!(line, " -> {result}");
        }
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.open = None;
        e.lines.push(line);
    }

    /// Notes a chunk that a stream moved whole: `data` read (or written,
    /// `write`) at `pos` (`None`: a stream with no position, such as stdin
    /// or an append). A chunk that continues the previous line's stream
    /// where it stopped joins that line: `fs.stream-read(fd 4, @0) -> 23
    /// bytes #…` however many reads it took.
    pub(crate) fn note_chunk(&self, op: &str, args: &str, pos: Option<u64>, data: &[u8], write: bool) {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let next = pos.map(|p| p.saturating_add(data.len() as u64));
        if let Some(t) = &mut e.open
            && t.op == op
            && t.args == args
            && t.write == write
            && t.next == pos
        {
            t.hash.update(data);
            t.len += data.len();
            t.next = next;
            let line = t.line();
            *e.lines.last_mut().expect("an open transfer has its line") = line;
            return;
        }
        let mut hash = Digest::default();
        hash.update(data);
        let at = duration(self.clock.elapsed().as_nanos());
        let t = Transfer { op: op.into(), args: args.into(), start: pos, next, write, len: data.len(), hash, at };
        e.lines.push(t.line());
        e.open = Some(t);
    }

    /// Takes what was recorded, leaving the list empty.
    pub(crate) fn take(&self) -> Vec<String> {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.open = None;
        std::mem::take(&mut e.lines)
    }
}

/// Records a call when the run has a journal; the texts are built only then.
pub(crate) fn note(journal: &Journal, op: &str, args: impl FnOnce() -> String, result: impl FnOnce() -> String) {
    if let Some(j) = journal {
        j.note(op, &args(), &result());
    }
}

/// A byte buffer as the journal shows it: `12 bytes #1a2b3c4d`.
pub(crate) fn bytes(data: &[u8]) -> String {
    let mut hash = Digest::default();
    hash.update(data);
    digest(data.len(), &hash)
}

fn digest(len: usize, hash: &Digest) -> String {
    if len == 0 {
        return "0 bytes".into();
    }
    format!("{len} bytes #{:08x}", hash.finish())
}

/// The journal's digest of bytes: 32 bits of a 64-bit multiply-rotate
/// hash over 8-byte words, fed in any split with the same result. It only
/// has to tell two buffers apart, so it is made to be fast (a journal
/// digests every byte a guest moves) rather than secure, and it is written
/// here so that no library update can change a golden.
#[derive(Clone, Default)]
struct Digest {
    h: u64,
    len: u64,
    tail: [u8; 8],
    tail_len: usize,
}

const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

impl Digest {
    fn word(&mut self, w: u64) {
        self.h = (self.h ^ w).wrapping_mul(MUL).rotate_left(29);
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&data[..take]);
            self.tail_len += take;
            data = &data[take..];
            if self.tail_len < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            self.word(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    fn finish(&self) -> u32 {
        let mut last = [0u8; 8];
        last[..self.tail_len].copy_from_slice(&self.tail[..self.tail_len]);
        let mut h = (self.h ^ u64::from_le_bytes(last)).wrapping_mul(MUL) ^ self.len;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        (h >> 32) as u32
    }
}

/// A Rust `Debug` name of a WIT case as WIT spells it:
/// `ErrorCode::NoEntry` and `NoEntry` are `no-entry`.
pub(crate) fn wit_name(debug: &str) -> String {
    // The bindings' error enums print as `ErrorCode { code: 2, name:
    // "access", message: "…" }`.
    if let Some((_, rest)) = debug.split_once("name: \"") {
        return rest.split('"').next().unwrap_or(rest).to_string();
    }
    let name = debug.rsplit("::").next().unwrap_or(debug);
    let name = name.split(['(', ' ', '{']).next().unwrap_or(name);
    kebab(name)
}

/// `AccessDenied` as WIT names it: `access-denied`.
fn kebab(debug: &str) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Virtual time, exact and short: `0s`, `5s`, `1500ms`, `250ns`.
pub(crate) fn duration(ns: u128) -> String {
    let mut s = String::new();
    write_duration(&mut s, ns);
    s
}

fn write_duration(out: &mut String, ns: u128) {
    let _ = match ns {
        0 => write!(out, "0s"),
        n if n % 1_000_000_000 == 0 => write!(out, "{}s", n / 1_000_000_000),
        n if n % 1_000_000 == 0 => write!(out, "{}ms", n / 1_000_000),
        n if n % 1_000 == 0 => write!(out, "{}us", n / 1_000),
        n => write!(out, "{n}ns"),
    };
}

/// The call of a journal line, without its time.
pub fn call_of(line: &str) -> &str {
    line.split_once(' ').map_or(line, |(_, call)| call)
}

/// The index of the first line where two journals differ, or of the
/// first line one of them lacks; `None` when they are equal.
pub fn divergence_index(expected: &[String], got: &[String]) -> Option<usize> {
    expected.iter().zip(got).position(|(a, b)| a != b).or_else(|| (expected.len() != got.len()).then(|| expected.len().min(got.len())))
}

/// Where two journals part: the first line that differs (or that one of
/// them lacks), as one line of text, `None` when they are equal.
///
/// `diverged at call 37 of 112: expected fs.open-at(fd 3, "data/a.txt",
/// create) -> fd 5, got fs.open-at(fd 3, "data/b.txt", create) -> fd 5
/// (36 calls matched)`. The count is of the expected journal; a call that
/// is the same but happens at another virtual time shows both times.
pub fn first_divergence(expected: &[String], got: &[String]) -> Option<String> {
    let at = divergence_index(expected, got)?;
    let show = |line: Option<&String>, other: Option<&String>| match (line, other) {
        (None, _) => "the end of the run".to_string(),
        (Some(l), Some(o)) if call_of(l) == call_of(o) => l.clone(),
        (Some(l), _) => call_of(l).to_string(),
    };
    let (e, g) = (expected.get(at), got.get(at));
    Some(format!(
        "diverged at call {} of {}: expected {}, got {} ({at} calls matched)",
        at + 1,
        expected.len(),
        show(e, g),
        show(g, e),
    ))
}

/// [`first_divergence`] of the journals in two reports' YAML (or JSON),
/// `None` unless both have one and they differ. A golden on disk is
/// compared with a new report this way.
pub fn divergence_in_text(expected: &str, got: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Journaled {
        journal: Option<Vec<String>>,
    }
    let journal = |text: &str| serde_yaml_ng::from_str::<Journaled>(text).ok().and_then(|j| j.journal);
    first_divergence(&journal(expected)?, &journal(got)?)
}

/// `line` and a newline, or nothing: how a divergence heads a diff.
pub fn heading(line: Option<String>) -> String {
    line.map(|l| format!("{l}\n")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_first_divergence_names_the_call_and_the_count() {
        let a = lines(&["0s env.args() -> 1 args", "0s fs.open-at(fd 3, \"a\", create) -> fd 4", "0s exit(ok)"]);
        let b = lines(&["0s env.args() -> 1 args", "0s fs.open-at(fd 3, \"b\", create) -> fd 4", "0s exit(ok)"]);
        assert_eq!(first_divergence(&a, &a), None);
        assert_eq!(
            first_divergence(&a, &b).unwrap(),
            "diverged at call 2 of 3: expected fs.open-at(fd 3, \"a\", create) -> fd 4, \
             got fs.open-at(fd 3, \"b\", create) -> fd 4 (1 calls matched)"
        );
        assert_eq!(
            first_divergence(&a, &a[..2]).unwrap(),
            "diverged at call 3 of 3: expected exit(ok), got the end of the run (2 calls matched)"
        );
        let later = lines(&["0s env.args() -> 1 args", "5s fs.open-at(fd 3, \"a\", create) -> fd 4"]);
        assert!(first_divergence(&a[..2], &later).unwrap().contains("expected 0s fs.open-at"), "the times are shown");
    }

    #[test]
    fn durations_are_exact_and_short() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(5_000_000_000), "5s");
        assert_eq!(duration(1_500_000_000), "1500ms");
        assert_eq!(duration(250), "250ns");
        assert_eq!(bytes(b""), "0 bytes");
        // Pinned: every journal golden holds such digests.
        assert_eq!(bytes(b"abc"), "3 bytes #aaf682e7");
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let whole = bytes(&data);
        for split in [0, 1, 7, 8, 9, 500, 999] {
            let mut d = Digest::default();
            d.update(&data[..split]);
            d.update(&data[split..]);
            assert_eq!(digest(data.len(), &d), whole, "split at {split}");
        }
        assert_ne!(bytes(b"abd"), bytes(b"abc"));
        assert_ne!(bytes(b"abc\0"), bytes(b"abc"), "the length counts");
    }
}
