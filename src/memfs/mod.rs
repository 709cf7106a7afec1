//! MemFs: an in-memory, inode-based filesystem with no dependency on
//! wasmtime.
//!
//! Every path is resolved from the MemFs root: `..` at the root stays at the
//! root and an absolute symlink target starts from the root, so no path can
//! leave the tree. Symlinks are followed at most [`MAX_SYMLINKS`] times per
//! lookup. Timestamps come from the [`TimeSource`] the MemFs was given and
//! never from the host.
//!
//! The public API works on paths. What only the hosts need, descriptors'
//! view of the tree (walled lookups from a directory, opening with flags,
//! holding an inode open past its last link, I/O by inode), is
//! crate-private, in `handle.rs` and the `*_at` methods.
//!
//! Layer L0, the ground: imports nothing of the crate.
//! `tests/all/architecture.rs` holds it.

mod dirsize;
mod error;
mod handle;
pub mod host_dir;
mod path;
mod resolve;
mod table;
mod tree;

#[cfg(any(test, fuzzing))]
#[cfg_attr(fuzzing, allow(dead_code))]
pub(crate) mod ops;
#[cfg(test)]
mod tests;

pub use error::{ErrorKind, FsError, FsResult};
pub(crate) use handle::OpenOptions;
pub use host_dir::{HostDirError, ReadError, copy_dir_into, memfs_from_dir, memfs_to_dir, read_capped, read_stream_capped};
pub(crate) use resolve::At;
pub use tree::{Entry, Kind, Metadata};

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use path::components;
use resolve::Resolved;

/// Inode number. The root is [`ROOT`]; a freed number is the next one
/// handed out (see the inode table), so the same operations give the same
/// numbers.
pub type Ino = u64;

/// The root directory's inode number.
pub const ROOT: Ino = 1;

/// How many symlinks one lookup may follow before it fails with
/// [`ErrorKind::Loop`] (Linux uses the same bound).
pub const MAX_SYMLINKS: usize = 40;

/// Default wall-clock time for timestamps: 2024-01-01T00:00:00.183047291Z.
/// A real clock is never read at a whole second, and a host's file times
/// carry nanoseconds, so the virtual clock starts at an instant with all
/// nine digits of them (none zero, so a truncation to micro- or
/// milliseconds shows).
pub const DEFAULT_TIME: Duration = Duration::new(1_704_067_200, 183_047_291);

/// Where MemFs reads the time it stamps on inodes.
pub trait TimeSource: Send + Sync {
    /// Time since the Unix epoch.
    fn now(&self) -> Duration;
}

/// A clock that never moves.
#[derive(Debug, Clone, Copy)]
pub struct FixedTime(pub Duration);

impl TimeSource for FixedTime {
    fn now(&self) -> Duration {
        self.0
    }
}

/// The largest file MemFs holds, in bytes: what ext4 with 4 KiB blocks
/// allows ((2^32 - 1) blocks), the most common host filesystem. Growing a
/// file past it is [`ErrorKind::TooLarge`], as `EFBIG` is there. A byte
/// quota below it (every run has one) usually answers first.
pub const MAX_FILE_SIZE: u64 = ((1 << 32) - 1) * 4096;

/// The latest time MemFs keeps, in seconds since 1970 (2446-05-10, the end
/// of ext4's range with 256-byte inodes). A later one is clamped to it, and
/// its nanoseconds to zero, as Linux clamps for ext4.
pub const MAX_TIMESTAMP: u64 = 0x3_7fff_ffff;

/// The earliest time MemFs keeps, in seconds from 1970 (1901-12-13, the
/// start of ext4's range). An earlier one is clamped to it, as Linux clamps
/// for ext4.
pub const MIN_TIMESTAMP: i64 = -(1 << 31);

/// A file's time: seconds from the Unix epoch, negative before it, and
/// nanoseconds forward into that second (as WASI's datetimes count them:
/// -1 s and 999,999,999 ns is 1 ns before the epoch).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileTime {
    /// Seconds from the epoch.
    pub seconds: i64,
    /// Nanoseconds into the second, below 1,000,000,000.
    pub nanoseconds: u32,
}

impl FileTime {
    /// The time `d` after the epoch.
    pub const fn after_epoch(d: Duration) -> Self {
        let secs = d.as_secs();
        FileTime { seconds: if secs > i64::MAX as u64 { i64::MAX } else { secs as i64 }, nanoseconds: d.subsec_nanos() }
    }

    /// The time since the epoch; `None` before it.
    pub fn since_epoch(self) -> Option<Duration> {
        u64::try_from(self.seconds).ok().map(|s| Duration::new(s, self.nanoseconds))
    }

    /// Within ext4's range: clamped to [`MIN_TIMESTAMP`] and
    /// [`MAX_TIMESTAMP`], the nanoseconds of a clamped time zero.
    pub(crate) fn clamped(self) -> Self {
        if self.seconds < MIN_TIMESTAMP {
            FileTime { seconds: MIN_TIMESTAMP, nanoseconds: 0 }
        } else if self.seconds >= MAX_TIMESTAMP as i64 {
            FileTime { seconds: MAX_TIMESTAMP as i64, nanoseconds: 0 }
        } else {
            self
        }
    }
}

impl From<Duration> for FileTime {
    fn from(d: Duration) -> Self {
        FileTime::after_epoch(d)
    }
}

impl PartialEq<Duration> for FileTime {
    fn eq(&self, d: &Duration) -> bool {
        self.since_epoch() == Some(*d)
    }
}

impl fmt::Debug for FileTime {
    /// As a `Duration` since the epoch prints: `1234567890.123456789s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}s")
    }
}

impl fmt::Display for FileTime {
    /// `seconds.nanoseconds`, nine digits of them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.seconds, self.nanoseconds)
    }
}

/// The longest name a path component may have, in bytes (Linux's
/// `NAME_MAX`); a longer one is [`ErrorKind::NameTooLong`].
pub const MAX_NAME: usize = 255;

/// Limits on what a MemFs may hold. `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quota {
    /// Total bytes of file content.
    pub max_bytes: Option<u64>,
    /// Total inodes, the root included.
    pub max_inodes: Option<u64>,
}

#[derive(Clone)]
pub(crate) enum Node {
    File(Vec<u8>),
    Dir(BTreeMap<String, Ino>),
    Symlink(String),
}

#[derive(Clone)]
pub(crate) struct Inode {
    pub(crate) node: Node,
    pub(crate) nlink: u64,
    /// The containing directory (for directories; the root is its own).
    pub(crate) parent: Ino,
    pub(crate) atime: FileTime,
    pub(crate) mtime: FileTime,
    pub(crate) ctime: FileTime,
    /// For a directory, the bytes its entries take in ext4's layout
    /// (see `dirsize`); 0 for anything else.
    pub(crate) dir_bytes: u64,
    /// For a directory, its size: the most its entries ever needed.
    pub(crate) dir_size: u64,
}

/// An in-memory filesystem. Cloning copies the whole tree.
#[derive(Clone)]
pub struct MemFs {
    inodes: table::InodeTable,
    /// Open handles per inode; a held inode outlives its last link.
    held: BTreeMap<Ino, u32>,
    used_bytes: u64,
    quota: Quota,
    clock: Arc<dyn TimeSource>,
}

impl fmt::Debug for MemFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemFs")
            .field("inodes", &self.inodes.len())
            .field("used_bytes", &self.used_bytes)
            .field("quota", &self.quota)
            .finish()
    }
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

impl PartialEq for MemFs {
    /// Two MemFs are equal when [`MemFs::walk`] lists the same entries with
    /// the same contents; inode numbers and timestamps are not compared.
    fn eq(&self, other: &Self) -> bool {
        let a = self.walk();
        let b = other.walk();
        a.len() == b.len()
            && a.iter().zip(&b).all(|(x, y)| {
                x.path == y.path
                    && x.kind == y.kind
                    && self.content(x.ino) == other.content(y.ino)
            })
    }
}

impl MemFs {
    /// An empty tree with a root directory, no quota, and timestamps fixed at
    /// [`DEFAULT_TIME`].
    pub fn new() -> Self {
        Self::with_clock(Arc::new(FixedTime(DEFAULT_TIME)))
    }

    /// An empty tree whose timestamps come from `clock`.
    pub fn with_clock(clock: Arc<dyn TimeSource>) -> Self {
        let now = clock.now();
        let inodes = table::InodeTable::with_root(ROOT, Inode::new(Node::Dir(BTreeMap::new()), now, ROOT));
        MemFs { inodes, held: BTreeMap::new(), used_bytes: 0, quota: Quota::default(), clock }
    }

    /// An empty tree with the same clock and no quota.
    pub(crate) fn empty_like(&self) -> Self {
        Self::with_clock(self.clock.clone())
    }

    /// Replaces the clock used for future timestamps. Existing timestamps stay.
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn TimeSource>) {
        self.clock = clock;
    }

    /// Sets the quota. Content already present is kept even if it is over.
    pub fn set_quota(&mut self, quota: Quota) {
        self.quota = quota;
    }

    /// The quota in force (unlimited by default).
    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Bytes of file content held.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// Inodes held, the root included.
    pub fn inode_count(&self) -> u64 {
        self.inodes.len() as u64
    }

    // ----- directories -------------------------------------------------

    /// Creates one directory. Its parent must exist; the path stays inside
    /// the root.
    pub fn mkdir(&mut self, path: &str) -> FsResult<()> {
        self.mkdir_at(At::ROOT, path)
    }

    /// [`MemFs::mkdir`] relative to `at`; never leaves `at`'s floor.
    pub(crate) fn mkdir_at(&mut self, at: At, path: &str) -> FsResult<()> {
        self.mkdir_in(at, path).map_err(|k| FsError::new(k, path))
    }

    fn mkdir_inner(&mut self, path: &str) -> Result<(), ErrorKind> {
        self.mkdir_in(At::ROOT, path)
    }

    fn mkdir_in(&mut self, at: At, path: &str) -> Result<(), ErrorKind> {
        let r = self.resolve_at(at, path, false)?;
        let (parent, name) = r.creatable()?;
        self.insert_new(parent, name, Node::Dir(BTreeMap::new()))?;
        Ok(())
    }

    /// Creates a directory and any missing parents. Succeeds if the path
    /// already is a directory (or a symlink to one). Works from the full
    /// path up, as `mkdir -p` and `std::fs::create_dir_all` do, so errors
    /// match theirs.
    pub fn mkdir_p(&mut self, path: &str) -> FsResult<()> {
        let comps: Vec<String> =
            components(path).map_err(|k| FsError::new(k, path))?.into_iter().map(str::to_string).collect();
        self.mkdir_all(&comps).map_err(|k| FsError::new(k, path))
    }

    fn mkdir_all(&mut self, comps: &[String]) -> Result<(), ErrorKind> {
        let Some((_, parents)) = comps.split_last() else { return Ok(()) };
        let path = format!("/{}", comps.join("/"));
        match self.mkdir_inner(&path) {
            Ok(()) => return Ok(()),
            Err(ErrorKind::NotFound) => {}
            Err(_) if self.is_dir_path(&path) => return Ok(()),
            Err(e) => return Err(e),
        }
        self.mkdir_all(parents)?;
        match self.mkdir_inner(&path) {
            Err(_) if self.is_dir_path(&path) => Ok(()),
            r => r,
        }
    }

    fn is_dir_path(&self, path: &str) -> bool {
        matches!(self.resolve(path, true), Ok(Resolved { ino: Some(ino), .. }) if self.is_dir(ino))
    }

    /// Removes an empty directory. Symlinks are not followed.
    pub fn rmdir(&mut self, path: &str) -> FsResult<()> {
        self.rmdir_at(At::ROOT, path)
    }

    /// [`MemFs::rmdir`] relative to `at`; never leaves `at`'s floor.
    pub(crate) fn rmdir_at(&mut self, at: At, path: &str) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let r = self.resolve_at(at, path, false).map_err(err)?;
        let (parent, name, ino) = r.existing().map_err(err)?;
        match &self.inode(ino).node {
            Node::Dir(e) if e.is_empty() => {}
            Node::Dir(_) => return Err(err(ErrorKind::NotEmpty)),
            _ => return Err(err(ErrorKind::NotDir)),
        }
        self.unlink_entry(parent, &name);
        Ok(())
    }

    /// Removes an entry and everything under it. Symlinks are removed, never
    /// followed.
    pub fn rm_rf(&mut self, path: &str) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let r = self.resolve(path, false).map_err(err)?;
        let (parent, name, _) = r.existing().map_err(err)?;
        self.unlink_entry(parent, &name);
        Ok(())
    }

    /// Names and kinds in a directory, sorted by name.
    pub fn read_dir(&self, path: &str) -> FsResult<Vec<(String, Kind)>> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve(path, true).map_err(err)?.found().map_err(err)?;
        match &self.inode(ino).node {
            Node::Dir(e) => Ok(e.iter().map(|(n, &i)| (n.clone(), self.kind(i))).collect()),
            _ => Err(err(ErrorKind::NotDir)),
        }
    }

    // ----- files -------------------------------------------------------

    /// Creates or replaces a file's content. A symlink at `path` is followed,
    /// and a dangling one creates its target, as `open(O_CREAT|O_TRUNC)`
    /// does; the target stays inside the root.
    pub fn write(&mut self, path: &str, data: impl AsRef<[u8]>) -> FsResult<()> {
        self.write_at_end(path, data.as_ref(), true)
    }

    /// [`MemFs::write`] with a string.
    pub fn write_string(&mut self, path: &str, text: &str) -> FsResult<()> {
        self.write(path, text.as_bytes())
    }

    /// Appends to a file, creating it if missing.
    pub fn append(&mut self, path: &str, data: impl AsRef<[u8]>) -> FsResult<()> {
        self.write_at_end(path, data.as_ref(), false)
    }

    fn write_at_end(&mut self, path: &str, data: &[u8], truncate: bool) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let ino = self.open_file(path).map_err(err)?;
        let old = self.file(ino).map_err(err)?.len() as u64;
        let new_len = if truncate { data.len() as u64 } else { old + data.len() as u64 };
        self.charge(old, new_len).map_err(err)?;
        let now = FileTime::from(self.clock.now());
        let inode = self.inodes.get_mut(&ino).expect("inode");
        if let Node::File(bytes) = &mut inode.node {
            if truncate {
                bytes.clear();
            }
            bytes.extend_from_slice(data);
        }
        inode.mtime = now;
        inode.ctime = now;
        Ok(())
    }

    /// A file's content. Symlinks are followed.
    pub fn read(&self, path: &str) -> FsResult<Vec<u8>> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve(path, true).map_err(err)?.found().map_err(err)?;
        self.file(ino).map(<[u8]>::to_vec).map_err(err)
    }

    /// A file's content as UTF-8 text; invalid UTF-8 is replaced.
    pub fn read_to_string(&self, path: &str) -> FsResult<String> {
        Ok(String::from_utf8_lossy(&self.read(path)?).into_owned())
    }

    /// Sets a file's length, cutting it or padding it with zeros.
    pub fn truncate(&mut self, path: &str, len: u64) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve(path, true).map_err(err)?.found().map_err(err)?;
        self.set_len(ino, len).map_err(err)
    }

    /// Sets the length of the file at `ino`.
    pub(crate) fn set_len(&mut self, ino: Ino, len: u64) -> Result<(), ErrorKind> {
        let old = self.file(ino)?.len() as u64;
        if len > MAX_FILE_SIZE {
            return Err(ErrorKind::TooLarge);
        }
        self.charge(old, len)?;
        let now = FileTime::from(self.clock.now());
        let inode = self.inodes.get_mut(&ino).expect("inode");
        if let Node::File(bytes) = &mut inode.node {
            bytes.resize(len as usize, 0);
        }
        inode.mtime = now;
        inode.ctime = now;
        Ok(())
    }

    /// Removes a file or symlink (never a directory). The inode goes away
    /// with its last link.
    pub fn remove_file(&mut self, path: &str) -> FsResult<()> {
        self.remove_file_at(At::ROOT, path)
    }

    /// [`MemFs::remove_file`] relative to `at`; never leaves `at`'s floor.
    pub(crate) fn remove_file_at(&mut self, at: At, path: &str) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let r = self.resolve_at(at, path, false).map_err(err)?;
        let (parent, name, ino) = r.existing().map_err(err)?;
        if self.is_dir(ino) {
            return Err(err(ErrorKind::IsDir));
        }
        self.unlink_entry(parent, &name);
        Ok(())
    }

    // ----- links -------------------------------------------------------

    /// Creates a symlink at `link` pointing at `target`. The target is stored
    /// as given; following it never leaves the root.
    pub fn symlink(&mut self, target: &str, link: &str) -> FsResult<()> {
        self.symlink_at(target, At::ROOT, link)
    }

    /// [`MemFs::symlink`] with `link` relative to `at`.
    pub(crate) fn symlink_at(&mut self, target: &str, at: At, link: &str) -> FsResult<()> {
        let err = |k| FsError::new(k, link);
        if target.is_empty() {
            return Err(err(ErrorKind::NotFound));
        }
        if target.contains('\0') {
            return Err(err(ErrorKind::InvalidPath));
        }
        let r = self.resolve_at(at, link, false).map_err(err)?;
        let (parent, name) = r.creatable().map_err(err)?;
        self.insert_new(parent, name, Node::Symlink(target.to_string())).map_err(err)?;
        Ok(())
    }

    /// The target of a symlink.
    pub fn readlink(&self, path: &str) -> FsResult<String> {
        self.readlink_at(At::ROOT, path)
    }

    /// [`MemFs::readlink`] relative to `at`.
    pub(crate) fn readlink_at(&self, at: At, path: &str) -> FsResult<String> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve_at(at, path, false).map_err(err)?.found().map_err(err)?;
        match &self.inode(ino).node {
            Node::Symlink(t) => Ok(t.clone()),
            _ => Err(err(ErrorKind::InvalidArgument)),
        }
    }

    /// Adds a hard link `new` to the entry at `existing` (a symlink there is
    /// linked itself, not followed). Directories cannot be linked.
    pub fn link(&mut self, existing: &str, new: &str) -> FsResult<()> {
        self.link_at(At::ROOT, existing, At::ROOT, new, false)
    }

    /// [`MemFs::link`] with each path relative to its own `At`; with
    /// `follow`, a symlink at `existing` is followed first.
    pub(crate) fn link_at(&mut self, from: At, existing: &str, to: At, new: &str, follow: bool) -> FsResult<()> {
        let src = self
            .resolve_at(from, existing, follow)
            .and_then(|r| r.found())
            .map_err(|k| FsError::new(k, existing))?;
        let err = |k| FsError::new(k, new);
        let r = self.resolve_at(to, new, false).map_err(err)?;
        let (parent, name) = r.creatable().map_err(err)?;
        if self.is_dir(src) {
            return Err(FsError::new(ErrorKind::NotPermitted, existing));
        }
        self.add_entry(parent, name, src);
        self.inodes.get_mut(&src).expect("inode").nlink += 1;
        self.touch_ctime(src);
        Ok(())
    }

    // ----- moving and copying ------------------------------------------

    /// Moves an entry. An existing target is replaced as POSIX `rename`
    /// does: a file by a file, an empty directory by a directory. A directory
    /// cannot move into itself.
    pub fn rename(&mut self, from: &str, to: &str) -> FsResult<()> {
        self.rename_at(At::ROOT, from, At::ROOT, to)
    }

    /// [`MemFs::rename`] with each path relative to its own `At`.
    pub(crate) fn rename_at(&mut self, from_at: At, from: &str, to_at: At, to: &str) -> FsResult<()> {
        let src = self.resolve_at(from_at, from, false).map_err(|k| FsError::new(k, from))?;
        let dst = self.resolve_at(to_at, to, false).map_err(|k| FsError::new(k, to))?;
        let (sp, sname, sino) = src.existing().map_err(|k| FsError::new(k, from))?;
        let (dp, dname) = match (&dst.name, dst.ino) {
            (Some(n), _) => (dst.parent, n.clone()),
            (None, _) => return Err(FsError::new(ErrorKind::InvalidPath, to)),
        };
        let err = |k| FsError::new(k, to);
        // The ancestry checks come before the type checks, as in Linux.
        if self.is_dir(sino) && self.is_ancestor_or_self(sino, dp) {
            return Err(FsError::new(ErrorKind::InvalidArgument, from));
        }
        if let Some(dino) = dst.ino
            && dino != sino
            && self.is_dir(dino)
            && self.is_ancestor_or_self(dino, sp)
        {
            return Err(err(ErrorKind::NotEmpty));
        }
        if let Some(dino) = dst.ino {
            if dino == sino {
                return Ok(());
            }
            match (self.is_dir(sino), self.is_dir(dino)) {
                (true, false) => return Err(err(ErrorKind::NotDir)),
                (false, true) => return Err(err(ErrorKind::IsDir)),
                _ => {}
            }
        }
        if let Some(dino) = dst.ino
            && let Node::Dir(e) = &self.inode(dino).node
            && !e.is_empty()
        {
            return Err(err(ErrorKind::NotEmpty));
        }
        if dst.ino.is_some() {
            self.unlink_entry(dp, &dname);
        }
        self.remove_entry(sp, &sname);
        self.add_entry(dp, dname, sino);
        if self.is_dir(sino) {
            self.inodes.get_mut(&sino).expect("inode").parent = dp;
        }
        self.touch_ctime(sino);
        Ok(())
    }

    /// Copies a file's content to `to` (created or replaced). Symlinks at
    /// `from` are followed. A directory source, or a target that is the
    /// source itself, is an [`ErrorKind::InvalidArgument`] (`std::fs::copy`
    /// refuses the first; `cp` refuses the second, which `std` would
    /// silently truncate).
    pub fn copy(&mut self, from: &str, to: &str) -> FsResult<()> {
        let src = self
            .resolve(from, true)
            .and_then(|r| r.found())
            .map_err(|k| FsError::new(k, from))?;
        if self.is_dir(src) {
            return Err(FsError::new(ErrorKind::InvalidArgument, from));
        }
        if self.resolve(to, true).map_err(|k| FsError::new(k, to))?.ino == Some(src) {
            return Err(FsError::new(ErrorKind::InvalidArgument, to));
        }
        let data = self.read(from)?;
        self.write(to, data)
    }

    /// Copies a file, a symlink (as a symlink) or a whole directory tree to
    /// `to`, which must not exist.
    pub fn copy_recursive(&mut self, from: &str, to: &str) -> FsResult<()> {
        let src = self
            .resolve(from, false)
            .and_then(|r| r.found())
            .map_err(|k| FsError::new(k, from))?;
        if self.resolve(to, false).map_err(|k| FsError::new(k, to))?.ino.is_some() {
            return Err(FsError::new(ErrorKind::Exists, to));
        }
        if self.is_dir(src) && self.is_ancestor_or_self(src, self.resolve_parent_dir(to)?) {
            return Err(FsError::new(ErrorKind::InvalidArgument, to));
        }
        self.copy_node(src, to)
    }

    fn resolve_parent_dir(&self, path: &str) -> FsResult<Ino> {
        Ok(self.resolve(path, false).map_err(|k| FsError::new(k, path))?.parent)
    }

    fn copy_node(&mut self, src: Ino, to: &str) -> FsResult<()> {
        match self.inode(src).node.clone() {
            Node::File(data) => self.write(to, data),
            Node::Symlink(target) => self.symlink(&target, to),
            Node::Dir(entries) => {
                self.mkdir(to)?;
                for (name, child) in entries {
                    self.copy_node(child, &path::join(to, &name))?;
                }
                Ok(())
            }
        }
    }

    // ----- metadata ----------------------------------------------------

    /// Metadata of the entry at `path`, following symlinks.
    pub fn metadata(&self, path: &str) -> FsResult<Metadata> {
        self.metadata_with(path, true)
    }

    /// Metadata of the entry at `path` itself; a symlink is not followed.
    pub fn symlink_metadata(&self, path: &str) -> FsResult<Metadata> {
        self.metadata_with(path, false)
    }

    fn metadata_with(&self, path: &str, follow: bool) -> FsResult<Metadata> {
        self.metadata_at(At::ROOT, path, follow)
    }

    /// Metadata of the entry at `path` relative to `at`; a symlink at the
    /// end is followed when `follow`.
    pub(crate) fn metadata_at(&self, at: At, path: &str, follow: bool) -> FsResult<Metadata> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve_at(at, path, follow).map_err(err)?.found().map_err(err)?;
        Ok(self.metadata_of(ino))
    }

    /// Does an entry exist at `path` (following symlinks)?
    pub fn exists(&self, path: &str) -> bool {
        matches!(self.resolve(path, true), Ok(Resolved { ino: Some(_), .. }))
    }

    /// Sets access and modification times (following symlinks), clamped to
    /// ext4's range ([`MIN_TIMESTAMP`] to [`MAX_TIMESTAMP`]).
    pub fn set_times(&mut self, path: &str, atime: impl Into<FileTime>, mtime: impl Into<FileTime>) -> FsResult<()> {
        let err = |k| FsError::new(k, path);
        let ino = self.resolve(path, true).map_err(err)?.found().map_err(err)?;
        self.set_times_ino(ino, Some(atime.into()), Some(mtime.into()));
        Ok(())
    }

    // ----- internals ---------------------------------------------------

    pub(crate) fn inode(&self, ino: Ino) -> &Inode {
        self.inodes.get(&ino).expect("inode")
    }

    pub(crate) fn is_dir(&self, ino: Ino) -> bool {
        matches!(self.inode(ino).node, Node::Dir(_))
    }

    fn file(&self, ino: Ino) -> Result<&[u8], ErrorKind> {
        match &self.inode(ino).node {
            Node::File(b) => Ok(b),
            Node::Dir(_) => Err(ErrorKind::IsDir),
            Node::Symlink(_) => Err(ErrorKind::InvalidArgument),
        }
    }

    fn dir_mut(&mut self, ino: Ino) -> &mut BTreeMap<String, Ino> {
        match &mut self.inodes.get_mut(&ino).expect("inode").node {
            Node::Dir(e) => e,
            _ => panic!("inode {ino} is not a directory"),
        }
    }

    /// Resolves `path` for writing: follows a symlink at the end (creating a
    /// dangling one's target) and creates an empty file if nothing is there.
    fn open_file(&mut self, path: &str) -> Result<Ino, ErrorKind> {
        let r = self.resolve(path, true)?;
        if let Some(ino) = r.ino {
            return if self.is_dir(ino) { Err(ErrorKind::IsDir) } else { Ok(ino) };
        }
        let (parent, name) = r.creatable()?;
        self.insert_new(parent, name, Node::File(Vec::new()))
    }

    fn check_new_inode(&self) -> Result<(), ErrorKind> {
        match self.quota.max_inodes {
            Some(max) if self.inodes.len() as u64 >= max => Err(ErrorKind::NoSpace),
            _ => Ok(()),
        }
    }

    /// Accounts a file going from `old` to `new` bytes; `NoSpace` when the
    /// quota (or u64) cannot hold the total.
    pub(crate) fn charge(&mut self, old: u64, new: u64) -> Result<(), ErrorKind> {
        let total = (self.used_bytes - old).checked_add(new).ok_or(ErrorKind::NoSpace)?;
        if new > old
            && let Some(max) = self.quota.max_bytes
            && total > max
        {
            return Err(ErrorKind::NoSpace);
        }
        self.used_bytes = total;
        Ok(())
    }

    pub(crate) fn insert_new(&mut self, parent: Ino, name: String, node: Node) -> Result<Ino, ErrorKind> {
        self.check_new_inode()?;
        let ino = self.inodes.alloc(Inode::new(node, self.clock.now(), parent));
        self.add_entry(parent, name, ino);
        Ok(ino)
    }

    fn add_entry(&mut self, parent: Ino, name: String, ino: Ino) {
        let record = dirsize::record(&name);
        if self.dir_mut(parent).insert(name, ino).is_none() {
            let dir = self.inodes.get_mut(&parent).expect("inode");
            dir.dir_bytes += record;
            dir.dir_size = dir.dir_size.max(dirsize::size_for(dir.dir_bytes));
        }
        self.touch_dir(parent);
    }

    /// Takes the entry `name` out of `parent` and returns what it named.
    fn remove_entry(&mut self, parent: Ino, name: &str) -> Ino {
        let ino = self.dir_mut(parent).remove(name).expect("entry exists");
        self.inodes.get_mut(&parent).expect("inode").dir_bytes -= dirsize::record(name);
        self.touch_dir(parent);
        ino
    }

    /// Drops the entry `name` from `parent` and frees whatever lost its last
    /// link, recursively for directories.
    fn unlink_entry(&mut self, parent: Ino, name: &str) {
        let ino = self.remove_entry(parent, name);
        self.drop_link(ino);
    }

    fn drop_link(&mut self, ino: Ino) {
        let inode = self.inodes.get_mut(&ino).expect("inode");
        inode.nlink -= 1;
        if inode.nlink > 0 || self.held.contains_key(&ino) {
            return;
        }
        self.free(ino);
    }

    /// Frees an inode with no links and no holders, and what it contained.
    pub(crate) fn free(&mut self, ino: Ino) {
        let inode = self.inodes.remove(&ino).expect("inode");
        match inode.node {
            Node::File(bytes) => self.used_bytes -= bytes.len() as u64,
            Node::Dir(entries) => entries.into_values().for_each(|c| self.drop_link(c)),
            Node::Symlink(_) => {}
        }
    }

    fn touch_dir(&mut self, ino: Ino) {
        let now = FileTime::from(self.clock.now());
        let inode = self.inodes.get_mut(&ino).expect("inode");
        inode.mtime = now;
        inode.ctime = now;
    }

    fn touch_ctime(&mut self, ino: Ino) {
        let now = FileTime::from(self.clock.now());
        self.inodes.get_mut(&ino).expect("inode").ctime = now;
    }

    /// Is `ancestor` the directory `ino` or one of its ancestors?
    pub(crate) fn is_ancestor_or_self(&self, ancestor: Ino, mut ino: Ino) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.inodes.get(&ino) {
                Some(i) if ino != ROOT => ino = i.parent,
                _ => return false,
            }
        }
    }
}

impl Inode {
    fn new(node: Node, now: Duration, parent: Ino) -> Self {
        let now = FileTime::from(now);
        let (dir_bytes, dir_size) = match node {
            Node::Dir(_) => (dirsize::DOTS, dirsize::BLOCK),
            _ => (0, 0),
        };
        Inode { node, nlink: 1, parent, atime: now, mtime: now, ctime: now, dir_bytes, dir_size }
    }
}
