//! Why the catalog could not be built.

use crate::world::World;

/// Why the catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A wasm target is missing from the toolchain.
    #[error("the {0} target is not installed; install it with `rustup target add {0}`")]
    MissingTarget(&'static str),
    /// cargo could not be started.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// Zig's C compiler is missing and could not be installed.
    #[error("zig is not available and `python3 -m pip install ziglang` failed; install it by hand")]
    NoZig,
    /// Node.js or npm, which build the AssemblyScript guests, is missing.
    #[error("the AssemblyScript guests need Node.js and npm on the PATH: {0}")]
    NoNode(String),
    /// `npm ci` or `asc` failed.
    #[error("building the AssemblyScript guest {guest} failed: {stderr}")]
    AsFailed {
        /// The guest (or `npm ci` for the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// componentize-py is missing and could not be installed, or failed.
    #[error("building the Python guest {guest} failed: {stderr}")]
    PyFailed {
        /// The guest (or the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// `npm ci` or componentize-js failed.
    #[error("building the JavaScript guest {guest} failed: {stderr}")]
    JsFailed {
        /// The guest (or `npm ci` for the install).
        guest: String,
        /// What the tool printed.
        stderr: String,
    },
    /// wasmtime-wasi's WASI WIT, which the Python guests build against, is
    /// not in the cargo registry.
    #[error("the WASI WIT of wasmtime-wasi-http 50.0.1 is not under {0}; run `cargo fetch`")]
    NoWasiWit(String),
    /// The C compiler failed.
    #[error("building the C guest {guest} failed: {stderr}")]
    CFailed {
        /// The guest.
        guest: String,
        /// What the compiler printed.
        stderr: String,
    },
    /// cargo ran and failed.
    #[error("building the {world} guests failed:\n{stderr}")]
    Failed {
        /// The world being built.
        world: World,
        /// What cargo printed.
        stderr: String,
    },
}
