//! The direct backend: `wasi:filesystem` served straight from MemFs, in
//! both component worlds (and under p1), with no host directory anywhere.
//!
//! wasmtime-wasi has no VFS hook, so this module implements the host traits
//! of wasmtime-wasi's own generated bindings and links them over its
//! filesystem interfaces (the linker allows shadowing). Those bindings name
//! wasmtime-wasi's `Descriptor` as the resource type; the table entries
//! behind the handles are ours (`Handle`), and every handle that reaches
//! this module is re-typed with `ours` before use. No code but the direct
//! hosts sees these handles, because they serve every function that takes
//! one (the p1 layer keeps them in its descriptor table as they are).
//!
//! The world-neutral core is split by concern: `rights` (what a descriptor
//! may do, and the errors before a world names them), `files` (operations
//! on open descriptors), `dirs` (operations on paths under a directory),
//! `path` (walking paths inside a descriptor's directory) and `trace`
//! (journal notes and fault strikes). `p2` and `p3` are thin adapters over
//! it, sharing the conversions of `adapter`, and the p1 host's direct layer
//! (`crate::host::p1`) calls the same core. Nothing in here may read host
//! state: times come from the MemFs clock (the virtual clock), identities
//! from inode numbers, directory order from names.
//!
//! Rights follow wasmtime-wasi's model, because stock wasmtime-wasi over a
//! real directory is what the answers must match. A descriptor carries two
//! things: whether its tree may change at all (the preopen's read-only or
//! read-write, inherited by every descriptor opened under it, never more),
//! and the mode it was opened in (read, write), which is what `get-flags`
//! reports and what a read or a write through it needs, as the host kernel
//! would check an `O_RDONLY` or `O_WRONLY` file. A change in a read-only
//! tree is `not-permitted`; a read or write the mode does not allow is
//! `bad-descriptor`. Paths through a descriptor never leave the directory
//! it names: `..` above it, an absolute path or an absolute symlink target
//! is `not-permitted`.

mod adapter;
mod dirs;
mod files;
pub mod p2;
pub mod p3;
mod path;
mod rights;
mod trace;
mod values;

pub(crate) use adapter::world_adapter;
pub(crate) use rights::{
    Errno, Flags, Handle, MAX_READ, Mode, Need, Open, Res, SetTime, StreamFsError, inode_hash, offset, ours, stream_refusal,
    timestamp,
};
pub(crate) use trace::{StreamLog, join_lexically};

use crate::memfs::{At, Ino, MemFs};
use crate::host::Preopen;
use crate::faults::Faults;
use crate::journal::Journal;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use wasmtime::component::{HasData, Resource, ResourceTable, ResourceTableError};

/// The MemFs of a run, shared by the descriptor host and its streams.
pub type SharedFs = Arc<Mutex<MemFs>>;

/// The direct backend's state in a store.
pub struct DirectFs {
    pub(crate) fs: SharedFs,
    /// Each preopen's directory, guest path, read-only flag and MemFs path.
    preopens: Vec<(Ino, String, bool, String)>,
    /// The run's journal, and the number the next descriptor gets in it.
    pub(crate) journal: Journal,
    next_fd: AtomicU32,
    /// The run's injector, when its plan has faults.
    pub(crate) faults: Faults,
    /// List directories in this perturbation's order instead of by name.
    pub(crate) readdir: Option<u64>,
    /// Give the metadata another host would, as this variant of
    /// `host-values` says (see `values`).
    pub(crate) host_values: Option<u64>,
    /// The run's gate, when it has a schedule: file streams wait there.
    pub(crate) gate: crate::schedule::Gate,
}

impl std::fmt::Debug for DirectFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectFs").finish_non_exhaustive()
    }
}

impl DirectFs {
    /// Serves `fs` with `preopens`; each preopen's directory is created in
    /// the MemFs if missing. Calls are noted in `journal` when there is one.
    pub(crate) fn new(mut fs: MemFs, preopens: &[Preopen], journal: Journal, faults: Faults) -> Result<Self, crate::memfs::FsError> {
        let mut roots = Vec::new();
        for p in preopens {
            let path = p.memfs_path();
            fs.mkdir_p(&path)?;
            let ino = fs.lookup_at(At::ROOT, &path, true)?;
            roots.push((ino, p.guest_path.clone(), p.read_only, path));
        }
        Ok(DirectFs { fs: Arc::new(Mutex::new(fs)), preopens: roots, journal, next_fd: AtomicU32::new(3), faults, readdir: None, host_values: None, gate: None })
    }

    /// Takes the MemFs out after the run (leaves an empty one behind).
    pub(crate) fn take(&self) -> MemFs {
        std::mem::take(&mut *lock(&self.fs))
    }
}

pub(crate) fn lock(fs: &SharedFs) -> MutexGuard<'_, MemFs> {
    fs.lock().unwrap_or_else(|e| e.into_inner())
}

/// An inode held open: MemFs keeps it, and its data, while a guard lives,
/// even after its last name is gone, as a kernel keeps an open file. Every
/// descriptor and every file stream holds its inode through one.
pub(crate) struct Held {
    pub(crate) fs: SharedFs,
    pub(crate) ino: Ino,
}

impl Held {
    /// Holds `ino` in `fs` (which must not be locked by the caller).
    pub(crate) fn new(fs: &SharedFs, ino: Ino) -> Self {
        lock(fs).hold(ino);
        Held { fs: fs.clone(), ino }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        lock(&self.fs).release(self.ino);
    }
}

/// The store getter both worlds link with.
pub(crate) fn view<T: crate::host::HostState>(t: &mut T) -> DirectView<'_> {
    let core = t.core();
    DirectView { table: &mut core.table, direct: &core.direct }
}


/// The view the generated host traits are implemented on.
pub struct DirectView<'a> {
    pub(crate) table: &'a mut ResourceTable,
    pub(crate) direct: &'a DirectFs,
}

impl std::fmt::Debug for DirectView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectView").finish_non_exhaustive()
    }
}

/// [`HasData`] marker for the direct filesystem host.
#[derive(Debug)]
pub struct DirectData;

impl HasData for DirectData {
    type Data<'a> = DirectView<'a>;
}

impl DirectView<'_> {
    pub(crate) fn fs(&self) -> MutexGuard<'_, MemFs> {
        lock(&self.direct.fs)
    }

    pub(super) fn new_id(&self) -> u32 {
        self.direct.next_fd.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn handle<T: 'static>(&self, r: &Resource<T>) -> Result<&Handle, ResourceTableError> {
        self.table.get(&ours::<T, Handle>(r))
    }

    /// The preopens, as new descriptors.
    pub(crate) fn preopens<T: 'static>(&mut self) -> wasmtime::Result<Vec<(Resource<T>, String)>> {
        let mut out = Vec::new();
        for (ino, guest, ro, memfs_path) in self.direct.preopens.clone() {
            // wasmtime-wasi opens a read-write preopen for reading and
            // writing, a read-only one for reading.
            let held = Held::new(&self.direct.fs, ino);
            let path = self.direct.faults.as_ref().map(|_| Arc::from(memfs_path.trim_start_matches('/')));
            let h = Handle { held, id: self.new_id(), may_change: !ro, mode: Mode { read: true, write: !ro }, path };
            let r = self.table.push(h)?;
            out.push((ours(&r), guest));
        }
        crate::journal::note(&self.direct.journal, "fs.preopens", String::new, || {
            let names: Vec<String> = out.iter().map(|(r, g)| format!("{} {g:?}", self.fd(r))).collect();
            format!("[{}]", names.join(", "))
        });
        Ok(out)
    }

    pub(crate) fn drop_handle<T: 'static>(&mut self, r: Resource<T>) -> wasmtime::Result<()> {
        crate::journal::note(&self.direct.journal, "fs.close", || self.fd(&r), String::new);
        self.table.delete(ours::<T, Handle>(&r))?;
        Ok(())
    }
}
