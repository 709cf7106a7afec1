//! RunReport: everything a run leaves that a test may look at, in one
//! canonical serde form. Field order is fixed by the struct, lists are in
//! [`MemFs::walk`] order, and nothing host-specific goes in, so the same
//! inputs give byte-identical YAML and JSON.

use crate::host::{Backend, Exchange};
use crate::memfs::{Kind, MemFs};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::world::World;

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

/// One entry of the final filesystem tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FsEntry {
    /// Absolute path inside the MemFs.
    pub path: String,
    /// File, directory or symlink.
    pub kind: Kind,
    /// File size in bytes (files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Hard links, shown only when a file has more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nlink: Option<u64>,
    /// The content of a small UTF-8 file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// sha256 of a large or binary file, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A symlink's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
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
    /// The final filesystem: every entry in [`MemFs::walk`] order, or a
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
    /// Every host call the guest made, in order, one line each with its
    /// virtual time (see [`crate::journal`]); absent unless the scenario
    /// asked for a journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<Vec<String>>,
}

impl RunReport {
    /// Canonical YAML.
    ///
    /// A listed tree is written by [`yaml_listing`], which gives the bytes
    /// serde_yaml_ng would, in a fraction of the time; the rest of the
    /// report goes through serde_yaml_ng with an empty `fs`, and the listing
    /// takes that line's place.
    pub fn to_yaml(&self) -> String {
        let whole = || serde_yaml_ng::to_string(self).expect("a RunReport always serializes");
        let FsView::Tree(entries) = &self.fs else { return whole() };
        if entries.is_empty() {
            return whole();
        }
        let head = RunReport {
            guest: self.guest.clone(),
            world: self.world,
            seed: self.seed,
            backend: self.backend,
            exit: self.exit.clone(),
            calls: self.calls.clone(),
            responses: self.responses.clone(),
            elapsed_ns: self.elapsed_ns,
            stdout: self.stdout.clone(),
            stderr: self.stderr.clone(),
            truncated: self.truncated.clone(),
            fs: FsView::default(),
            http: self.http.clone(),
            faults: self.faults.clone(),
            journal: self.journal.clone(),
        };
        let rest = serde_yaml_ng::to_string(&head).expect("a RunReport always serializes");
        // Top-level keys sit at column 0 and appear once; a second match
        // could only come from inside a string, and then the slow path
        // decides.
        const EMPTY: &str = "\nfs: []\n";
        match rest.match_indices(EMPTY).map(|(at, _)| at).collect::<Vec<_>>()[..] {
            [at] => {
                let mut out = String::with_capacity(rest.len() + entries.len() * 128);
                out.push_str(&rest[..at]);
                out.push_str("\nfs:\n");
                out.push_str(&yaml_listing(entries));
                out.push_str(&rest[at + EMPTY.len()..]);
                out
            }
            _ => whole(),
        }
    }

    /// Canonical JSON, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a RunReport always serializes");
        s.push('\n');
        s
    }

    /// The first field, in report order, where `other` differs, with both
    /// values rendered as YAML; for `fs`, the first differing entry.
    pub fn first_difference(&self, other: &RunReport) -> Option<(String, String, String)> {
        fn yaml<T: Serialize>(v: &T) -> String {
            serde_yaml_ng::to_string(v).unwrap_or_default().trim_end().to_string()
        }
        macro_rules! field {
            ($name:literal, $f:ident) => {
                if self.$f != other.$f {
                    return Some(($name.to_string(), yaml(&self.$f), yaml(&other.$f)));
                }
            };
        }
        field!("guest", guest);
        field!("world", world);
        field!("seed", seed);
        field!("backend", backend);
        field!("exit", exit);
        field!("calls", calls);
        field!("responses", responses);
        field!("elapsed-ns", elapsed_ns);
        field!("stdout", stdout);
        field!("stderr", stderr);
        field!("truncated", truncated);
        match (&self.fs, &other.fs) {
            (FsView::Tree(mine), FsView::Tree(theirs)) => {
                for i in 0..mine.len().max(theirs.len()) {
                    let (a, b) = (mine.get(i), theirs.get(i));
                    if a != b {
                        let at = a.or(b).map(|e| e.path.clone()).unwrap_or_default();
                        return Some((format!("fs[{i}] ({at})"), yaml(&a), yaml(&b)));
                    }
                }
            }
            (a, b) if a != b => return Some(("fs".to_string(), yaml(a), yaml(b))),
            _ => {}
        }
        for i in 0..self.http.len().max(other.http.len()) {
            let (a, b) = (self.http.get(i), other.http.get(i));
            if a != b {
                return Some((format!("http[{i}]"), yaml(&a), yaml(&b)));
            }
        }
        field!("faults", faults);
        if self.journal != other.journal {
            let line = self.divergence(other).unwrap_or_default();
            return Some(("journal".to_string(), line, String::new()));
        }
        None
    }

    /// Where the journals of two runs part, when both kept one: the line
    /// [`crate::journal::first_divergence`] writes, `self` as expected.
    pub fn divergence(&self, other: &RunReport) -> Option<String> {
        crate::journal::first_divergence(self.journal.as_deref()?, other.journal.as_deref()?)
    }

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

/// The final filesystem as a report shows it. Serialized as a list of
/// entries, or as a map for the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FsView {
    /// Every entry, in [`MemFs::walk`] order.
    Tree(Vec<FsEntry>),
    /// A digest of the entries.
    Digest(FsDigest),
}

/// A whole tree in a few numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FsDigest {
    /// Directories, the root not counted.
    pub dirs: u64,
    /// Regular files.
    pub files: u64,
    /// Symbolic links.
    pub symlinks: u64,
    /// Bytes in all regular files.
    pub bytes: u64,
    /// sha256, in hex, of the YAML listing that [`FsReport::Tree`] would
    /// have reported: any change to any entry changes it.
    pub sha256: String,
}

impl Default for FsView {
    fn default() -> Self {
        FsView::Tree(Vec::new())
    }
}

impl FsView {
    /// The view of `fs` that `how` asks for.
    pub fn of(fs: &MemFs, how: FsReport) -> Self {
        let entries = fs_entries(fs);
        match how {
            FsReport::Tree => FsView::Tree(entries),
            FsReport::Digest => {
                let count = |k: Kind| entries.iter().filter(|e| e.kind == k).count() as u64;
                let listing = yaml_listing(&entries);
                FsView::Digest(FsDigest {
                    dirs: count(Kind::Dir),
                    files: count(Kind::File),
                    symlinks: count(Kind::Symlink),
                    bytes: entries.iter().filter_map(|e| e.size).sum(),
                    sha256: hex(&Sha256::digest(listing.as_bytes())),
                })
            }
        }
    }

    /// The listed entries; none for a digest.
    pub fn entries(&self) -> &[FsEntry] {
        match self {
            FsView::Tree(entries) => entries,
            FsView::Digest(_) => &[],
        }
    }
}

/// `entries` as the YAML block sequence serde_yaml_ng writes for them,
/// byte for byte. Entries made only of plain words (a path of letters,
/// digits and `/._-`, a kind, numbers, a hex digest that cannot pass for
/// a number) are written directly; any other entry goes through
/// serde_yaml_ng.
pub fn yaml_listing(entries: &[FsEntry]) -> String {
    use std::fmt::Write as _;
    if entries.is_empty() {
        return "[]\n".to_string();
    }
    let mut out = String::with_capacity(entries.len() * 128);
    for e in entries {
        let plain_path = e.path.starts_with('/')
            && e.path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b));
        // A hex string with no letter but `e` could read as a number, and
        // serde_yaml_ng would quote it.
        let plain_digest = e.sha256.as_deref().is_none_or(|h| {
            h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && h.bytes().any(|b| matches!(b, b'a'..=b'd' | b'f'))
        });
        if !plain_path || !plain_digest || e.text.is_some() || e.target.is_some() {
            out.push_str(&serde_yaml_ng::to_string(std::slice::from_ref(e)).expect("an entry always serializes"));
            continue;
        }
        let kind = match e.kind {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
        };
        for piece in ["- path: ", &e.path, "\n  kind: ", kind, "\n"] {
            out.push_str(piece);
        }
        if let Some(size) = e.size {
            let _ = writeln!(out, "  size: {size}");
        }
        if let Some(nlink) = e.nlink {
            let _ = writeln!(out, "  nlink: {nlink}");
        }
        if let Some(h) = &e.sha256 {
            for piece in ["  sha256: ", h, "\n"] {
                out.push_str(piece);
            }
        }
    }
    out
}

/// The report's view of a MemFs tree.
pub fn fs_entries(fs: &MemFs) -> Vec<FsEntry> {
    // Contents to hash, by entry index; hashed after the walk, on every
    // core when there are enough bytes to pay for the threads.
    let mut to_hash: Vec<(usize, &[u8])> = Vec::new();
    let mut entries: Vec<FsEntry> = fs
        .walk()
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut entry = FsEntry {
                path: e.path,
                kind: e.kind,
                size: None,
                nlink: None,
                text: None,
                sha256: None,
                target: None,
            };
            match e.kind {
                Kind::Dir => {}
                Kind::Symlink => {
                    let t = fs.content(e.ino).unwrap_or_default();
                    entry.target = Some(String::from_utf8_lossy(t).into_owned());
                }
                Kind::File => {
                    let data = fs.content(e.ino).unwrap_or_default();
                    let meta = fs.metadata_of(e.ino);
                    entry.size = Some(data.len() as u64);
                    entry.nlink = (meta.nlink > 1).then_some(meta.nlink);
                    match std::str::from_utf8(data) {
                        Ok(text) if data.len() <= INLINE_TEXT_LIMIT => entry.text = Some(text.to_string()),
                        _ => to_hash.push((i, data)),
                    }
                }
            }
            entry
        })
        .collect();
    for (i, digest) in sha256_all(&to_hash) {
        entries[i].sha256 = Some(digest);
    }
    entries
}

/// Bytes of content below which hashing stays on the calling thread.
const PARALLEL_HASH_BYTES: usize = 1 << 20;

/// The hex sha256 of each content, with its index, in the order given.
fn sha256_all(contents: &[(usize, &[u8])]) -> Vec<(usize, String)> {
    let hash = |part: &[(usize, &[u8])]| part.iter().map(|&(i, d)| (i, hex(&Sha256::digest(d)))).collect::<Vec<_>>();
    let total: usize = contents.iter().map(|(_, d)| d.len()).sum();
    // Asked only for large trees: the answer costs file reads (cgroups).
    let threads = if total < PARALLEL_HASH_BYTES { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
    if threads < 2 {
        return hash(contents);
    }
    let per_thread = contents.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = contents.chunks(per_thread).map(|part| s.spawn(move || hash(part))).collect();
        parts.into_iter().flat_map(|p| p.join().expect("hashing never panics")).collect()
    })
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits: Vec<u8> = bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]).collect();
    String::from_utf8(digits).expect("hex digits are ASCII")
}
