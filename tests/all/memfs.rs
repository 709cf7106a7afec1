//! MemFs unit tests: every operation, and every error it can give.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasi_replay::memfs::{DEFAULT_TIME, ErrorKind, Kind, MemFs, Quota, TimeSource};

fn kind_of<T: std::fmt::Debug>(r: Result<T, wasi_replay::memfs::FsError>) -> ErrorKind {
    r.expect_err("operation should fail").kind()
}

fn paths(fs: &MemFs) -> Vec<String> {
    fs.walk().into_iter().map(|e| e.path).collect()
}

fn sample() -> MemFs {
    let mut fs = MemFs::new();
    fs.mkdir_p("/a/b").unwrap();
    fs.write_string("/a/f.txt", "hello").unwrap();
    fs.write_string("/a/b/g.txt", "world").unwrap();
    fs
}

// ----- mkdir / mkdir_p -------------------------------------------------

#[test]
fn mkdir_creates_a_directory() {
    let mut fs = MemFs::new();
    fs.mkdir("/d").unwrap();
    assert_eq!(fs.metadata("/d").unwrap().kind, Kind::Dir);
}

#[test]
fn mkdir_existing_is_exists() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.mkdir("/a")), ErrorKind::Exists);
    assert_eq!(kind_of(fs.mkdir("/a/f.txt")), ErrorKind::Exists);
}

#[test]
fn mkdir_without_parent_is_not_found() {
    let mut fs = MemFs::new();
    assert_eq!(kind_of(fs.mkdir("/x/y")), ErrorKind::NotFound);
}

#[test]
fn mkdir_under_a_file_is_not_dir() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.mkdir("/a/f.txt/x")), ErrorKind::NotDir);
}

#[test]
fn mkdir_root_is_exists() {
    let mut fs = MemFs::new();
    assert_eq!(kind_of(fs.mkdir("/")), ErrorKind::Exists);
}

#[test]
fn mkdir_p_creates_parents_and_accepts_existing() {
    let mut fs = MemFs::new();
    fs.mkdir_p("/x/y/z").unwrap();
    fs.mkdir_p("/x/y/z").unwrap();
    fs.mkdir_p("x/y").unwrap();
    assert_eq!(paths(&fs), ["/x", "/x/y", "/x/y/z"]);
}

#[test]
fn mkdir_p_over_a_file_fails() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.mkdir_p("/a/f.txt")), ErrorKind::Exists);
    assert_eq!(kind_of(fs.mkdir_p("/a/f.txt/deeper")), ErrorKind::NotDir);
}

#[test]
fn mkdir_p_through_a_symlink_to_a_directory() {
    let mut fs = sample();
    fs.symlink("/a/b", "/link").unwrap();
    fs.mkdir_p("/link/new").unwrap();
    assert!(fs.exists("/a/b/new"));
}

// ----- write / append / read ------------------------------------------

#[test]
fn write_and_read_round_trip() {
    let mut fs = MemFs::new();
    fs.write("/bin", [0u8, 1, 2, 255]).unwrap();
    assert_eq!(fs.read("/bin").unwrap(), [0, 1, 2, 255]);
    fs.write_string("/t", "text").unwrap();
    assert_eq!(fs.read_to_string("/t").unwrap(), "text");
}

#[test]
fn write_replaces_content() {
    let mut fs = sample();
    fs.write_string("/a/f.txt", "x").unwrap();
    assert_eq!(fs.read_to_string("/a/f.txt").unwrap(), "x");
    assert_eq!(fs.used_bytes(), 1 + 5);
}

#[test]
fn write_to_a_directory_is_is_dir() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.write("/a", "x")), ErrorKind::IsDir);
}

#[test]
fn write_without_parent_is_not_found() {
    let mut fs = MemFs::new();
    assert_eq!(kind_of(fs.write("/no/file", "x")), ErrorKind::NotFound);
}

#[test]
fn write_through_a_dangling_symlink_creates_the_target() {
    let mut fs = MemFs::new();
    fs.symlink("target.txt", "/link").unwrap();
    fs.write_string("/link", "via link").unwrap();
    assert_eq!(fs.read_to_string("/target.txt").unwrap(), "via link");
    assert_eq!(fs.readlink("/link").unwrap(), "target.txt");
}

#[test]
fn append_extends_and_creates() {
    let mut fs = MemFs::new();
    fs.append("/log", "one\n").unwrap();
    fs.append("/log", "two\n").unwrap();
    assert_eq!(fs.read_to_string("/log").unwrap(), "one\ntwo\n");
}

#[test]
fn append_to_a_directory_is_is_dir() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.append("/a/b", "x")), ErrorKind::IsDir);
}

#[test]
fn read_errors() {
    let fs = sample();
    assert_eq!(kind_of(fs.read("/missing")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.read("/a")), ErrorKind::IsDir);
    assert_eq!(kind_of(fs.read("/a/f.txt/x")), ErrorKind::NotDir);
}

#[test]
fn read_to_string_replaces_invalid_utf8() {
    let mut fs = MemFs::new();
    fs.write("/b", [0xffu8, b'a']).unwrap();
    assert_eq!(fs.read_to_string("/b").unwrap(), "\u{fffd}a");
}

// ----- truncate ----------------------------------------------------------

#[test]
fn truncate_shrinks_and_pads() {
    let mut fs = sample();
    fs.truncate("/a/f.txt", 2).unwrap();
    assert_eq!(fs.read_to_string("/a/f.txt").unwrap(), "he");
    fs.truncate("/a/f.txt", 4).unwrap();
    assert_eq!(fs.read("/a/f.txt").unwrap(), b"he\0\0");
}

#[test]
fn truncate_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.truncate("/missing", 0)), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.truncate("/a", 0)), ErrorKind::IsDir);
}

// ----- remove_file / rmdir / rm_rf --------------------------------------

#[test]
fn remove_file_removes_and_frees_bytes() {
    let mut fs = sample();
    fs.remove_file("/a/f.txt").unwrap();
    assert!(!fs.exists("/a/f.txt"));
    assert_eq!(fs.used_bytes(), 5);
}

#[test]
fn remove_file_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.remove_file("/missing")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.remove_file("/a")), ErrorKind::IsDir);
}

#[test]
fn remove_file_removes_a_symlink_not_its_target() {
    let mut fs = sample();
    fs.symlink("/a/f.txt", "/l").unwrap();
    fs.remove_file("/l").unwrap();
    assert!(fs.exists("/a/f.txt"));
}

#[test]
fn rmdir_removes_an_empty_directory() {
    let mut fs = MemFs::new();
    fs.mkdir("/e").unwrap();
    fs.rmdir("/e").unwrap();
    assert!(paths(&fs).is_empty());
}

#[test]
fn rmdir_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.rmdir("/a")), ErrorKind::NotEmpty);
    assert_eq!(kind_of(fs.rmdir("/a/f.txt")), ErrorKind::NotDir);
    assert_eq!(kind_of(fs.rmdir("/missing")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.rmdir("/")), ErrorKind::InvalidPath);
    fs.symlink("/a/b", "/l").unwrap();
    assert_eq!(kind_of(fs.rmdir("/l")), ErrorKind::NotDir);
}

#[test]
fn rm_rf_removes_a_tree_and_its_bytes() {
    let mut fs = sample();
    fs.rm_rf("/a").unwrap();
    assert!(paths(&fs).is_empty());
    assert_eq!(fs.used_bytes(), 0);
    assert_eq!(fs.inode_count(), 1);
}

#[test]
fn rm_rf_does_not_follow_symlinks() {
    let mut fs = sample();
    fs.mkdir("/other").unwrap();
    fs.symlink("/a", "/other/to-a").unwrap();
    fs.rm_rf("/other").unwrap();
    assert!(fs.exists("/a/b/g.txt"));
}

#[test]
fn rm_rf_missing_is_not_found() {
    let mut fs = MemFs::new();
    assert_eq!(kind_of(fs.rm_rf("/x")), ErrorKind::NotFound);
}

// ----- rename ------------------------------------------------------------

#[test]
fn rename_moves_a_file() {
    let mut fs = sample();
    fs.rename("/a/f.txt", "/moved.txt").unwrap();
    assert_eq!(fs.read_to_string("/moved.txt").unwrap(), "hello");
    assert!(!fs.exists("/a/f.txt"));
}

#[test]
fn rename_moves_a_directory_with_its_contents() {
    let mut fs = sample();
    fs.rename("/a/b", "/c").unwrap();
    assert_eq!(fs.read_to_string("/c/g.txt").unwrap(), "world");
}

#[test]
fn rename_replaces_a_file() {
    let mut fs = sample();
    fs.rename("/a/f.txt", "/a/b/g.txt").unwrap();
    assert_eq!(fs.read_to_string("/a/b/g.txt").unwrap(), "hello");
    assert_eq!(fs.used_bytes(), 5);
}

#[test]
fn rename_replaces_an_empty_directory() {
    let mut fs = sample();
    fs.mkdir("/empty").unwrap();
    fs.rename("/a/b", "/empty").unwrap();
    assert!(fs.exists("/empty/g.txt"));
}

#[test]
fn rename_errors() {
    let mut fs = sample();
    fs.mkdir("/full").unwrap();
    fs.write_string("/full/x", "").unwrap();
    assert_eq!(kind_of(fs.rename("/missing", "/x")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.rename("/a/b", "/full")), ErrorKind::NotEmpty);
    assert_eq!(kind_of(fs.rename("/a/b", "/a/f.txt")), ErrorKind::NotDir);
    assert_eq!(kind_of(fs.rename("/a/f.txt", "/a/b")), ErrorKind::IsDir);
    assert_eq!(kind_of(fs.rename("/a", "/a/b/inside")), ErrorKind::InvalidArgument);
    assert_eq!(kind_of(fs.rename("/a/f.txt", "/nope/x")), ErrorKind::NotFound);
}

#[test]
fn rename_onto_itself_or_a_hard_link_is_a_no_op() {
    let mut fs = sample();
    fs.rename("/a/f.txt", "/a/f.txt").unwrap();
    fs.link("/a/f.txt", "/hard").unwrap();
    fs.rename("/a/f.txt", "/hard").unwrap();
    assert!(fs.exists("/a/f.txt") && fs.exists("/hard"));
}

// ----- copy ----------------------------------------------------------------

#[test]
fn copy_copies_file_content() {
    let mut fs = sample();
    fs.copy("/a/f.txt", "/copy.txt").unwrap();
    fs.write_string("/a/f.txt", "changed").unwrap();
    assert_eq!(fs.read_to_string("/copy.txt").unwrap(), "hello");
}

#[test]
fn copy_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.copy("/missing", "/x")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.copy("/a", "/x")), ErrorKind::InvalidArgument);
    assert_eq!(kind_of(fs.copy("/a/f.txt", "/a/f.txt")), ErrorKind::InvalidArgument);
    assert_eq!(kind_of(fs.copy("/a/f.txt", "/a/b")), ErrorKind::IsDir);
}

#[test]
fn copy_recursive_copies_a_tree_with_symlinks() {
    let mut fs = sample();
    fs.symlink("g.txt", "/a/b/link").unwrap();
    fs.copy_recursive("/a", "/z").unwrap();
    assert_eq!(
        paths(&fs),
        ["/a", "/a/b", "/a/b/g.txt", "/a/b/link", "/a/f.txt", "/z", "/z/b", "/z/b/g.txt", "/z/b/link", "/z/f.txt"]
    );
    assert_eq!(fs.readlink("/z/b/link").unwrap(), "g.txt");
    assert_eq!(fs.read_to_string("/z/b/link").unwrap(), "world");
}

#[test]
fn copy_recursive_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.copy_recursive("/a", "/a/f.txt")), ErrorKind::Exists);
    assert_eq!(kind_of(fs.copy_recursive("/a", "/a/b/inside")), ErrorKind::InvalidArgument);
    assert_eq!(kind_of(fs.copy_recursive("/missing", "/y")), ErrorKind::NotFound);
}

// ----- symlink / readlink / link ---------------------------------------

#[test]
fn symlink_and_readlink() {
    let mut fs = sample();
    fs.symlink("b/g.txt", "/a/l").unwrap();
    assert_eq!(fs.readlink("/a/l").unwrap(), "b/g.txt");
    assert_eq!(fs.read_to_string("/a/l").unwrap(), "world");
    assert_eq!(fs.symlink_metadata("/a/l").unwrap().kind, Kind::Symlink);
    assert_eq!(fs.metadata("/a/l").unwrap().kind, Kind::File);
}

#[test]
fn symlink_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.symlink("x", "/a/f.txt")), ErrorKind::Exists);
    // An empty target names nothing, as symlinkat(2) says with ENOENT.
    assert_eq!(kind_of(fs.symlink("", "/e")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.readlink("/a/f.txt")), ErrorKind::InvalidArgument);
    assert_eq!(kind_of(fs.readlink("/missing")), ErrorKind::NotFound);
}

#[test]
fn symlink_loop_is_loop() {
    let mut fs = MemFs::new();
    fs.symlink("/b", "/a").unwrap();
    fs.symlink("/a", "/b").unwrap();
    assert_eq!(kind_of(fs.read("/a")), ErrorKind::Loop);
    assert_eq!(kind_of(fs.metadata("/a/x")), ErrorKind::Loop);
    // Not following the last component does not loop.
    assert_eq!(fs.readlink("/a").unwrap(), "/b");
}

#[test]
fn a_long_chain_of_symlinks_is_followed_up_to_the_bound() {
    let mut fs = MemFs::new();
    fs.write_string("/l0", "end").unwrap();
    for i in 1..=40 {
        fs.symlink(&format!("l{}", i - 1), &format!("/l{i}")).unwrap();
    }
    assert_eq!(fs.read_to_string("/l40").unwrap(), "end");
    fs.symlink("l40", "/l41").unwrap();
    assert_eq!(kind_of(fs.read("/l41")), ErrorKind::Loop);
}

#[test]
fn link_shares_the_inode() {
    let mut fs = sample();
    fs.link("/a/f.txt", "/h").unwrap();
    assert_eq!(fs.metadata("/h").unwrap().nlink, 2);
    assert_eq!(fs.metadata("/h").unwrap().ino, fs.metadata("/a/f.txt").unwrap().ino);
    fs.write_string("/h", "shared").unwrap();
    assert_eq!(fs.read_to_string("/a/f.txt").unwrap(), "shared");
    fs.remove_file("/a/f.txt").unwrap();
    assert_eq!(fs.metadata("/h").unwrap().nlink, 1);
    assert_eq!(fs.read_to_string("/h").unwrap(), "shared");
}

#[test]
fn link_errors() {
    let mut fs = sample();
    assert_eq!(kind_of(fs.link("/missing", "/x")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.link("/a/f.txt", "/a/b/g.txt")), ErrorKind::Exists);
    assert_eq!(kind_of(fs.link("/a", "/dirlink")), ErrorKind::NotPermitted);
}

// ----- metadata and time -------------------------------------------------

#[test]
fn metadata_reports_kind_size_nlink_and_inode() {
    let fs = sample();
    let f = fs.metadata("/a/f.txt").unwrap();
    assert_eq!((f.kind, f.size, f.nlink), (Kind::File, 5, 1));
    let d = fs.metadata("/a").unwrap();
    assert_eq!((d.kind, d.nlink), (Kind::Dir, 3));
    assert_ne!(f.ino, d.ino);
    assert_eq!(kind_of(fs.metadata("/missing")), ErrorKind::NotFound);
}

struct Ticking(AtomicU64);

impl TimeSource for Ticking {
    fn now(&self) -> Duration {
        DEFAULT_TIME + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

#[test]
fn timestamps_come_from_the_clock() {
    let clock = Arc::new(Ticking(AtomicU64::new(0)));
    let mut fs = MemFs::with_clock(clock.clone());
    fs.write_string("/f", "x").unwrap();
    clock.0.store(10, Ordering::SeqCst);
    fs.append("/f", "y").unwrap();
    let m = fs.metadata("/f").unwrap();
    assert_eq!(m.atime, DEFAULT_TIME);
    assert_eq!(m.mtime, DEFAULT_TIME + Duration::from_secs(10));
    fs.set_times("/f", Duration::from_secs(5), Duration::from_secs(6)).unwrap();
    let m = fs.metadata("/f").unwrap();
    assert_eq!((m.atime.since_epoch(), m.mtime.since_epoch()), (Some(Duration::from_secs(5)), Some(Duration::from_secs(6))));
}

/// Times before 1970 are kept, down to ext4's first second (1901-12-13),
/// and clamped beyond either end of its range, as Linux clamps for ext4.
#[test]
fn times_before_the_epoch_are_kept_within_ext4s_range() {
    use wasi_replay::memfs::{FileTime, MAX_TIMESTAMP, MIN_TIMESTAMP};
    let mut fs = MemFs::new();
    fs.write_string("/f", "x").unwrap();
    let before = FileTime { seconds: -86_400, nanoseconds: 5 };
    fs.set_times("/f", before, FileTime { seconds: i64::MIN, nanoseconds: 7 }).unwrap();
    let m = fs.metadata("/f").unwrap();
    assert_eq!((m.atime, m.mtime), (before, FileTime { seconds: MIN_TIMESTAMP, nanoseconds: 0 }));
    assert_eq!(m.atime.since_epoch(), None);
    assert_eq!(m.atime.to_string(), "-86400.000000005");
    fs.set_times("/f", FileTime { seconds: i64::MAX, nanoseconds: 1 }, before).unwrap();
    assert_eq!(fs.metadata("/f").unwrap().atime, FileTime { seconds: MAX_TIMESTAMP as i64, nanoseconds: 0 });
}

#[test]
fn default_timestamps_are_well_after_the_epoch() {
    let fs = sample();
    assert_eq!(fs.metadata("/a/f.txt").unwrap().mtime, DEFAULT_TIME);
}

// ----- paths ---------------------------------------------------------------

#[test]
fn paths_are_normalized() {
    let fs = sample();
    for p in ["a/f.txt", "/a//f.txt", "/./a/./f.txt", "/a/b/../f.txt", "//a/b/..//f.txt"] {
        assert_eq!(fs.read_to_string(p).unwrap(), "hello", "{p}");
    }
}

#[test]
fn dot_dot_never_leaves_the_root() {
    let mut fs = sample();
    assert_eq!(fs.read_to_string("/../../a/f.txt").unwrap(), "hello");
    fs.symlink("../../../../a", "/a/b/up").unwrap();
    assert_eq!(fs.read_to_string("/a/b/up/f.txt").unwrap(), "hello");
    fs.symlink("/a/f.txt", "/abs").unwrap();
    assert_eq!(fs.read_to_string("/abs").unwrap(), "hello");
}

#[test]
fn dot_dot_is_resolved_after_following_symlinks() {
    let mut fs = sample();
    fs.symlink("/a/b", "/lb").unwrap();
    // POSIX: lb/.. is the parent of the directory lb points at, i.e. /a.
    assert_eq!(fs.read_to_string("/lb/../f.txt").unwrap(), "hello");
}

#[test]
fn invalid_paths() {
    let mut fs = MemFs::new();
    // The empty path names nothing (ENOENT), as every POSIX call says.
    assert_eq!(kind_of(fs.write("", "x")), ErrorKind::NotFound);
    assert_eq!(kind_of(fs.write("/nul\0", "x")), ErrorKind::InvalidPath);
    let long = "n".repeat(256);
    assert_eq!(kind_of(fs.write(&format!("/{long}"), "x")), ErrorKind::NameTooLong);
    fs.write(&format!("/{}", &long[1..]), "x").unwrap();
    assert_eq!(kind_of(fs.remove_file("/")), ErrorKind::InvalidPath);
}

// ----- walk and quotas -----------------------------------------------------

#[test]
fn walk_is_depth_first_in_name_order() {
    let mut fs = MemFs::new();
    for p in ["/b", "/a.txt", "/a", "/a/z", "/a/c"] {
        if p.ends_with(".txt") || p == "/a/z" {
            fs.write_string(p, "").unwrap();
        } else {
            fs.mkdir(p).unwrap();
        }
    }
    assert_eq!(paths(&fs), ["/a", "/a/c", "/a/z", "/a.txt", "/b"]);
}

#[test]
fn read_dir_lists_sorted_names() {
    let fs = sample();
    let names: Vec<_> = fs.read_dir("/a").unwrap().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["b", "f.txt"]);
    assert_eq!(kind_of(fs.read_dir("/a/f.txt")), ErrorKind::NotDir);
}

#[test]
fn byte_quota_gives_no_space() {
    let mut fs = MemFs::new();
    fs.set_quota(Quota { max_bytes: Some(10), max_inodes: None });
    fs.write("/a", [0u8; 8]).unwrap();
    assert_eq!(kind_of(fs.append("/a", [0u8; 3])), ErrorKind::NoSpace);
    assert_eq!(kind_of(fs.write("/b", [0u8; 3])), ErrorKind::NoSpace);
    assert_eq!(fs.read("/a").unwrap().len(), 8, "a failed write changes nothing");
    fs.write("/a", [0u8; 10]).unwrap();
    assert_eq!(kind_of(fs.truncate("/a", 11)), ErrorKind::NoSpace);
    assert_eq!(fs.used_bytes(), 10);
}

#[test]
fn inode_quota_gives_no_space() {
    let mut fs = MemFs::new();
    fs.set_quota(Quota { max_bytes: None, max_inodes: Some(3) });
    fs.mkdir("/a").unwrap();
    fs.write("/a/f", "").unwrap();
    assert_eq!(kind_of(fs.mkdir("/b")), ErrorKind::NoSpace);
    assert_eq!(kind_of(fs.symlink("x", "/s")), ErrorKind::NoSpace);
    fs.link("/a/f", "/hard").unwrap();
    assert_eq!(fs.inode_count(), 3);
}

#[test]
fn equality_ignores_inode_numbers_and_times() {
    let mut a = MemFs::new();
    a.write_string("/tmp", "").unwrap();
    a.remove_file("/tmp").unwrap();
    a.write_string("/f", "x").unwrap();
    let mut b = MemFs::new();
    b.write_string("/f", "x").unwrap();
    assert_eq!(a, b);
    b.write_string("/f", "y").unwrap();
    assert_ne!(a, b);
}

#[test]
fn errors_name_the_path() {
    let fs = MemFs::new();
    let e = fs.read("/nowhere").unwrap_err();
    assert_eq!(e.to_string(), "/nowhere: no such file or directory");
    assert_eq!(e.path(), "/nowhere");
}

#[test]
fn freed_inode_numbers_are_reused_and_counts_stay_exact() {
    let mut fs = MemFs::new();
    fs.write("/a", b"1").unwrap();
    let a = fs.metadata("/a").unwrap().ino;
    fs.write("/b", b"2").unwrap();
    assert_eq!(fs.inode_count(), 3);
    fs.remove_file("/a").unwrap();
    assert_eq!(fs.inode_count(), 2);
    fs.write("/c", b"3").unwrap();
    assert_eq!(fs.metadata("/c").unwrap().ino, a, "the freed number comes back");
    assert_eq!(fs.read("/b").unwrap(), b"2");
    fs.check_invariants().unwrap();
}
