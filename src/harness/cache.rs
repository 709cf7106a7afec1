//! The on-disk cache of compiled components and p1 modules. An entry's
//! name is the sha256 of the wasm bytes together with the engine's compatibility hash
//! (wasmtime version and every setting that shapes machine code), so a
//! changed component, a new wasmtime or another engine config never meets
//! an old artifact. Entries are written to a temporary name and renamed, so
//! a reader never sees half of one; an entry that fails to load is
//! compiled again and replaced.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

/// Where compiled components are kept.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
    engine_key: u64,
}

/// What the cache keeps: a component or a core module, compiled.
pub(super) trait Artifact: Sized {
    /// Loads an entry this engine wrote.
    ///
    /// # Safety
    /// `path` must hold bytes that `serialize` wrote for an engine with
    /// `engine`'s compatibility hash.
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self>;
    fn serialize(&self) -> wasmtime::Result<Vec<u8>>;
}

impl Artifact for Component {
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: passed on from the caller.
        unsafe { Component::deserialize_file(engine, path) }
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Component::serialize(self)
    }
}

impl Artifact for Module {
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: passed on from the caller.
        unsafe { Module::deserialize_file(engine, path) }
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Module::serialize(self)
    }
}

/// Feeds a `Hash` value into sha256.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        let d = self.0.clone().finalize();
        u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl CompileCache {
    /// A cache in `dir` (created on first write) for `engine`.
    pub fn new(dir: PathBuf, engine: &Engine) -> Self {
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        CompileCache { dir, engine_key: h.finish() }
    }

    /// Where the entries go.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The default place: `$WASI_REPLAY_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/wasi-replay`, else `~/.cache/wasi-replay`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("WASI_REPLAY_CACHE_DIR") {
            return Some(PathBuf::from(d));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
        Some(base.join("wasi-replay"))
    }

    fn entry(&self, bytes: &[u8]) -> PathBuf {
        let mut h = Sha256::new();
        h.update(bytes);
        h.update(self.engine_key.to_le_bytes());
        let name: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.cwasm"))
    }

    /// The compiled component or module for `bytes`: from the cache when
    /// an entry loads, else compiled by `compile` and stored (a failed
    /// store only costs the next run a compile). A module's bytes never
    /// equal a component's, so the two share one name space.
    pub(super) fn get_or_compile<A: Artifact>(
        &self,
        engine: &Engine,
        bytes: &[u8],
        compile: impl FnOnce() -> wasmtime::Result<A>,
    ) -> wasmtime::Result<A> {
        let path = self.entry(bytes);
        if path.exists() {
            // SAFETY: entries are only ever written by `store` below, from
            // `Artifact::serialize` of this engine's config (the name says
            // so), and land by rename, never half-written.
            if let Ok(c) = unsafe { A::load(engine, &path) } {
                return Ok(c);
            }
        }
        let component = compile()?;
        let _ = self.store(&path, &component);
        Ok(component)
    }

    fn store(&self, path: &Path, artifact: &impl Artifact) -> std::io::Result<()> {
        let data = artifact.serialize().map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.dir)?;
        let tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::fs::write(tmp.path(), data)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}
