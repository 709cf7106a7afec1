//! A guest: a component or p1 module compiled and linked for one host,
//! ready to run many times.

use super::run::Command;
use crate::host::p1::{P1Bridge, P1Direct};
use crate::host::p2::P2State;
use crate::host::p3::P3State;
use crate::world::World;

/// A component compiled and linked for one host, ready to run many times.
pub struct Guest {
    pub(super) name: String,
    /// argv[0] when a scenario gives no arguments.
    pub(super) program: String,
    pub(super) exports: World,
    pub(super) pre: Pre,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest").field("name", &self.name).field("exports", &self.exports).field("host", &self.host()).finish_non_exhaustive()
    }
}

/// The component linked for one host world, once per backend.
pub(super) enum Pre {
    P1 { direct: Command<P1Direct>, bridge: Command<P1Bridge> },
    P2 { direct: Command<P2State>, bridge: Command<P2State> },
    P3 { direct: Command<P3State>, bridge: Command<P3State> },
}

impl Guest {
    /// The guest's name (the file stem for [`Harness::load`](crate::Harness::load)).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the guest gets as `argv[0]` when a scenario gives no arguments:
    /// the file's name without its directory (`app.wasm`), as `wasmtime
    /// run` passes it.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The world of its `wasi:cli/run` export.
    pub fn exports(&self) -> World {
        self.exports
    }

    /// Does it export an HTTP handler (and so serve requests)?
    pub fn serves(&self) -> bool {
        match &self.pre {
            Pre::P1 { .. } => false,
            Pre::P2 { direct, .. } => direct.serves(),
            Pre::P3 { direct, .. } => direct.serves(),
        }
    }

    /// The host it is linked for. A p2 component can run on either host
    /// (the p3 host carries p2 too); a p3 component only on the p3 host; a
    /// p1 module only on the p1 host.
    pub fn host(&self) -> World {
        match self.pre {
            Pre::P1 { .. } => World::P1,
            Pre::P2 { .. } => World::P2,
            Pre::P3 { .. } => World::P3,
        }
    }
}
