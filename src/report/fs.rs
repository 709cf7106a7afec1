//! The final filesystem as a report shows it: every entry, or a digest,
//! and the entries' canonical YAML listing.

use super::{FsReport, INLINE_TEXT_LIMIT};
use crate::memfs::{Kind, MemFs};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
