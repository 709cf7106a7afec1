//! The floor a run is compared with: the same component in a plain
//! wasmtime embedding. Its engine has the harness's pooling allocator
//! and nothing else (no fuel, no epochs); the component is linked once
//! with wasmtime-wasi into an `InstancePre`; a run is a store with an
//! empty `WasiCtx`, an instance and a call of `wasi:cli/run`. p2 runs
//! synchronously, as `wasmtime run` runs a p2 command; p3 needs the
//! async engine and `run_concurrent`, on one tokio runtime kept for the
//! process, as an embedding would keep it.

use wasi_replay::World;
use wasi_replay::cli_support::PoolTuning;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub(super) struct Plain {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Plain {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

fn store(engine: &Engine) -> Store<Plain> {
    Store::new(engine, Plain { ctx: WasiCtx::builder().build(), table: ResourceTable::new() })
}

/// One component, ready to run in the plain embedding.
pub(super) enum Floor {
    P2 { engine: Engine, pre: wasmtime_wasi::p2::bindings::sync::CommandPre<Plain> },
    P3 { engine: Engine, pre: wasmtime_wasi::p3::bindings::CommandPre<Plain>, rt: tokio::runtime::Runtime },
}

impl Floor {
    /// Compiles the component at `path` for `world`'s plain engine and
    /// links it.
    pub(super) fn new(path: &std::path::Path, world: World) -> anyhow::Result<Floor> {
        let bytes = std::fs::read(path)?;
        Self::build(&bytes, world).map_err(plain)
    }

    fn build(bytes: &[u8], world: World) -> wasmtime::Result<Floor> {
        let mut config = Config::new();
        config.allocation_strategy(PoolTuning::default().strategy(1));
        Ok(match world {
            World::P3 => {
                config.wasm_component_model_async(true);
                let engine = Engine::new(&config)?;
                let mut linker = Linker::new(&engine);
                wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
                wasmtime_wasi::p3::add_to_linker(&mut linker)?;
                let pre = linker.instantiate_pre(&Component::new(&engine, bytes)?)?;
                let pre = wasmtime_wasi::p3::bindings::CommandPre::new(pre)?;
                let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
                Floor::P3 { engine, pre, rt }
            }
            _ => {
                config.wasm_component_model_async(false).concurrency_support(false);
                let engine = Engine::new(&config)?;
                let mut linker = Linker::new(&engine);
                wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
                let pre = linker.instantiate_pre(&Component::new(&engine, bytes)?)?;
                Floor::P2 { pre: wasmtime_wasi::p2::bindings::sync::CommandPre::new(pre)?, engine }
            }
        })
    }

    /// One run: a store, an instance, `run` called; an error if `run`
    /// fails or the guest traps.
    pub(super) fn run(&self) -> anyhow::Result<()> {
        self.call().map_err(plain)?.map_err(|()| anyhow::anyhow!("the guest's run returned an error"))
    }

    fn call(&self) -> wasmtime::Result<Result<(), ()>> {
        Ok(match self {
            Floor::P2 { engine, pre } => {
                let mut store = store(engine);
                let command = pre.instantiate(&mut store)?;
                command.wasi_cli_run().call_run(&mut store)?
            }
            Floor::P3 { engine, pre, rt } => rt.block_on(async {
                let mut store = store(engine);
                let command = pre.instantiate_async(&mut store).await?;
                store.run_concurrent(async |a| command.wasi_cli_run().call_run(a).await).await?
            })?,
        })
    }

    /// One instance made and dropped, `run` not called.
    pub(super) fn instantiate(&self) -> anyhow::Result<()> {
        match self {
            Floor::P2 { engine, pre } => pre.instantiate(&mut store(engine)).map(drop),
            Floor::P3 { engine, pre, rt } => rt.block_on(async { pre.instantiate_async(&mut store(engine)).await.map(drop) }),
        }
        .map_err(plain)
    }
}

fn plain(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("the plain embedding: {e:#}")
}
