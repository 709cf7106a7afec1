//! Values another real host would give: the `host-values` perturbation.
//!
//! The direct backend answers as ext4 on Linux does (see `memfs::dirsize`
//! and the fidelity chapter). Other production filesystems pick these
//! values otherwise, and a portable guest must not depend on them. Each
//! variant stands for such a host:
//!
//! | variant | directory size | timestamps | inode identity |
//! |---|---|---|---|
//! | 1, tmpfs | 40 + 20 per entry | nanoseconds | other numbers |
//! | 2, btrfs | twice the bytes of its names | microseconds, as some network filesystems keep them | other numbers |
//! | 3, a filesystem of whole seconds (HFS+, ext4 with 128-byte inodes) | 0 | whole seconds | another device |
//!
//! Later variants repeat the three with other inode numbers.

use crate::memfs::{FileTime, Ino, Kind, MemFs, Metadata, Node};

/// `meta`, of `ino` in `fs`, as variant `v` of another host gives it.
pub(crate) fn other_host(fs: &MemFs, ino: Ino, mut meta: Metadata, v: u64) -> Metadata {
    let names = || match &fs.inode(ino).node {
        Node::Dir(entries) => entries.keys().map(|n| n.len() as u64).collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let (size, step) = match (v - 1) % 3 {
        0 => (40 + 20 * names().len() as u64, 1),
        1 => (2 * names().iter().sum::<u64>(), 1_000),
        _ => (0, 1_000_000_000),
    };
    if meta.kind == Kind::Dir {
        meta.size = size;
    }
    let truncate = |t: FileTime| FileTime { nanoseconds: t.nanoseconds - t.nanoseconds % step, ..t };
    meta.atime = truncate(meta.atime);
    meta.mtime = truncate(meta.mtime);
    meta.ctime = truncate(meta.ctime);
    meta
}

/// The identity hash of `ino` on variant `v`'s host: its device and inode
/// numbers are others, so the hash is too.
pub(crate) fn other_hash(ino: Ino, v: u64) -> (u64, u64) {
    super::inode_hash(crate::kernel::mix(ino ^ v.rotate_left(32)))
}
