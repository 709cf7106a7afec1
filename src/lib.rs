#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

#[cfg(feature = "catalog")]
pub mod catalog;
pub mod explore;
pub mod faults;
mod glob;
pub mod harness;
pub mod journal;
pub mod host;
pub mod kernel;
pub mod memfs;
pub mod perturb;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod suite;
pub mod testing;
pub mod world;

pub use harness::{Guest, Harness, HarnessError};
pub use host::HostError;
pub use memfs::{FsError, MemFs};
pub use report::RunReport;
pub use scenario::Scenario;
pub use suite::{Suite, SuiteError};
pub use world::World;
