//! FsBridge: runs a MemFs through a real directory.
//!
//! `materialize()` writes the MemFs into a fresh tempdir that a host can
//! preopen, and `snapshot()` reads the tempdir back. It is the first backend
//! and a reference for the direct one: whatever passes through it picks up
//! host metadata (timestamps, inode numbers, directory order), so only
//! names, kinds, contents, symlink targets and hard links are carried back.
//! It writes nowhere but its own tempdir, which is removed on drop.

use crate::memfs::host_dir::{io_err, read_tree, write_tree};
use crate::memfs::{HostDirError, MemFs};
use std::collections::HashMap;
use std::path::Path;
use tempfile::TempDir;

/// A MemFs and the tempdir that mirrors it.
pub struct FsBridge {
    fs: MemFs,
    dir: Option<TempDir>,
}

impl std::fmt::Debug for FsBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FsBridge").field("root", &self.root()).finish_non_exhaustive()
    }
}

impl FsBridge {
    /// A bridge for `fs`; nothing is written until [`FsBridge::materialize`].
    pub fn new(fs: MemFs) -> Self {
        FsBridge { fs, dir: None }
    }

    /// Writes the MemFs into a new tempdir and returns its path. Calling it
    /// again replaces the previous tempdir.
    pub fn materialize(&mut self) -> Result<&Path, HostDirError> {
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
    pub fn snapshot(&mut self) -> Result<(), HostDirError> {
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
