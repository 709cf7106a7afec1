//! Read-only views of a MemFs: metadata, and `walk()`, the one stable order
//! in which every entry is listed.

use super::path::join;
use super::{Ino, MemFs, Node, ROOT};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The kind of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

/// What [`MemFs::metadata`] reports about an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// File, directory or symlink.
    pub kind: Kind,
    /// Bytes of content for a file, target length for a symlink, entry count
    /// for a directory.
    pub size: u64,
    /// Hard links. A directory counts 2 plus one per subdirectory, as on
    /// most POSIX filesystems.
    pub nlink: u64,
    /// Inode number, stable for the same sequence of operations.
    pub ino: Ino,
    /// Last access, as set at creation or by `set_times` (reads do not
    /// update it).
    pub atime: Duration,
    /// Last content change.
    pub mtime: Duration,
    /// Last content or metadata change.
    pub ctime: Duration,
}

/// One entry listed by [`MemFs::walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Absolute path inside the MemFs, e.g. `/data/a.txt`.
    pub path: String,
    /// The entry's kind (a symlink is not followed).
    pub kind: Kind,
    /// The entry's inode.
    pub ino: Ino,
}

impl MemFs {
    /// Every entry except the root, depth first, the children of each
    /// directory in byte order of their names. The same tree always gives
    /// the same list.
    pub fn walk(&self) -> Vec<Entry> {
        let mut out = Vec::with_capacity(self.inodes.len());
        self.walk_into(ROOT, "/", &mut out);
        out
    }

    fn walk_into(&self, dir: Ino, path: &str, out: &mut Vec<Entry>) {
        if let Node::Dir(entries) = &self.inode(dir).node {
            for (name, &ino) in entries {
                let child = join(path, name);
                out.push(Entry { path: child.clone(), kind: self.kind(ino), ino });
                self.walk_into(ino, &child, out);
            }
        }
    }

    /// The kind of an inode.
    pub fn kind(&self, ino: Ino) -> Kind {
        match self.inode(ino).node {
            Node::File(_) => Kind::File,
            Node::Dir(_) => Kind::Dir,
            Node::Symlink(_) => Kind::Symlink,
        }
    }

    /// A file's bytes or a symlink's target, by inode; `None` for a
    /// directory.
    pub fn content(&self, ino: Ino) -> Option<&[u8]> {
        match &self.inode(ino).node {
            Node::File(b) => Some(b),
            Node::Symlink(t) => Some(t.as_bytes()),
            Node::Dir(_) => None,
        }
    }

    /// Metadata of an inode.
    pub fn metadata_of(&self, ino: Ino) -> Metadata {
        let inode = self.inode(ino);
        let (size, nlink) = match &inode.node {
            Node::File(b) => (b.len() as u64, inode.nlink),
            Node::Symlink(t) => (t.len() as u64, inode.nlink),
            Node::Dir(e) => {
                let subdirs = e.values().filter(|&&c| self.is_dir(c)).count() as u64;
                (e.len() as u64, 2 + subdirs)
            }
        };
        Metadata {
            kind: self.kind(ino),
            size,
            nlink,
            ino,
            atime: inode.atime,
            mtime: inode.mtime,
            ctime: inode.ctime,
        }
    }
}
