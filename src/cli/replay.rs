//! `replay`: a journal file's inputs run again on a component, and its
//! calls compared with the recorded ones.

use super::{EXIT_MISMATCH, EXIT_OK};
use anyhow::{Context, anyhow};
use std::path::Path;
use wasi_replay::journal::first_divergence;
use wasi_replay::cli_support::{sha256_hex, JournalFile, WASMTIME_VERSION};

pub fn replay(journal: &Path, component: &Path) -> anyhow::Result<u8> {
    let bytes = wasi_replay::memfs::read_capped(journal, wasi_replay::host::DEFAULT_INPUT_BYTES)
        .map_err(|e| anyhow!("cannot read {}: {e}", journal.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{}: not a journal file: not UTF-8 text", journal.display()))?;
    let recorded = JournalFile::parse(&text).map_err(|e| anyhow!("{}: {e}", journal.display()))?;
    let scenario = recorded.scenario().map_err(|e| anyhow!("{}: inputs: {e}", journal.display()))?.journal(true);
    let bytes = std::fs::read(component).with_context(|| format!("cannot read {}", component.display()))?;
    let sha = sha256_hex(&bytes);
    if sha != recorded.sha256 {
        eprintln!(
            "note: {} (sha256 {}) is not the recorded component {} (sha256 {}); replaying anyway",
            component.display(),
            &sha[..12],
            recorded.component,
            &recorded.sha256[..recorded.sha256.len().min(12)]
        );
    }
    let here = env!("CARGO_PKG_VERSION");
    if recorded.harness != here || recorded.wasmtime != WASMTIME_VERSION {
        eprintln!(
            "note: recorded with wasi-replay {} on wasmtime {}; this is wasi-replay {here} on wasmtime {WASMTIME_VERSION}",
            recorded.harness, recorded.wasmtime
        );
    }
    let harness = super::new_harness(1)?;
    let guest = harness.load(component)?;
    if guest.host() != recorded.world {
        eprintln!("note: recorded in {}, this component runs in {}", recorded.world, guest.host());
    }
    let report = harness.run(&guest, &scenario)?;
    let got = report.journal.unwrap_or_default();
    Ok(match first_divergence(&recorded.journal, &got) {
        None => {
            println!("replayed {} calls: every call matches the journal", got.len());
            EXIT_OK
        }
        Some(line) => {
            println!("{line}");
            EXIT_MISMATCH
        }
    })
}
