//! Inode-level access for hosts that hand out descriptors: opening with
//! flags, reading and writing at offsets, and holding an inode open so it
//! outlives its last link, as an open file does on POSIX.

use super::{At, ErrorKind, FileTime, FsError, FsResult, Ino, Kind, MAX_FILE_SIZE, MemFs, Node};
use std::time::Duration;

/// How [`MemFs::open_at`] opens a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Create a regular file if nothing is there.
    pub create: bool,
    /// With `create`: fail with `Exists` if something is there.
    pub exclusive: bool,
    /// Cut an existing regular file to zero length.
    pub truncate: bool,
    /// Fail with `NotDir` unless the path is a directory.
    pub directory: bool,
    /// Follow a symlink in the last position.
    pub follow: bool,
}

impl MemFs {
    /// Opens `path` relative to `at` and returns its inode, which the caller
    /// then holds (see [`MemFs::hold`]). Never leaves `at`'s floor.
    pub(crate) fn open_at(&mut self, at: At, path: &str, opts: OpenOptions) -> FsResult<Ino> {
        self.open_in(at, path, opts).map_err(|k| FsError::new(k, path))
    }

    fn open_in(&mut self, at: At, path: &str, opts: OpenOptions) -> Result<Ino, ErrorKind> {
        // O_CREAT|O_EXCL never follows a symlink at the end.
        let follow = opts.follow && !(opts.create && opts.exclusive);
        let r = self.resolve_at(at, path, follow)?;
        let ino = match r.ino {
            Some(_) if opts.create && opts.exclusive => return Err(ErrorKind::Exists),
            Some(ino) => ino,
            None if opts.create && !opts.directory => {
                let (parent, name) = r.creatable()?;
                self.insert_file(parent, name)?
            }
            None => return Err(ErrorKind::NotFound),
        };
        match (self.kind(ino), opts.directory) {
            (Kind::Dir, _) if opts.truncate => return Err(ErrorKind::IsDir),
            (Kind::Dir, _) => {}
            (Kind::Symlink, _) => return Err(ErrorKind::Loop),
            (Kind::File, true) => return Err(ErrorKind::NotDir),
            (Kind::File, false) if opts.truncate => self.set_len(ino, 0)?,
            (Kind::File, false) => {}
        }
        Ok(ino)
    }

    fn insert_file(&mut self, parent: Ino, name: String) -> Result<Ino, ErrorKind> {
        self.insert_new(parent, name, Node::File(Vec::new()))
    }

    /// Marks `ino` as open: it stays alive after its last link goes, until
    /// every hold is released.
    pub(crate) fn hold(&mut self, ino: Ino) {
        *self.held.entry(ino).or_insert(0) += 1;
    }

    /// Releases one hold; frees the inode if it was its last hold and it has
    /// no links left.
    pub(crate) fn release(&mut self, ino: Ino) {
        let Some(n) = self.held.get_mut(&ino) else { return };
        *n -= 1;
        if *n == 0 {
            self.held.remove(&ino);
            if self.inodes.get(&ino).is_some_and(|i| i.nlink == 0) {
                self.free(ino);
            }
        }
    }

    /// Does the inode still exist (linked or held)?
    pub(crate) fn is_live(&self, ino: Ino) -> bool {
        self.inodes.contains_key(&ino)
    }

    /// Up to `len` bytes of a file from `offset`; empty at or past the end.
    pub(crate) fn read_ino(&self, ino: Ino, offset: u64, len: usize) -> Result<&[u8], ErrorKind> {
        let data = self.file_data(ino)?;
        let start = (offset.min(data.len() as u64)) as usize;
        let end = start.saturating_add(len).min(data.len());
        Ok(&data[start..end])
    }

    /// Writes `data` at `offset`, zero-filling any gap; returns the bytes
    /// written. All or nothing under the byte quota. As Linux's `pwrite`:
    /// an end past what an `off_t` holds is `InvalidArgument`, an empty
    /// write changes nothing, and an end past [`MAX_FILE_SIZE`] is
    /// `TooLarge`.
    pub(crate) fn write_ino(&mut self, ino: Ino, offset: u64, data: &[u8]) -> Result<usize, ErrorKind> {
        let old = self.file_data(ino)?.len() as u64;
        let end = offset
            .checked_add(data.len() as u64)
            .filter(|&end| end <= i64::MAX as u64)
            .ok_or(ErrorKind::InvalidArgument)?;
        if data.is_empty() {
            return Ok(0);
        }
        if end > MAX_FILE_SIZE {
            return Err(ErrorKind::TooLarge);
        }
        let new_len = old.max(end);
        self.charge(old, new_len)?;
        let now = FileTime::from(self.clock.now());
        let inode = self.inodes.get_mut(&ino).expect("inode");
        if let Node::File(bytes) = &mut inode.node {
            if bytes.len() < new_len as usize {
                bytes.resize(new_len as usize, 0);
            }
            bytes[offset as usize..end as usize].copy_from_slice(data);
        }
        inode.mtime = now;
        inode.ctime = now;
        Ok(data.len())
    }

    /// Appends `data` to a file.
    pub(crate) fn append_ino(&mut self, ino: Ino, data: &[u8]) -> Result<usize, ErrorKind> {
        let len = self.file_data(ino)?.len() as u64;
        self.write_ino(ino, len, data)
    }

    /// Sets a file's length.
    pub(crate) fn set_len_ino(&mut self, ino: Ino, len: u64) -> Result<(), ErrorKind> {
        self.set_len(ino, len)
    }

    /// Sets access and/or modification time of an inode; `None` leaves one
    /// as it is. The change time becomes now. A time outside ext4's range
    /// ([`MIN_TIMESTAMP`] to [`MAX_TIMESTAMP`]) is kept as its end, as
    /// Linux clamps it for ext4.
    pub(crate) fn set_times_ino(&mut self, ino: Ino, atime: Option<FileTime>, mtime: Option<FileTime>) {
        let now = FileTime::from(self.clock.now());
        let inode = self.inodes.get_mut(&ino).expect("inode");
        if let Some(a) = atime {
            inode.atime = a.clamped();
        }
        if let Some(m) = mtime {
            inode.mtime = m.clamped();
        }
        inode.ctime = now;
    }

    /// The current time of this MemFs's clock.
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The entries of a directory inode: name, kind and inode, by name.
    pub(crate) fn entries(&self, ino: Ino) -> Result<Vec<(String, Kind, Ino)>, ErrorKind> {
        match &self.inode(ino).node {
            Node::Dir(e) => Ok(e.iter().map(|(n, &i)| (n.clone(), self.kind(i), i)).collect()),
            _ => Err(ErrorKind::NotDir),
        }
    }

    /// Resolves `path` relative to `at` to an existing inode.
    pub(crate) fn lookup_at(&self, at: At, path: &str, follow: bool) -> FsResult<Ino> {
        let err = |k| FsError::new(k, path);
        self.resolve_at(at, path, follow).map_err(err)?.found().map_err(err)
    }

    fn file_data(&self, ino: Ino) -> Result<&[u8], ErrorKind> {
        match &self.inodes.get(&ino).ok_or(ErrorKind::NotFound)?.node {
            Node::File(b) => Ok(b),
            Node::Dir(_) => Err(ErrorKind::IsDir),
            Node::Symlink(_) => Err(ErrorKind::InvalidArgument),
        }
    }
}
