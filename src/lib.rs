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
//! use wasi_replay::{Harness, Scenario};
//! use wasi_replay::report::Exit;
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
//! journal, and where two part). [`host`] is the lower layer, for driving
//! the hosts from wasmtime code of your own: `P2State` and `P3State` with
//! `build_state(seed, Option<MemFs>)`, `snapshot_fs()` and `take_fs()`, and
//! [`host::FsBridge`].
//!
//! The guide is in the repository's `docs/` (scenarios, snapshots,
//! determinism and fidelity, HTTP, journals, finding bugs, limits, other
//! languages, the command line, performance), and `CONTRIBUTING.md` covers
//! the layout and its layers.
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

#[cfg(feature = "catalog")]
pub mod catalog;
pub mod explore;
pub mod faults;
mod glob;
pub mod harness;
pub mod journal;
pub mod host;
pub mod kernel;
pub mod memfs;
pub mod perturb;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod suite;
pub mod testing;
pub mod world;

pub use harness::{Guest, Harness, HarnessError};
pub use host::HostError;
pub use memfs::{FsError, MemFs};
pub use report::RunReport;
pub use scenario::Scenario;
pub use suite::{Suite, SuiteError};
pub use world::World;

/// The README and the guide's chapters, compiled as doctests so their Rust
/// examples stay true.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/library.md")]
    struct Library;
}
