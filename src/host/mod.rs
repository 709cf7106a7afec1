//! The WASI hosts. Shared setup lives here; `p1`, `p2` and `p3` hold the
//! store states and linkers for each world.
//!
//! Every knob wasmtime-wasi would otherwise fill from the host is set:
//! clocks from the [`VirtualClock`], randomness from the seed, stdio from
//! memory, the filesystem from MemFs (served directly, or through
//! [`FsBridge`]), and a network that refuses everything.
//!
//! Layer L3: imports L0–L2; never a scenario, a report or anything above.
//! `tests/all/architecture.rs` holds it.

mod bridge;
mod capture;
mod clocks;
pub(crate) mod direct;
pub(crate) mod http;
mod limits;
mod mocks;
mod preopen;
#[cfg(feature = "record")]
mod record;
mod shadow;
mod stdin;
pub mod p1;
pub mod p2;
pub mod p3;

pub use bridge::FsBridge;
pub use preopen::Preopen;
pub(crate) use direct::DirectFs;
use crate::kernel::{ClockConfig, Entropy};
use crate::memfs::MemFs;
use wasmtime::component::ResourceTable;
pub(crate) use capture::Capture;
pub use clocks::{monotonic_clock, wall_clock};
pub use http::{BodyRecord, Exchange};
pub use crate::kernel::VirtualClock;
pub use mocks::{Glob, HttpMocks, MockRule, UrlMatch};
#[doc(hidden)]
pub use limits::LimitOverrides;
pub use limits::{DEFAULT_INPUT_BYTES, Limits};
pub(crate) use limits::timeout_ms;
#[cfg(feature = "record")]
pub use record::Recording;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

/// How the guest's filesystem is served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// `wasi:filesystem` served from MemFs itself: nothing of the host
    /// reaches the guest. The default.
    #[default]
    Direct,
    /// MemFs written to a tempdir and preopened through wasmtime-wasi's own
    /// filesystem, then read back ([`FsBridge`]). Host metadata (timestamps,
    /// link counts of directories, inode hashes) leaks into the run.
    Bridge,
}

impl Backend {
    /// `direct` or `bridge`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Direct => "direct",
            Backend::Bridge => "bridge",
        }
    }
}

/// What the guest is given besides its component and its filesystem: the
/// part of a [`Scenario`](crate::Scenario) the hosts read.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    /// Seed for every random source. Default 0.
    pub seed: u64,
    /// Program arguments, `argv[0]` included. Default: empty, which a run
    /// turns into the component's file name alone (see [`crate::harness::Guest::program`]).
    pub args: Vec<String>,
    /// Environment variables, in this order. Default: empty.
    pub env: Vec<(String, String)>,
    /// Bytes on stdin. Default: empty.
    pub stdin: Vec<u8>,
    /// Where the clocks start. Default: [`ClockConfig::default`].
    pub clock: ClockConfig,
    /// Fuel, timeout, memory, filesystem and capture limits. Default:
    /// [`Limits::default`].
    pub limits: Limits,
    /// How the filesystem is served. Default: [`Backend::Direct`].
    pub backend: Backend,
    /// The directories the guest gets when the run has a MemFs. Default: `/`,
    /// read-write.
    pub preopens: Vec<Preopen>,
    /// HTTP mocks. Default: none, so every request is denied.
    pub http: std::sync::Arc<HttpMocks>,
    /// Record a journal of host calls. Default: off.
    pub journal: bool,
    /// The faults to inject. Default: none.
    pub faults: crate::faults::FaultPlan,
    /// The run's injector, which the harness builds from `faults` (with
    /// any draw resolved) for each run. Default: none.
    pub injector: crate::faults::Faults,
    /// What a perturbation changes in the hosts. Default: nothing.
    pub knobs: Knobs,
    /// Which held operation finishes first. Default: none is held.
    pub schedule: crate::schedule::Strategy,
    /// For `pct:D`: how many operations a run of this scenario held in
    /// arrival order, over which PCT spreads its change points; the
    /// harness counts them with a probe run. Default: 0.
    pub schedule_steps: u32,
    /// Send HTTP to the network and record it instead of answering from
    /// the mocks. Default: none.
    #[cfg(feature = "record")]
    pub recording: Option<Recording>,
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            seed: 0,
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            clock: ClockConfig::default(),
            limits: Limits::default(),
            backend: Backend::Direct,
            preopens: vec![Preopen::rw("/")],
            http: std::sync::Arc::default(),
            journal: false,
            faults: crate::faults::FaultPlan::default(),
            injector: None,
            knobs: Knobs::default(),
            schedule: crate::schedule::Strategy::Default,
            schedule_steps: 0,
            #[cfg(feature = "record")]
            recording: None,
        }
    }
}

/// Settings of the hosts that only perturbations change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Knobs {
    /// List directories in the order of this variant.
    pub readdir: Option<u64>,
    /// Rekey the insecure random sources with this variant.
    pub insecure: Option<u64>,
    /// Give the metadata another host would (see `direct::values`).
    pub host_values: Option<u64>,
}

/// Errors building a host state.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The MemFs could not be materialized or read back.
    #[error("filesystem bridge: {0}")]
    Bridge(#[from] crate::memfs::HostDirError),
    /// A preopen could not be set up in the MemFs.
    #[error("preopen: {0}")]
    Preopen(#[from] crate::memfs::FsError),
    /// wasmtime-wasi refused the configuration.
    #[error("wasi context: {0}")]
    Wasi(String),
}

/// State shared by both worlds' stores.
pub(crate) struct Core {
    pub(crate) ctx: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) bridge: Option<FsBridge>,
    pub(crate) direct: DirectFs,
    pub(crate) has_fs: bool,
    pub(crate) stdout: Capture,
    pub(crate) stderr: Capture,
    pub(crate) store_limits: wasmtime::StoreLimits,
    pub(crate) http_ctx: wasmtime_wasi_http::WasiHttpCtx,
    pub(crate) http_hooks: http::MockHooks,
    pub(crate) http_log: http::HttpLog,
    pub(crate) clock: VirtualClock,
    /// The run's journal, when it keeps one.
    pub(crate) journal: crate::journal::Journal,
    /// The run's gate, when it has a schedule.
    pub(crate) gate: crate::schedule::Gate,
    /// What an instrumented guest's modules flushed (see
    /// [`crate::coverage`]); none until the first flush.
    pub(crate) coverage: Option<crate::coverage::EdgeMap>,
}

impl Core {
    pub(crate) fn build(inputs: &Inputs, fs: Option<MemFs>) -> Result<Self, HostError> {
        Self::build_with(inputs, fs, |b| (b.build(), ())).map(|(core, ())| core)
    }

    /// Like [`Core::build`], with the last step of the wasmtime-wasi
    /// context left to `finish`: it returns the core's context and
    /// anything else it built from the same builder (the p1 bridge builds
    /// wasmtime-wasi's p1 context there).
    pub(crate) fn build_with<X>(
        inputs: &Inputs,
        fs: Option<MemFs>,
        finish: impl FnOnce(&mut WasiCtxBuilder) -> (WasiCtx, X),
    ) -> Result<(Self, X), HostError> {
        let clock = VirtualClock::new(inputs.clock);
        let journal = inputs.journal.then(|| crate::journal::Recorder::new(clock.clone()));
        let faults = inputs.injector.clone();
        if let Some(f) = &faults {
            f.set_journal(journal.clone());
        }
        let gate = crate::schedule::Gatekeeper::new(&inputs.schedule, inputs.seed, inputs.schedule_steps, journal.clone());
        let stdout = Capture::new(inputs.limits.capture_bytes).journaled(&journal, "stdout.write").scheduled(&gate);
        let stderr = Capture::new(inputs.limits.capture_bytes).journaled(&journal, "stderr.write").scheduled(&gate);
        let mut entropy = Entropy::from_seed(inputs.seed);
        if let Some(v) = inputs.knobs.insecure {
            let other = Entropy::from_seed(crate::kernel::mix(inputs.seed ^ crate::kernel::mix(v)));
            (entropy.insecure, entropy.insecure_seed) = (other.insecure, other.insecure_seed);
        }

        let mut b = WasiCtxBuilder::new();
        // Must come before `preopened_dir`, which captures it: bridge I/O
        // runs on this thread, so the paused clock never jumps while a
        // blocking pool thread works.
        b.allow_blocking_current_thread(true);
        b.args(&inputs.args)
            .envs(&inputs.env)
            .stdin(stdin::Stdin::new(inputs.stdin.clone(), journal.clone(), faults.clone(), gate.clone()))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(clocks::faulted_wall_clock(&clock, faults.clone()))
            .monotonic_clock(clocks::monotonic_clock(&clock))
            .secure_random(entropy.secure)
            .insecure_random(entropy.insecure)
            .insecure_random_seed(entropy.insecure_seed);
        seal_network(&mut b);

        let has_fs = fs.is_some();
        let http_log = http::HttpLog::default();
        let fs = fs.map(|mut fs| {
            inputs.limits.apply_fs_defaults(&mut fs);
            fs
        });
        let (bridge, direct) = match (fs, inputs.backend) {
            (Some(mut fs), Backend::Bridge) => {
                fs.set_clock(std::sync::Arc::new(clock.clone()));
                for p in &inputs.preopens {
                    fs.mkdir_p(&p.memfs_path())?;
                }
                let mut bridge = FsBridge::new(fs);
                let root = bridge.materialize()?.to_path_buf();
                for p in &inputs.preopens {
                    let host = root.join(p.memfs_path().trim_start_matches('/'));
                    let perms = if p.read_only { FsPerms::ReadOnly } else { FsPerms::ReadWrite };
                    b.preopened_dir(&host, &p.guest_path, perms).map_err(|e| HostError::Wasi(format!("{e:#}")))?;
                }
                (Some(bridge), DirectFs::new(MemFs::new(), &[], None, None)?)
            }
            (Some(mut fs), Backend::Direct) => {
                fs.set_clock(std::sync::Arc::new(clock.clone()));
                let mut direct = DirectFs::new(fs, &inputs.preopens, journal.clone(), faults.clone())?;
                direct.readdir = inputs.knobs.readdir;
                direct.host_values = inputs.knobs.host_values;
                direct.gate = gate.clone();
                (None, direct)
            }
            (None, _) => (None, DirectFs::new(MemFs::new(), &[], journal.clone(), None)?),
        };
        let (ctx, extra) = finish(&mut b);
        let core = Core {
            ctx,
            table: ResourceTable::new(),
            bridge,
            direct,
            has_fs,
            stdout,
            stderr,
            store_limits: inputs.limits.store_limits(),
            http_ctx: wasmtime_wasi_http::WasiHttpCtx::new(),
            http_hooks: http::MockHooks::new(inputs, http_log.clone(), journal.clone(), faults.clone(), gate.clone()),
            http_log,
            clock,
            journal,
            gate,
            coverage: None,
        };
        Ok((core, extra))
    }

    /// The final MemFs: read back from the bridge, or taken from the direct
    /// host. `None` when the run had no filesystem.
    pub(crate) fn take_memfs(&mut self) -> Result<Option<MemFs>, HostError> {
        if let Some(mut b) = self.bridge.take() {
            b.snapshot()?;
            return Ok(Some(b.into_memfs()));
        }
        let fs = self.has_fs.then(|| self.direct.take());
        self.has_fs = false;
        Ok(fs)
    }

    pub(crate) fn snapshot_fs(&mut self) -> Result<(), HostError> {
        if let Some(b) = &mut self.bridge {
            b.snapshot()?;
        }
        Ok(())
    }
}

/// No TCP, no UDP, no name lookup, and every address refused, in both
/// worlds. wasmtime-wasi's defaults already deny all of this; saying it here
/// keeps the seal in place if those defaults ever change.
fn seal_network(b: &mut WasiCtxBuilder) {
    b.allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
}

/// What the harness needs of a store state, whichever world it serves.
/// Adds the function an instrumented component flushes its edge counts
/// through; a guest that is not instrumented never calls it.
pub(crate) fn add_coverage<T: HostState>(linker: &mut wasmtime::component::Linker<T>) -> wasmtime::Result<()> {
    type Batch = (u32, u64, u32, u64, u32, u64, u32, u64, u32, u64, u32, u64, u32, u64, u32, u64);
    linker.root().func_wrap(
        crate::coverage::COMPONENT_IMPORT,
        |mut store: wasmtime::StoreContextMut<'_, T>, b: Batch| {
            let batch = [(b.0, b.1), (b.2, b.3), (b.4, b.5), (b.6, b.7), (b.8, b.9), (b.10, b.11), (b.12, b.13), (b.14, b.15)];
            store.data_mut().core().coverage.get_or_insert_with(Default::default).add_batch(batch);
            Ok(())
        },
    )
}

/// The same for a p1 module, which imports it as a core function.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_p1_coverage<T: 'static>(linker: &mut wasmtime::Linker<T>, core: fn(&mut T) -> &mut Core) -> wasmtime::Result<()> {
    linker.func_wrap(
        crate::coverage::IMPORT_MODULE,
        crate::coverage::IMPORT_NAME,
        move |mut caller: wasmtime::Caller<'_, T>,
              o0: i32, w0: i64, o1: i32, w1: i64, o2: i32, w2: i64, o3: i32, w3: i64,
              o4: i32, w4: i64, o5: i32, w5: i64, o6: i32, w6: i64, o7: i32, w7: i64| {
            let batch = [(o0, w0), (o1, w1), (o2, w2), (o3, w3), (o4, w4), (o5, w5), (o6, w6), (o7, w7)];
            core(caller.data_mut()).coverage.get_or_insert_with(Default::default).add_batch(batch.map(|(o, w)| (o as u32, w as u64)));
        },
    )?;
    Ok(())
}

pub(crate) trait HostState: wasmtime_wasi::WasiView + wasmtime_wasi_http::WasiHttpView + Sized + 'static {
    fn core(&mut self) -> &mut Core;
}

macro_rules! impl_state {
    ($state:ident) => {
        impl $crate::host::HostState for $state {
            fn core(&mut self) -> &mut $crate::host::Core {
                &mut self.core
            }
        }

        impl wasmtime_wasi_http::WasiHttpView for $state {
            fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
                let core = &mut self.core;
                wasmtime_wasi_http::WasiHttpCtxView {
                    hooks: &mut core.http_hooks,
                    table: &mut core.table,
                    ctx: &mut core.http_ctx,
                }
            }
        }

        impl wasmtime_wasi::WasiView for $state {
            fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
                wasmtime_wasi::WasiCtxView { ctx: &mut self.core.ctx, table: &mut self.core.table }
            }
        }

        impl $state {
            /// Reads the guest's filesystem back into the MemFs (bridge
            /// backend; the direct backend is always current).
            pub fn snapshot_fs(&mut self) -> Result<(), $crate::host::HostError> {
                self.core.snapshot_fs()
            }

            /// Takes the final MemFs out of the state: read back from the
            /// bridge, or as the direct host left it. `None` when the state
            /// had no filesystem or it was already taken.
            pub fn take_fs(&mut self) -> Result<Option<$crate::memfs::MemFs>, $crate::host::HostError> {
                self.core.take_memfs()
            }

            /// Everything the guest wrote to stdout so far.
            pub fn stdout(&self) -> Vec<u8> {
                self.core.stdout.contents()
            }

            /// Everything the guest wrote to stderr so far.
            pub fn stderr(&self) -> Vec<u8> {
                self.core.stderr.contents()
            }

            /// The run's virtual clock.
            pub fn clock(&self) -> &$crate::kernel::VirtualClock {
                &self.core.clock
            }
        }
    };
}
pub(crate) use impl_state;
