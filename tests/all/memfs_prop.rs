//! MemFs against a real directory: random operation sequences run on both,
//! and every operation must give the same result (value or error kind) and
//! both trees must end the same. The real side is the reference: where
//! MemFs and Linux disagree, MemFs is wrong.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::fs;
use std::io::Write;
use std::path::Path;
use wasi_replay::memfs::{ErrorKind, FsError, Kind, MemFs};

/// Cases run in CI (`PROPTEST_CASES` may ask for more). The RNG seed is
/// fixed so CI is repeatable; set `PROPTEST_RNG_SEED` to explore others.
const CASES: u32 = 1000;

#[derive(Debug, Clone)]
enum Op {
    Mkdir(String),
    MkdirP(String),
    Write(String, Vec<u8>),
    Append(String, Vec<u8>),
    Read(String),
    Truncate(String, u64),
    RemoveFile(String),
    Rmdir(String),
    RmRf(String),
    Rename(String, String),
    Copy(String, String),
    Symlink(String, String),
    Readlink(String),
    Link(String, String),
    Metadata(String),
    SymlinkMetadata(String),
    ReadDir(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Unit,
    Bytes(Vec<u8>),
    Text(String),
    /// kind, and for files size and link count.
    Meta(Kind, Option<(u64, u64)>),
    Names(Vec<(String, Kind)>),
}

type Outcome = Result<Value, ErrorKind>;

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 1..=3).prop_map(|v| v.join("/"))
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..6)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => path().prop_map(Op::Mkdir),
        2 => path().prop_map(Op::MkdirP),
        3 => (path(), data()).prop_map(|(p, d)| Op::Write(p, d)),
        1 => (path(), data()).prop_map(|(p, d)| Op::Append(p, d)),
        1 => path().prop_map(Op::Read),
        1 => (path(), 0..8u64).prop_map(|(p, n)| Op::Truncate(p, n)),
        1 => path().prop_map(Op::RemoveFile),
        1 => path().prop_map(Op::Rmdir),
        1 => path().prop_map(Op::RmRf),
        2 => (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => (path(), path()).prop_map(|(a, b)| Op::Copy(a, b)),
        // Relative targets only: an absolute or `..` target would leave the
        // tempdir on the real side, which MemFs (correctly) never does.
        2 => (path(), path()).prop_map(|(t, l)| Op::Symlink(t, l)),
        1 => path().prop_map(Op::Readlink),
        1 => (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        1 => path().prop_map(Op::Metadata),
        1 => path().prop_map(Op::SymlinkMetadata),
        1 => path().prop_map(Op::ReadDir),
    ]
}

fn mem_meta(m: wasi_replay::memfs::Metadata) -> Value {
    Value::Meta(m.kind, (m.kind == Kind::File).then_some((m.size, m.nlink)))
}

fn apply_mem(fs: &mut MemFs, op: &Op) -> Outcome {
    let unit = |r: Result<(), FsError>| r.map(|_| Value::Unit).map_err(|e| e.kind());
    match op {
        Op::Mkdir(p) => unit(fs.mkdir(p)),
        Op::MkdirP(p) => unit(fs.mkdir_p(p)),
        Op::Write(p, d) => unit(fs.write(p, d)),
        Op::Append(p, d) => unit(fs.append(p, d)),
        Op::Read(p) => fs.read(p).map(Value::Bytes).map_err(|e| e.kind()),
        Op::Truncate(p, n) => unit(fs.truncate(p, *n)),
        Op::RemoveFile(p) => unit(fs.remove_file(p)),
        Op::Rmdir(p) => unit(fs.rmdir(p)),
        Op::RmRf(p) => unit(fs.rm_rf(p)),
        Op::Rename(a, b) => unit(fs.rename(a, b)),
        Op::Copy(a, b) => unit(fs.copy(a, b)),
        Op::Symlink(t, l) => unit(fs.symlink(t, l)),
        Op::Readlink(p) => fs.readlink(p).map(Value::Text).map_err(|e| e.kind()),
        Op::Link(a, b) => unit(fs.link(a, b)),
        Op::Metadata(p) => fs.metadata(p).map(mem_meta).map_err(|e| e.kind()),
        Op::SymlinkMetadata(p) => fs.symlink_metadata(p).map(mem_meta).map_err(|e| e.kind()),
        Op::ReadDir(p) => fs.read_dir(p).map(Value::Names).map_err(|e| e.kind()),
    }
}

fn errno(e: std::io::Error) -> ErrorKind {
    match e.raw_os_error() {
        Some(libc_enoent) if libc_enoent == 2 => ErrorKind::NotFound,
        Some(17) => ErrorKind::Exists,
        Some(20) => ErrorKind::NotDir,
        Some(21) => ErrorKind::IsDir,
        Some(39) => ErrorKind::NotEmpty,
        Some(22) => ErrorKind::InvalidArgument,
        Some(1) => ErrorKind::NotPermitted,
        Some(40) => ErrorKind::Loop,
        Some(28) => ErrorKind::NoSpace,
        // std::fs::copy's own check for a source that is not a file.
        None if e.kind() == std::io::ErrorKind::InvalidInput => ErrorKind::InvalidArgument,
        _ => panic!("unexpected host error: {e}"),
    }
}

fn kind_of(ft: fs::FileType) -> Kind {
    if ft.is_symlink() {
        Kind::Symlink
    } else if ft.is_dir() {
        Kind::Dir
    } else {
        Kind::File
    }
}

fn real_meta(m: fs::Metadata) -> Value {
    use std::os::unix::fs::MetadataExt;
    let kind = kind_of(m.file_type());
    Value::Meta(kind, (kind == Kind::File).then_some((m.len(), m.nlink())))
}

fn apply_real(root: &Path, op: &Op) -> Outcome {
    use std::os::unix::fs::MetadataExt;
    let p = |s: &str| root.join(s);
    let unit = |r: std::io::Result<()>| r.map(|_| Value::Unit).map_err(errno);
    match op {
        Op::Mkdir(a) => unit(fs::create_dir(p(a))),
        Op::MkdirP(a) => unit(fs::create_dir_all(p(a))),
        Op::Write(a, d) => unit(fs::write(p(a), d)),
        Op::Append(a, d) => unit(
            fs::OpenOptions::new().append(true).create(true).open(p(a)).and_then(|mut f| f.write_all(d)),
        ),
        Op::Read(a) => fs::read(p(a)).map(Value::Bytes).map_err(errno),
        Op::Truncate(a, n) => unit(fs::OpenOptions::new().write(true).open(p(a)).and_then(|f| f.set_len(*n))),
        Op::RemoveFile(a) => unit(fs::remove_file(p(a))),
        Op::Rmdir(a) => unit(fs::remove_dir(p(a))),
        Op::RmRf(a) => unit(fs::symlink_metadata(p(a)).and_then(|m| {
            if m.is_dir() { fs::remove_dir_all(p(a)) } else { fs::remove_file(p(a)) }
        })),
        Op::Rename(a, b) => unit(fs::rename(p(a), p(b))),
        Op::Copy(a, b) => {
            // `cp` refuses to copy a file onto itself; std::fs::copy would
            // truncate it. MemFs follows cp.
            if let (Ok(x), Ok(y)) = (fs::metadata(p(a)), fs::metadata(p(b)))
                && (x.dev(), x.ino()) == (y.dev(), y.ino())
                && !x.is_dir()
            {
                return Err(ErrorKind::InvalidArgument);
            }
            fs::copy(p(a), p(b)).map(|_| Value::Unit).map_err(errno)
        }
        Op::Symlink(t, l) => unit(std::os::unix::fs::symlink(t, p(l))),
        Op::Readlink(a) => fs::read_link(p(a))
            .map(|t| Value::Text(t.to_string_lossy().into_owned()))
            .map_err(errno),
        Op::Link(a, b) => unit(fs::hard_link(p(a), p(b))),
        Op::Metadata(a) => fs::metadata(p(a)).map(real_meta).map_err(errno),
        Op::SymlinkMetadata(a) => fs::symlink_metadata(p(a)).map(real_meta).map_err(errno),
        Op::ReadDir(a) => fs::read_dir(p(a))
            .and_then(|rd| {
                let mut v = rd
                    .map(|e| e.and_then(|e| Ok((e.file_name().to_string_lossy().into_owned(), kind_of(e.file_type()?)))))
                    .collect::<std::io::Result<Vec<_>>>()?;
                v.sort();
                Ok(Value::Names(v))
            })
            .map_err(errno),
    }
}

/// (path, kind, content or target, file link count), in walk order.
type Tree = Vec<(String, Kind, Vec<u8>, u64)>;

fn mem_tree(fs: &MemFs) -> Tree {
    fs.walk()
        .into_iter()
        .map(|e| {
            let content = fs.content(e.ino).map(<[u8]>::to_vec).unwrap_or_default();
            let nlink = if e.kind == Kind::File { fs.metadata_of(e.ino).nlink } else { 0 };
            (e.path, e.kind, content, nlink)
        })
        .collect()
}

fn real_tree(dir: &Path, prefix: &str, out: &mut Tree) {
    use std::os::unix::fs::MetadataExt;
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let host = dir.join(&name);
        let path = format!("{prefix}/{name}");
        let m = fs::symlink_metadata(&host).unwrap();
        let kind = kind_of(m.file_type());
        match kind {
            Kind::Dir => {
                out.push((path.clone(), kind, Vec::new(), 0));
                real_tree(&host, &path, out);
            }
            Kind::Symlink => {
                let t = fs::read_link(&host).unwrap().to_string_lossy().into_owned().into_bytes();
                out.push((path, kind, t, 0));
            }
            Kind::File => out.push((path, kind, fs::read(&host).unwrap(), m.nlink())),
        }
    }
}

#[test]
fn memfs_matches_a_real_directory() {
    let config = crate::support::proptest_config(CASES, 0x5eed_f00d);
    let mut runner = TestRunner::new(config);
    let ran = std::cell::Cell::new(0u32);
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            ran.set(ran.get() + 1);
            let dir = tempfile::tempdir().unwrap();
            let mut mem = MemFs::new();
            for (i, op) in ops.iter().enumerate() {
                let want = apply_real(dir.path(), op);
                let got = apply_mem(&mut mem, op);
                prop_assert_eq!(&got, &want, "step {}: {:?}", i, op);
            }
            let mut real = Vec::new();
            real_tree(dir.path(), "", &mut real);
            prop_assert_eq!(mem_tree(&mem), real);
            Ok(())
        })
        .unwrap();
    assert!(ran.get() >= CASES, "only {} cases ran", ran.get());
}
