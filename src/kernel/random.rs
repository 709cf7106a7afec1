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

/// A 64-bit mix (splitmix64's finalizer): the one source of seeded
/// choices outside the random interfaces (fault draws, perturbation
/// shuffles, inode hashes), so a choice is the same on every machine.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Reorders `items`: variant 1 reverses them, a later one shuffles them
/// with a generator seeded by it.
pub(crate) fn permute<T>(items: &mut [T], v: u64) {
    if v == 1 {
        items.reverse();
        return;
    }
    let mut state = mix(v);
    for i in (1..items.len()).rev() {
        state = mix(state);
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}
