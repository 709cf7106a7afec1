//! Limits on what one run may consume. Every default is stated on its field;
//! fuel is the deterministic stop, the wall-clock timeout only a backstop.

use crate::memfs::{MemFs, Quota};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use wasmtime::{StoreLimits, StoreLimitsBuilder};

/// Limits for one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Fuel (roughly, wasm instructions). Running out ends the run with
    /// `out-of-fuel`, at the same point on every run. `None`: unlimited,
    /// and so is `Some(0)`, as a 0 in a scenario file or a flag is.
    /// Default: 10 billion.
    pub fuel: Option<u64>,
    /// Wall-clock timeout, checked by epoch interruption every 10 ms. A
    /// backstop for time fuel does not count (host calls); a run that hits
    /// it is marked non-deterministic. `None`: no timeout. Default: 60 s.
    pub timeout: Option<Duration>,
    /// Size of each linear memory, in bytes; a `memory.grow` past it fails
    /// (the guest sees the failure). Default: 512 MiB.
    pub memory_bytes: usize,
    /// Elements in each table. Default: 100,000.
    pub table_elements: usize,
    /// Instances, tables and memories in a store. Default: 100 each.
    pub instances: usize,
    /// MemFs byte quota used when the scenario's MemFs sets none; guests see
    /// `insufficient-space`. Default: 1 GiB.
    pub fs_bytes: u64,
    /// MemFs inode quota used when the scenario's MemFs sets none.
    /// Default: 1,000,000.
    pub fs_inodes: u64,
    /// Bytes kept of stdout and of stderr each; the guest keeps running
    /// past it and the report says `truncated`. Default: 16 MiB.
    pub capture_bytes: usize,
    /// The most bytes read from any one file given on the user's behalf:
    /// a stdin file, a request body, a mock body, a response recorded
    /// under `--http-record`. A larger one is refused in one line before
    /// the run (a fixture tree is bounded by the MemFs quota instead, and
    /// scenario, mock and journal files by the default). Default: 64 MiB.
    pub input_bytes: u64,
}

/// [`Limits::input_bytes`] by default.
pub const DEFAULT_INPUT_BYTES: u64 = 64 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: Some(10_000_000_000),
            timeout: Some(Duration::from_secs(60)),
            memory_bytes: 512 << 20,
            table_elements: 100_000,
            instances: 100,
            fs_bytes: 1 << 30,
            fs_inodes: 1_000_000,
            capture_bytes: 16 << 20,
            input_bytes: DEFAULT_INPUT_BYTES,
        }
    }
}

impl Limits {
    pub(crate) fn store_limits(&self) -> StoreLimits {
        StoreLimitsBuilder::new()
            .memory_size(self.memory_bytes)
            .table_elements(self.table_elements)
            .instances(self.instances)
            .tables(self.instances)
            .memories(self.instances)
            .build()
    }

    /// Fills in the MemFs quota where the scenario left it open.
    pub(crate) fn apply_fs_defaults(&self, fs: &mut MemFs) {
        let q = fs.quota();
        fs.set_quota(Quota {
            max_bytes: q.max_bytes.or(Some(self.fs_bytes)),
            max_inodes: q.max_inodes.or(Some(self.fs_inodes)),
        });
    }
}

/// Limits to change from the defaults, as a scenario's `[limits]` or the
/// CLI's flags give them. A 0 for `fuel` or `timeout-ms` turns it off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitOverrides {
    /// See [`Limits::fuel`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// See [`Limits::timeout`], in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// See [`Limits::memory_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<usize>,
    /// See [`Limits::capture_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_bytes: Option<usize>,
    /// See [`Limits::fs_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_bytes: Option<u64>,
    /// See [`Limits::fs_inodes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_inodes: Option<u64>,
    /// See [`Limits::input_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_bytes: Option<u64>,
}

/// A timeout in the milliseconds of `timeout-ms`: 0 for none, and at
/// least 1 for any other, so that a timeout under a millisecond stays one
/// (the run checks it every 10 ms either way).
pub(crate) fn timeout_ms(timeout: Option<Duration>) -> u64 {
    timeout.map_or(0, |t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1))
}

impl LimitOverrides {
    /// Applies the overrides that are set.
    pub fn apply(&self, l: &mut Limits) {
        if let Some(f) = self.fuel {
            l.fuel = (f > 0).then_some(f);
        }
        if let Some(t) = self.timeout_ms {
            l.timeout = (t > 0).then(|| Duration::from_millis(t));
        }
        if let Some(m) = self.memory_bytes {
            l.memory_bytes = m;
        }
        if let Some(c) = self.capture_bytes {
            l.capture_bytes = c;
        }
        if let Some(b) = self.fs_bytes {
            l.fs_bytes = b;
        }
        if let Some(b) = self.input_bytes {
            l.input_bytes = b;
        }
        if let Some(i) = self.fs_inodes {
            l.fs_inodes = i;
        }
    }
}
