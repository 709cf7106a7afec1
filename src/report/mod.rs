//! RunReport: everything a run leaves that a test may look at, in one
//! canonical serde form. Field order is fixed by the struct, lists are in
//! [`MemFs::walk`] order, and nothing host-specific goes in, so the same
//! inputs give byte-identical YAML and JSON.
//!
//! Layer L4: imports L0–L3; never `scenario` or anything above.
//! `tests/all/architecture.rs` holds it.

mod compare;
mod fs;
mod yaml;

pub use compare::unified_diff;
pub use fs::{FsDigest, FsEntry, FsView, fs_entries, yaml_listing};

use crate::host::{Backend, Exchange};
use crate::world::World;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Files up to this many bytes of valid UTF-8 appear as text in the report;
/// larger or binary files appear as a sha256.
pub const INLINE_TEXT_LIMIT: usize = 4096;

/// How the run ended. Serialized as a map with one key, `status` or
/// `trap`, so that YAML and JSON readers need no enum tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ExitRepr", try_from = "ExitRepr")]
pub enum Exit {
    /// `run` returned (0 for `Ok`, 1 for `Err`) or the guest called
    /// `exit` / `exit-with-code`.
    Status(i32),
    /// The fuel limit stopped the guest; the same point on every run.
    OutOfFuel,
    /// The wall-clock timeout stopped the guest. Where it stopped depends
    /// on the machine, so such a report is marked non-deterministic.
    Timeout {
        /// The timeout in force.
        after_ms: u64,
    },
    /// The guest trapped. The message names the trap; the wasm backtrace is
    /// left out because it names functions that differ between builds.
    Trap(String),
    /// The guest waited for something nothing can bring: every task was
    /// idle and no timer was due before the monotonic clock's end. Ended
    /// in virtual time, so the same on every run.
    WaitsForever {
        /// Virtual time that had passed, in nanoseconds.
        virtual_time_ns: u64,
    },
}

/// How a run ended, in a few words: `exit 3`, `trap: …`, `out of fuel`,
/// `timeout`, `waits forever`. A search's failure classes and the HTML
/// page say it so.
impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Status(n) => write!(f, "exit {n}"),
            Exit::Trap(t) => write!(f, "trap: {t}"),
            Exit::OutOfFuel => write!(f, "out of fuel"),
            Exit::Timeout { .. } => write!(f, "timeout"),
            Exit::WaitsForever { .. } => write!(f, "waits forever"),
        }
    }
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ExitRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trap: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    virtual_time_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    nondeterministic: bool,
}

impl From<Exit> for ExitRepr {
    fn from(e: Exit) -> Self {
        match e {
            Exit::Status(s) => ExitRepr { status: Some(s), ..ExitRepr::default() },
            Exit::Trap(t) => ExitRepr { trap: Some(t), ..ExitRepr::default() },
            Exit::OutOfFuel => ExitRepr { limit: Some("out-of-fuel".into()), ..ExitRepr::default() },
            Exit::WaitsForever { virtual_time_ns } => ExitRepr {
                limit: Some("waits-forever".into()),
                virtual_time_ns: Some(virtual_time_ns),
                ..ExitRepr::default()
            },
            Exit::Timeout { after_ms } => ExitRepr {
                limit: Some("timeout".into()),
                timeout_ms: Some(after_ms),
                nondeterministic: true,
                ..ExitRepr::default()
            },
        }
    }
}

impl TryFrom<ExitRepr> for Exit {
    type Error = &'static str;
    fn try_from(r: ExitRepr) -> Result<Self, Self::Error> {
        match (r.status, r.trap, r.limit.as_deref(), r.timeout_ms.or(r.virtual_time_ns)) {
            (Some(s), None, None, None) => Ok(Exit::Status(s)),
            (None, Some(t), None, None) => Ok(Exit::Trap(t)),
            (None, None, Some("out-of-fuel"), None) => Ok(Exit::OutOfFuel),
            (None, None, Some("timeout"), Some(after_ms)) if r.virtual_time_ns.is_none() => Ok(Exit::Timeout { after_ms }),
            (None, None, Some("waits-forever"), Some(virtual_time_ns)) if r.timeout_ms.is_none() => {
                Ok(Exit::WaitsForever { virtual_time_ns })
            }
            _ => Err("exit needs exactly one of `status`, `trap` or `limit`"),
        }
    }
}

/// Captured output: UTF-8 text as is, anything else as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Output {
    /// The bytes were valid UTF-8.
    Text(String),
    /// The bytes were not valid UTF-8.
    Binary {
        /// Standard base64 of the bytes.
        base64: String,
    },
}

impl Output {
    /// Classifies captured bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(s) => Output::Text(s),
            Err(e) => Output::Binary {
                base64: base64::engine::general_purpose::STANDARD.encode(e.into_bytes()),
            },
        }
    }
}

/// One request a handler served and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ResponseReport {
    /// The request: `GET /items?limit=2`.
    pub request: String,
    /// The response's status; absent when there was no response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Its headers as `name: value`, sorted, redacted as the mocks redact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Its body: text when small UTF-8, else a sha256; absent when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<crate::host::http::BodyRecord>,
    /// Why there is no (whole) response: the handler trapped, set an
    /// error code, returned without a response, or was never called
    /// because an earlier request ended the shared instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The outgoing requests it made through the mocks, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<Exchange>,
}

/// One call of an exported function and what it returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CallReport {
    /// The call as the scenario wrote it (`add(1, 2)`).
    pub invoke: String,
    /// What it returned, in WAVE; absent for a function that returns
    /// nothing, or when it did not return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The call did not return: it trapped, exited or hit a limit, as the
    /// report's `exit` says, and no later call was made.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ended_run: bool,
}

/// The observable result of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RunReport {
    /// The guest's name.
    pub guest: String,
    /// The world it ran in.
    pub world: World,
    /// The seed of every random source.
    pub seed: u64,
    /// How the filesystem was served.
    pub backend: Backend,
    /// How it ended.
    pub exit: Exit,
    /// The exported functions called, in order, when the scenario made
    /// calls instead of running the command; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallReport>,
    /// Each request a handler served, in order, with its response; absent
    /// when the scenario made no requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<ResponseReport>,
    /// Virtual time that passed during the run, in nanoseconds.
    pub elapsed_ns: u64,
    /// Captured stdout.
    pub stdout: Output,
    /// Captured stderr.
    pub stderr: Output,
    /// The captures that hit their cap (`stdout`, `stderr`); absent when
    /// none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncated: Vec<String>,
    /// The final filesystem: every entry in [`MemFs::walk`](crate::MemFs::walk) order, or a
    /// digest of them when the scenario asked for one.
    pub fs: FsView,
    /// Every HTTP request, in order, and what answered it; absent when the
    /// guest made none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<Exchange>,
    /// The planned faults and those that struck (see [`crate::faults`]);
    /// absent when the scenario planned none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<crate::faults::FaultsReport>,
    /// The schedule the run was given and the decisions it took (see
    /// [`crate::schedule`]); absent with the default schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<crate::schedule::ScheduleReport>,
    /// Every host call the guest made, in order, one line each with its
    /// virtual time (see [`crate::journal`]); absent unless the scenario
    /// asked for a journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<Vec<String>>,
}

impl RunReport {
    /// The same report with the world set aside, for p2-vs-p3 comparison.
    pub fn without_world(&self) -> RunReport {
        RunReport { world: World::P2, ..self.clone() }
    }

    /// The same report with the backend set aside, for direct-vs-bridge
    /// comparison.
    pub fn without_backend(&self) -> RunReport {
        RunReport { backend: Backend::Direct, ..self.clone() }
    }
}

/// How a report shows the final filesystem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsReport {
    /// Every entry, with small text files inline.
    #[default]
    Tree,
    /// Counts and one sha256 over the listing: for trees too large to
    /// review entry by entry.
    Digest,
}
