//! What a search counts as reaching something: the guest's edges and
//! equality tests (its code instrumented, see [`crate::coverage`]), the
//! shape of its journal (its host calls, with no instrumentation), or
//! both.

/// Which features guide a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signal {
    /// Edges and how close equality tests came: the guest instrumented.
    #[default]
    Edges,
    /// The journal's shape alone: any guest, as it is.
    Journal,
    /// Both.
    Both,
}

impl Signal {
    /// Whether runs record a journal.
    pub(super) fn journal(self) -> bool {
        self != Signal::Edges
    }

    /// Whether the guest's map counts.
    pub(super) fn edges(self) -> bool {
        self != Signal::Journal
    }
}

impl std::str::FromStr for Signal {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "edges" => Ok(Signal::Edges),
            "journal" => Ok(Signal::Journal),
            "both" => Ok(Signal::Both),
            _ => Err(format!("`{s}` is not a signal: edges, journal or both")),
        }
    }
}

/// The journal's features' slots: a shape's hash falls in one.
pub(super) const JOURNAL_SLOTS: usize = 1 << 16;

/// The features of a journal, as slots below [`JOURNAL_SLOTS`], sorted,
/// each once: each call's shape (its name and the kind of its result, as
/// `stdin.read->bytes`), and each pair of consecutive shapes, with how
/// often the pair came in AFL's buckets (1, 2, 3, 4–7, 8–15, 16–31,
/// 32–127, 128 and more). Times, arguments, lengths and digests are left
/// out: a new length of output is not new behaviour, a new call or a new
/// error is.
pub(super) fn journal_features(lines: &[String]) -> Vec<u32> {
    let shapes: Vec<u64> = lines.iter().map(|l| hash(0, shape(l).as_bytes())).collect();
    let mut out: Vec<u32> = shapes.iter().map(|h| slot(*h)).collect();
    let mut pairs: std::collections::BTreeMap<u64, u32> = std::collections::BTreeMap::new();
    for w in shapes.windows(2) {
        *pairs.entry(hash(w[0], &w[1].to_le_bytes())).or_default() += 1;
    }
    for (pair, n) in pairs {
        let bucket: u8 = match n {
            1 => 1,
            2 => 2,
            3 => 3,
            4..=7 => 4,
            8..=15 => 5,
            16..=31 => 6,
            32..=127 => 7,
            _ => 8,
        };
        out.push(slot(hash(pair, &[bucket])));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A journal line's shape: `0s stdin.read() -> 17 bytes #5ced44d7` is
/// `stdin.read->bytes`; `0s fs.open-at(fd 3, "a", …) -> error no-entry`
/// is `fs.open-at->error no-entry`.
fn shape(line: &str) -> String {
    let call = line.split_once(' ').map_or(line, |(_, rest)| rest);
    let name = call.split('(').next().unwrap_or(call);
    let result = call.rsplit_once(" -> ").map_or("", |(_, r)| r);
    let words: Vec<&str> = result
        .split_whitespace()
        .take(2)
        .filter(|w| !w.starts_with('#') && !w.starts_with(|c: char| c.is_ascii_digit() || "\"[{".contains(c)))
        .collect();
    format!("{name}->{}", words.join(" "))
}

/// FNV-1a over `bytes`, from `seed`.
fn hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn slot(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32 & (JOURNAL_SLOTS as u32 - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_keeps_the_call_and_the_kind_of_its_result() {
        assert_eq!(shape("0s stdin.read() -> 17 bytes #5ced44d7"), "stdin.read->bytes");
        assert_eq!(shape("0s stdin.read() -> end"), "stdin.read->end");
        assert_eq!(shape("0s stdout.write(12 bytes #b84cf020)"), "stdout.write->");
        assert_eq!(shape("0s env.args() -> [\"a\"]"), "env.args->");
        assert_eq!(shape("5s fs.open-at(fd 3, \"a\", read) -> error no-entry"), "fs.open-at->error no-entry");
        let lines = |n: usize| -> Vec<String> { (0..n).map(|i| format!("0s stdout.write({i} bytes #0)")).collect() };
        assert_eq!(journal_features(&lines(2)), journal_features(&lines(2)));
        assert_ne!(journal_features(&lines(2)), journal_features(&lines(3)), "a pair's count is a feature");
        assert_eq!(journal_features(&lines(5)), journal_features(&lines(6)), "4 to 7 share a bucket");
    }
}
