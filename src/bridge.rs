//! FsBridge: runs a MemFs through a real directory.
//!
//! `materialize()` writes the MemFs into a fresh tempdir that a host can
//! preopen, and `snapshot()` reads the tempdir back. It is the first backend
//! and a reference for the direct one: whatever passes through it picks up
//! host metadata (timestamps, inode numbers, directory order), so only
//! names, kinds, contents, symlink targets and hard links are carried back.
//! It writes nowhere but its own tempdir, which is removed on drop.

use crate::memfs::{Kind, MemFs};
use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Errors moving a tree between MemFs and the host.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
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

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BridgeError + '_ {
    move |source| BridgeError::Io { path: path.to_path_buf(), source }
}

/// A MemFs and the tempdir that mirrors it.
pub struct FsBridge {
    fs: MemFs,
    dir: Option<TempDir>,
}

impl FsBridge {
    /// A bridge for `fs`; nothing is written until [`FsBridge::materialize`].
    pub fn new(fs: MemFs) -> Self {
        FsBridge { fs, dir: None }
    }

    /// Writes the MemFs into a new tempdir and returns its path. Calling it
    /// again replaces the previous tempdir.
    pub fn materialize(&mut self) -> Result<&Path, BridgeError> {
        let dir = tempfile::Builder::new()
            .prefix("wasi-replay-")
            .tempdir()
            .map_err(io_err(Path::new("tempdir")))?;
        write_tree(&self.fs, dir.path())?;
        self.dir = Some(dir);
        Ok(self.root().expect("just set"))
    }

    /// The tempdir, once materialized.
    pub fn root(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }

    /// Reads the tempdir back into the MemFs, replacing its tree (quota and
    /// clock are kept). Does nothing before `materialize()`.
    pub fn snapshot(&mut self) -> Result<(), BridgeError> {
        let Some(root) = self.root() else { return Ok(()) };
        // Read with no quota: the guest wrote through the host, which knows
        // nothing of it. The quota is put back for later MemFs operations.
        let mut fs = self.fs.empty_like();
        read_tree(root, "", &mut fs, &mut HashMap::new())?;
        fs.set_quota(self.fs.quota());
        self.fs = fs;
        Ok(())
    }

    /// The MemFs as of the last snapshot.
    pub fn memfs(&self) -> &MemFs {
        &self.fs
    }

    /// Gives back the MemFs and removes the tempdir.
    pub fn into_memfs(self) -> MemFs {
        self.fs
    }
}

fn write_tree(fs: &MemFs, root: &Path) -> Result<(), BridgeError> {
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

/// Copies the host tree under `dir` into `fs` at `prefix`, in sorted order,
/// keeping hard links (by host inode) as links.
fn read_tree(
    dir: &Path,
    prefix: &str,
    fs: &mut MemFs,
    seen: &mut HashMap<(u64, u64), String>,
) -> Result<(), BridgeError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name().into_string().map_err(|_| BridgeError::NotUtf8(entry.path()))?;
        names.push(name);
    }
    names.sort();
    for name in names {
        let host = dir.join(&name);
        let path = format!("{prefix}/{name}");
        let meta = fs::symlink_metadata(&host).map_err(io_err(&host))?;
        let ft = meta.file_type();
        if ft.is_dir() {
            fs.mkdir(&path)?;
            read_tree(&host, &path, fs, seen)?;
        } else if ft.is_symlink() {
            let target = fs::read_link(&host).map_err(io_err(&host))?;
            let target = target.to_str().ok_or_else(|| BridgeError::NotUtf8(host.clone()))?;
            fs.symlink(target, &path)?;
        } else if ft.is_file() {
            let key = (meta.dev(), meta.ino());
            if let Some(first) = seen.get(&key).filter(|_| meta.nlink() > 1) {
                fs.link(first, &path)?;
            } else {
                fs.write(&path, fs::read(&host).map_err(io_err(&host))?)?;
                seen.insert(key, path);
            }
        } else {
            return Err(BridgeError::Unsupported(host));
        }
    }
    Ok(())
}

/// Copies a host directory into a new MemFs (the `--fs DIR` fixture path).
/// The host directory is only read.
pub fn memfs_from_dir(dir: &Path) -> Result<MemFs, BridgeError> {
    let mut fs = MemFs::new();
    read_tree(dir, "", &mut fs, &mut HashMap::new())?;
    Ok(fs)
}

/// Copies a host directory into `fs` under `at` (created if missing). The
/// host directory is only read.
pub fn copy_dir_into(fs: &mut MemFs, dir: &Path, at: &str) -> Result<(), BridgeError> {
    fs.mkdir_p(at)?;
    let prefix = at.trim_end_matches('/');
    read_tree(dir, prefix, fs, &mut HashMap::new())
}

/// Writes a MemFs into an existing, empty host directory.
pub fn memfs_to_dir(fs: &MemFs, dir: &Path) -> Result<(), BridgeError> {
    write_tree(fs, dir)
}
