//! MemFs under arbitrary operation sequences: no operation may panic, and
//! after each one the invariants hold (no orphaned inode, right link
//! counts, sizes matching content, walk agreeing with lookups, quotas kept).
//! The operations and the check are `src/memfs/ops.rs`, which the crate's
//! own invariant test runs too.
//!
//! MemFs has no dependency on wasmtime, so its source is compiled into this
//! target directly and the fuzz build stays small.
#![no_main]

#[allow(dead_code, unused_imports)]
#[path = "../../src/memfs/mod.rs"]
mod memfs;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: memfs::ops::Input| {
    if let Err(e) = memfs::ops::check(&input) {
        panic!("invariant broken {e}");
    }
});
