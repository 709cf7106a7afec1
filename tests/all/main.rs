//! Integration tests, one binary. One `mod` line per area.

/// Test helpers: the built catalog, the shared harness, report diffs.
mod support;

/// The crate's layers, read from its source: imports point down, and no
/// files of one module import each other round a loop.
mod architecture;

/// A scenario directory as one test per file and world, under libtest's
/// command line and nextest's partitions.
mod scenario_tests;

/// The published packages' files, and `--version`.
mod package;

/// Every catalog guest in both worlds: snapshots, determinism, p2 = p3.
mod catalog;

/// MemFs operations and their errors.
mod memfs;

/// MemFs against a real directory, as a property test.
mod memfs_prop;

/// FsBridge round trips and change detection.
mod bridge;

/// Virtual clock, seeded randomness, host states.
mod kernel;

/// RunReport's canonical forms.
mod report;

/// The real binary: every command, exit codes, bad input.
mod cli;

/// Direct backend against the bridge; no tempdir on the direct path.
mod backends;

/// A run as an HTML page, read back by headless Chromium.
mod html;

/// Preopens: named, `.`, empty, read-only.
mod preopens;

/// The hostile catalog: limits, escapes, snapshots.
mod hostile;

/// Bad input never panics: mutated components, malformed scenarios.
mod bad_input;

/// Guests from other toolchains: WASI p1 modules, C.
mod languages;

/// Sealed sockets and mocked HTTP.
mod network;

/// The on-disk compile cache.
mod cache;

/// The pooling allocator against on-demand allocation.
mod pooling;

/// Direct backend against the bridge, on generated scripts of fs calls.
mod fidelity;

/// Calls of exported functions: state between calls, results, traps,
/// calls that do not fit.
mod calls;

/// HTTP handlers: requests, fresh and shared instances, failures.
mod handlers;

/// The library as a test author meets it: the root re-exports, the default
/// compile cache, runs from inside a tokio runtime.
mod library;

/// Journals of host calls: catalog goldens, p2 = p3, the first divergence.
mod journal;

/// Faults: each kind strikes the call it names, replays from its fired
/// list, and is refused where it cannot be injected.
mod faults;

/// Exploration: classes over seeds, shrinking, partitions and merging,
/// and the printed replay commands.
mod explore;

/// The bug-finding catalog and perturbations: a latent fault bug shrunk
/// to one fault, a robust guest of one class, a readdir-order dependence
/// that `--perturb` names.
mod finding;

/// Every fuzz target's committed corpus, through the target's own body.
mod fuzz_corpora;

/// Schedules: the race guest passes in the default order and loses an
/// update in orders PCT and random schedules find; a run's decisions,
/// given back, replay it byte for byte.
mod schedule;

/// Coverage: every catalog guest, instrumented, leaves the report it
/// leaves without, and counts edges.
mod coverage;
