//! Operations on open descriptors: opening, reading and writing files,
//! sizes, times, sync, and what a descriptor reports about itself.

use super::*;
use super::trace::{flag_words, kind_word, open_words, stat_words};
use crate::faults::{Effect, Site};
use crate::memfs::{ErrorKind, Ino, Kind, Metadata, OpenOptions};
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTableError};

impl DirectView<'_> {
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

    pub(super) fn open<T: 'static>(
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
        let meta = self.metadata(&self.fs(), ino);
        self.noted_ok("fs.stat", || self.fd(fd), Ok(meta), stat_words)
    }

    /// The metadata of `ino` as this run's host gives it: ext4's, or
    /// another host's under the `host-values` perturbation.
    pub(crate) fn metadata(&self, fs: &MemFs, ino: Ino) -> Metadata {
        let meta = fs.metadata_of(ino);
        match self.direct.host_values {
            Some(v) => super::values::other_host(fs, ino, meta, v),
            None => meta,
        }
    }

    /// The identity hash of `ino` as this run's host gives it.
    pub(crate) fn identity(&self, ino: Ino) -> (u64, u64) {
        match self.direct.host_values {
            Some(v) => super::values::other_hash(ino, v),
            None => inode_hash(ino),
        }
    }

    /// The inode identity hash of a descriptor.
    pub(crate) fn hash<T: 'static>(&self, fd: &Resource<T>) -> Result<(u64, u64), ResourceTableError> {
        let r = Ok(self.identity(self.handle(fd)?.held.ino));
        self.noted_ok("fs.metadata-hash", || self.fd(fd), r, |h| format!("{:#x}", h.0))
    }

    /// Do two descriptors point at the same inode?
    pub(crate) fn same<T: 'static>(&self, a: &Resource<T>, b: &Resource<T>) -> Result<bool, ResourceTableError> {
        let r = Ok(self.handle(a)?.held.ino == self.handle(b)?.held.ino);
        self.noted_ok("fs.is-same-object", || format!("{}, {}", self.fd(a), self.fd(b)), r, |s| s.to_string())
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
}
