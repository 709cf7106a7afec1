//! Journal and fault tracing of the direct backend's calls: how a call
//! and its answer are noted, how file streams note their chunks, and
//! where a planned fault strikes.

use super::*;
use crate::faults::{Effect, Site};
use crate::memfs::{Kind, Metadata};
use std::sync::Arc;
use wasmtime::component::Resource;

impl DirectView<'_> {
    /// A descriptor as the journal names it: `fd 4`.
    pub(crate) fn fd<T: 'static>(&self, r: &Resource<T>) -> String {
        match self.handle(r) {
            Ok(h) => format!("fd {}", h.id),
            Err(_) => "fd ?".into(),
        }
    }

    /// Notes a call that may fail with a guest-visible error. A host
    /// failure (a trap) is not a call the guest sees answered.
    pub(super) fn noted<R>(
        &self,
        op: &str,
        args: impl FnOnce() -> String,
        r: wasmtime::Result<Res<R>>,
        ok: impl FnOnce(&R) -> String,
    ) -> wasmtime::Result<Res<R>> {
        if let (Some(j), Ok(res)) = (&self.direct.journal, &r) {
            let result = match res {
                Ok(v) => ok(v),
                Err(e) => e.name(),
            };
            j.note(op, &args(), &result);
        }
        r
    }

    /// Notes a call that cannot fail but for a bad handle.
    pub(super) fn noted_ok<R, E>(&self, op: &str, args: impl FnOnce() -> String, r: Result<R, E>, ok: impl FnOnce(&R) -> String) -> Result<R, E> {
        if let (Some(j), Ok(v)) = (&self.direct.journal, &r) {
            j.note(op, &args(), &ok(v));
        }
        r
    }

    /// Asks the run's injector, if any, whether a fault strikes this
    /// occurrence of `site` on `fd` (moving `bytes`; `short_ok` when the
    /// call may answer short), and returns the effect that does.
    pub(crate) fn strike<T: 'static>(&self, site: Site, fd: &Resource<T>, bytes: u64, short_ok: bool) -> Option<Effect> {
        let faults = self.direct.faults.as_ref()?;
        let path = self.handle(fd).ok().and_then(|h| h.path.clone());
        Effect::for_fs(&faults.strike(site, path.as_deref().unwrap_or(""), bytes, short_ok))
    }

    /// Like [`Self::strike`], for the entry `sub` names under the
    /// directory `fd`.
    pub(super) fn strike_at<T: 'static>(&self, site: Site, fd: &Resource<T>, sub: &str, bytes: u64, short_ok: bool) -> Option<Effect> {
        let faults = self.direct.faults.as_ref()?;
        let dir = self.handle(fd).ok().and_then(|h| h.path.clone());
        let path = join_lexically(dir.as_deref().unwrap_or(""), sub);
        Effect::for_fs(&faults.strike(site, &path, bytes, short_ok))
    }
}

/// What a file stream notes in the journal: each read and write, named
/// by the descriptor it was opened from.
/// It also carries the run's injector, which each read and write asks
/// first.
pub(crate) struct StreamLog {
    journal: Journal,
    fd: String,
    faults: Faults,
    path: Option<Arc<str>>,
    gate: crate::schedule::Gate,
}

impl StreamLog {
    pub(crate) fn new<T: 'static>(view: &DirectView<'_>, fd: &Resource<T>) -> Self {
        let journal = view.direct.journal.clone();
        let fd_name = if journal.is_some() { view.fd(fd) } else { String::new() };
        let faults = view.direct.faults.clone();
        let path = if faults.is_some() { view.handle(fd).ok().and_then(|h| h.path.clone()) } else { None };
        StreamLog { journal, fd: fd_name, faults, path, gate: view.direct.gate.clone() }
    }

    /// A chain at the run's gate for this stream's reads or writes.
    pub(crate) fn hold(&self) -> crate::schedule::Hold {
        crate::schedule::Hold::new(&self.gate)
    }

    /// The stream's name in the journal.
    pub(crate) fn name(&self) -> &str {
        &self.fd
    }

    /// What a planned fault does to this read or write, if one strikes
    /// (see [`DirectView::strike`]).
    pub(crate) fn strike(&self, site: Site, bytes: usize, short_ok: bool) -> Option<Effect> {
        let faults = self.faults.as_ref()?;
        Effect::for_fs(&faults.strike(site, self.path.as_deref().unwrap_or(""), bytes as u64, short_ok))
    }

    /// A read at `pos`: the bytes, none at the end, or an error.
    pub(crate) fn read(&self, pos: u64, r: Result<&[u8], Errno>) {
        let Some(j) = &self.journal else { return };
        match r {
            Ok([]) => j.note("fs.stream-read", &format!("{}, @{pos}", self.fd), "end"),
            Ok(data) => j.note_chunk("fs.stream-read", &self.fd, Some(pos), data, false),
            Err(e) => j.note("fs.stream-read", &format!("{}, @{pos}", self.fd), &e.name()),
        }
    }

    /// A write at `pos` (`None`: an append) and how much of it went in.
    pub(crate) fn write(&self, pos: Option<u64>, data: &[u8], r: Result<usize, Errno>) {
        let Some(j) = &self.journal else { return };
        let op = if pos.is_some() { "fs.stream-write" } else { "fs.stream-append" };
        match r {
            Ok(n) if n == data.len() => j.note_chunk(op, &self.fd, pos, data, true),
            r => {
                let at = pos.map_or(String::new(), |p| format!(", @{p}"));
                let result = r.map_or_else(|e| e.name(), |n| n.to_string());
                j.note(op, &format!("{}{at}, {}", self.fd, crate::journal::bytes(data)), &result);
            }
        }
    }
}

/// `path` under `dir` (both relative to the MemFs root), with `.` and
/// `..` taken lexically: the name a fault's `@PREFIX` is compared with.
pub(crate) fn join_lexically(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') { Vec::new() } else { dir.split('/').filter(|p| !p.is_empty()).collect() };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Open flags and descriptor flags as the journal shows them:
/// `create|truncate, write`.
pub(super) fn open_words(follow: bool, open: Open, flags: Flags) -> String {
    let open_names = [
        (open.create, "create"),
        (open.exclusive, "exclusive"),
        (open.truncate, "truncate"),
        (open.directory, "directory"),
        (!follow, "nofollow"),
    ];
    let o: Vec<&str> = open_names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    let o = if o.is_empty() { "-".to_string() } else { o.join("|") };
    format!("{o}, {}", flag_words(flags))
}

pub(super) fn flag_words(f: Flags) -> String {
    let names = [(f.read, "read"), (f.write, "write"), (f.mutate, "mutate"), (f.sync, "sync")];
    let n: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    if n.is_empty() { "-".into() } else { n.join("|") }
}

pub(super) fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::File => "file",
        Kind::Dir => "dir",
        Kind::Symlink => "symlink",
    }
}

pub(super) fn follow_word(follow: bool) -> &'static str {
    if follow { "" } else { ", nofollow" }
}

pub(super) fn stat_words(m: &Metadata) -> String {
    format!("{} {} bytes, {} links", kind_word(m.kind), m.size, m.nlink)
}
