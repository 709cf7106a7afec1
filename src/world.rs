//! The WASI worlds a guest can speak, and so the hosts the harness has.
//!
//! Layer L0: imports nothing of the crate.
//! `tests/all/architecture.rs` holds it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The WASI world a guest speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum World {
    /// WASI preview 1: a core module importing `wasi_snapshot_preview1`
    /// and exporting `_start`.
    P1,
    /// WASI 0.2 (`wasi:cli/run@0.2.x`).
    P2,
    /// WASI 0.3 (`wasi:cli/run@0.3.0`).
    P3,
}

impl World {
    /// `p1`, `p2` or `p3`.
    pub fn as_str(self) -> &'static str {
        match self {
            World::P1 => "p1",
            World::P2 => "p2",
            World::P3 => "p3",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
