//! Tests of what only the hosts reach: walled lookups, opening with
//! flags, held inodes and inode-level I/O, and the structure's invariants
//! under long random sequences of every operation (no orphaned inode,
//! right link counts, sizes matching content, `walk()` agreeing with
//! lookups, quotas never exceeded). The path-level API a user sees is
//! tested from outside, in `tests/all/memfs*.rs`.

use super::{At, ErrorKind, FsError, Ino, Kind, MemFs, OpenOptions, Quota};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

fn kind_of<T: std::fmt::Debug>(r: Result<T, FsError>) -> ErrorKind {
    r.expect_err("operation should fail").kind()
}

fn sample() -> MemFs {
    let mut fs = MemFs::new();
    fs.mkdir_p("/a/b").unwrap();
    fs.write_string("/a/f.txt", "hello").unwrap();
    fs.write_string("/a/b/g.txt", "world").unwrap();
    fs
}

/// Exactly `cases` cases (unless `PROPTEST_CASES` says otherwise), from a
/// fixed seed unless `PROPTEST_RNG_SEED` gives one.
fn proptest_config(cases: u32, seed: u64) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut c = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if c.rng_seed == RngSeed::Random {
        c.rng_seed = RngSeed::Fixed(seed);
    }
    c
}

fn walled(fs: &MemFs, dir: &str) -> crate::memfs::At {
    let ino = fs.lookup_at(crate::memfs::At::ROOT, dir, true).unwrap();
    crate::memfs::At::walled(ino, ino)
}

#[test]
fn a_wall_refuses_dot_dot_absolute_paths_and_symlinks_out() {
    let mut fs = sample();
    fs.symlink("../f.txt", "/a/b/up").unwrap();
    fs.symlink("/a/f.txt", "/a/b/abs").unwrap();
    fs.symlink("g.txt", "/a/b/in").unwrap();
    let at = walled(&fs, "/a/b");
    assert_eq!(kind_of(fs.lookup_at(at, "../f.txt", true)), ErrorKind::NotPermitted);
    assert_eq!(kind_of(fs.lookup_at(at, "/a/f.txt", true)), ErrorKind::NotPermitted);
    assert_eq!(kind_of(fs.lookup_at(at, "up", true)), ErrorKind::NotPermitted);
    assert_eq!(kind_of(fs.lookup_at(at, "abs", true)), ErrorKind::NotPermitted);
    assert!(fs.lookup_at(at, "in", true).is_ok());
    assert!(fs.lookup_at(at, "up", false).is_ok(), "the link itself is inside");
    // Without a wall the same paths clamp at the root instead.
    assert!(fs.lookup_at(crate::memfs::At::ROOT, "/../a/f.txt", true).is_ok());
}

#[test]
fn dot_dot_below_the_wall_is_fine() {
    let mut fs = sample();
    fs.mkdir("/a/b/c").unwrap();
    let wall = fs.lookup_at(crate::memfs::At::ROOT, "/a", true).unwrap();
    let c = fs.lookup_at(crate::memfs::At::ROOT, "/a/b/c", true).unwrap();
    let at = crate::memfs::At::walled(c, wall);
    assert!(fs.lookup_at(at, "../../f.txt", true).is_ok());
    assert_eq!(kind_of(fs.lookup_at(at, "../../../a", true)), ErrorKind::NotPermitted);
}

#[test]
fn open_at_flags() {
        let mut fs = sample();
    let create = OpenOptions { create: true, follow: true, ..OpenOptions::default() };
    let ino = fs.open_at(At::ROOT, "/new", create).unwrap();
    assert_eq!(fs.kind(ino), Kind::File);
    assert_eq!(kind_of(fs.open_at(At::ROOT, "/new", OpenOptions { exclusive: true, ..create })), ErrorKind::Exists);
    let trunc = OpenOptions { truncate: true, follow: true, ..OpenOptions::default() };
    fs.open_at(At::ROOT, "/a/f.txt", trunc).unwrap();
    assert_eq!(fs.read("/a/f.txt").unwrap(), b"");
    let dir = OpenOptions { directory: true, follow: true, ..OpenOptions::default() };
    assert_eq!(kind_of(fs.open_at(At::ROOT, "/new", dir)), ErrorKind::NotDir);
    assert_eq!(kind_of(fs.open_at(At::ROOT, "/missing", OpenOptions::default())), ErrorKind::NotFound);
    fs.symlink("/new", "/l").unwrap();
    assert_eq!(kind_of(fs.open_at(At::ROOT, "/l", OpenOptions::default())), ErrorKind::Loop, "no-follow on a symlink");
}

#[test]
fn a_held_inode_outlives_its_last_link() {
    let mut fs = sample();
    let ino = fs.lookup_at(crate::memfs::At::ROOT, "/a/f.txt", true).unwrap();
    fs.hold(ino);
    fs.remove_file("/a/f.txt").unwrap();
    assert!(fs.is_live(ino));
    assert_eq!(fs.read_ino(ino, 0, 100).unwrap(), b"hello");
    fs.write_ino(ino, 5, b"!").unwrap();
    assert_eq!(fs.used_bytes(), 6 + 5, "held bytes still count against the quota");
    fs.release(ino);
    assert!(!fs.is_live(ino));
    assert_eq!(fs.used_bytes(), 5);
}

#[test]
fn inode_level_io() {
    let mut fs = sample();
    let ino = fs.lookup_at(crate::memfs::At::ROOT, "/a/f.txt", true).unwrap();
    assert_eq!(fs.read_ino(ino, 1, 3).unwrap(), b"ell");
    assert_eq!(fs.read_ino(ino, 99, 3).unwrap(), b"");
    fs.write_ino(ino, 7, b"X").unwrap();
    assert_eq!(fs.read("/a/f.txt").unwrap(), b"hello\0\0X");
    fs.append_ino(ino, b"+").unwrap();
    assert_eq!(fs.read("/a/f.txt").unwrap(), b"hello\0\0X+");
    let dir = fs.lookup_at(crate::memfs::At::ROOT, "/a", true).unwrap();
    assert_eq!(fs.read_ino(dir, 0, 1).unwrap_err(), ErrorKind::IsDir);
    fs.set_quota(Quota { max_bytes: Some(fs.used_bytes()), max_inodes: None });
    assert_eq!(fs.append_ino(ino, b"more").unwrap_err(), ErrorKind::NoSpace);
}

// ----- invariants under random operations -------------------------------

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
                && fs.kind(dir) == crate::memfs::Kind::Dir
            {
                let _ = fs.lookup_at(At::walled(dir, dir), p, true);
            }
        }
    }
}

#[test]
fn invariants_hold_after_every_operation() {
    let config = proptest_config(CASES, 0x1a7a_11d5);
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
