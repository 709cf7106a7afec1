//! Journal files: a recorded run, whole, for `wasi-replay replay`.
//!
//! A header names what ran (the component's file name and sha256, its
//! world), what ran it (the harness and wasmtime versions) and with what
//! (the seed and every input, a [`ScenarioText`] written out whole, as a
//! scenario file would say it but with every byte inline); then comes the
//! journal. YAML, one file, nothing else needed to run it again.
//!
//! Format 2 is written. Format 1, whose inputs had a schema of their own,
//! is still read: its inputs are rebuilt and written out as format 2's.
//!
//! Layer L6: imports L0–L5.
//! `tests/all/architecture.rs` holds it.

use crate::world::World;
use crate::report::{Exit, RunReport};
use crate::scenario::{Origin, Recorded, Scenario, ScenarioError, ScenarioText};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format this harness writes. It reads this one and format 1; a file
/// of another format is refused, not guessed at.
pub const FORMAT: u32 = 2;

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
    pub inputs: ScenarioText,
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
            inputs: ScenarioText::of(scenario),
            journal: report.journal.clone()?,
        })
    }

    /// YAML.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("a journal file always serializes")
    }

    /// Reads a journal file's text. A file of a format this harness does
    /// not read is refused by name before anything else is read from it.
    pub fn parse(text: &str) -> Result<Self, JournalError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_yaml_ng::Value>,
        }
        let fail = |m: String| JournalError(m);
        let head: Head = serde_yaml_ng::from_str(text).map_err(|e| fail(format!("not a journal file: {e}")))?;
        let format = match head.format {
            None => return Err(fail("not a journal file: it has no `format` field".into())),
            Some(serde_yaml_ng::Value::Number(n)) if n.as_u64() == Some(1) => 1,
            Some(serde_yaml_ng::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT)) => FORMAT,
            Some(other) => {
                let shown = serde_yaml_ng::to_string(&other).unwrap_or_default();
                return Err(fail(format!(
                    "journal format {} is not one this wasi-replay {} reads (it reads formats 1 and {FORMAT})",
                    shown.trim(),
                    env!("CARGO_PKG_VERSION")
                )));
            }
        };
        let bad = |e: serde_yaml_ng::Error| fail(format!("bad journal file: {e}"));
        if format == FORMAT {
            return serde_yaml_ng::from_str(text).map_err(bad);
        }
        let old: FormatOne = serde_yaml_ng::from_str(text).map_err(bad)?;
        let scenario = old.inputs.scenario().map_err(|e| fail(format!("inputs: {e}")))?;
        Ok(JournalFile {
            format: 1,
            harness: old.harness,
            wasmtime: old.wasmtime,
            component: old.component,
            sha256: old.sha256,
            world: old.world,
            seed: old.seed,
            exit: old.exit,
            inputs: ScenarioText::of(&scenario),
            journal: old.journal,
        })
    }

    /// The scenario its inputs describe.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        self.inputs.clone().build(Origin::inline())
    }
}

/// A journal file of format 1.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FormatOne {
    #[allow(dead_code)]
    format: u32,
    harness: String,
    wasmtime: String,
    component: String,
    sha256: String,
    world: World,
    seed: u64,
    exit: Exit,
    inputs: Recorded,
    journal: Vec<String>,
}

/// A journal file that cannot be read: one line naming why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalError(String);

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::quote::one_line(&self.0))
    }
}

impl std::error::Error for JournalError {}
