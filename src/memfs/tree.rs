//! Read-only views of a MemFs: metadata, and `walk()`, the one stable order
//! in which every entry is listed.

use super::{FileTime, Ino, MemFs, Node, ROOT};
use serde::{Deserialize, Serialize};

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
    /// Bytes of content for a file, target length for a symlink, and for a
    /// directory what ext4 gives: 4096 while its entries fit one block, and
    /// whole blocks beyond (see the fidelity chapter).
    pub size: u64,
    /// Hard links. A directory counts 2 plus one per subdirectory, as on
    /// most POSIX filesystems.
    pub nlink: u64,
    /// Inode number, stable for the same sequence of operations.
    pub ino: Ino,
    /// Last access, as set at creation or by `set_times` (reads do not
    /// update it).
    pub atime: FileTime,
    /// Last content change.
    pub mtime: FileTime,
    /// Last content or metadata change.
    pub ctime: FileTime,
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
        self.walk_into(ROOT, &mut String::new(), &mut out);
        out
    }

    /// Lists what `dir`, at `path` (empty for the root), holds; `path` is
    /// the same when it returns.
    fn walk_into(&self, dir: Ino, path: &mut String, out: &mut Vec<Entry>) {
        if let Node::Dir(entries) = &self.inode(dir).node {
            let len = path.len();
            for (name, &ino) in entries {
                path.push('/');
                path.push_str(name);
                out.push(Entry { path: path.clone(), kind: self.kind(ino), ino });
                self.walk_into(ino, path, out);
                path.truncate(len);
            }
        }
    }

    /// The kind of an inode.
    ///
    /// # Panics
    ///
    /// If no inode `ino` is alive: take it from [`MemFs::walk`] or
    /// [`Metadata::ino`] of this MemFs, since its last change.
    pub fn kind(&self, ino: Ino) -> Kind {
        match self.inode(ino).node {
            Node::File(_) => Kind::File,
            Node::Dir(_) => Kind::Dir,
            Node::Symlink(_) => Kind::Symlink,
        }
    }

    /// A file's bytes or a symlink's target, by inode; `None` for a
    /// directory.
    ///
    /// # Panics
    ///
    /// If no inode `ino` is alive: take it from [`MemFs::walk`] or
    /// [`Metadata::ino`] of this MemFs, since its last change.
    pub fn content(&self, ino: Ino) -> Option<&[u8]> {
        match &self.inode(ino).node {
            Node::File(b) => Some(b),
            Node::Symlink(t) => Some(t.as_bytes()),
            Node::Dir(_) => None,
        }
    }

    /// Metadata of an inode.
    ///
    /// # Panics
    ///
    /// If no inode `ino` is alive: take it from [`MemFs::walk`] or
    /// [`Metadata::ino`] of this MemFs, since its last change.
    pub fn metadata_of(&self, ino: Ino) -> Metadata {
        let inode = self.inode(ino);
        let (size, nlink) = match &inode.node {
            Node::File(b) => (b.len() as u64, inode.nlink),
            Node::Symlink(t) => (t.len() as u64, inode.nlink),
            Node::Dir(e) => {
                let subdirs = e.values().filter(|&&c| self.is_dir(c)).count() as u64;
                (inode.dir_size, 2 + subdirs)
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

impl MemFs {
    /// Checks the structure's invariants and says which one broke: every
    /// inode is reachable from the root or held open; every link count
    /// matches the entries naming the inode; the byte count matches the
    /// file contents; `walk()` agrees with path lookups; each directory's
    /// parent link names the directory that holds it; quotas hold. For
    /// tests and fuzzing.
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        use std::collections::BTreeMap;
        let mut links: BTreeMap<Ino, u64> = BTreeMap::new();
        let mut bytes = 0u64;
        for (ino, inode) in self.inodes.iter() {
            match &inode.node {
                Node::Dir(entries) => {
                    let records: u64 = super::dirsize::DOTS + entries.keys().map(|n| super::dirsize::record(n)).sum::<u64>();
                    if inode.dir_bytes != records || inode.dir_size < super::dirsize::size_for(records) {
                        return Err(format!("directory {ino} counts {} bytes of entries in {} but holds {records}", inode.dir_bytes, inode.dir_size));
                    }
                    for (name, &child) in entries {
                        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
                            return Err(format!("inode {ino} has a bad entry name {name:?}"));
                        }
                        let Some(c) = self.inodes.get(&child) else {
                            return Err(format!("{ino}/{name} names missing inode {child}"));
                        };
                        *links.entry(child).or_default() += 1;
                        if matches!(c.node, Node::Dir(_)) && c.parent != ino {
                            return Err(format!("directory {child} has parent {} but lives in {ino}", c.parent));
                        }
                    }
                }
                Node::File(data) => bytes += data.len() as u64,
                Node::Symlink(_) => {}
            }
        }
        for (ino, inode) in self.inodes.iter() {
            let named = links.get(&ino).copied().unwrap_or(0);
            let expected = if ino == ROOT { 1 } else { named };
            if inode.nlink != expected {
                return Err(format!("inode {ino} has nlink {} but {expected} links", inode.nlink));
            }
            if ino != ROOT && named == 0 && !self.held.contains_key(&ino) && !self.is_under_held(ino) {
                return Err(format!("inode {ino} is orphaned"));
            }
        }
        if bytes != self.used_bytes {
            return Err(format!("used_bytes is {} but files hold {bytes}", self.used_bytes));
        }
        for e in self.walk() {
            let found = self.resolve(&e.path, false).ok().and_then(|r| r.ino);
            if found != Some(e.ino) {
                return Err(format!("walk lists {} as {} but lookup finds {found:?}", e.path, e.ino));
            }
        }
        if let Some(max) = self.quota.max_bytes
            && self.used_bytes > max
        {
            return Err(format!("{} bytes over a quota of {max}", self.used_bytes));
        }
        if let Some(max) = self.quota.max_inodes
            && self.inodes.len() as u64 > max
            && self.held.is_empty()
        {
            return Err(format!("{} inodes over a quota of {max}", self.inodes.len()));
        }
        Ok(())
    }

    /// Is `ino` inside a directory that is unlinked but still held open?
    fn is_under_held(&self, ino: Ino) -> bool {
        self.held.keys().any(|&h| self.is_dir(h) && self.is_ancestor_or_self(h, ino))
    }
}
