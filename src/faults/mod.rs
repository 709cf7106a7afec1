//! Faults: the failures a production host can hand a guest (a full disk,
//! an I/O error, a short read, an upstream that answers 503, a wall clock
//! that steps back), injected deterministically so each one replays.
//!
//! A [`FaultPlan`] says which faults a run gets, in three ways that mix:
//! - **exact faults** ([`Fault`]): "the 3rd write under `data/` fails
//!   with `insufficient-space`", written `no-space#3@data/`;
//! - **rates** ([`Rate`]): every write fails with a chance of 5 %,
//!   written `no-space~0.05`, decided per occurrence by a hash of the
//!   scenario's seed, so the same seed fails the same writes;
//! - **a draw** ([`Draw`]): `count` exact faults of some kinds chosen
//!   from a fault seed. The harness first runs the scenario once without
//!   them to count where each kind could strike, then draws among those
//!   places, so a drawn fault always lands on a call the guest makes.
//!
//! Each fault counts the occurrences of its *site* (a write, a read, a
//! sync, a rename, an HTTP request, a wall-clock read, a stdin read) in
//! call order, and strikes at the `#N`th one (`@PREFIX` counts only paths,
//! or URLs, that start with it). Every fault that strikes is listed in the
//! report under `faults: fired:` as an exact fault, with where it struck,
//! and in the journal as a `fault(…)` line just before the call it
//! changed; a rate's strikes are listed by occurrence, so the `fired`
//! list, given back as a plan, gives the same run.
//!
//! The text form of a fault is `KIND[=VALUE][#N][@PREFIX]`:
//!
//! | kind | site | what the guest sees |
//! |---|---|---|
//! | `no-space` | fs write | `insufficient-space` |
//! | `no-space-after=BYTES` | fs writes | every write once BYTES have gone in fails with `insufficient-space` (no `#N`) |
//! | `read-io` | fs read | `io` |
//! | `short-write` | fs write (where the API allows a short one) | half the bytes (at least one) go in |
//! | `short-read` | fs read | half the bytes (at least one) come back |
//! | `sync-io` | fs sync | `io` |
//! | `rename-io` | fs rename | `io` |
//! | `http-500`, `http-503` | HTTP request | that status, an empty body |
//! | `http-refused` | HTTP request | `connection-refused` |
//! | `http-reset` | HTTP request | `connection-terminated` |
//! | `http-cut` | HTTP request | the response's body ends with `connection-terminated` after half its bytes |
//! | `http-latency=DURATION` | HTTP request | the answer comes DURATION later, in virtual time |
//! | `clock-back=DURATION` | wall-clock read | the wall clock steps back by DURATION from then on |
//! | `clock-jump=DURATION` | wall-clock read | the wall clock jumps forward by DURATION from then on |
//! | `stdin-short` | stdin read | half the bytes asked for (at least one) |
//!
//! Durations are `250ms`, `5s`, `1h`, `1d` (also `ns`, `us`, `m`).
//! A p2 output stream must take every byte it is given, so `short-write`
//! strikes only p2's `descriptor.write` and p3's write streams there. The
//! filesystem faults need the direct backend, and components: the bridge
//! serves files through wasmtime-wasi, and p1 modules are not faulted.
//!
//! [`crate::explore`] draws faults over many seeds and shrinks what it
//! finds; [`crate::perturb`] uses `stdin-short` and `http-latency` to
//! split stdin and reorder responses.
//!
//! Layer L2: imports only L0 and `journal`.
//! `tests/all/architecture.rs` holds it.

mod inject;
mod kind;
mod plan;
mod syntax;

pub(crate) use inject::{Effect, Faults, Injector, half};
pub use inject::{FaultsReport, Fired};
pub use kind::{FaultKind, Group, Site, SiteCounts};
pub use plan::{Draw, Fault, FaultPlan, Rate};
pub use syntax::{PlanError, parse_kinds};

/// The fewest of `struck` that still give what `gives` checks, dropping
/// one at a time while it holds (greedy, so not always the least set);
/// none when no fault is needed at all.
pub(crate) fn fewest<E>(struck: &[String], mut gives: impl FnMut(&[String]) -> Result<bool, E>) -> Result<Vec<String>, E> {
    if struck.is_empty() || gives(&[])? {
        return Ok(Vec::new());
    }
    let mut kept = struck.to_vec();
    let mut i = 0;
    while i < kept.len() {
        let mut fewer = kept.clone();
        fewer.remove(i);
        if gives(&fewer)? {
            kept = fewer;
        } else {
            i += 1;
        }
    }
    Ok(kept)
}
