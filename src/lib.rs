//! wasi-replay: deterministic replay and snapshot testing for WASI
//! components on wasmtime.
#![deny(missing_docs)]

pub mod bridge;
pub mod kernel;
pub mod host;
pub mod catalog;
pub mod harness;
pub mod memfs;
pub mod report;
pub mod scenario;
