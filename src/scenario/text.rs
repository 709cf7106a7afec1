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
use std::fmt;
use std::path::PathBuf;

/// A scenario file. Plain values come before tables, as TOML writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Stdin as base64, for bytes that are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_base64: Option<String>,
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
    /// Where the clocks start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockText>,
    /// Faults to inject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<FaultsText>,
    /// Which held operation finishes first (see [`crate::schedule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// An exploration to run too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<ExploreText>,
    /// Preopens, instead of `fixture`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preopen: Vec<PreopenText>,
    /// Entries of the initial tree written out in the file, after any
    /// fixture is copied in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry: Vec<EntryText>,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaText {
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Inodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inodes: Option<u64>,
}

/// `[clock]`: where the clocks start, in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClockText {
    /// The wall clock, since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_start_ns: Option<u64>,
    /// The monotonic clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monotonic_start_ns: Option<u64>,
}

/// One `[[entry]]` of the initial tree: a MemFs path and what is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EntryText {
    /// The absolute path in the MemFs; missing parents are made.
    pub path: String,
    /// What it is; a file by default.
    #[serde(default, skip_serializing_if = "EntryKind::is_file")]
    pub kind: EntryKind,
    /// A file's content as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A file's content as base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// A symlink's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// What an `[[entry]]` is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    #[default]
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

impl EntryKind {
    fn is_file(&self) -> bool {
        *self == EntryKind::File
    }
}

/// `[faults]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The schedule each explored run takes (its seed seeds it), in place
    /// of the scenario's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

/// One `[[preopen]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallText {
    /// The call, in WAVE.
    pub invoke: String,
}

/// One `[[request]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestText {
    /// The method, as written (HTTP methods are case-sensitive); `GET` by
    /// default.
    #[serde(default = "get")]
    pub method: String,
    /// The path and query.
    pub path: String,
    /// Headers.
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub headers: Headers,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body as base64, for bytes that are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// The body from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<PathBuf>,
}

fn get() -> String {
    "GET".into()
}

/// `[http]` of a scenario file, or a whole `--http-mock` file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub headers: Headers,
    /// The status sent back; 200 by default.
    #[serde(default = "ok")]
    pub status: u16,
    /// The response's headers.
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub response_headers: Headers,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body as base64, for bytes that are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
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

/// Where bytes go in the text: inline text, base64, or a file.
#[derive(Debug, Default)]
pub struct Body {
    /// UTF-8 text.
    pub text: Option<String>,
    /// Base64, for other bytes.
    pub base64: Option<String>,
    /// A file beside the text.
    pub file: Option<PathBuf>,
}

/// Headers in their order, repeats kept. Written as a table
/// (`{ accept = "text/plain" }`) when every name is different, and as a
/// list of `[name, value]` pairs when one repeats; either is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, String)> for Headers {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Headers(iter.into_iter().collect())
    }
}

impl IntoIterator for Headers {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut names: Vec<&str> = self.0.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return self.0.serialize(s);
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of header names and values, or a list of [name, value] pairs")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    out.push(pair);
                }
                Ok(Headers(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = seq.next_element()? {
                    out.push(pair);
                }
                Ok(Headers(out))
            }
        }
        d.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_their_order_and_repeats() {
        let table: RequestText = toml::from_str("path = \"/\"\nheaders = { b = \"2\", a = \"1\" }\n").unwrap();
        assert_eq!(table.headers.0, [("b".into(), "2".into()), ("a".into(), "1".into())]);
        let pairs: RequestText = toml::from_str("path = \"/\"\nheaders = [[\"a\", \"1\"], [\"a\", \"2\"]]\n").unwrap();
        assert_eq!(pairs.headers.0, [("a".into(), "1".into()), ("a".into(), "2".into())]);
        let written = toml::to_string(&pairs).unwrap();
        assert!(written.contains("headers = [["), "{written}");
        assert_eq!(toml::from_str::<RequestText>(&written).unwrap(), pairs);
        let written = toml::to_string(&table).unwrap();
        assert!(!written.contains("[["), "a table while every name differs: {written}");
        assert!(matches!((written.find("b = \"2\""), written.find("a = \"1\"")), (Some(b), Some(a)) if b < a), "{written}");
        let bad = toml::from_str::<RequestText>("path = \"/\"\nheaders = 3\n").unwrap_err().to_string();
        assert!(bad.contains("a table of header names and values, or a list of [name, value] pairs"), "{bad}");
    }
}
