//! Host directories in and out of MemFs: a fixture directory read into a
//! tree (`--fs`, `[[preopen]] dir`), and a final tree written out
//! (`--out`). Only names, kinds, contents, symlink targets and hard links
//! cross; host metadata stays behind. The host directory read is never
//! written, and one written must exist and be empty.

use super::{Kind, MemFs};
use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Errors moving a tree between MemFs and a host directory.
#[derive(Debug, thiserror::Error)]
pub enum HostDirError {
    /// A host filesystem call failed.
    #[error("{path}: {source}")]
    Io {
        /// The host path.
        path: PathBuf,
        /// The host error.
        source: io::Error,
    },
    /// The host tree holds something MemFs cannot represent or a MemFs
    /// operation failed.
    #[error("{0}")]
    Fs(#[from] crate::memfs::FsError),
    /// A host entry is neither a file, a directory nor a symlink.
    #[error("{0}: unsupported file type")]
    Unsupported(PathBuf),
    /// A host file name is not UTF-8.
    #[error("{0}: file name is not UTF-8")]
    NotUtf8(PathBuf),
}

/// Why a file given on a user's behalf could not be read whole. Its
/// message names no path: the caller says which file, and under which flag
/// or field.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// More bytes than the cap.
    #[error("larger than the input cap of {cap} bytes (raise it with `--input-bytes` or `limits.input-bytes`)")]
    TooLarge {
        /// The cap, in bytes.
        cap: u64,
    },
    /// A directory where a file was wanted.
    #[error("is a directory, not a file")]
    IsDir,
    /// A FIFO or socket, which could block the read forever.
    #[error("is a FIFO or socket, not a file (give `-` for the harness's own stdin)")]
    NotAFile,
    /// The read failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Reads the file at `path` whole, refusing more than `cap` bytes: a
/// regular file by its size before anything is read (a sparse file of
/// terabytes is refused at once), anything else (`/dev/zero`, a terminal)
/// by reading at most one byte past the cap. A directory, a FIFO or a
/// socket is refused, so a read never hangs on a writer that never comes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::FileTypeExt;
    let meta = fs::metadata(path)?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(ReadError::IsDir);
    }
    if kind.is_fifo() || kind.is_socket() {
        return Err(ReadError::NotAFile);
    }
    if kind.is_file() && meta.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    read_stream_capped(fs::File::open(path)?, cap)
}

/// Reads `source` to its end, refusing more than `cap` bytes. Bytes are
/// gathered in pieces of at most 1 MiB and joined only when they fit, so a
/// source past the cap never costs more memory than the cap.
pub fn read_stream_capped(source: impl io::Read, cap: u64) -> Result<Vec<u8>, ReadError> {
    use io::Read;
    const PIECE: u64 = 1 << 20;
    let mut source = source.take(cap.saturating_add(1));
    let (mut pieces, mut total) = (Vec::new(), 0u64);
    loop {
        let mut piece = Vec::new();
        let n = (&mut source).take(PIECE).read_to_end(&mut piece)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > cap {
            return Err(ReadError::TooLarge { cap });
        }
        pieces.push(piece);
    }
    Ok(if pieces.len() == 1 { pieces.pop().unwrap_or_default() } else { pieces.concat() })
}

/// Names the host path of a failed host call.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> HostDirError + '_ {
    move |source| HostDirError::Io { path: path.to_path_buf(), source }
}

/// Writes the tree of `fs` under `root`, hard links as links.
pub(crate) fn write_tree(fs: &MemFs, root: &Path) -> Result<(), HostDirError> {
    let mut first_path: HashMap<u64, PathBuf> = HashMap::new();
    for e in fs.walk() {
        let host = root.join(&e.path[1..]);
        match e.kind {
            Kind::Dir => fs::create_dir(&host).map_err(io_err(&host))?,
            Kind::Symlink => {
                let target = fs.readlink(&e.path)?;
                std::os::unix::fs::symlink(&target, &host).map_err(io_err(&host))?
            }
            Kind::File => {
                if let Some(first) = first_path.get(&e.ino) {
                    fs::hard_link(first, &host).map_err(io_err(&host))?;
                } else {
                    let data = fs.content(e.ino).unwrap_or_default();
                    fs::write(&host, data).map_err(io_err(&host))?;
                    first_path.insert(e.ino, host);
                }
            }
        }
    }
    Ok(())
}

/// Copies the host tree under `dir` into `fs` at `prefix`, each directory's
/// entries in name order, keeping hard links (by host inode) as links and
/// symlinks as symlinks (never followed).
pub(crate) fn read_tree(
    dir: &Path,
    prefix: &str,
    fs: &mut MemFs,
    seen: &mut HashMap<(u64, u64), String>,
) -> Result<(), HostDirError> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let at = e.path().unwrap_or(dir).to_path_buf();
            HostDirError::Io { path: at, source: e.into() }
        })?;
        let host = entry.path();
        let below = host.strip_prefix(dir).unwrap_or(host);
        let below = below.to_str().ok_or_else(|| HostDirError::NotUtf8(host.to_path_buf()))?;
        let path = format!("{prefix}/{below}");
        let ft = entry.file_type();
        if ft.is_dir() {
            fs.mkdir(&path)?;
        } else if ft.is_symlink() {
            let target = fs::read_link(host).map_err(io_err(host))?;
            let target = target.to_str().ok_or_else(|| HostDirError::NotUtf8(host.to_path_buf()))?;
            fs.symlink(target, &path)?;
        } else if ft.is_file() {
            let meta = entry.metadata().map_err(|e| HostDirError::Io { path: host.to_path_buf(), source: e.into() })?;
            let key = (meta.dev(), meta.ino());
            if let Some(first) = seen.get(&key).filter(|_| meta.nlink() > 1) {
                fs.link(first, &path)?;
            } else {
                // A file is read only if it fits the MemFs quota: a huge
                // fixture file fails before it is read, not after.
                let room = fs.quota().max_bytes.map_or(u64::MAX, |max| max.saturating_sub(fs.used_bytes()));
                if meta.len() > room {
                    return Err(HostDirError::Fs(crate::memfs::FsError::new(crate::memfs::ErrorKind::NoSpace, &path)));
                }
                let file = fs::File::open(host).map_err(io_err(host))?;
                let bytes = read_stream_capped(file, room).map_err(|e| match e {
                    ReadError::Io(source) => HostDirError::Io { path: host.to_path_buf(), source },
                    _ => HostDirError::Fs(crate::memfs::FsError::new(crate::memfs::ErrorKind::NoSpace, &path)),
                })?;
                fs.write(&path, bytes)?;
                seen.insert(key, path);
            }
        } else {
            return Err(HostDirError::Unsupported(host.to_path_buf()));
        }
    }
    Ok(())
}

/// Copies a host directory into a new MemFs (the `--fs DIR` fixture path).
/// The host directory is only read.
pub fn memfs_from_dir(dir: &Path) -> Result<MemFs, HostDirError> {
    let mut fs = MemFs::new();
    read_tree(dir, "", &mut fs, &mut HashMap::new())?;
    Ok(fs)
}

/// Copies a host directory into `fs` under `at` (created if missing). The
/// host directory is only read.
pub fn copy_dir_into(fs: &mut MemFs, dir: &Path, at: &str) -> Result<(), HostDirError> {
    fs.mkdir_p(at)?;
    let prefix = at.trim_end_matches('/');
    read_tree(dir, prefix, fs, &mut HashMap::new())
}

/// Writes a MemFs into an existing, empty host directory.
pub fn memfs_to_dir(fs: &MemFs, dir: &Path) -> Result<(), HostDirError> {
    write_tree(fs, dir)
}
