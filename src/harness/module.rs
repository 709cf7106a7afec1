//! WASI preview 1 core modules: which ones the p1 host runs. A module is
//! a p1 command when it exports `_start` and imports nothing but
//! `wasi_snapshot_preview1` functions, which is what `wasmtime run` runs
//! with its p1 host; the harness runs it on its own (see
//! [`crate::host::p1`]).

use wasmparser::{Parser, Payload, TypeRef};

/// The module every p1 import comes from.
const P1: &str = "wasi_snapshot_preview1";

/// Why a core module is not a WASI p1 command.
pub(super) type Reason = String;

/// Checks that `module` is a WASI p1 command: it exports `_start` and
/// imports nothing but `wasi_snapshot_preview1` functions.
pub(super) fn check_command(module: &[u8]) -> Result<(), Reason> {
    let mut start = false;
    let mut foreign = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| format!("malformed module: {e}"))? {
            Payload::ImportSection(imports) => {
                for imp in imports.into_imports() {
                    let imp = imp.map_err(|e| format!("malformed import: {e}"))?;
                    // An instrumented module also imports its coverage flush.
                    let ours = imp.module == crate::coverage::IMPORT_MODULE && imp.name == crate::coverage::IMPORT_NAME;
                    let wasi_fn = (imp.module == P1 || ours) && matches!(imp.ty, TypeRef::Func(_));
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
