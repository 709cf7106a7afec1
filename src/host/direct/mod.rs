//! The direct backend: `wasi:filesystem` served straight from MemFs, in
//! both component worlds (and under p1), with no host directory anywhere.
//!
//! wasmtime-wasi has no VFS hook, so this module implements the host traits
//! of wasmtime-wasi's own generated bindings and links them over its
//! filesystem interfaces (the linker allows shadowing). Those bindings name
//! wasmtime-wasi's `Descriptor` as the resource type; the table entries
//! behind the handles are ours (`Handle`), and every handle that reaches
//! this module is re-typed with `ours` before use. No code but the direct
//! hosts sees these handles, because they serve every function that takes
//! one (the p1 layer keeps them in its descriptor table as they are).
//!
//! Shared logic lives here; `p2` and `p3` are the thin adapters, and the
//! p1 host's direct layer (`crate::host::p1`) calls the same core. Nothing in
//! here may read host state: times come from the MemFs clock (the virtual
//! clock), identities from inode numbers, directory order from names.
//!
//! Rights follow wasmtime-wasi's model, because stock wasmtime-wasi over a
//! real directory is what the answers must match. A descriptor carries two
//! things: whether its tree may change at all (the preopen's read-only or
//! read-write, inherited by every descriptor opened under it, never more),
//! and the mode it was opened in (read, write), which is what `get-flags`
//! reports and what a read or a write through it needs, as the host kernel
//! would check an `O_RDONLY` or `O_WRONLY` file. A change in a read-only
//! tree is `not-permitted`; a read or write the mode does not allow is
//! `bad-descriptor`. Paths through a descriptor never leave the directory
//! it names: `..` above it, an absolute path or an absolute symlink target
//! is `not-permitted`.

pub mod p2;
pub mod p3;
mod path;

use crate::memfs::{At, ErrorKind, Ino, Kind, MemFs, Metadata, OpenOptions};
use crate::host::Preopen;
use crate::faults::{Effect, Faults, Site};
use crate::journal::Journal;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use wasmtime::component::{HasData, Resource, ResourceTable, ResourceTableError};

/// The MemFs of a run, shared by the descriptor host and its streams.
pub type SharedFs = Arc<Mutex<MemFs>>;

/// The direct backend's state in a store.
pub struct DirectFs {
    pub(crate) fs: SharedFs,
    /// Each preopen's directory, guest path, read-only flag and MemFs path.
    preopens: Vec<(Ino, String, bool, String)>,
    /// The run's journal, and the number the next descriptor gets in it.
    pub(crate) journal: Journal,
    next_fd: AtomicU32,
    /// The run's injector, when its plan has faults.
    pub(crate) faults: Faults,
    /// List directories in this perturbation's order instead of by name.
    pub(crate) readdir: Option<u64>,
}

impl std::fmt::Debug for DirectFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectFs").finish_non_exhaustive()
    }
}

impl DirectFs {
    /// Serves `fs` with `preopens`; each preopen's directory is created in
    /// the MemFs if missing. Calls are noted in `journal` when there is one.
    pub(crate) fn new(mut fs: MemFs, preopens: &[Preopen], journal: Journal, faults: Faults) -> Result<Self, crate::memfs::FsError> {
        let mut roots = Vec::new();
        for p in preopens {
            let path = p.memfs_path();
            fs.mkdir_p(&path)?;
            let ino = fs.lookup_at(At::ROOT, &path, true)?;
            roots.push((ino, p.guest_path.clone(), p.read_only, path));
        }
        Ok(DirectFs { fs: Arc::new(Mutex::new(fs)), preopens: roots, journal, next_fd: AtomicU32::new(3), faults, readdir: None })
    }

    /// Takes the MemFs out after the run (leaves an empty one behind).
    pub(crate) fn take(&self) -> MemFs {
        std::mem::take(&mut *lock(&self.fs))
    }
}

pub(crate) fn lock(fs: &SharedFs) -> MutexGuard<'_, MemFs> {
    fs.lock().unwrap_or_else(|e| e.into_inner())
}

/// An inode held open: MemFs keeps it, and its data, while a guard lives,
/// even after its last name is gone, as a kernel keeps an open file. Every
/// descriptor and every file stream holds its inode through one.
pub(crate) struct Held {
    pub(crate) fs: SharedFs,
    pub(crate) ino: Ino,
}

impl Held {
    /// Holds `ino` in `fs` (which must not be locked by the caller).
    pub(crate) fn new(fs: &SharedFs, ino: Ino) -> Self {
        lock(fs).hold(ino);
        Held { fs: fs.clone(), ino }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        lock(&self.fs).release(self.ino);
    }
}

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
/// (`overflow`). MemFs keeps no time before 1970, so an earlier one is
/// `invalid` (wasmtime-wasi passes p3's negative seconds on to the host).
pub(crate) fn timestamp(seconds: i128, nanoseconds: u32) -> Res<std::time::Duration> {
    let seconds = seconds.checked_add(i128::from(nanoseconds / 1_000_000_000)).filter(|&s| s <= i128::from(i64::MAX));
    let seconds = seconds.ok_or(Errno::Fs(ErrorKind::Overflow))?;
    let seconds = u64::try_from(seconds).map_err(|_| Errno::Fs(ErrorKind::InvalidArgument))?;
    Ok(std::time::Duration::new(seconds, nanoseconds % 1_000_000_000))
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
    At(std::time::Duration),
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

/// The store getter both worlds link with.
pub(crate) fn view<T: crate::host::HostState>(t: &mut T) -> DirectView<'_> {
    let core = t.core();
    DirectView { table: &mut core.table, direct: &core.direct }
}

/// The conversions each world's adapter needs, written once. The invoking
/// module imports its world's `types`, `preopens`, `ErrorCode`,
/// `DescriptorType`, `DescriptorStat`, `DescriptorFlags`, `OpenFlags`,
/// `PathFlags` and `MetadataHashValue`; `$err` is its trappable error type
/// and `$time` turns a `Duration` into its timestamp type.
macro_rules! world_adapter {
    ($err:ty, $time:ident) => {
        /// Links the direct `wasi:filesystem/{types,preopens}` over the ones
        /// the linker already has.
        pub(crate) fn add_to_linker<T: crate::host::HostState>(
            linker: &mut wasmtime::component::Linker<T>,
        ) -> wasmtime::Result<()> {
            linker.allow_shadowing(true);
            types::add_to_linker::<T, super::DirectData>(linker, super::view)?;
            preopens::add_to_linker::<T, super::DirectData>(linker, super::view)?;
            linker.allow_shadowing(false);
            Ok(())
        }

        /// The one exhaustive mapping from our errors to the world's codes.
        pub(crate) fn code(e: super::Errno) -> ErrorCode {
            use crate::memfs::ErrorKind as K;
            match e {
                super::Errno::BadDescriptor => ErrorCode::BadDescriptor,
                super::Errno::Unsupported => ErrorCode::Unsupported,
                super::Errno::Io => ErrorCode::Io,
                super::Errno::Fs(k) => match k {
                    K::NotFound => ErrorCode::NoEntry,
                    K::Exists => ErrorCode::Exist,
                    K::NotDir => ErrorCode::NotDirectory,
                    K::IsDir => ErrorCode::IsDirectory,
                    K::NotEmpty => ErrorCode::NotEmpty,
                    K::InvalidPath | K::InvalidArgument => ErrorCode::Invalid,
                    K::NotPermitted => ErrorCode::NotPermitted,
                    K::Loop => ErrorCode::Loop,
                    K::NoSpace => ErrorCode::InsufficientSpace,
                    K::TooLarge => ErrorCode::FileTooLarge,
                    K::NameTooLong => ErrorCode::NameTooLong,
                    K::Busy => ErrorCode::Busy,
                    K::Overflow => ErrorCode::Overflow,
                },
            }
        }

        /// A guest-visible error becomes the world's code; a host failure
        /// stays a trap.
        fn lift<T>(r: wasmtime::Result<super::Res<T>>) -> Result<T, $err> {
            match r {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(<$err>::from(code(e))),
                Err(trap) => Err(<$err>::trap(trap)),
            }
        }

        fn dtype(k: crate::memfs::Kind) -> DescriptorType {
            match k {
                crate::memfs::Kind::File => DescriptorType::RegularFile,
                crate::memfs::Kind::Dir => DescriptorType::Directory,
                crate::memfs::Kind::Symlink => DescriptorType::SymbolicLink,
            }
        }

        fn stat(m: &crate::memfs::Metadata) -> DescriptorStat {
            DescriptorStat {
                type_: dtype(m.kind),
                link_count: m.nlink,
                size: m.size,
                data_access_timestamp: Some($time(m.atime)),
                data_modification_timestamp: Some($time(m.mtime)),
                status_change_timestamp: Some($time(m.ctime)),
            }
        }

        fn flags_in(f: DescriptorFlags) -> super::Flags {
            super::Flags {
                read: f.contains(DescriptorFlags::READ),
                write: f.contains(DescriptorFlags::WRITE),
                mutate: f.contains(DescriptorFlags::MUTATE_DIRECTORY),
                sync: f.intersects(
                    DescriptorFlags::FILE_INTEGRITY_SYNC
                        | DescriptorFlags::DATA_INTEGRITY_SYNC
                        | DescriptorFlags::REQUESTED_WRITE_SYNC,
                ),
            }
        }

        fn flags_out(f: super::Flags) -> DescriptorFlags {
            let mut out = DescriptorFlags::empty();
            if f.read {
                out |= DescriptorFlags::READ;
            }
            if f.write {
                out |= DescriptorFlags::WRITE;
            }
            if f.mutate {
                out |= DescriptorFlags::MUTATE_DIRECTORY;
            }
            out
        }

        fn open_flags(o: OpenFlags) -> super::Open {
            super::Open {
                create: o.contains(OpenFlags::CREATE),
                exclusive: o.contains(OpenFlags::EXCLUSIVE),
                truncate: o.contains(OpenFlags::TRUNCATE),
                directory: o.contains(OpenFlags::DIRECTORY),
            }
        }

        fn follow(p: PathFlags) -> bool {
            p.contains(PathFlags::SYMLINK_FOLLOW)
        }

        fn hash((lower, upper): (u64, u64)) -> MetadataHashValue {
            MetadataHashValue { lower, upper }
        }
    };
}
pub(crate) use world_adapter;

/// The view the generated host traits are implemented on.
pub struct DirectView<'a> {
    pub(crate) table: &'a mut ResourceTable,
    pub(crate) direct: &'a DirectFs,
}

impl std::fmt::Debug for DirectView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectView").finish_non_exhaustive()
    }
}

/// [`HasData`] marker for the direct filesystem host.
#[derive(Debug)]
pub struct DirectData;

impl HasData for DirectData {
    type Data<'a> = DirectView<'a>;
}

impl DirectView<'_> {
    pub(crate) fn fs(&self) -> MutexGuard<'_, MemFs> {
        lock(&self.direct.fs)
    }

    fn new_id(&self) -> u32 {
        self.direct.next_fd.fetch_add(1, Ordering::Relaxed)
    }

    /// A descriptor as the journal names it: `fd 4`.
    pub(crate) fn fd<T: 'static>(&self, r: &Resource<T>) -> String {
        match self.handle(r) {
            Ok(h) => format!("fd {}", h.id),
            Err(_) => "fd ?".into(),
        }
    }

    /// Notes a call that may fail with a guest-visible error. A host
    /// failure (a trap) is not a call the guest sees answered.
    fn noted<R>(
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
    fn noted_ok<R, E>(&self, op: &str, args: impl FnOnce() -> String, r: Result<R, E>, ok: impl FnOnce(&R) -> String) -> Result<R, E> {
        if let (Some(j), Ok(v)) = (&self.direct.journal, &r) {
            j.note(op, &args(), &ok(v));
        }
        r
    }

    /// `sync` and `sync-data`: nothing to write out, so only the handle is
    /// checked, and only a planned fault fails it.
    pub(crate) fn sync<T: 'static>(&self, fd: &Resource<T>, data_only: bool) -> wasmtime::Result<Res<()>> {
        let op = if data_only { "fs.sync-data" } else { "fs.sync" };
        self.handle(fd)?;
        let r = match self.strike(Site::FsSync, fd, 0, false) {
            Some(Effect::Io) => Err(Errno::Io),
            _ => Ok(()),
        };
        self.noted(op, || self.fd(fd), Ok(r), |()| "ok".into())
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
    fn strike_at<T: 'static>(&self, site: Site, fd: &Resource<T>, sub: &str, bytes: u64, short_ok: bool) -> Option<Effect> {
        let faults = self.direct.faults.as_ref()?;
        let dir = self.handle(fd).ok().and_then(|h| h.path.clone());
        let path = join_lexically(dir.as_deref().unwrap_or(""), sub);
        Effect::for_fs(&faults.strike(site, &path, bytes, short_ok))
    }

    pub(crate) fn handle<T: 'static>(&self, r: &Resource<T>) -> Result<&Handle, ResourceTableError> {
        self.table.get(&ours::<T, Handle>(r))
    }

    /// The preopens, as new descriptors.
    pub(crate) fn preopens<T: 'static>(&mut self) -> wasmtime::Result<Vec<(Resource<T>, String)>> {
        let mut out = Vec::new();
        for (ino, guest, ro, memfs_path) in self.direct.preopens.clone() {
            // wasmtime-wasi opens a read-write preopen for reading and
            // writing, a read-only one for reading.
            let held = Held::new(&self.direct.fs, ino);
            let path = self.direct.faults.as_ref().map(|_| Arc::from(memfs_path.trim_start_matches('/')));
            let h = Handle { held, id: self.new_id(), may_change: !ro, mode: Mode { read: true, write: !ro }, path };
            let r = self.table.push(h)?;
            out.push((ours(&r), guest));
        }
        crate::journal::note(&self.direct.journal, "fs.preopens", String::new, || {
            let names: Vec<String> = out.iter().map(|(r, g)| format!("{} {g:?}", self.fd(r))).collect();
            format!("[{}]", names.join(", "))
        });
        Ok(out)
    }

    pub(crate) fn drop_handle<T: 'static>(&mut self, r: Resource<T>) -> wasmtime::Result<()> {
        crate::journal::note(&self.direct.journal, "fs.close", || self.fd(&r), String::new);
        self.table.delete(ours::<T, Handle>(&r))?;
        Ok(())
    }

    /// The `At` for paths relative to a directory descriptor: walled at
    /// the directory itself, so no path through it leaves it.
    pub(crate) fn dir_at<T: 'static>(&self, r: &Resource<T>) -> wasmtime::Result<Res<At>> {
        let h = self.handle(r)?;
        let fs = self.fs();
        if !fs.is_live(h.held.ino) || fs.kind(h.held.ino) != Kind::Dir {
            return Ok(Err(Errno::Fs(ErrorKind::NotDir)));
        }
        Ok(Ok(At::walled(h.held.ino, h.held.ino)))
    }

    /// Like [`Self::dir_at`], and the tree must allow changes.
    pub(crate) fn mut_dir_at<T: 'static>(&self, r: &Resource<T>) -> wasmtime::Result<Res<At>> {
        let at = self.dir_at(r)?;
        if at.is_ok() && !self.handle(r)?.may_change {
            return Ok(Err(Errno::Fs(ErrorKind::NotPermitted)));
        }
        Ok(at)
    }

    /// Opens `path` under the directory `r` and pushes a new descriptor,
    /// checking what wasmtime-wasi checks, in its order.
    pub(crate) fn open_at<T: 'static>(
        &mut self,
        r: &Resource<T>,
        follow: bool,
        path: &str,
        open: Open,
        flags: Flags,
    ) -> wasmtime::Result<Res<Resource<T>>> {
        let opened = self.open(r, follow, path, open, flags);
        let args = || format!("{}, {path:?}, {}", self.fd(r), open_words(follow, open, flags));
        self.noted("fs.open-at", args, opened, |fd| self.fd(fd))
    }

    fn open<T: 'static>(
        &mut self,
        r: &Resource<T>,
        follow: bool,
        path: &str,
        open: Open,
        flags: Flags,
    ) -> wasmtime::Result<Res<Resource<T>>> {
        let at = match self.dir_at(r)? {
            Ok(at) => at,
            Err(e) => return Ok(Err(e)),
        };
        // Creating or truncating opens for writing; anything not opened
        // for writing is opened for reading. `mutate-directory` asks for
        // nothing: the tree's rights decide what may change.
        let mode = Mode { read: flags.read || !flags.write, write: flags.write || open.create || open.truncate };
        if flags.sync {
            return Ok(Err(Errno::Unsupported));
        }
        if open.directory && (open.create || open.exclusive || open.truncate) {
            return Ok(Err(Errno::Fs(ErrorKind::InvalidArgument)));
        }
        let may_change = self.handle(r)?.may_change;
        if !may_change && mode.write {
            return Ok(Err(Errno::Fs(ErrorKind::NotPermitted)));
        }
        let opts = OpenOptions {
            create: open.create,
            exclusive: open.exclusive,
            truncate: open.truncate,
            directory: open.directory,
            follow,
        };
        let mut fs = self.fs();
        let ino = match path::last_component(path) {
            // A path that ends in `/`, `.` or `..` names a directory: a
            // symlink there is followed, and creating is `is-directory`.
            (walk, last, true) if !path.is_empty() => {
                let found = path::walk_dir(&fs, at, walk).and_then(|dir| match last {
                    // `.` and `..` exist; a name with a trailing slash is
                    // refused before it is looked up.
                    None if open.create && open.exclusive => Err(ErrorKind::Exists),
                    _ if open.create => Err(ErrorKind::IsDir),
                    Some(name) => path::walk_dir(&fs, dir, name),
                    None => Ok(dir),
                });
                match found {
                    Ok(dir) => dir.dir,
                    Err(e) => return Ok(Err(e.into())),
                }
            }
            _ => match fs.open_at(at, path, opts) {
                Ok(ino) => ino,
                Err(e) => return Ok(Err(e.into())),
            },
        };
        if fs.kind(ino) == Kind::Dir && mode.write {
            return Ok(Err(Errno::Fs(ErrorKind::IsDir)));
        }
        drop(fs);
        let path = self.handle(r)?.path.as_deref().map(|dir| Arc::from(join_lexically(dir, path)));
        let h = Handle { held: Held::new(&self.direct.fs, ino), id: self.new_id(), may_change, mode, path };
        let r = self.table.push(h)?;
        Ok(Ok(ours(&r)))
    }

    /// The inode of a file descriptor that allows `need`; a directory is
    /// `bad-descriptor`, as it is for wasmtime-wasi's file-only calls.
    pub(crate) fn file<T: 'static>(&self, fd: &Resource<T>, need: Need) -> wasmtime::Result<Res<Ino>> {
        let h = self.handle(fd)?;
        if self.fs().kind(h.held.ino) != Kind::File {
            return Ok(Err(Errno::BadDescriptor));
        }
        Ok(match need {
            Need::Nothing => Ok(h.held.ino),
            Need::Read if h.mode.read => Ok(h.held.ino),
            Need::Read => Err(Errno::BadDescriptor),
            Need::Write | Need::Change if !h.may_change => Err(Errno::Fs(ErrorKind::NotPermitted)),
            Need::Write if !h.mode.write => Err(Errno::BadDescriptor),
            Need::Write | Need::Change => Ok(h.held.ino),
        })
    }

    /// The file a read stream reads, and whether the descriptor's mode
    /// lets it read (checked at the first read). A directory is
    /// `is-directory` here (POSIX EISDIR on read), not the `bad-descriptor`
    /// of the other file-only calls.
    pub(crate) fn read_source<T: 'static>(&self, fd: &Resource<T>, offset: u64) -> wasmtime::Result<Res<(Ino, bool)>> {
        let allowed = self.mode(fd)?.read;
        let dir = self.fs().kind(self.handle(fd)?.held.ino) == Kind::Dir;
        let r = Ok(match self.file(fd, Need::Nothing)? {
            Err(_) if dir => Err(Errno::Fs(ErrorKind::IsDir)),
            r => r.map(|ino| (ino, allowed)),
        });
        self.noted("fs.read-via-stream", || format!("{}, @{offset}", self.fd(fd)), r, |_| "stream".into())
    }

    /// The file a write stream writes (`offset`, or the end), for a
    /// descriptor in a tree that may change, and whether its mode lets it
    /// write (checked at the first write).
    pub(crate) fn write_target<T: 'static>(&self, fd: &Resource<T>, offset: Option<u64>) -> wasmtime::Result<Res<(Ino, bool)>> {
        let allowed = self.mode(fd)?.write;
        let r = self.file(fd, Need::Change).map(|r| r.map(|ino| (ino, allowed)));
        match offset {
            Some(at) => self.noted("fs.write-via-stream", || format!("{}, @{at}", self.fd(fd)), r, |_| "stream".into()),
            None => self.noted("fs.append-via-stream", || self.fd(fd), r, |_| "stream".into()),
        }
    }

    /// Whether a descriptor's mode allows reading and writing.
    pub(crate) fn mode<T: 'static>(&self, fd: &Resource<T>) -> Result<Mode, ResourceTableError> {
        Ok(self.handle(fd)?.mode)
    }

    /// The flags `get-flags` reports: the open mode, with writing named
    /// `mutate-directory` on a directory.
    pub(crate) fn flags<T: 'static>(&self, fd: &Resource<T>) -> Result<Flags, ResourceTableError> {
        let h = self.handle(fd)?;
        let dir = self.fs().kind(h.held.ino) == Kind::Dir;
        let flags = Flags { read: h.mode.read, write: h.mode.write && !dir, mutate: h.mode.write && dir, sync: false };
        self.noted_ok("fs.get-flags", || self.fd(fd), Ok(flags), |f| flag_words(*f))
    }

    /// The kind of what a descriptor points at.
    pub(crate) fn kind<T: 'static>(&self, fd: &Resource<T>) -> Result<Kind, ResourceTableError> {
        let ino = self.handle(fd)?.held.ino;
        let kind = self.fs().kind(ino);
        self.noted_ok("fs.get-type", || self.fd(fd), Ok(kind), |k| kind_word(*k).into())
    }

    /// Metadata of what a descriptor points at.
    pub(crate) fn stat<T: 'static>(&self, fd: &Resource<T>) -> Result<Metadata, ResourceTableError> {
        let ino = self.handle(fd)?.held.ino;
        let meta = self.fs().metadata_of(ino);
        self.noted_ok("fs.stat", || self.fd(fd), Ok(meta), stat_words)
    }

    /// Metadata of a path under a directory descriptor.
    pub(crate) fn stat_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<Metadata>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| {
            let fs = self.fs();
            Ok(fs.metadata_of(path::lookup(&fs, at, path, follow)?))
        }));
        self.noted("fs.stat-at", || format!("{}, {path:?}{}", self.fd(fd), follow_word(follow)), r, stat_words)
    }

    /// The inode identity hash of a descriptor.
    pub(crate) fn hash<T: 'static>(&self, fd: &Resource<T>) -> Result<(u64, u64), ResourceTableError> {
        let r = Ok(inode_hash(self.handle(fd)?.held.ino));
        self.noted_ok("fs.metadata-hash", || self.fd(fd), r, |h| format!("{:#x}", h.0))
    }

    /// The inode identity hash of a path under a directory descriptor.
    pub(crate) fn hash_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<(u64, u64)>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| Ok(inode_hash(path::lookup(&self.fs(), at, path, follow)?))));
        let args = || format!("{}, {path:?}{}", self.fd(fd), follow_word(follow));
        self.noted("fs.metadata-hash-at", args, r, |h| format!("{:#x}", h.0))
    }

    /// Do two descriptors point at the same inode?
    pub(crate) fn same<T: 'static>(&self, a: &Resource<T>, b: &Resource<T>) -> Result<bool, ResourceTableError> {
        let r = Ok(self.handle(a)?.held.ino == self.handle(b)?.held.ino);
        self.noted_ok("fs.is-same-object", || format!("{}, {}", self.fd(a), self.fd(b)), r, |s| s.to_string())
    }

    /// A directory's entries, in name order (or a perturbation's).
    pub(crate) fn read_dir<T: 'static>(&self, fd: &Resource<T>) -> wasmtime::Result<Res<Vec<(String, Kind)>>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| {
            let entries = self.fs().entries(at.dir)?;
            let mut entries = entries.into_iter().map(|(name, kind, _)| (name, kind)).collect::<Vec<_>>();
            if let Some(v) = self.direct.readdir {
                crate::kernel::permute(&mut entries, v);
            }
            Ok(entries)
        }));
        self.noted("fs.read-directory", || self.fd(fd), r, |entries| {
            let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
            format!("{names:?}")
        })
    }

    /// Up to `len` bytes at `offset`, and whether the end was reached:
    /// wasmtime-wasi says so only when the read returned nothing.
    pub(crate) fn read<T: 'static>(&self, fd: &Resource<T>, len: u64, offset: u64) -> wasmtime::Result<Res<(Vec<u8>, bool)>> {
        // As Linux's pread: a negative offset, then the mode, then an end
        // past what an `off_t` holds.
        let span = len.min(MAX_READ);
        let (file, readable) = (self.file(fd, Need::Nothing)?, self.file(fd, Need::Read)?);
        let r = Ok(file.and_then(|_| {
            self::offset(offset)?;
            let ino = readable?;
            self::offset(offset.saturating_add(span))?;
            let span = match self.strike(Site::FsRead, fd, 0, true) {
                Some(Effect::Io) => return Err(Errno::Io),
                Some(Effect::Short) => crate::faults::half(span as usize) as u64,
                _ => span,
            };
            let fs = self.fs();
            let data = fs.read_ino(ino, offset, span as usize)?.to_vec();
            let end = data.is_empty();
            Ok((data, end))
        }));
        self.noted("fs.read", || format!("{}, @{offset}, {len}", self.fd(fd)), r, |(data, end)| {
            if *end { "end".into() } else { crate::journal::bytes(data) }
        })
    }

    /// Writes at `offset`; the byte count written.
    pub(crate) fn write<T: 'static>(&self, fd: &Resource<T>, data: &[u8], offset: u64) -> wasmtime::Result<Res<u64>> {
        // wasmtime-wasi checks the tree's rights, then pwrite the offset,
        // then the mode.
        let (changeable, writable) = (self.file(fd, Need::Change)?, self.file(fd, Need::Write)?);
        let r = Ok(changeable.and_then(|_| {
            self::offset(offset)?;
            let ino = writable?;
            let data = match self.strike(Site::FsWrite, fd, data.len() as u64, true) {
                Some(Effect::NoSpace) => return Err(Errno::Fs(ErrorKind::NoSpace)),
                Some(Effect::Short) => &data[..crate::faults::half(data.len())],
                _ => data,
            };
            Ok(self.fs().write_ino(ino, offset, data)? as u64)
        }));
        let args = || format!("{}, @{offset}, {}", self.fd(fd), crate::journal::bytes(data));
        self.noted("fs.write", args, r, |n| n.to_string())
    }

    /// Sets a file's length. Without write access this is `invalid`, as
    /// `ftruncate` says on Linux (POSIX allows that or `EBADF`).
    pub(crate) fn set_size<T: 'static>(&self, fd: &Resource<T>, size: u64) -> wasmtime::Result<Res<()>> {
        let ino = match self.file(fd, Need::Write)? {
            Err(Errno::BadDescriptor) if self.fs().kind(self.handle(fd)?.held.ino) == Kind::File => {
                Err(Errno::Fs(ErrorKind::InvalidArgument))
            }
            r => r,
        };
        let r = Ok(ino.and_then(|ino| Ok(self.fs().set_len_ino(ino, offset(size)?)?)));
        self.noted("fs.set-size", || format!("{}, {size}", self.fd(fd)), r, |()| "ok".into())
    }

    /// `advise`: a file-only call that changes nothing. Linux refuses
    /// only a length that is negative as an `off_t`; any offset goes.
    pub(crate) fn advise<T: 'static>(&self, fd: &Resource<T>, len: u64) -> wasmtime::Result<Res<()>> {
        let r = Ok(self.file(fd, Need::Nothing)?.and_then(|_| offset(len).map(|_| ())));
        self.noted("fs.advise", || format!("{}, {len}", self.fd(fd)), r, |()| "ok".into())
    }

    /// Sets times through any descriptor in a tree that may change.
    pub(crate) fn set_times<T: 'static>(&self, fd: &Resource<T>, atime: SetTime, mtime: SetTime) -> wasmtime::Result<Res<()>> {
        let h = self.handle(fd)?;
        let r = if h.may_change {
            self.set_times_ino(h.held.ino, atime, mtime);
            Ok(Ok(()))
        } else {
            Ok(Err(Errno::Fs(ErrorKind::NotPermitted)))
        };
        self.noted("fs.set-times", || format!("{}, {atime:?}, {mtime:?}", self.fd(fd)), r, |()| "ok".into())
    }

    /// Sets times of a path under a directory descriptor.
    pub(crate) fn set_times_at<T: 'static>(
        &self,
        fd: &Resource<T>,
        follow: bool,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
    ) -> wasmtime::Result<Res<()>> {
        let r = self.set_path_times(fd, follow, path, atime, mtime);
        let args = || format!("{}, {path:?}{}, {atime:?}, {mtime:?}", self.fd(fd), follow_word(follow));
        self.noted("fs.set-times-at", args, r, |()| "ok".into())
    }

    fn set_path_times<T: 'static>(
        &self,
        fd: &Resource<T>,
        follow: bool,
        path: &str,
        atime: SetTime,
        mtime: SetTime,
    ) -> wasmtime::Result<Res<()>> {
        Ok(self.mut_dir_at(fd)?.and_then(|at| {
            let omit = matches!((atime, mtime), (SetTime::NoChange, SetTime::NoChange));
            let ino = if follow {
                path::lookup(&self.fs(), at, path, true)?
            } else {
                // utimensat without following finds the entry's parent, and
                // returns before looking the entry up when nothing changes.
                let fs = self.fs();
                match path::parent(&fs, at, path)? {
                    _ if omit => return Ok(()),
                    (dir, path::Base::Dot) => dir.dir,
                    (dir, path::Base::Name(n)) => fs.lookup_at(dir, n, false)?,
                }
            };
            self.set_times_ino(ino, atime, mtime);
            Ok(())
        }))
    }

    /// Runs a change to the entry `path` names under a directory
    /// descriptor that allows changes: `op` gets the directory holding it
    /// and its name, `.` when the path ends in `/`, `.` or `..`.
    fn change<T: 'static, R>(
        &self,
        fd: &Resource<T>,
        path: &str,
        op: impl FnOnce(&mut MemFs, At, path::Base<'_>) -> Result<R, ErrorKind>,
    ) -> wasmtime::Result<Res<R>> {
        Ok(self.mut_dir_at(fd)?.and_then(|at| {
            let mut fs = self.fs();
            let (dir, base) = path::parent(&fs, at, path)?;
            Ok(op(&mut fs, dir, base)?)
        }))
    }

    /// `create-directory-at`; a trailing `/` is allowed, as mkdir allows it.
    pub(crate) fn mkdir_at<T: 'static>(&self, fd: &Resource<T>, path: &str) -> wasmtime::Result<Res<()>> {
        let r = self.change(fd, path::strip_dir_suffix(path), |fs, dir, base| match base {
            path::Base::Dot => Err(ErrorKind::Exists),
            path::Base::Name(n) => fs.mkdir_at(dir, n).map_err(|e| e.kind()),
        });
        self.noted("fs.mkdir-at", || format!("{}, {path:?}", self.fd(fd)), r, |()| "ok".into())
    }

    /// `remove-directory-at`; removing `.` is `invalid`, as rmdir says.
    pub(crate) fn rmdir_at<T: 'static>(&self, fd: &Resource<T>, path: &str) -> wasmtime::Result<Res<()>> {
        let r = self.change(fd, path, |fs, dir, base| match base {
            path::Base::Dot => Err(ErrorKind::InvalidArgument),
            path::Base::Name(n) => fs.rmdir_at(dir, n).map_err(|e| e.kind()),
        });
        self.noted("fs.rmdir-at", || format!("{}, {path:?}", self.fd(fd)), r, |()| "ok".into())
    }

    /// `unlink-file-at`; unlinking `.` is `is-directory`, as unlinkat says.
    pub(crate) fn unlink_at<T: 'static>(&self, fd: &Resource<T>, path: &str) -> wasmtime::Result<Res<()>> {
        let r = self.change(fd, path, |fs, dir, base| match base {
            path::Base::Dot => Err(ErrorKind::IsDir),
            path::Base::Name(n) => fs.remove_file_at(dir, n).map_err(|e| e.kind()),
        });
        self.noted("fs.unlink-at", || format!("{}, {path:?}", self.fd(fd)), r, |()| "ok".into())
    }

    /// `rename-at`. Trailing slashes are dropped, but then the source must
    /// be a directory (not a symlink to one); `.` on either side is `busy`.
    pub(crate) fn rename_at<T: 'static>(
        &self,
        a: &Resource<T>,
        old: &str,
        b: &Resource<T>,
        new: &str,
    ) -> wasmtime::Result<Res<()>> {
        let r = self.rename(a, old, b, new);
        let args = || format!("{}, {old:?}, {}, {new:?}", self.fd(a), self.fd(b));
        self.noted("fs.rename-at", args, r, |()| "ok".into())
    }

    fn rename<T: 'static>(&self, a: &Resource<T>, old: &str, b: &Resource<T>, new: &str) -> wasmtime::Result<Res<()>> {
        let must_be_dir = path::has_trailing_slash(old) || path::has_trailing_slash(new);
        let (old, new) = (path::strip_dir_suffix(old), path::strip_dir_suffix(new));
        self.change2(a, b, |fs, from, to| {
            let (from, old_base) = path::parent(fs, from, old)?;
            let (to, new_base) = path::parent(fs, to, new)?;
            let (path::Base::Name(old_name), path::Base::Name(new)) = (old_base, new_base) else {
                return Err(Errno::Fs(ErrorKind::Busy));
            };
            // Linux looks up the source, then the target's name, then
            // checks the source's kind.
            let source = fs.lookup_at(from, old_name, false)?;
            match fs.lookup_at(to, new, false) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
            if must_be_dir && fs.kind(source) != Kind::Dir {
                return Err(Errno::Fs(ErrorKind::NotDir));
            }
            if let Some(Effect::Io) = self.strike_at(Site::FsRename, a, old, 0, false) {
                return Err(Errno::Io);
            }
            fs.rename_at(from, old_name, to, new).map_err(Errno::from)
        })
    }

    /// Runs a change that spans two directory descriptors: both must be
    /// directories, then both trees must allow changes.
    fn change2<T: 'static, R>(
        &self,
        a: &Resource<T>,
        b: &Resource<T>,
        op: impl FnOnce(&mut MemFs, At, At) -> Result<R, Errno>,
    ) -> wasmtime::Result<Res<R>> {
        let (at_a, at_b) = match (self.dir_at(a)?, self.dir_at(b)?) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        if !self.handle(a)?.may_change || !self.handle(b)?.may_change {
            return Ok(Err(Errno::Fs(ErrorKind::NotPermitted)));
        }
        Ok(op(&mut self.fs(), at_a, at_b))
    }

    /// Hard-links `old` under `a` as `new` under `b`. wasmtime-wasi
    /// refuses to follow a symlink at the old path (`invalid`), after the
    /// rights checks.
    pub(crate) fn link_at<T: 'static>(
        &self,
        a: &Resource<T>,
        follow: bool,
        old: &str,
        b: &Resource<T>,
        new: &str,
    ) -> wasmtime::Result<Res<()>> {
        let r = self.change2(a, b, |fs, from, to| {
            if follow {
                return Err(Errno::Fs(ErrorKind::InvalidArgument));
            }
            // `.` names the directory itself: linking it is not-permitted,
            // linking over it exists, as linkat says.
            let name = |base| match base {
                path::Base::Dot => ".",
                path::Base::Name(n) => n,
            };
            let (from, old) = path::parent(fs, from, old)?;
            let (to, new) = path::parent(fs, to, new)?;
            Ok(fs.link_at(from, name(old), to, name(new), false)?)
        });
        let args = || format!("{}, {old:?}{}, {}, {new:?}", self.fd(a), follow_word(follow), self.fd(b));
        self.noted("fs.link-at", args, r, |()| "ok".into())
    }

    /// The target of a symlink under a directory descriptor.
    pub(crate) fn readlink_at<T: 'static>(&self, fd: &Resource<T>, path: &str) -> wasmtime::Result<Res<String>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| {
            let fs = self.fs();
            match path::parent(&fs, at, path)? {
                (_, path::Base::Dot) => Err(Errno::Fs(ErrorKind::InvalidArgument)),
                (dir, path::Base::Name(n)) => fs.readlink_at(dir, n).map_err(Errno::from),
            }
        }));
        self.noted("fs.readlink-at", || format!("{}, {path:?}", self.fd(fd)), r, |t| format!("{t:?}"))
    }

    /// Creates a symlink. As wasmtime-wasi: the descriptor must be a
    /// directory in a tree that may change, then an absolute target is
    /// refused (it could only point out of the sandbox), then the new
    /// name's parent is found.
    pub(crate) fn symlink_at<T: 'static>(&self, fd: &Resource<T>, target: &str, path: &str) -> wasmtime::Result<Res<()>> {
        let r = Ok(self.mut_dir_at(fd)?.and_then(|at| {
            if target.starts_with('/') {
                return Err(Errno::Fs(ErrorKind::NotPermitted));
            }
            let mut fs = self.fs();
            match path::parent(&fs, at, path)? {
                // symlinkat reads an empty target as no-entry before it
                // looks at the new name.
                (_, path::Base::Dot) if target.is_empty() => Err(Errno::Fs(ErrorKind::NotFound)),
                (_, path::Base::Dot) => Err(Errno::Fs(ErrorKind::Exists)),
                (dir, path::Base::Name(n)) => fs.symlink_at(target, dir, n).map_err(Errno::from),
            }
        }));
        self.noted("fs.symlink-at", || format!("{target:?}, {}, {path:?}", self.fd(fd)), r, |()| "ok".into())
    }

    /// Applies guest-chosen times to an inode.
    pub(crate) fn set_times_ino(&self, ino: Ino, atime: SetTime, mtime: SetTime) {
        let mut fs = self.fs();
        let now = fs.now();
        let pick = |t| match t {
            SetTime::NoChange => None,
            SetTime::Now => Some(now),
            SetTime::At(d) => Some(d),
        };
        fs.set_times_ino(ino, pick(atime), pick(mtime));
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
}

impl StreamLog {
    pub(crate) fn new<T: 'static>(view: &DirectView<'_>, fd: &Resource<T>) -> Self {
        let journal = view.direct.journal.clone();
        let fd_name = if journal.is_some() { view.fd(fd) } else { String::new() };
        let faults = view.direct.faults.clone();
        let path = if faults.is_some() { view.handle(fd).ok().and_then(|h| h.path.clone()) } else { None };
        StreamLog { journal, fd: fd_name, faults, path }
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
fn open_words(follow: bool, open: Open, flags: Flags) -> String {
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

fn flag_words(f: Flags) -> String {
    let names = [(f.read, "read"), (f.write, "write"), (f.mutate, "mutate"), (f.sync, "sync")];
    let n: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    if n.is_empty() { "-".into() } else { n.join("|") }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::File => "file",
        Kind::Dir => "dir",
        Kind::Symlink => "symlink",
    }
}

fn follow_word(follow: bool) -> &'static str {
    if follow { "" } else { ", nofollow" }
}

fn stat_words(m: &Metadata) -> String {
    format!("{} {} bytes, {} links", kind_word(m.kind), m.size, m.nlink)
}
