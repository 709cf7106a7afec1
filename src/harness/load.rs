//! Loading: reading a component or p1 module, finding the world it
//! speaks, compiling it for that host's engine and linking it once per
//! filesystem backend.

use super::guest::{Guest, Pre};
use super::run::Command;
use super::world::exported_world;
use super::{Harness, HarnessError, imports, module, world};
use crate::world::World;
use std::path::Path;
use wasmtime::Module;

impl Harness {
    /// Loads a component file for the host its exports ask for; its name
    /// is the file stem.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Guest, HarnessError> {
        self.load_on(path, None)
    }

    /// Loads a component file for `host`, or for its own world when `None`.
    /// Errors name the file; the guest's name is the file stem.
    pub fn load_on(&self, path: impl AsRef<Path>, host: Option<World>) -> Result<Guest, HarnessError> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| HarnessError::Read { path: label.clone(), error: e })?;
        self.load_bytes(&label, &bytes, host).map(|g| named(g, path))
    }

    /// Loads a component or p1 module file with its core modules
    /// instrumented for coverage (see [`crate::coverage`]), for
    /// [`Harness::run_covered`]. The instrumented bytes are kept in the
    /// cache directory, named by the original's sha256 and the
    /// instrumentation's version; the guest's name is the file stem.
    pub fn load_covered(&self, path: impl AsRef<Path>) -> Result<Guest, HarnessError> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| HarnessError::Read { path: label.clone(), error: e })?;
        let instrumented = self.instrumented(&label, &bytes)?;
        self.load_bytes(&label, &instrumented, None).map(|g| named(g, path))
    }

    /// `bytes` instrumented, from the cache when it has them.
    fn instrumented(&self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, HarnessError> {
        use sha2::{Digest, Sha256};
        let make = || {
            crate::coverage::instrument(bytes)
                .map_err(|e| HarnessError::Invalid { name: name.to_string(), reason: crate::quote::folded(&e.to_string()) })
        };
        let Some(dir) = self.cache_dir() else { return make() };
        let digest: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("instrumented-v{}-{digest}.wasm", crate::coverage::VERSION));
        if let Ok(cached) = std::fs::read(&path) {
            return Ok(cached);
        }
        let made = make()?;
        // A cache that cannot be written costs the next load the work again.
        if std::fs::create_dir_all(dir).is_ok() {
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, &made).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
        Ok(made)
    }

    /// Compiles component bytes and links them for `host` (or for the
    /// component's own world when `None`). A WASI p1 command module runs
    /// on the p1 host. `name` is the guest's name, used in errors and
    /// reports.
    pub fn load_bytes(&self, name: &str, bytes: &[u8], host: Option<World>) -> Result<Guest, HarnessError> {
        let name = name.to_string();
        match bytes.get(..8) {
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => return self.load_module(name, bytes, host),
            Some([0, b'a', b's', b'm', ..]) => {}
            _ => return Err(HarnessError::NotWasm { name }),
        }
        if host == Some(World::P1) {
            let world = exported_world(bytes).unwrap_or(World::P2);
            return Err(HarnessError::WrongHost { name, world, host: World::P1 });
        }
        // Compile for the engine of the host that will run it: the one
        // asked for, else the one its exports name. Reading the exports
        // from the bytes first saves compiling a p2 component twice.
        let hint = exported_world(bytes);
        if host == Some(World::P2) && hint == Some(World::P3) {
            return Err(HarnessError::WrongHost { name, world: World::P3, host: World::P2 });
        }
        let invalid = |e: wasmtime::Error| HarnessError::Invalid { name: name.clone(), reason: crate::quote::folded(&format!("{e:#}")) };
        let compile = |world: World| match world {
            World::P3 => self.p3.compile(bytes),
            World::P1 | World::P2 => self.p2.compile(bytes),
        };
        let first = host.or(hint).unwrap_or(World::P3);
        let mut component = compile(first).map_err(invalid)?;
        // A component with no command is a library: only calls run it, in
        // the world its imports speak.
        let command = world::of_component(self.engine(first), &component);
        let handler = world::of_handler(self.engine(first), &component);
        let exports = command.or(handler).unwrap_or_else(|| world::of_imports(self.engine(first), &component));
        let host = host.unwrap_or(exports);
        if exports == World::P3 && host == World::P2 {
            return Err(HarnessError::WrongHost { name, world: exports, host });
        }
        if host != first {
            component = compile(host).map_err(invalid)?;
        }
        let link = |e: wasmtime::Error| {
            let missing = imports::unsatisfied(self.engine(host), &component, host);
            let imports = if missing.is_empty() { format!("{e:#}") } else { missing.join(", ") };
            HarnessError::Link { name: name.clone(), imports }
        };
        let no_run = |_| HarnessError::NoRun { name: name.clone() };
        let pre = match host {
            World::P1 | World::P2 => {
                let (direct, bridge) = self.p2.link(&component, command, handler, link, no_run)?;
                Pre::P2 { direct, bridge }
            }
            World::P3 => {
                let (direct, bridge) = self.p3.link(&component, command, handler, link, no_run)?;
                Pre::P3 { direct, bridge }
            }
        };
        let program = name.rsplit('/').next().unwrap_or(&name).to_string();
        Ok(Guest { name, program, exports, pre })
    }

    /// Compiles a WASI p1 command module and links it with both backends'
    /// p1 functions.
    pub(super) fn load_module(&self, name: String, bytes: &[u8], host: Option<World>) -> Result<Guest, HarnessError> {
        if let Some(host @ (World::P2 | World::P3)) = host {
            return Err(HarnessError::WrongHost { name, world: World::P1, host });
        }
        module::check_command(bytes).map_err(|reason| HarnessError::CoreModule { name: name.clone(), reason })?;
        let invalid = |e: wasmtime::Error| HarnessError::Invalid { name: name.clone(), reason: crate::quote::folded(&format!("{e:#}")) };
        let compile = || Module::new(&self.p2.engine, bytes);
        let module = match &self.p2.cache {
            Some(cache) => cache.get_or_compile(&self.p2.engine, bytes, compile),
            None => compile(),
        }
        .map_err(invalid)?;
        let link = |e: wasmtime::Error| HarnessError::Link { name: name.clone(), imports: format!("{e:#}") };
        let direct = Command::P1(self.p1.direct.instantiate_pre(&module).map_err(link)?);
        let bridge = Command::P1(self.p1.bridge.instantiate_pre(&module).map_err(link)?);
        let program = name.rsplit('/').next().unwrap_or(&name).to_string();
        Ok(Guest { name, program, exports: World::P1, pre: Pre::P1 { direct, bridge } })
    }
}

/// A guest loaded from `path`: named by the file's stem, its program the
/// file's name.
fn named(mut guest: Guest, path: &Path) -> Guest {
    guest.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    guest.program = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    guest
}
