//! Operations on paths under a directory descriptor: lookups, listings,
//! creating, removing, renaming and linking entries, and their times.

use super::*;
use super::trace::{follow_word, stat_words};
use crate::faults::{Effect, Site};
use crate::memfs::{At, ErrorKind, Ino, Kind, MemFs, Metadata};
use wasmtime::component::Resource;

impl DirectView<'_> {
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

    /// Metadata of a path under a directory descriptor.
    pub(crate) fn stat_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<Metadata>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| {
            let fs = self.fs();
            Ok(self.metadata(&fs, path::lookup(&fs, at, path, follow)?))
        }));
        self.noted("fs.stat-at", || format!("{}, {path:?}{}", self.fd(fd), follow_word(follow)), r, stat_words)
    }

    /// The inode identity hash of a path under a directory descriptor.
    pub(crate) fn hash_at<T: 'static>(&self, fd: &Resource<T>, follow: bool, path: &str) -> wasmtime::Result<Res<(u64, u64)>> {
        let r = Ok(self.dir_at(fd)?.and_then(|at| Ok(self.identity(path::lookup(&self.fs(), at, path, follow)?))));
        let args = || format!("{}, {path:?}{}", self.fd(fd), follow_word(follow));
        self.noted("fs.metadata-hash-at", args, r, |h| format!("{:#x}", h.0))
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

    pub(super) fn set_path_times<T: 'static>(
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
    pub(super) fn change<T: 'static, R>(
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

    pub(super) fn rename<T: 'static>(&self, a: &Resource<T>, old: &str, b: &Resource<T>, new: &str) -> wasmtime::Result<Res<()>> {
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
    pub(super) fn change2<T: 'static, R>(
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
        let now = crate::memfs::FileTime::from(fs.now());
        let pick = |t| match t {
            SetTime::NoChange => None,
            SetTime::Now => Some(now),
            SetTime::At(d) => Some(d),
        };
        fs.set_times_ino(ino, pick(atime), pick(mtime));
    }
}
