//! The engines' configuration: fuel, epochs, no backtraces, the pooling
//! allocator, and the ticker thread that drives the epochs.

use wasmtime::{Config, Engine};

/// The configurations of the p2 engine and the p3 engine. Both meter fuel
/// and check epochs; only p3 has the component model's concurrency.
pub(super) fn configs(allocation: Allocation, tuning: &PoolTuning) -> (Config, Config) {
    let mut config = Config::new();
    config.consume_fuel(true);
    config.epoch_interruption(true);
    // Reports leave the wasm backtrace out (it differs between builds
    // of one source), so none is captured: an `exit` or a trap costs
    // no walk of the stack.
    config.wasm_backtrace_max_frames(None);
    config.memory_init_cow(tuning.copy_on_write);
    if let Allocation::Pooling { concurrent_runs } = allocation {
        config.allocation_strategy(pool(concurrent_runs, tuning));
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
    /// mapping and its memory image between runs, and the pages a run
    /// wrote go back to the kernel (see [`PoolTuning`]).
    Pooling {
        /// Runs in flight at once, at most: 1 to [`MAX_CONCURRENT_RUNS`].
        concurrent_runs: u32,
    },
}

/// The most runs a pool is sized for: each run's slots reserve about
/// 40 GiB of address space (8 memories of 4 GiB and their guards), and
/// two pools of 256 runs (20 TiB) stay well inside a 47-bit address space.
pub const MAX_CONCURRENT_RUNS: u32 = 256;

/// How a pooled slot is reset between runs: the knobs of wasmtime's
/// pooling allocator that the bench compares. [`PoolTuning::default`] is
/// what every pooled harness uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolTuning {
    /// Bytes of each linear memory reset in place (memset); pages past
    /// them are handed back to the kernel (madvise).
    pub keep_memory: usize,
    /// Bytes of each table reset in place.
    pub keep_tables: usize,
    /// Bytes of each fiber stack zeroed in place (0: stacks are not
    /// zeroed, wasmtime's default).
    pub keep_stacks: usize,
    /// Reset only the pages a run wrote, found with Linux's `PAGEMAP_SCAN`
    /// (6.7+), instead of the whole kept prefix.
    pub pagemap_scan: bool,
    /// Decommits queued before one flush (1: none are batched).
    pub decommit_batch: usize,
    /// Map a memory's initial image copy-on-write from the compiled
    /// artifact instead of copying its data segments in at each
    /// instantiation (wasmtime's `memory_init_cow`; on-demand runs too).
    pub copy_on_write: bool,
}

impl Default for PoolTuning {
    fn default() -> Self {
        // Chosen with `bench --only pool` (docs/performance.md): handing
        // every written page back, sixteen slots at a time, beat resetting
        // up to 4 MiB in place for fs-tree in both worlds, for the Python
        // guest and for `check` on two threads. wasmtime 50.0.1's
        // PAGEMAP_SCAN reports pages never touched as written on Linux 6.18,
        // so resetting in place set the whole kept prefix every run.
        PoolTuning {
            keep_memory: 0,
            keep_tables: 0,
            keep_stacks: 0,
            pagemap_scan: false,
            decommit_batch: 16,
            copy_on_write: true,
        }
    }
}

impl PoolTuning {
    /// What a guided search runs on ([`super::Harness::for_search`]): the
    /// default, with the first 64 KiB of each memory and table reset in
    /// place rather than handed back. An instrumented guest writes its
    /// coverage map, a memory of its own of that size, on every run; its
    /// pages faulted in anew each run, and the tables' pages written on
    /// their first call through them, each with the other core's TLB
    /// flushed, cost more than the memset (`bench --only fuzz`).
    pub fn search() -> Self {
        PoolTuning { keep_memory: crate::coverage::MAP_SIZE, keep_tables: 64 << 10, ..PoolTuning::default() }
    }

    /// The pooling strategy a harness sized for `runs` at once uses with
    /// this tuning (the bench's plain-wasmtime floor uses it too).
    pub fn strategy(&self, runs: u32) -> wasmtime::InstanceAllocationStrategy {
        pool(runs, self)
    }
}

/// A pool for `runs` stores at once. Each run is one component instance;
/// the per-run counts (32 core instances, 8 memories, 32 tables, 16 fiber
/// stacks) leave room well past what a guest toolchain emits, and a test
/// runs every catalog guest, the C guests included, from a one-slot
/// pool. Only virtual address space is reserved up front.
fn pool(runs: u32, tuning: &PoolTuning) -> wasmtime::InstanceAllocationStrategy {
    let runs = runs.clamp(1, MAX_CONCURRENT_RUNS);
    let enabled = |on: bool| if on { wasmtime::Enabled::Auto } else { wasmtime::Enabled::No };
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(runs)
        .total_core_instances(runs * 32)
        .total_memories(runs * 8)
        .total_tables(runs * 32)
        .total_stacks(runs * 16)
        // Two of a guest's own, and the map instrumenting adds.
        .max_memories_per_module(3)
        .max_tables_per_module(4)
        .max_unused_warm_slots(runs * 32)
        // How a slot is reset: see PoolTuning's default. A catalog guest
        // touches about 1.2 MiB of memory and a few KiB of tables.
        .linear_memory_keep_resident(tuning.keep_memory)
        .table_keep_resident(tuning.keep_tables)
        .async_stack_keep_resident(tuning.keep_stacks)
        .pagemap_scan(enabled(tuning.pagemap_scan))
        .decommit_batch_size(tuning.decommit_batch.max(1));
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
