//! Randomness from one seed.
//!
//! WASI's `random` interface promises cryptographically secure,
//! unpredictable bytes. Here it is seeded, on purpose: a replay harness needs
//! the same bytes on every run. This is a deliberate, test-only deviation
//! from the WASI spec; never run production workloads this way.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The three random sources wasmtime-wasi takes, all derived from one seed.
pub struct Entropy {
    /// Backs `wasi:random/random` (seeded ChaCha20).
    pub secure: ChaCha20Rng,
    /// Backs `wasi:random/insecure` (seeded ChaCha20).
    pub insecure: ChaCha20Rng,
    /// Returned by `wasi:random/insecure-seed`.
    pub insecure_seed: u128,
}

impl std::fmt::Debug for Entropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entropy").finish_non_exhaustive()
    }
}

impl Entropy {
    /// Derives every source from `seed`: a ChaCha20 stream seeded with it
    /// yields the 32-byte keys of the secure and insecure generators, then
    /// the 128-bit insecure seed. Changing any derivation step changes every
    /// snapshot, so it is fixed.
    pub fn from_seed(seed: u64) -> Self {
        let mut master = ChaCha20Rng::seed_from_u64(seed);
        let mut key = || {
            let mut k = [0u8; 32];
            master.fill_bytes(&mut k);
            k
        };
        let secure = ChaCha20Rng::from_seed(key());
        let insecure = ChaCha20Rng::from_seed(key());
        let mut s = [0u8; 16];
        master.fill_bytes(&mut s);
        Entropy { secure, insecure, insecure_seed: u128::from_le_bytes(s) }
    }
}
