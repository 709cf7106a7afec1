//! `wasi:filesystem@0.3.0` over MemFs: the p3 adapter on the shared core.

use crate::host::HostState;
use wasmtime::component::Linker;

/// Links the direct `wasi:filesystem/{types,preopens}@0.3.0`.
pub(crate) fn add_to_linker<T: HostState>(_linker: &mut Linker<T>) -> wasmtime::Result<()> {
    Ok(())
}
