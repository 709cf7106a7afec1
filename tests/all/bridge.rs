//! FsBridge: MemFs to a tempdir and back.

use std::fs;
use wasi_replay::host::FsBridge;
use wasi_replay::memfs::{memfs_from_dir, memfs_to_dir};
use wasi_replay::memfs::{Kind, MemFs};

fn sample() -> MemFs {
    let mut fs = MemFs::new();
    fs.mkdir_p("/dir/sub").unwrap();
    fs.write_string("/dir/a.txt", "alpha").unwrap();
    fs.write("/dir/sub/bin", [0u8, 159, 255]).unwrap();
    fs.write_string("/top.txt", "top").unwrap();
    fs.mkdir("/empty").unwrap();
    fs
}

#[test]
fn materialize_writes_every_entry() {
    let mut b = FsBridge::new(sample());
    let root = b.materialize().unwrap().to_path_buf();
    assert_eq!(fs::read_to_string(root.join("dir/a.txt")).unwrap(), "alpha");
    assert_eq!(fs::read(root.join("dir/sub/bin")).unwrap(), [0, 159, 255]);
    assert!(root.join("empty").is_dir());
}

#[test]
fn round_trip_without_changes_is_identity() {
    let original = sample();
    let mut b = FsBridge::new(original.clone());
    b.materialize().unwrap();
    b.snapshot().unwrap();
    assert_eq!(b.into_memfs(), original);
}

#[test]
fn snapshot_before_materialize_changes_nothing() {
    let mut b = FsBridge::new(sample());
    b.snapshot().unwrap();
    assert_eq!(b.memfs(), &sample());
    assert!(b.root().is_none());
}

#[test]
fn snapshot_sees_a_changed_file() {
    let mut b = FsBridge::new(sample());
    let root = b.materialize().unwrap().to_path_buf();
    fs::write(root.join("dir/a.txt"), "changed").unwrap();
    b.snapshot().unwrap();
    assert_eq!(b.memfs().read_to_string("/dir/a.txt").unwrap(), "changed");
}

#[test]
fn snapshot_sees_added_entries() {
    let mut b = FsBridge::new(sample());
    let root = b.materialize().unwrap().to_path_buf();
    fs::create_dir(root.join("new")).unwrap();
    fs::write(root.join("new/file"), "n").unwrap();
    b.snapshot().unwrap();
    assert_eq!(b.memfs().read_to_string("/new/file").unwrap(), "n");
}

#[test]
fn snapshot_sees_deleted_entries() {
    let mut b = FsBridge::new(sample());
    let root = b.materialize().unwrap().to_path_buf();
    fs::remove_file(root.join("top.txt")).unwrap();
    fs::remove_dir_all(root.join("dir")).unwrap();
    b.snapshot().unwrap();
    let paths: Vec<_> = b.memfs().walk().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["/empty"]);
}

#[test]
fn symlinks_round_trip_as_symlinks() {
    let mut fs = sample();
    fs.symlink("dir/a.txt", "/link").unwrap();
    fs.symlink("/outside/of/anything", "/dangling").unwrap();
    let mut b = FsBridge::new(fs.clone());
    let root = b.materialize().unwrap().to_path_buf();
    assert_eq!(std::fs::read_link(root.join("link")).unwrap().to_str(), Some("dir/a.txt"));
    b.snapshot().unwrap();
    let back = b.into_memfs();
    assert_eq!(back.readlink("/dangling").unwrap(), "/outside/of/anything");
    assert_eq!(back, fs);
}

#[test]
fn hard_links_round_trip_as_links() {
    let mut fs = sample();
    fs.link("/top.txt", "/dir/also-top").unwrap();
    let mut b = FsBridge::new(fs);
    b.materialize().unwrap();
    b.snapshot().unwrap();
    let back = b.into_memfs();
    assert_eq!(back.metadata("/dir/also-top").unwrap().nlink, 2);
    assert_eq!(back.metadata("/dir/also-top").unwrap().ino, back.metadata("/top.txt").unwrap().ino);
}

#[test]
fn the_tempdir_goes_away_with_the_bridge() {
    let mut b = FsBridge::new(sample());
    let root = b.materialize().unwrap().to_path_buf();
    assert!(root.exists());
    drop(b.into_memfs());
    assert!(!root.exists());
}

#[test]
fn snapshot_keeps_the_quota() {
    let mut fs = sample();
    let quota = wasi_replay::memfs::Quota { max_bytes: Some(1 << 20), max_inodes: Some(100) };
    fs.set_quota(quota);
    let mut b = FsBridge::new(fs);
    b.materialize().unwrap();
    b.snapshot().unwrap();
    assert_eq!(b.memfs().quota(), quota);
}

#[test]
fn host_directories_copy_in_and_out() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir(src.path().join("d")).unwrap();
    fs::write(src.path().join("d/f"), "fixture").unwrap();
    let fs_ = memfs_from_dir(src.path()).unwrap();
    assert_eq!(fs_.metadata("/d").unwrap().kind, Kind::Dir);
    let out = tempfile::tempdir().unwrap();
    memfs_to_dir(&fs_, out.path()).unwrap();
    assert_eq!(fs::read_to_string(out.path().join("d/f")).unwrap(), "fixture");
}
