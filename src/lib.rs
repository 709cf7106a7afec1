//! Deterministic replay and snapshot tests for WebAssembly components.
//!
//! A guest (a WASI 0.2 or 0.3 component, or a WASI p1 module) runs on
//! wasmtime inside a virtual kernel: an in-memory filesystem ([`MemFs`]), a
//! clock that moves only when the guest waits, randomness from one seed, a
//! network that refuses everything and HTTP answered from mock rules. What
//! it is given is a [`Scenario`]; what it leaves is a [`RunReport`]: exit,
//! stdout, stderr, the final tree, the HTTP exchanges, and on request every
//! host call in a journal. The same scenario gives the same report, byte
//! for byte, on every run and machine, so a report is a snapshot to keep.
//!
//! ```
//! use wasi_replay::{Exit, Harness, Scenario};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A component whose `wasi:cli/run` returns ok at once.
//! let component = wat::parse_str(r#"
//!     (component
//!       (core module $m (func (export "run") (result i32) i32.const 0))
//!       (core instance $i (instantiate $m))
//!       (func $run (result (result)) (canon lift (core func $i "run")))
//!       (instance $r (export "run" (func $run)))
//!       (export "wasi:cli/run@0.2.0" (instance $r)))
//! "#)?;
//! let harness = Harness::new()?.without_cache();
//! let guest = harness.load_bytes("app", &component, None)?; // its world is read from it
//! let report = harness.run(&guest, &Scenario::new("app").seed(7).args(["app", "--verbose"]))?;
//! assert_eq!(report.exit, Exit::Status(0));
//! assert_eq!(report, harness.run(&guest, &Scenario::new("app").seed(7).args(["app", "--verbose"]))?);
//! println!("{}", report.to_yaml()); // what a snapshot keeps
//! # Ok(())
//! # }
//! ```
//!
//! In a test, the macros do the loading and the snapshot:
//! [`assert_run!`] runs a component once and asserts an insta snapshot of
//! its report, [`assert_deterministic!`] requires several runs to agree, and
//! [`assert_p2_eq_p3!`] requires a guest's p2 and p3 builds to leave the
//! same report. A directory of scenario files, each with its goldens, is a
//! [`Suite`]; `cargo insta review` reviews the goldens as it reviews insta's
//! own snapshots.
//!
//! The modules a user reaches on purpose: [`faults`] (what a scenario may
//! inject), [`explore`] (many seeds, grouped by outcome), [`perturb`]
//! (changes a correct guest must not notice) and [`journal`] (reading a
//! journal, and where two part) and [`coverage`] (edge counters written
//! into a guest, for [`Harness::run_covered`]) and [`html`] (a run as one
//! page, with its journal as a timeline). [`host`] is the lower layer, for driving
//! the hosts from wasmtime code of your own: `P2State` and `P3State` with
//! `build_state(seed, Option<MemFs>)`, `snapshot_fs()` and `take_fs()`, and
//! [`host::FsBridge`].
//!
//! A scenario directory is a test target of its own with [`scenarios!`]
//! (`harness = false`): one test per scenario file and world, which
//! `cargo test -- NAME` filters and nextest partitions.
//!
//! # Features
//!
//! - `cli` (default): the `wasi-replay` command line. A test crate
//!   depends with `default-features = false` and builds none of its
//!   crates.
//! - `catalog` (part of `cli`): this repository's guest catalog, which
//!   builds the guests under `guests/`; no part of the library a user
//!   gets.
//! - `record`: `--http-record`, a real HTTP client that records what a
//!   guest's outgoing requests get back as mock rules.
//!
//! The guide is in the repository's `docs/` (scenarios, snapshots,
//! determinism and fidelity, HTTP, journals, finding bugs, limits, other
//! languages, the command line, performance), and `CONTRIBUTING.md` covers
//! the layout and its layers.
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]
// Without the `cli` feature nothing reaches what only `cli_support` exports.
#![cfg_attr(not(feature = "cli"), allow(unused_imports, dead_code))]

/// This repository's guest catalog (the `catalog` feature): no part of
/// the library a user gets.
#[cfg(feature = "catalog")]
#[doc(hidden)]
pub mod catalog;
pub mod coverage;
pub mod explore;
pub mod faults;
pub mod fuzz;
mod glob;
mod harness;
pub mod host;
pub mod html;
pub mod journal;
mod kernel;
pub mod memfs;
pub mod perturb;
mod quote;
mod replay;
mod report;
mod scenario;
pub mod schedule;
mod suite;
#[doc(hidden)]
pub mod testing;
mod world;

pub use harness::{Allocation, Guest, Harness, HarnessError, RunPhases};
pub use host::{Backend, BodyRecord, Exchange, Glob, HostError, HttpMocks, Limits, MockRule, Preopen, UrlMatch};
pub use kernel::ClockConfig;
pub use memfs::{FsError, MemFs};
pub use report::{CallReport, Exit, FsDigest, FsEntry, FsReport, FsView, Output, ResponseReport, RunReport};
pub use scenario::{Request, RequestError, Scenario, Serve};
pub use suite::{GuestResolver, Suite, SuiteError, Update, UpdateError};
pub use world::World;

/// What the `wasi-replay` binary and this repository's own tests use
/// beyond the public API: the guest catalog, scenario files and emitted
/// scenarios, journal files, the report's building blocks, the bench's
/// settings. No stability is promised; it exists for the `cli` feature.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli_support {
    pub use crate::harness::{CompileCache, MAX_CONCURRENT_RUNS, PoolTuning};
    pub use crate::host::LimitOverrides;
    pub use crate::kernel::{DEFAULT_MONOTONIC_START, Entropy, VirtualClock};
    pub use crate::replay::{FORMAT, JournalError, JournalFile, WASMTIME_VERSION, sha256_hex};
    pub use crate::report::{INLINE_TEXT_LIMIT, fs_entries, unified_diff, yaml_listing};
    pub use crate::scenario::text::{CallText, Headers, PreopenText, RequestText};
    pub use crate::scenario::{Origin, ScenarioError, ScenarioText};
    pub use crate::suite::{
        Case, CaseOutcome, CaseResult, Golden, NoGuests, ScenarioFile, Target, Verdict, discover, emit, load_mocks, partition,
        save_mocks,
    };
}

/// The README and the guide's chapters, compiled as doctests so their Rust
/// examples stay true.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/library.md")]
    struct Library;
}
