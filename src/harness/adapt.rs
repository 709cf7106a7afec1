//! WASI preview 1 core modules, turned into p2 components in-process with
//! the `wasi_snapshot_preview1` command adapter that matches wasmtime 48.
//! Adapted bytes are kept per module hash, so each module is adapted once
//! per harness.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};
use wasmparser::{Parser, Payload, TypeRef};

/// Why a core module is not a WASI p1 command, or what failed adapting it.
pub(super) type Reason = String;

/// Checks that `module` is a WASI p1 command: it exports `_start` and
/// imports nothing but `wasi_snapshot_preview1` functions.
fn check_command(module: &[u8]) -> Result<(), Reason> {
    let mut start = false;
    let mut foreign = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| format!("malformed module: {e}"))? {
            Payload::ImportSection(imports) => {
                for imp in imports.into_imports() {
                    let imp = imp.map_err(|e| format!("malformed import: {e}"))?;
                    let wasi_fn = imp.module == WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME && matches!(imp.ty, TypeRef::Func(_));
                    if !wasi_fn {
                        foreign.push(format!("{}::{}", imp.module, imp.name));
                    }
                }
            }
            Payload::ExportSection(exports) => {
                for exp in exports {
                    let exp = exp.map_err(|e| format!("malformed export: {e}"))?;
                    start |= exp.name == "_start";
                }
            }
            _ => {}
        }
    }
    if !foreign.is_empty() {
        return Err(format!("it imports more than wasi_snapshot_preview1 ({})", foreign.join(", ")));
    }
    if !start {
        return Err("it exports no `_start` (a reactor or a library, not a command)".into());
    }
    Ok(())
}

/// Adapted components by module hash.
#[derive(Default)]
pub(super) struct Adapter {
    cache: Mutex<HashMap<[u8; 32], Arc<Vec<u8>>>>,
}

impl Adapter {
    /// The p2 component for a p1 command module.
    pub(super) fn adapt(&self, module: &[u8]) -> Result<Arc<Vec<u8>>, Reason> {
        let key: [u8; 32] = Sha256::digest(module).into();
        if let Some(hit) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(hit.clone());
        }
        check_command(module)?;
        let component = wit_component::ComponentEncoder::default()
            .module(module)
            .and_then(|e| e.adapter(WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER))
            .and_then(|e| e.validate(true).encode())
            .map_err(|e| format!("adapting it failed: {e:#}"))?;
        let component = Arc::new(component);
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, component.clone());
        Ok(component)
    }
}
