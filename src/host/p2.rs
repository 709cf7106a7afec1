//! The WASI 0.2 host: [`P2State`] and its linker.

use super::{Core, HostError, Inputs, impl_state};
use crate::memfs::MemFs;
use wasmtime::Engine;
use wasmtime::component::Linker;

/// Store state for a p2 component.
pub struct P2State {
    pub(crate) core: Core,
}

impl std::fmt::Debug for P2State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P2State").finish_non_exhaustive()
    }
}

impl_state!(P2State);

impl P2State {
    /// A state for `inputs`, with `fs` preopened at `/` when given.
    pub(crate) fn from_inputs(inputs: &Inputs, fs: Option<MemFs>) -> Result<Self, HostError> {
        Ok(P2State { core: Core::build(inputs, fs)? })
    }
}

/// A p2 state with default inputs and `seed`, with `fs` preopened at `/`.
pub fn build_state(seed: u64, fs: Option<MemFs>) -> Result<P2State, HostError> {
    P2State::from_inputs(&Inputs { seed, ..Inputs::default() }, fs)
}

/// A linker with every `wasi:*@0.2` interface, `wasi:http` answered from
/// mocks.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<P2State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    super::shadow::add_p2(&mut linker)?;
    super::add_coverage(&mut linker)?;
    Ok(linker)
}

/// A linker like [`linker`], with `wasi:filesystem` served from MemFs.
pub fn direct_linker(engine: &Engine) -> wasmtime::Result<Linker<P2State>> {
    let mut linker = linker(engine)?;
    super::direct::p2::add_to_linker(&mut linker)?;
    Ok(linker)
}
