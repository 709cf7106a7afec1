//! The WASI 0.3 host: [`P3State`] and its linker.
//!
//! The linker carries the p2 interfaces too: a p3 guest built with Rust's
//! `wasm32-wasip2` target still imports a few of them through std.

use super::{Core, HostError, Inputs, impl_state};
use crate::memfs::MemFs;
use wasmtime::Engine;
use wasmtime::component::Linker;

/// Store state for a p3 component.
pub struct P3State {
    pub(crate) core: Core,
}

impl std::fmt::Debug for P3State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P3State").finish_non_exhaustive()
    }
}

impl_state!(P3State);

impl P3State {
    /// A state for `inputs`, with `fs` preopened at `/` when given.
    pub(crate) fn from_inputs(inputs: &Inputs, fs: Option<MemFs>) -> Result<Self, HostError> {
        Ok(P3State { core: Core::build(inputs, fs)? })
    }
}

/// A p3 state with default inputs and `seed`, with `fs` preopened at `/`.
pub fn build_state(seed: u64, fs: Option<MemFs>) -> Result<P3State, HostError> {
    P3State::from_inputs(&Inputs { seed, ..Inputs::default() }, fs)
}

/// A linker with every `wasi:*@0.3.0` interface and every `wasi:*@0.2`
/// interface, `wasi:http` (both versions) answered from mocks, and the p3
/// monotonic clock's waits on exact deadlines (the `clocks` module).
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<P3State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    super::clocks::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    super::shadow::add_p2(&mut linker)?;
    super::shadow::add_p3(&mut linker)?;
    super::add_coverage(&mut linker)?;
    Ok(linker)
}

/// A linker like [`linker`], with `wasi:filesystem` (both versions) served
/// from MemFs.
pub fn direct_linker(engine: &Engine) -> wasmtime::Result<Linker<P3State>> {
    let mut linker = linker(engine)?;
    super::direct::p2::add_to_linker(&mut linker)?;
    super::direct::p3::add_to_linker(&mut linker)?;
    Ok(linker)
}
