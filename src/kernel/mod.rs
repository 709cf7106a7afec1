//! The virtual kernel: a clock that moves only when the guest waits, and
//! randomness derived from one seed. Nothing here reads the host's time or
//! entropy.
//!
//! Layer L0: imports only `memfs`.
//! `tests/all/architecture.rs` holds it.

mod clock;
mod random;

pub use clock::{ClockConfig, DEFAULT_MONOTONIC_START, VirtualClock};
pub use random::Entropy;
pub(crate) use random::{mix, permute};
