//! The `component_loader` target: see `entry::component_loader` in
//! `fuzz/entry.rs`, which `tests/all/fuzz_corpora.rs` also runs over this
//! target's corpus.
#![no_main]

#[allow(dead_code)]
#[path = "../entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entry::component_loader(bytes));
