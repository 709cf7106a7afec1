//! The engines' configuration: fuel, epochs, no backtraces, the pooling
//! allocator, and the ticker thread that drives the epochs.

use wasmtime::{Config, Engine};

/// The configurations of the p2 engine and the p3 engine. Both meter fuel
/// and check epochs; only p3 has the component model's concurrency.
pub(super) fn configs(allocation: Allocation) -> (Config, Config) {
    let mut config = Config::new();
    config.consume_fuel(true);
    config.epoch_interruption(true);
    // Reports leave the wasm backtrace out (it differs between builds
    // of one source), so none is captured: an `exit` or a trap costs
    // no walk of the stack.
    config.wasm_backtrace_max_frames(None);
    if let Allocation::Pooling { concurrent_runs } = allocation {
        config.allocation_strategy(pool(concurrent_runs));
    }
    let mut p2 = config.clone();
    p2.wasm_component_model_async(false).concurrency_support(false);
    config.wasm_component_model_async(true);
    (p2, config)
}

/// How a harness allocates each run's memories, tables and stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allocation {
    /// Mapped when a run starts and unmapped when it ends.
    #[default]
    OnDemand,
    /// Taken from pools reserved once (one per host world), each sized
    /// for this many runs at the same time, and reused: a slot keeps its
    /// mapping, its memory image and up to [`POOL_KEEP_MEMORY`] bytes of
    /// resident pages between runs.
    Pooling {
        /// Runs in flight at once, at most: 1 to [`MAX_CONCURRENT_RUNS`].
        concurrent_runs: u32,
    },
}

/// The most runs a pool is sized for: each run's slots reserve about
/// 40 GiB of address space (8 memories of 4 GiB and their guards), and
/// two pools of 256 runs (20 TiB) stay well inside a 47-bit address space.
pub const MAX_CONCURRENT_RUNS: u32 = 256;

/// Bytes of each pooled linear memory reset in place between runs; pages
/// past this are handed back to the kernel.
pub const POOL_KEEP_MEMORY: usize = 4 << 20;

/// Bytes of each pooled table reset in place between runs.
pub const POOL_KEEP_TABLES: usize = 64 << 10;

/// A pool for `runs` stores at once. Each run is one component instance;
/// the per-run counts (32 core instances, 8 memories, 32 tables, 16 fiber
/// stacks) leave room well past what a guest toolchain emits, and a test
/// runs every catalog guest, the C guests included, from a one-slot
/// pool. Only virtual address space is reserved up front.
fn pool(runs: u32) -> wasmtime::InstanceAllocationStrategy {
    let runs = runs.clamp(1, MAX_CONCURRENT_RUNS);
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(runs)
        .total_core_instances(runs * 32)
        .total_memories(runs * 8)
        .total_tables(runs * 32)
        .total_stacks(runs * 16)
        .max_memories_per_module(2)
        .max_tables_per_module(4)
        .max_unused_warm_slots(runs * 32)
        // Reset a slot with memset rather than madvise: in a process with
        // more than one thread every madvise flushes the other cores' TLBs,
        // which is what kept `check` from using both cores. A catalog
        // guest touches about 1.2 MiB of memory and a few KiB of tables.
        // Where Linux has PAGEMAP_SCAN (6.7+), only the pages a run wrote
        // are reset, not the whole first 4 MiB: most of a guest's 1 MiB
        // shadow stack is never touched.
        .linear_memory_keep_resident(POOL_KEEP_MEMORY)
        .table_keep_resident(POOL_KEEP_TABLES)
        .pagemap_scan(wasmtime::Enabled::Auto);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// Milliseconds per epoch tick.
pub(super) const TICK_MS: u64 = 10;

/// Advances the engines' epochs every [`TICK_MS`] on a thread of its own,
/// until dropped. Only the wall-clock timeout depends on it.
pub(super) struct EpochTicker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    pub(super) fn start(engines: Vec<Engine>) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wasi-replay-epoch".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(TICK_MS));
                    engines.iter().for_each(Engine::increment_epoch);
                }
            })
            .ok();
        EpochTicker { stop, thread }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
