//! Why a guest could not be run: every error of the harness, each naming
//! the guest and the cause in one line.

use crate::host::HostError;
use crate::world::World;

/// Why a component could not be run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The host error.
        error: std::io::Error,
    },
    /// The bytes do not start with the WebAssembly magic number.
    #[error("{name}: not a WebAssembly file")]
    NotWasm {
        /// The guest.
        name: String,
    },
    /// The bytes are a core module that is not a WASI p1 command.
    #[error("{name}: is a core WebAssembly module but not a WASI p1 command: {reason}")]
    CoreModule {
        /// The guest.
        name: String,
        /// Why it is not a WASI p1 command.
        reason: String,
    },
    /// The bytes are not a component wasmtime accepts.
    #[error("{name}: not a valid component: {reason}")]
    Invalid {
        /// The guest.
        name: String,
        /// wasmtime's reason.
        reason: String,
    },
    /// The component exports no `wasi:cli/run` of a known world, and the
    /// scenario makes no calls.
    #[error("{name}: does not export wasi:cli/run@0.2.x or wasi:cli/run@0.3.0; call its exports instead (--invoke, or [[call]] in a scenario)")]
    NoRun {
        /// The guest.
        name: String,
    },
    /// The scenario asks for a journal the run cannot keep: on the bridge
    /// backend (wasmtime-wasi serves the filesystem there), or for a p1
    /// module.
    #[error("{name}: journal: {reason}")]
    Journal {
        /// The guest.
        name: String,
        /// Why not.
        reason: String,
    },
    /// The scenario's faults cannot be injected: filesystem faults with
    /// the bridge backend, or in a p1 module.
    #[error("{name}: faults: {reason}")]
    Faults {
        /// The guest.
        name: String,
        /// Why not.
        reason: String,
    },
    /// The scenario's requests do not fit the guest: it is no handler, or
    /// a handler with no requests to serve.
    #[error("{name}: requests: {reason}")]
    Requests {
        /// The guest.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The scenario's schedule cannot be taken: `exhaustive` in a single
    /// run, or any schedule for a handler.
    #[error("{name}: schedule: {reason}")]
    Schedule {
        /// The guest.
        name: String,
        /// Why not.
        reason: String,
    },
    /// A call the scenario makes does not fit the guest's exports: an
    /// unknown or ambiguous function, bad WAVE, a wrong arity or type.
    #[error("{name}: call `{call}`: {reason}")]
    Call {
        /// The guest.
        name: String,
        /// The call as written.
        call: String,
        /// What is wrong.
        reason: String,
    },
    /// A guest was asked to run on a host that cannot carry its world:
    /// a p3 component on the p2 host, a component on the p1 host, a p1
    /// module on a component host.
    #[error("{name}: a {world} guest cannot run on the {host} host")]
    WrongHost {
        /// The guest.
        name: String,
        /// The guest's world.
        world: World,
        /// The host asked for.
        host: World,
    },
    /// The component imports something the host does not provide.
    #[error("{name}: unsatisfied imports: {imports}")]
    Link {
        /// The guest.
        name: String,
        /// The imports, comma-separated, or wasmtime's reason.
        imports: String,
    },
    /// The host state could not be built.
    #[error("{0}")]
    Host(#[from] HostError),
    /// The engine or runtime failed for a reason unrelated to the guest.
    #[error("internal: {0}")]
    Internal(String),
}
