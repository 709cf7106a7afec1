//! The harness: loads components, runs them on a paused tokio runtime
//! against the virtual kernel, and turns the outcome into a [`RunReport`].
//! A guest that traps or exits is a result, never an error of the harness;
//! errors here mean the input could not be run at all.

use crate::host::p2::{self, P2State};
use crate::host::p3::{self, P3State};
use crate::host::HostError;
use crate::report::{Exit, Output, RunReport, World, fs_entries};
use crate::scenario::Scenario;
use std::path::Path;
use wasmtime::component::{Component, InstancePre, types::ComponentItem};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::I32Exit;

/// Why a component could not be run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The host error.
        source: std::io::Error,
    },
    /// The bytes are not a component wasmtime accepts.
    #[error("{name}: not a valid component: {reason}")]
    Invalid {
        /// The guest.
        name: String,
        /// wasmtime's reason.
        reason: String,
    },
    /// The component exports no `wasi:cli/run` of a known world.
    #[error("{name}: does not export wasi:cli/run@0.2.x or wasi:cli/run@0.3.0")]
    NoRun {
        /// The guest.
        name: String,
    },
    /// The component imports something the host does not provide.
    #[error("{name}: unsatisfied imports: {reason}")]
    Link {
        /// The guest.
        name: String,
        /// wasmtime's reason.
        reason: String,
    },
    /// The host state could not be built.
    #[error("{0}")]
    Host(#[from] HostError),
    /// The engine or runtime failed for a reason unrelated to the guest.
    #[error("internal: {0}")]
    Internal(String),
}

/// A component compiled and linked for its world, ready to run many times.
pub struct Guest {
    name: String,
    world: World,
    pre: Pre,
}

enum Pre {
    P2(InstancePre<P2State>),
    P3(InstancePre<P3State>),
}

impl Guest {
    /// The guest's name (the file stem for [`Harness::load`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The world its exports speak.
    pub fn world(&self) -> World {
        self.world
    }
}

/// Engine and linkers for both worlds. Build one and reuse it: compiling a
/// component is the expensive step, running it is cheap.
pub struct Harness {
    engine: Engine,
    p2: wasmtime::component::Linker<P2State>,
    p3: wasmtime::component::Linker<P3State>,
}

impl Harness {
    /// An engine with the component-model async features p3 needs.
    pub fn new() -> Result<Self, HarnessError> {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let internal = |e: wasmtime::Error| HarnessError::Internal(format!("{e:#}"));
        let engine = Engine::new(&config).map_err(internal)?;
        let p2 = p2::linker(&engine).map_err(internal)?;
        let p3 = p3::linker(&engine).map_err(internal)?;
        Ok(Harness { engine, p2, p3 })
    }

    /// Loads a component file; its name is the file stem.
    pub fn load(&self, path: &Path) -> Result<Guest, HarnessError> {
        let bytes = std::fs::read(path).map_err(|source| HarnessError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        self.load_bytes(&name, &bytes)
    }

    /// Compiles and links component bytes.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<Guest, HarnessError> {
        let invalid = |e: wasmtime::Error| HarnessError::Invalid {
            name: name.to_string(),
            reason: format!("{e:#}"),
        };
        let component = Component::new(&self.engine, bytes).map_err(invalid)?;
        let world = self.world_of(&component).ok_or_else(|| HarnessError::NoRun { name: name.to_string() })?;
        let link = |e: wasmtime::Error| HarnessError::Link { name: name.to_string(), reason: format!("{e:#}") };
        let pre = match world {
            World::P2 => Pre::P2(self.p2.instantiate_pre(&component).map_err(link)?),
            World::P3 => Pre::P3(self.p3.instantiate_pre(&component).map_err(link)?),
        };
        Ok(Guest { name: name.to_string(), world, pre })
    }

    /// Reads the world from the component's `wasi:cli/run` export.
    fn world_of(&self, component: &Component) -> Option<World> {
        let ty = component.component_type();
        let mut found = None;
        for (name, item) in ty.exports(&self.engine) {
            if !matches!(item.ty, ComponentItem::ComponentInstance(_)) {
                continue;
            }
            if let Some(version) = name.strip_prefix("wasi:cli/run@") {
                if version.starts_with("0.2.") {
                    found = Some(World::P2);
                } else if version.starts_with("0.3.") {
                    found = Some(World::P3);
                }
            }
        }
        found
    }

    /// Runs `guest` once with `scenario`'s inputs.
    pub fn run(&self, guest: &Guest, scenario: &Scenario) -> Result<RunReport, HarnessError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| HarnessError::Internal(format!("tokio runtime: {e}")))?;
        let name = if scenario.name.is_empty() { guest.name.clone() } else { scenario.name.clone() };
        let fs = scenario.fs.clone();
        let outcome = rt.block_on(async {
            match &guest.pre {
                Pre::P2(pre) => {
                    let state = P2State::new(&scenario.inputs, fs)?;
                    run_p2(&self.engine, pre, state).await
                }
                Pre::P3(pre) => {
                    let state = P3State::new(&scenario.inputs, fs)?;
                    run_p3(&self.engine, pre, state).await
                }
            }
        })?;
        Ok(RunReport {
            guest: name,
            world: guest.world,
            seed: scenario.inputs.seed,
            exit: outcome.exit,
            elapsed_ns: outcome.elapsed_ns,
            stdout: Output::from_bytes(outcome.stdout),
            stderr: Output::from_bytes(outcome.stderr),
            fs: outcome.fs.as_ref().map(fs_entries).unwrap_or_default(),
        })
    }
}

struct Outcome {
    exit: Exit,
    elapsed_ns: u64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    fs: Option<crate::memfs::MemFs>,
}

async fn run_p2(engine: &Engine, pre: &InstancePre<P2State>, state: P2State) -> Result<Outcome, HarnessError> {
    let mut store = Store::new(engine, state);
    store.data().clock().start();
    let result = async {
        let instance = pre.instantiate_async(&mut store).await?;
        let cmd = wasmtime_wasi::p2::bindings::Command::new(&mut store, &instance)?;
        cmd.wasi_cli_run().call_run(&mut store).await
    }
    .await;
    let exit = exit_of(result);
    let state = store.data_mut();
    state.snapshot_fs()?;
    Ok(Outcome {
        exit,
        elapsed_ns: state.clock().elapsed().as_nanos() as u64,
        stdout: state.stdout(),
        stderr: state.stderr(),
        fs: state.take_fs().map(|b| b.into_memfs()),
    })
}

async fn run_p3(engine: &Engine, pre: &InstancePre<P3State>, state: P3State) -> Result<Outcome, HarnessError> {
    let mut store = Store::new(engine, state);
    store.data().clock().start();
    let result = async {
        let instance = pre.instantiate_async(&mut store).await?;
        let cmd = wasmtime_wasi::p3::bindings::Command::new(&mut store, &instance)?;
        store
            .run_concurrent(async |a| cmd.wasi_cli_run().call_run(a).await)
            .await?
    }
    .await;
    let exit = exit_of(result);
    let state = store.data_mut();
    state.snapshot_fs()?;
    Ok(Outcome {
        exit,
        elapsed_ns: state.clock().elapsed().as_nanos() as u64,
        stdout: state.stdout(),
        stderr: state.stderr(),
        fs: state.take_fs().map(|b| b.into_memfs()),
    })
}

/// Maps the end of `run` to an exit: a status for returns and `exit`
/// calls, a trap with its message for everything else.
fn exit_of(result: wasmtime::Result<Result<(), ()>>) -> Exit {
    match result {
        Ok(Ok(())) => Exit::Status(0),
        Ok(Err(())) => Exit::Status(1),
        Err(e) => {
            if let Some(code) = e.downcast_ref::<I32Exit>() {
                Exit::Status(code.0)
            } else if let Some(trap) = e.downcast_ref::<wasmtime::Trap>() {
                Exit::Trap(trap.to_string())
            } else {
                // Host errors that end the run (e.g. a capture pipe that is
                // full) have no trap code; the innermost cause names them.
                Exit::Trap(e.root_cause().to_string())
            }
        }
    }
}
