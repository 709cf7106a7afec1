//! Random operation sequences on a MemFs, with the structure's invariants
//! checked after each step: one generator, shared by the invariant test
//! (`tests.rs`, fed by proptest) and the `memfs_ops` fuzz target (fed by
//! libFuzzer), which compiles this directory into itself.

use super::{At, Ino, Kind, MemFs, OpenOptions, Quota};
use arbitrary::Arbitrary;

/// One operation. Paths are indices into a small path space, so
/// operations collide often.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    Mkdir(u8),
    MkdirP(u8),
    Write(u8, u16),
    Append(u8, u16),
    Remove(u8),
    Rmdir(u8),
    RmRf(u8),
    Rename(u8, u8),
    Link(u8, u8),
    Symlink(u8, u8),
    Copy(u8, u8),
    CopyRecursive(u8, u8),
    Truncate(u8, u16),
    Open(u8, bool, bool, bool),
    Release(u8),
    WriteHeld(u8, u16, u16),
    Walled(u8, u8),
}

/// A sequence of operations on a MemFs that may have a quota.
#[derive(Arbitrary, Debug, Clone)]
pub struct Input {
    /// Byte quota in units of 4 bytes, and inodes beyond the root's two.
    pub quota: Option<(u16, u8)>,
    /// The operations, in order.
    pub ops: Vec<Op>,
}

/// Path `n` of the small space: up to four of `a`, `b`, `c`, `..`, `.`, `d`.
fn path(n: u8) -> String {
    const PARTS: [&str; 6] = ["a", "b", "c", "..", ".", "d"];
    let mut parts = Vec::new();
    let mut x = n as usize;
    for _ in 0..1 + (n as usize % 4) {
        parts.push(PARTS[x % PARTS.len()]);
        x /= PARTS.len();
    }
    parts.join("/")
}

fn apply(fs: &mut MemFs, held: &mut Vec<Ino>, op: &Op) {
    match *op {
        Op::Mkdir(p) => drop(fs.mkdir(&path(p))),
        Op::MkdirP(p) => drop(fs.mkdir_p(&path(p))),
        Op::Write(p, n) => drop(fs.write(&path(p), vec![1u8; n as usize % 4096])),
        Op::Append(p, n) => drop(fs.append(&path(p), vec![2u8; n as usize % 4096])),
        Op::Remove(p) => drop(fs.remove_file(&path(p))),
        Op::Rmdir(p) => drop(fs.rmdir(&path(p))),
        Op::RmRf(p) => drop(fs.rm_rf(&path(p))),
        Op::Rename(a, b) => drop(fs.rename(&path(a), &path(b))),
        Op::Link(a, b) => drop(fs.link(&path(a), &path(b))),
        Op::Symlink(a, b) => drop(fs.symlink(&path(a), &path(b))),
        Op::Copy(a, b) => drop(fs.copy(&path(a), &path(b))),
        Op::CopyRecursive(a, b) => drop(fs.copy_recursive(&path(a), &path(b))),
        Op::Truncate(p, n) => drop(fs.truncate(&path(p), n as u64 % 8192)),
        Op::Open(p, create, exclusive, truncate) => {
            let opts = OpenOptions { create, exclusive, truncate, follow: true, ..OpenOptions::default() };
            if let Ok(ino) = fs.open_at(At::ROOT, &path(p), opts) {
                fs.hold(ino);
                held.push(ino);
            }
        }
        Op::Release(i) => {
            if !held.is_empty() {
                let ino = held.remove(i as usize % held.len());
                fs.release(ino);
            }
        }
        Op::WriteHeld(i, off, n) => {
            if !held.is_empty() {
                let ino = held[i as usize % held.len()];
                let _ = fs.write_ino(ino, off as u64, &vec![3u8; n as usize % 4096]);
            }
        }
        Op::Walled(d, p) => {
            if let Ok(dir) = fs.lookup_at(At::ROOT, &path(d), true)
                && fs.kind(dir) == Kind::Dir
            {
                let _ = fs.lookup_at(At::walled(dir, dir), &path(p), true);
            }
        }
    }
}

/// Runs `input`; the first broken invariant, named with the step that
/// broke it. With every handle released at the end, nothing unreachable
/// may remain.
pub fn check(input: &Input) -> Result<(), String> {
    let mut fs = MemFs::new();
    if let Some((bytes, inodes)) = input.quota {
        fs.set_quota(Quota { max_bytes: Some(bytes as u64 * 4), max_inodes: Some(2 + inodes as u64) });
    }
    let mut held = Vec::new();
    for (i, op) in input.ops.iter().enumerate() {
        apply(&mut fs, &mut held, op);
        fs.check_invariants().map_err(|e| format!("after step {i} ({op:?}): {e}"))?;
    }
    for ino in held.drain(..) {
        fs.release(ino);
    }
    fs.check_invariants().map_err(|e| format!("after releasing every handle: {e}"))?;
    let reachable: std::collections::BTreeSet<Ino> = fs.walk().into_iter().map(|e| e.ino).collect();
    let count = fs.inode_count();
    if count != reachable.len() as u64 + 1 {
        return Err(format!("{count} inodes, {} reachable: some are orphaned", reachable.len()));
    }
    Ok(())
}
