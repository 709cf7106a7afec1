//! The rights model, as wasmtime-wasi's: what a descriptor points at and
//! may do, the errors a guest sees before each world names them, and the
//! checks on offsets and times the host kernel would make.

use super::*;
use crate::memfs::{ErrorKind, FileTime, Ino};
use std::sync::Arc;
use wasmtime::component::Resource;

/// What a descriptor handle points at.
pub(crate) struct Handle {
    pub(crate) held: Held,
    /// Its number in the journal: 3 for the first preopen, then in the
    /// order descriptors are opened, in both worlds.
    pub(crate) id: u32,
    /// Whether anything under its preopen may change (wasmtime-wasi's
    /// `FsPerms`).
    pub(crate) may_change: bool,
    /// The open mode: `get-flags` reports it (`write` as
    /// `mutate-directory` on a directory), and reads and writes need it.
    pub(crate) mode: Mode,
    /// The path it was opened by, under the MemFs root (`data/a.txt`),
    /// for faults planned under a path; kept only when the run has faults.
    pub(crate) path: Option<Arc<str>>,
}

/// A descriptor's open mode, as wasmtime-wasi derives it from the flags
/// it was opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mode {
    pub read: bool,
    pub write: bool,
}

/// A guest-visible error, before each world names it in its own enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Errno {
    Fs(ErrorKind),
    BadDescriptor,
    /// A flag the host does not implement (the `*-sync` descriptor flags).
    Unsupported,
    /// An I/O error: only a planned fault gives one (see [`crate::faults`]).
    Io,
}

impl Errno {
    /// The error's name in WIT (`no-entry`), as both worlds spell it.
    pub(crate) fn name(self) -> String {
        crate::journal::wit_name(&format!("{:?}", p2::code(self)))
    }
}

impl From<ErrorKind> for Errno {
    fn from(k: ErrorKind) -> Self {
        Errno::Fs(k)
    }
}

impl From<crate::memfs::FsError> for Errno {
    fn from(e: crate::memfs::FsError) -> Self {
        Errno::Fs(e.kind())
    }
}

/// An error left behind by a stream, for `filesystem-error-code`.
#[derive(Debug, thiserror::Error)]
#[error("{0:?}")]
pub(crate) struct StreamFsError(pub(crate) Errno);

pub(crate) type Res<T> = Result<T, Errno>;

/// Flags a descriptor was opened with, independent of world.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    pub read: bool,
    pub write: bool,
    pub mutate: bool,
    /// Any of the `*-integrity-sync` / `requested-write-sync` flags.
    pub sync: bool,
}

/// Open flags, independent of world.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Open {
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
}

/// The largest single read served, as wasmtime-wasi serves it (64 KiB):
/// a guest cannot ask the host to allocate without bound, and a longer
/// read is short there too.
pub(crate) const MAX_READ: u64 = 64 << 10;

/// What a file descriptor must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Any file descriptor.
    Nothing,
    /// Opened for reading.
    Read,
    /// In a tree that may change, and opened for writing.
    Write,
    /// In a tree that may change; the mode is checked when data moves
    /// (a write stream on a read-only descriptor fails at its first write).
    Change,
}

/// The largest offset a guest may pass: offsets are `off_t` on the host,
/// and a larger one is `invalid` there.
pub(crate) const MAX_OFFSET: u64 = i64::MAX as u64;

/// What the host kernel refuses before a file stream moves a byte: a
/// mode that does not allow the direction (`EBADF`), or a position past
/// what an `off_t` holds once `len` bytes move (`EINVAL`). wasmtime-wasi
/// opens such a stream
/// and fails its first read or write, so the direct streams do too.
pub(crate) fn stream_refusal(allowed: bool, pos: Option<u64>, len: usize) -> Option<Errno> {
    let invalid = Some(Errno::Fs(ErrorKind::InvalidArgument));
    // As Linux's pread and pwrite: a negative offset, then the mode, then
    // an end past what an `off_t` holds.
    match pos {
        Some(p) if p > MAX_OFFSET => invalid,
        _ if !allowed => Some(Errno::BadDescriptor),
        Some(p) if p.saturating_add(len as u64) > MAX_OFFSET => invalid,
        _ => None,
    }
}

/// A guest's timestamp as MemFs keeps it, checked as wasmtime-wasi checks
/// it: the seconds with the nanoseconds' carry must fit a `time_t`
/// (`overflow`). A time before 1970 (p3's negative seconds) is kept, as
/// Linux keeps it; MemFs clamps it to ext4's range.
pub(crate) fn timestamp(seconds: i128, nanoseconds: u32) -> Res<FileTime> {
    let seconds = seconds.checked_add(i128::from(nanoseconds / 1_000_000_000)).and_then(|s| i64::try_from(s).ok());
    let seconds = seconds.ok_or(Errno::Fs(ErrorKind::Overflow))?;
    Ok(FileTime { seconds, nanoseconds: nanoseconds % 1_000_000_000 })
}

/// Checks that a guest-supplied offset or length fits an `off_t`.
pub(crate) fn offset(n: u64) -> Res<u64> {
    if n > MAX_OFFSET { Err(Errno::Fs(ErrorKind::InvalidArgument)) } else { Ok(n) }
}

/// Times a guest may set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SetTime {
    NoChange,
    Now,
    At(FileTime),
}

/// Re-types a handle between wasmtime-wasi's resource type and ours.
pub(crate) fn ours<A: 'static, B: 'static>(r: &Resource<A>) -> Resource<B> {
    if r.owned() { Resource::new_own(r.rep()) } else { Resource::new_borrow(r.rep()) }
}

/// A deterministic 128-bit identity for an inode (splitmix64 of its
/// number, twice), for `metadata-hash`.
pub(crate) fn inode_hash(ino: Ino) -> (u64, u64) {
    use crate::kernel::mix;
    (mix(ino), mix(ino ^ 0x5eed_5eed_5eed_5eed))
}
