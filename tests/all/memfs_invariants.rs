//! MemFs invariants under long random operation sequences: no orphaned
//! inode, right link counts, sizes matching content, `walk()` agreeing with
//! lookups, quotas never exceeded. Covers what the guest-facing host uses
//! too: walled lookups, open handles held across unlink, inode-level I/O.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use wasi_replay::memfs::{At, Ino, MemFs, OpenOptions, Quota};

const CASES: u32 = 500;

#[derive(Debug, Clone)]
enum Op {
    Mkdir(String),
    Write(String, usize),
    Append(String, usize),
    Remove(String),
    Rmdir(String),
    RmRf(String),
    Rename(String, String),
    Link(String, String),
    Symlink(String, String),
    Copy(String, String),
    CopyRecursive(String, String),
    Truncate(String, u64),
    Open(String, bool),
    Release(usize),
    WriteHeld(usize, u64, usize),
    WalledLookup(String, String),
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "..", "."]), 1..=4).prop_map(|v| v.join("/"))
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::Mkdir),
        (path(), 0..3000usize).prop_map(|(p, n)| Op::Write(p, n)),
        (path(), 0..3000usize).prop_map(|(p, n)| Op::Append(p, n)),
        path().prop_map(Op::Remove),
        path().prop_map(Op::Rmdir),
        path().prop_map(Op::RmRf),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Symlink(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Copy(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::CopyRecursive(a, b)),
        (path(), 0..5000u64).prop_map(|(p, n)| Op::Truncate(p, n)),
        (path(), any::<bool>()).prop_map(|(p, c)| Op::Open(p, c)),
        (0..8usize).prop_map(Op::Release),
        (0..8usize, 0..4000u64, 0..2000usize).prop_map(|(h, o, n)| Op::WriteHeld(h, o, n)),
        (path(), path()).prop_map(|(d, p)| Op::WalledLookup(d, p)),
    ]
}

fn apply(fs: &mut MemFs, held: &mut Vec<Ino>, op: &Op) {
    match op {
        Op::Mkdir(p) => drop(fs.mkdir(p)),
        Op::Write(p, n) => drop(fs.write(p, vec![1u8; *n])),
        Op::Append(p, n) => drop(fs.append(p, vec![2u8; *n])),
        Op::Remove(p) => drop(fs.remove_file(p)),
        Op::Rmdir(p) => drop(fs.rmdir(p)),
        Op::RmRf(p) => drop(fs.rm_rf(p)),
        Op::Rename(a, b) => drop(fs.rename(a, b)),
        Op::Link(a, b) => drop(fs.link(a, b)),
        Op::Symlink(t, l) => drop(fs.symlink(t, l)),
        Op::Copy(a, b) => drop(fs.copy(a, b)),
        Op::CopyRecursive(a, b) => drop(fs.copy_recursive(a, b)),
        Op::Truncate(p, n) => drop(fs.truncate(p, *n)),
        Op::Open(p, create) => {
            let opts = OpenOptions { create: *create, follow: true, ..OpenOptions::default() };
            if let Ok(ino) = fs.open_at(At::ROOT, p, opts) {
                fs.hold(ino);
                held.push(ino);
            }
        }
        Op::Release(i) => {
            if !held.is_empty() {
                let ino = held.remove(i % held.len());
                fs.release(ino);
            }
        }
        Op::WriteHeld(i, off, n) => {
            if !held.is_empty() {
                let ino = held[i % held.len()];
                let _ = fs.write_ino(ino, *off, &vec![3u8; *n]);
            }
        }
        Op::WalledLookup(d, p) => {
            if let Ok(dir) = fs.lookup_at(At::ROOT, d, true)
                && fs.kind(dir) == wasi_replay::memfs::Kind::Dir
            {
                let _ = fs.lookup_at(At::walled(dir, dir), p, true);
            }
        }
    }
}

#[test]
fn invariants_hold_after_every_operation() {
    let config = crate::support::proptest_config(CASES, 0x1a7a_11d5);
    let ran = std::cell::Cell::new(0u32);
    let strategy = (prop::collection::vec(op(), 1..120), prop::option::of((1000u64..20_000, 3u64..40)));
    TestRunner::new(config)
        .run(&strategy, |(ops, quota)| {
            ran.set(ran.get() + 1);
            let mut fs = MemFs::new();
            if let Some((bytes, inodes)) = quota {
                fs.set_quota(Quota { max_bytes: Some(bytes), max_inodes: Some(inodes) });
            }
            let mut held = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                apply(&mut fs, &mut held, op);
                if let Err(e) = fs.check_invariants() {
                    return Err(TestCaseError::fail(format!("after step {i} ({op:?}): {e}")));
                }
            }
            for ino in held.drain(..) {
                fs.release(ino);
            }
            prop_assert_eq!(fs.check_invariants(), Ok(()));
            // With every handle released, nothing unreachable may remain.
            let reachable: std::collections::BTreeSet<Ino> = fs.walk().into_iter().map(|e| e.ino).collect();
            prop_assert_eq!(fs.inode_count(), reachable.len() as u64 + 1);
            Ok(())
        })
        .unwrap();
    assert!(ran.get() >= CASES);
}
