//! A scenario file's text: one serde model that reads scenario files and
//! `--http-mock` files, and writes emitted scenarios and recorded
//! cassettes. It says what the TOML holds, nothing more: paths stay as
//! written, guests as names, and the `[explore]` and `allow-perturb`
//! settings as words. Their readers give them meaning (`ScenarioFile::load`
//! resolves paths against the file and refuses any that leave its
//! directory; `emit` writes only what differs from the defaults).

use super::Serve;
use crate::host::{Backend, LimitOverrides};
use crate::report::FsReport;
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A scenario file. Plain values come before tables, as TOML writes them.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScenarioText {
    /// Shown in reports; the file's stem when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A guest the caller's resolver knows by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<String>,
    /// Component files, relative to the scenario file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<PathBuf>,
    /// The worlds to run in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worlds: Option<Vec<World>>,
    /// The seed of every random source.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seed: u64,
    /// `argv`, `argv[0]` included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// `KEY=VALUE`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Stdin as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<String>,
    /// Stdin from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_file: Option<PathBuf>,
    /// The initial tree, preopened at `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixture: Option<PathBuf>,
    /// How the filesystem is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Backend>,
    /// How the report shows the tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_report: Option<FsReport>,
    /// Keep a journal of host calls.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub journal: bool,
    /// Check the perturbations too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub perturb: bool,
    /// Perturbations the guest may notice, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_perturb: Vec<String>,
    /// How a handler serves the requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<Serve>,
    /// Limits changed from the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitOverrides>,
    /// The MemFs quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaText>,
    /// Faults to inject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<FaultsText>,
    /// An exploration to run too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<ExploreText>,
    /// Preopens, instead of `fixture`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preopen: Vec<PreopenText>,
    /// Calls of exported functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call: Vec<CallText>,
    /// Requests for an HTTP handler.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<RequestText>,
    /// HTTP mocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpText>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `[quota]`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaText {
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Inodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inodes: Option<u64>,
}

/// `[faults]`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsText {
    /// Exact faults and rates, in their text form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    /// A fault seed to draw from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The kinds to draw, by group or kind name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// How many faults to draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// `[explore]`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExploreText {
    /// `A..B`.
    pub seeds: String,
    /// Faults drawn from each seed.
    #[serde(default)]
    pub faults: u32,
    /// The kinds to draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// Fail unless every run gives one class.
    #[serde(default)]
    pub one_class: bool,
}

/// One `[[preopen]]`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PreopenText {
    /// The guest path.
    #[serde(default = "root")]
    pub guest: String,
    /// A directory copied in under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixture: Option<PathBuf>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// The guest path a preopen gets by default.
pub fn root() -> String {
    "/".into()
}

/// One `[[call]]`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallText {
    /// The call, in WAVE.
    pub invoke: String,
}

/// One `[[request]]`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestText {
    /// The method; `GET` by default.
    #[serde(default = "get")]
    pub method: String,
    /// The path and query.
    pub path: String,
    /// Headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<PathBuf>,
}

fn get() -> String {
    "GET".into()
}

/// `[http]` of a scenario file, or a whole `--http-mock` file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpText {
    /// Header names whose values the report hides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redact: Option<Vec<String>>,
    /// The rules, in order.
    #[serde(default)]
    pub mock: Vec<MockText>,
}

/// One mock rule.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MockText {
    /// A name for the report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The method it matches; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The whole URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A prefix of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_prefix: Option<String>,
    /// A glob over the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_glob: Option<String>,
    /// Request headers that must be present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The status sent back; 200 by default.
    #[serde(default = "ok")]
    pub status: u16,
    /// The response's headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub response_headers: BTreeMap<String, String>,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<PathBuf>,
    /// Send the body in this many chunks; 1 by default.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub chunks: usize,
}

fn ok() -> u16 {
    200
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}
