//! The direct backend: `wasi:filesystem` served straight from MemFs, in
//! both worlds, with no host directory anywhere.
//!
//! wasmtime-wasi has no VFS hook, so this module implements the host traits
//! of wasmtime-wasi's own generated bindings and links them over its
//! filesystem interfaces (the linker allows shadowing). Those bindings name
//! wasmtime-wasi's `Descriptor` as the resource type; the table entries
//! behind the handles are ours ([`Handle`]), and every handle that reaches
//! this module is re-typed with [`ours`] before use. No other code sees
//! these handles, because this module serves every function that takes one.
//!
//! Shared logic lives here; `p2` and `p3` are the thin adapters. Nothing in
//! here may read host state: times come from the MemFs clock (the virtual
//! clock), identities from inode numbers, directory order from names.

pub mod p2;
pub mod p3;

use crate::memfs::{At, ErrorKind, Ino, Kind, MemFs, Metadata, OpenOptions};
use std::sync::{Arc, Mutex, MutexGuard};
use wasmtime::component::{HasData, Resource, ResourceTable, ResourceTableError};

/// The MemFs of a run, shared by the descriptor host and its streams.
pub type SharedFs = Arc<Mutex<MemFs>>;

/// One preopened directory as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The path the guest is told (`/`, `.`, `/data`, …).
    pub guest_path: String,
    /// Enforced by the host: the guest gets `read-only` for any change.
    pub read_only: bool,
}

impl Preopen {
    /// A read-write preopen.
    pub fn rw(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: false }
    }

    /// A read-only preopen.
    pub fn ro(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: true }
    }

    /// Where this preopen's root lives in the MemFs: the guest path made
    /// absolute (`.` and `/` are the MemFs root).
    pub fn memfs_path(&self) -> String {
        let trimmed = self.guest_path.trim_start_matches("./").trim_matches('/');
        if trimmed.is_empty() || trimmed == "." { "/".into() } else { format!("/{trimmed}") }
    }
}

/// The direct backend's state in a store.
pub struct DirectFs {
    pub(crate) fs: SharedFs,
    preopens: Vec<(Ino, String, bool)>,
}

impl DirectFs {
    /// Serves `fs` with `preopens`; each preopen's directory is created in
    /// the MemFs if missing.
    pub fn new(mut fs: MemFs, preopens: &[Preopen]) -> Result<Self, crate::memfs::FsError> {
        let mut roots = Vec::new();
        for p in preopens {
            let path = p.memfs_path();
            fs.mkdir_p(&path)?;
            let ino = fs.lookup_at(At::ROOT, &path, true)?;
            roots.push((ino, p.guest_path.clone(), p.read_only));
        }
        Ok(DirectFs { fs: Arc::new(Mutex::new(fs)), preopens: roots })
    }

    /// Takes the MemFs out after the run (leaves an empty one behind).
    pub(crate) fn take(&self) -> MemFs {
        std::mem::take(&mut *lock(&self.fs))
    }
}

pub(crate) fn lock(fs: &SharedFs) -> MutexGuard<'_, MemFs> {
    fs.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a descriptor handle points at.
pub(crate) struct Handle {
    fs: SharedFs,
    pub(crate) ino: Ino,
    /// The preopen root it came from: paths through it never rise above.
    wall: Ino,
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) mutate: bool,
}

impl Drop for Handle {
    fn drop(&mut self) {
        lock(&self.fs).release(self.ino);
    }
}

/// A guest-visible error, before each world names it in its own enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Errno {
    Fs(ErrorKind),
    ReadOnly,
    BadDescriptor,
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
}

/// Open flags, independent of world.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Open {
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
}

/// The largest single read served, so a guest cannot ask the host to
/// allocate without bound.
pub(crate) const MAX_READ: u64 = 1 << 24;

/// What a file descriptor must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Nothing,
    Read,
    Write,
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
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
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
        fn code(e: super::Errno) -> ErrorCode {
            use crate::memfs::ErrorKind as K;
            match e {
                super::Errno::ReadOnly => ErrorCode::ReadOnly,
                super::Errno::BadDescriptor => ErrorCode::BadDescriptor,
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

/// [`HasData`] marker for the direct filesystem host.
pub struct DirectData;

impl HasData for DirectData {
    type Data<'a> = DirectView<'a>;
}

impl DirectView<'_> {
    pub(crate) fn fs(&self) -> MutexGuard<'_, MemFs> {
        lock(&self.direct.fs)
    }

    pub(crate) fn handle<T: 'static>(&self, r: &Resource<T>) -> Result<&Handle, ResourceTableError> {
        self.table.get(&ours::<T, Handle>(r))
    }

    /// The preopens, as new descriptors.
    pub(crate) fn preopens<T: 'static>(&mut self) -> wasmtime::Result<Vec<(Resource<T>, String)>> {
        let mut out = Vec::new();
        for (ino, guest, ro) in self.direct.preopens.clone() {
            lock(&self.direct.fs).hold(ino);
            let h = Handle {
                fs: self.direct.fs.clone(),
                ino,
                wall: ino,
                read: true,
                write: false,
                mutate: !ro,
            };
            let r = self.table.push(h)?;
            out.push((ours(&r), guest));
        }
        Ok(out)
    }

    pub(crate) fn drop_handle<T: 'static>(&mut self, r: Resource<T>) -> wasmtime::Result<()> {
        self.table.delete(ours::<T, Handle>(&r))?;
        Ok(())
    }

    /// The `At` for paths relative to a directory descriptor.
    pub(crate) fn dir_at<T: 'static>(&self, r: &Resource<T>) -> wasmtime::Result<Res<At>> {
        let h = self.handle(r)?;
        let fs = self.fs();
        if !fs.is_live(h.ino) || fs.kind(h.ino) != Kind::Dir {
            return Ok(Err(Errno::Fs(ErrorKind::NotDir)));
        }
        Ok(Ok(At::walled(h.ino, h.wall)))
    }

    /// Like [`Self::dir_at`], and the descriptor must allow changes.
    pub(crate) fn mut_dir_at<T: 'static>(&self, r: &Resource<T>) -> wasmtime::Result<Res<At>> {
        let at = self.dir_at(r)?;
        if at.is_ok() && !self.handle(r)?.mutate {
            return Ok(Err(Errno::ReadOnly));
        }
        Ok(at)
    }

    /// Opens `path` under the directory `r` and pushes a new descriptor.
    pub(crate) fn open_at<T: 'static>(
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
        let base = self.handle(r)?;
        let wants_change = flags.write || flags.mutate || open.create || open.truncate;
        if wants_change && !base.mutate {
            return Ok(Err(Errno::ReadOnly));
        }
        if open.directory && flags.write {
            return Ok(Err(Errno::Fs(ErrorKind::IsDir)));
        }
        let wall = base.wall;
        let opts = OpenOptions {
            create: open.create,
            exclusive: open.exclusive,
            truncate: open.truncate,
            directory: open.directory,
            follow,
        };
        let mut fs = self.fs();
        let ino = match fs.open_at(at, path, opts) {
            Ok(ino) => ino,
            Err(e) => return Ok(Err(e.into())),
        };
        if fs.kind(ino) == Kind::Dir && flags.write {
            return Ok(Err(Errno::Fs(ErrorKind::IsDir)));
        }
        fs.hold(ino);
        drop(fs);
        let h = Handle { fs: self.direct.fs.clone(), ino, wall, read: flags.read, write: flags.write, mutate: flags.mutate };
        let r = self.table.push(h)?;
        Ok(Ok(ours(&r)))
    }

    /// The inode of a file descriptor that allows `need`.
    pub(crate) fn file<T: 'static>(&self, fd: &Resource<T>, need: Need) -> wasmtime::Result<Res<Ino>> {
        let h = self.handle(fd)?;
        let allowed = match need {
            Need::Nothing => true,
            Need::Read => h.read,
            Need::Write => h.write,
        };
        Ok(match self.fs().kind(h.ino) {
            Kind::File if allowed => Ok(h.ino),
            Kind::File => Err(Errno::BadDescriptor),
            _ => Err(Errno::Fs(ErrorKind::IsDir)),
        })
    }

    /// The flags a descriptor was opened with.
    pub(crate) fn flags<T: 'static>(&self, fd: &Resource<T>) -> Result<Flags, ResourceTableError> {
        let h = self.handle(fd)?;
        Ok(Flags { read: h.read, write: h.write, mutate: h.mutate })
    }

    /// The kind of what a descriptor points at.
    pub(crate) fn kind<T: 'static>(&self, fd: &Resource<T>) -> Result<Kind, ResourceTableError> {
        let ino = self.handle(fd)?.ino;
        Ok(self.fs().kind(ino))
    }

    /// Metadata of what a descriptor points at.
    pub(crate) fn stat<T: 'static>(&self, fd: &Resource<T>) -> Result<Metadata, ResourceTableError> {
        let ino = self.handle(fd)?.ino;
        Ok(self.fs().metadata_of(ino))
    }

    /// Metadata of a path under a directory descriptor.
    pub(crate) fn stat_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<Metadata>> {
        Ok(self.dir_at(fd)?.and_then(|at| self.fs().metadata_at(at, path, follow).map_err(Errno::from)))
    }

    /// The inode identity hash of a descriptor.
    pub(crate) fn hash<T: 'static>(&self, fd: &Resource<T>) -> Result<(u64, u64), ResourceTableError> {
        Ok(inode_hash(self.handle(fd)?.ino))
    }

    /// The inode identity hash of a path under a directory descriptor.
    pub(crate) fn hash_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<(u64, u64)>> {
        Ok(self.dir_at(fd)?.and_then(|at| self.fs().lookup_at(at, path, follow).map(inode_hash).map_err(Errno::from)))
    }

    /// Do two descriptors point at the same inode?
    pub(crate) fn same<T: 'static>(&self, a: &Resource<T>, b: &Resource<T>) -> Result<bool, ResourceTableError> {
        Ok(self.handle(a)?.ino == self.handle(b)?.ino)
    }

    /// A directory's entries, in name order.
    pub(crate) fn read_dir<T: 'static>(&self, fd: &Resource<T>) -> wasmtime::Result<Res<Vec<(String, Kind)>>> {
        Ok(self.dir_at(fd)?.and_then(|at| {
            let entries = self.fs().entries(at.dir)?;
            Ok(entries.into_iter().map(|(name, kind, _)| (name, kind)).collect())
        }))
    }

    /// Up to `len` bytes at `offset`, and whether the end was reached.
    pub(crate) fn read<T: 'static>(&self, fd: &Resource<T>, len: u64, offset: u64) -> wasmtime::Result<Res<(Vec<u8>, bool)>> {
        Ok(self.file(fd, Need::Read)?.and_then(|ino| {
            let fs = self.fs();
            let data = fs.read_ino(ino, offset, len.min(MAX_READ) as usize)?.to_vec();
            let end = offset + data.len() as u64 >= fs.metadata_of(ino).size;
            Ok((data, end))
        }))
    }

    /// Writes at `offset`; the byte count written.
    pub(crate) fn write<T: 'static>(&self, fd: &Resource<T>, data: &[u8], offset: u64) -> wasmtime::Result<Res<u64>> {
        Ok(self.file(fd, Need::Write)?.and_then(|ino| Ok(self.fs().write_ino(ino, offset, data)? as u64)))
    }

    /// Sets a file's length. Without write access this is `invalid`, as
    /// `ftruncate` says on Linux (POSIX allows that or `EBADF`).
    pub(crate) fn set_size<T: 'static>(&self, fd: &Resource<T>, size: u64) -> wasmtime::Result<Res<()>> {
        let ino = match self.file(fd, Need::Write)? {
            Err(Errno::BadDescriptor) => return Ok(Err(Errno::Fs(ErrorKind::InvalidArgument))),
            r => r,
        };
        Ok(ino.and_then(|ino| Ok(self.fs().set_len_ino(ino, size)?)))
    }

    /// Sets times through a descriptor opened for writing or changes.
    pub(crate) fn set_times<T: 'static>(&self, fd: &Resource<T>, atime: SetTime, mtime: SetTime) -> wasmtime::Result<Res<()>> {
        let h = self.handle(fd)?;
        if !(h.write || h.mutate) {
            return Ok(Err(Errno::BadDescriptor));
        }
        self.set_times_ino(h.ino, atime, mtime);
        Ok(Ok(()))
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
        Ok(self.mut_dir_at(fd)?.and_then(|at| {
            let ino = self.fs().lookup_at(at, path, follow)?;
            self.set_times_ino(ino, atime, mtime);
            Ok(())
        }))
    }

    /// Runs a change under a directory descriptor that allows changes.
    pub(crate) fn change<T: 'static, R>(
        &self,
        fd: &Resource<T>,
        op: impl FnOnce(&mut MemFs, At) -> Result<R, crate::memfs::FsError>,
    ) -> wasmtime::Result<Res<R>> {
        Ok(self.mut_dir_at(fd)?.and_then(|at| op(&mut self.fs(), at).map_err(Errno::from)))
    }

    /// Runs a change that spans two directory descriptors.
    pub(crate) fn change2<T: 'static, R>(
        &self,
        a: &Resource<T>,
        b: &Resource<T>,
        op: impl FnOnce(&mut MemFs, At, At) -> Result<R, crate::memfs::FsError>,
    ) -> wasmtime::Result<Res<R>> {
        let (a, b) = (self.mut_dir_at(a)?, self.mut_dir_at(b)?);
        Ok(a.and_then(|a| b.and_then(|b| op(&mut self.fs(), a, b).map_err(Errno::from))))
    }

    /// The target of a symlink under a directory descriptor.
    pub(crate) fn readlink_at<T: 'static>(&self, fd: &Resource<T>, path: &str) -> wasmtime::Result<Res<String>> {
        Ok(self.dir_at(fd)?.and_then(|at| self.fs().readlink_at(at, path).map_err(Errno::from)))
    }

    /// Creates a symlink; absolute targets are refused, as they could only
    /// ever point out of the preopen.
    pub(crate) fn symlink_at<T: 'static>(&self, fd: &Resource<T>, target: &str, path: &str) -> wasmtime::Result<Res<()>> {
        if target.starts_with('/') {
            return Ok(Err(Errno::Fs(ErrorKind::NotPermitted)));
        }
        self.change(fd, |fs, at| fs.symlink_at(target, at, path))
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
