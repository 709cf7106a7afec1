#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod bridge;
pub mod catalog;
pub mod harness;
pub mod host;
pub mod kernel;
pub mod memfs;
pub mod report;
pub mod scenario;
pub mod suite;
pub mod world;
