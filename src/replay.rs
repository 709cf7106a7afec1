//! Journal files: a recorded run, whole, for `wasi-replay replay`.
//!
//! A header names what ran (the component's file name and sha256, its
//! world), what ran it (the harness and wasmtime versions) and with what
//! (the seed and every input, [`Recorded`]); then comes the journal. YAML,
//! one file, nothing else needed to run it again.
//!
//! Layer L6: imports L0–L5.
//! `tests/all/architecture.rs` holds it.

use crate::world::World;
use crate::report::{Exit, RunReport};
use crate::scenario::{Recorded, Scenario};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format this harness writes and reads. A file of another format is
/// refused, not guessed at.
pub const FORMAT: u32 = 1;

/// The wasmtime the harness runs on (`Cargo.toml` pins it exactly).
pub const WASMTIME_VERSION: &str = "50.0.1";

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct JournalFile {
    /// [`FORMAT`].
    pub format: u32,
    /// The harness version that recorded it.
    pub harness: String,
    /// The wasmtime version that ran it.
    pub wasmtime: String,
    /// The component's file name.
    pub component: String,
    /// The component's sha256, hex.
    pub sha256: String,
    /// The world it ran in.
    pub world: World,
    /// The seed of every random source (also in `inputs`).
    pub seed: u64,
    /// How the run ended.
    pub exit: Exit,
    /// Every input.
    pub inputs: Recorded,
    /// The calls, one line each.
    pub journal: Vec<String>,
}

/// The sha256 of a component's bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl JournalFile {
    /// The file for `report`, a run of the component `bytes` (named
    /// `component`) with `scenario`, which kept a journal.
    pub fn new(component: &str, bytes: &[u8], scenario: &Scenario, report: &RunReport) -> Option<Self> {
        Some(JournalFile {
            format: FORMAT,
            harness: env!("CARGO_PKG_VERSION").to_string(),
            wasmtime: WASMTIME_VERSION.to_string(),
            component: component.to_string(),
            sha256: sha256_hex(bytes),
            world: report.world,
            seed: report.seed,
            exit: report.exit.clone(),
            inputs: Recorded::of(scenario),
            journal: report.journal.clone()?,
        })
    }

    /// YAML.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("a journal file always serializes")
    }

    /// Reads a journal file's text. A file of another [`FORMAT`] is refused
    /// by name before anything else is read from it.
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_yaml_ng::Value>,
        }
        let head: Head = serde_yaml_ng::from_str(text).map_err(|e| format!("not a journal file: {e}"))?;
        match head.format {
            None => return Err("not a journal file: it has no `format` field".into()),
            Some(serde_yaml_ng::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT)) => {}
            Some(other) => {
                let shown = serde_yaml_ng::to_string(&other).unwrap_or_default();
                return Err(format!(
                    "journal format {} is not one this wasi-replay {} reads (it reads format {FORMAT})",
                    shown.trim(),
                    env!("CARGO_PKG_VERSION")
                ));
            }
        }
        serde_yaml_ng::from_str(text).map_err(|e| format!("bad journal file: {e}"))
    }
}
