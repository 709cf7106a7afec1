//! Tests of what only the hosts reach: walled lookups, opening with
//! flags, held inodes and inode-level I/O, and the structure's invariants
//! under long random sequences of every operation (no orphaned inode,
//! right link counts, sizes matching content, `walk()` agreeing with
//! lookups, quotas never exceeded). The path-level API a user sees is
//! tested from outside, in `tests/all/memfs*.rs`.

use super::{At, ErrorKind, FsError, Kind, MemFs, OpenOptions, Quota};
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

/// proptest draws the bytes of each operation (and shrinks them);
/// `arbitrary` makes them the same operations the fuzz target runs.
#[test]
fn invariants_hold_after_every_operation() {
    use arbitrary::{Arbitrary, Unstructured};
    let config = proptest_config(CASES, 0x1a7a_11d5);
    let ran = std::cell::Cell::new(0u32);
    let strategy = (prop::option::of((250u16..5000, 1u8..38)), prop::collection::vec(prop::collection::vec(any::<u8>(), 12), 1..120));
    TestRunner::new(config)
        .run(&strategy, |(quota, chunks)| {
            ran.set(ran.get() + 1);
            let ops = chunks.iter().map(|c| super::ops::Op::arbitrary(&mut Unstructured::new(c)).expect("12 bytes make an operation")).collect();
            super::ops::check(&super::ops::Input { quota, ops }).map_err(TestCaseError::fail)
        })
        .unwrap();
    assert!(ran.get() >= CASES);
}
