//! What a plan says: the fault kinds, their text form, and drawing faults
//! from a seed.

use std::fmt;
use std::time::Duration;

/// Where a fault strikes: the host call whose occurrences it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// A write to a file (a stream write or `descriptor.write`).
    FsWrite,
    /// A read from a file.
    FsRead,
    /// `sync` or `sync-data`.
    FsSync,
    /// `rename-at`.
    FsRename,
    /// An outgoing HTTP request.
    Http,
    /// A read of the wall clock.
    WallClock,
    /// A read of stdin.
    StdinRead,
}

impl Site {
    /// How the report names it: `fs.write`.
    pub fn name(self) -> &'static str {
        match self {
            Site::FsWrite => "fs.write",
            Site::FsRead => "fs.read",
            Site::FsSync => "fs.sync",
            Site::FsRename => "fs.rename",
            Site::Http => "http.send",
            Site::WallClock => "clock.wall",
            Site::StdinRead => "stdin.read",
        }
    }
}

/// What kind of failure a fault is. See the table in [`crate::faults`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// A write fails with `insufficient-space`.
    NoSpace,
    /// Every write fails with `insufficient-space` once the value's bytes
    /// have been written.
    NoSpaceAfter,
    /// A read fails with `io`.
    ReadIo,
    /// A write takes half its bytes.
    ShortWrite,
    /// A read returns half its bytes.
    ShortRead,
    /// A sync fails with `io`.
    SyncIo,
    /// A rename fails with `io`.
    RenameIo,
    /// An HTTP request is answered 500.
    Http500,
    /// An HTTP request is answered 503.
    Http503,
    /// An HTTP request fails with `connection-refused`.
    HttpRefused,
    /// An HTTP request fails with `connection-terminated`.
    HttpReset,
    /// An HTTP response's body stops halfway with `connection-terminated`.
    HttpCut,
    /// An HTTP answer comes the value's nanoseconds later.
    HttpLatency,
    /// The wall clock steps back by the value's nanoseconds.
    ClockBack,
    /// The wall clock jumps forward by the value's nanoseconds.
    ClockJump,
    /// A stdin read returns half of what was asked for.
    StdinShort,
}

/// A group of kinds, as `--fault-kinds` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Every filesystem kind.
    Fs,
    /// Every HTTP kind.
    Http,
    /// The wall-clock kinds.
    Clock,
    /// Short stdin reads.
    Stdin,
}

impl Group {
    /// Every group.
    pub const ALL: [Group; 4] = [Group::Fs, Group::Http, Group::Clock, Group::Stdin];

    /// The group's name: `fs`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Fs => "fs",
            Group::Http => "http",
            Group::Clock => "clock",
            Group::Stdin => "stdin",
        }
    }

    /// The kinds in it.
    pub fn kinds(self) -> Vec<FaultKind> {
        FaultKind::ALL.iter().copied().filter(|k| k.group() == self).collect()
    }
}

impl FaultKind {
    /// Every kind, in the order of the table in [`crate::faults`].
    pub const ALL: [FaultKind; 16] = [
        FaultKind::NoSpace,
        FaultKind::NoSpaceAfter,
        FaultKind::ReadIo,
        FaultKind::ShortWrite,
        FaultKind::ShortRead,
        FaultKind::SyncIo,
        FaultKind::RenameIo,
        FaultKind::Http500,
        FaultKind::Http503,
        FaultKind::HttpRefused,
        FaultKind::HttpReset,
        FaultKind::HttpCut,
        FaultKind::HttpLatency,
        FaultKind::ClockBack,
        FaultKind::ClockJump,
        FaultKind::StdinShort,
    ];

    /// Its name: `no-space`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::NoSpace => "no-space",
            FaultKind::NoSpaceAfter => "no-space-after",
            FaultKind::ReadIo => "read-io",
            FaultKind::ShortWrite => "short-write",
            FaultKind::ShortRead => "short-read",
            FaultKind::SyncIo => "sync-io",
            FaultKind::RenameIo => "rename-io",
            FaultKind::Http500 => "http-500",
            FaultKind::Http503 => "http-503",
            FaultKind::HttpRefused => "http-refused",
            FaultKind::HttpReset => "http-reset",
            FaultKind::HttpCut => "http-cut",
            FaultKind::HttpLatency => "http-latency",
            FaultKind::ClockBack => "clock-back",
            FaultKind::ClockJump => "clock-jump",
            FaultKind::StdinShort => "stdin-short",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        FaultKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The site whose occurrences it counts.
    pub fn site(self) -> Site {
        match self {
            FaultKind::NoSpace | FaultKind::NoSpaceAfter | FaultKind::ShortWrite => Site::FsWrite,
            FaultKind::ReadIo | FaultKind::ShortRead => Site::FsRead,
            FaultKind::SyncIo => Site::FsSync,
            FaultKind::RenameIo => Site::FsRename,
            FaultKind::Http500
            | FaultKind::Http503
            | FaultKind::HttpRefused
            | FaultKind::HttpReset
            | FaultKind::HttpCut
            | FaultKind::HttpLatency => Site::Http,
            FaultKind::ClockBack | FaultKind::ClockJump => Site::WallClock,
            FaultKind::StdinShort => Site::StdinRead,
        }
    }

    /// Its group.
    pub fn group(self) -> Group {
        match self.site() {
            Site::FsWrite | Site::FsRead | Site::FsSync | Site::FsRename => Group::Fs,
            Site::Http => Group::Http,
            Site::WallClock => Group::Clock,
            Site::StdinRead => Group::Stdin,
        }
    }

    /// Does it make a call return less than asked, which only some calls
    /// may do?
    pub fn is_short(self) -> bool {
        matches!(self, FaultKind::ShortWrite | FaultKind::ShortRead)
    }

    /// What its value is: `None` when it takes none.
    fn value(self) -> Option<Value> {
        match self {
            FaultKind::NoSpaceAfter => Some(Value::Bytes),
            FaultKind::HttpLatency | FaultKind::ClockBack | FaultKind::ClockJump => Some(Value::Duration),
            _ => None,
        }
    }

    /// Does it strike at an occurrence (`#N`), rather than from a count of
    /// bytes on?
    fn has_nth(self) -> bool {
        self != FaultKind::NoSpaceAfter
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Bytes,
    Duration,
}

/// One exact fault: the `nth` occurrence of its kind's site (counting
/// only those under `under`, when given) fails as the kind says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    /// What fails, and how.
    pub kind: FaultKind,
    /// Which occurrence, from 1 (ignored by `no-space-after`).
    pub nth: u64,
    /// The kind's value: bytes for `no-space-after`, nanoseconds for the
    /// durations, else 0.
    pub value: u64,
    /// Only paths (for HTTP, URLs) that start with this count; a leading
    /// `/` is ignored for paths.
    pub under: Option<String>,
}

/// A fault that strikes each occurrence of its site with a chance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rate {
    /// What fails, and how.
    pub kind: FaultKind,
    /// The chance, in millionths.
    pub per_million: u32,
    /// The kind's value, as in [`Fault::value`].
    pub value: u64,
    /// As in [`Fault::under`].
    pub under: Option<String>,
}

/// Faults to draw from a seed: see [`crate::faults`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Draw {
    /// The fault seed.
    pub seed: u64,
    /// How many faults.
    pub count: u32,
    /// The kinds to draw from.
    pub kinds: Vec<FaultKind>,
}

/// The faults of a run. Default: none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FaultPlan {
    /// Exact faults.
    pub faults: Vec<Fault>,
    /// Faults by rate, decided by the scenario's seed.
    pub rates: Vec<Rate>,
    /// Faults drawn from a seed before the run.
    pub draw: Option<Draw>,
}

impl FaultPlan {
    /// A plan of these exact faults.
    pub fn exact(faults: Vec<Fault>) -> Self {
        FaultPlan { faults, ..FaultPlan::default() }
    }

    /// Does it plan nothing?
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty() && self.rates.is_empty() && self.draw.as_ref().is_none_or(|d| d.count == 0 || d.kinds.is_empty())
    }

    /// Reads one entry of a plan: an exact fault (`no-space#3@data/`) or
    /// a rate (`no-space~0.05`), added to the plan.
    pub fn push_text(&mut self, text: &str) -> Result<(), String> {
        match parse(text)? {
            Entry::Fault(f) => self.faults.push(f),
            Entry::Rate(r) => self.rates.push(r),
        }
        Ok(())
    }

    /// Does any of its kinds strike the filesystem?
    pub fn touches_fs(&self) -> bool {
        let fs = |k: FaultKind| k.group() == Group::Fs;
        self.faults.iter().any(|f| fs(f.kind))
            || self.rates.iter().any(|r| fs(r.kind))
            || self.draw.as_ref().is_some_and(|d| d.count > 0 && d.kinds.iter().any(|k| fs(*k)))
    }

    /// Each entry in its text form, exact faults first.
    pub fn texts(&self) -> Vec<String> {
        self.faults.iter().map(Fault::to_string).chain(self.rates.iter().map(Rate::to_string)).collect()
    }
}

impl FaultPlan {
    /// A plan from what a scenario file's `[faults]` or the command line
    /// gives: `entries` in the text form (exact faults and rates), and a
    /// draw of `count` (default 1) faults of `kinds` (default all) when
    /// `draw_seed` is given. `names` says how the source calls its keys:
    /// `(seed, kinds, count)`.
    pub fn from_parts(
        entries: &[String],
        draw_seed: Option<u64>,
        kinds: Option<&str>,
        count: Option<u32>,
        names: (&str, &str, &str),
    ) -> Result<Self, String> {
        let mut plan = FaultPlan::default();
        for e in entries {
            plan.push_text(e)?;
        }
        match draw_seed {
            Some(seed) => {
                let kinds = match kinds {
                    Some(k) => parse_kinds(k).map_err(|e| format!("{}: {e}", names.1))?,
                    None => FaultKind::ALL.to_vec(),
                };
                plan.draw = Some(Draw { seed, count: count.unwrap_or(1), kinds });
            }
            None => {
                for (given, name) in [(kinds.is_some(), names.1), (count.is_some(), names.2)] {
                    if given {
                        return Err(format!("{name}: it says what to draw, and there is no {} to draw from", names.0));
                    }
                }
            }
        }
        Ok(plan)
    }
}

/// Reads `--fault-kinds`: group names (`fs`, `http`, `clock`, `stdin`) and
/// kind names, comma-separated, each kind once, in table order.
pub fn parse_kinds(text: &str) -> Result<Vec<FaultKind>, String> {
    let mut kinds = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match (Group::ALL.into_iter().find(|g| g.name() == word), FaultKind::from_name(word)) {
            (Some(g), _) => kinds.extend(g.kinds()),
            (None, Some(k)) => kinds.push(k),
            (None, None) => {
                let groups: Vec<&str> = Group::ALL.iter().map(|g| g.name()).collect();
                return Err(format!("`{word}` is no fault kind (groups: {}; kinds: {})", groups.join(", "), kind_names()));
            }
        }
    }
    if kinds.is_empty() {
        return Err("no fault kinds given".into());
    }
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

fn kind_names() -> String {
    FaultKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

enum Entry {
    Fault(Fault),
    Rate(Rate),
}

/// `KIND[=VALUE][#N|~RATE][@PREFIX]`.
fn parse(text: &str) -> Result<Entry, String> {
    let bad = |why: String| format!("fault `{text}`: {why}");
    let (head, under) = match text.split_once('@') {
        Some((h, u)) if !u.is_empty() => (h, Some(u.to_string())),
        Some(_) => return Err(bad("nothing follows `@`".into())),
        None => (text, None),
    };
    let (head, rate) = match head.split_once('~') {
        Some((h, r)) => (h, Some(r)),
        None => (head, None),
    };
    let (head, nth) = match head.split_once('#') {
        Some((h, n)) => (h, Some(n)),
        None => (head, None),
    };
    let (name, value) = match head.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (head, None),
    };
    let kind = FaultKind::from_name(name.trim()).ok_or_else(|| bad(format!("no kind `{name}` (kinds: {})", kind_names())))?;
    let value = match (kind.value(), value) {
        (None, None) => 0,
        (None, Some(_)) => return Err(bad(format!("`{}` takes no value", kind.name()))),
        (Some(Value::Bytes), None) => return Err(bad(format!("`{}` needs a byte count: `{}=4096`", kind.name(), kind.name()))),
        (Some(Value::Duration), None) => return Err(bad(format!("`{}` needs a duration: `{}=250ms`", kind.name(), kind.name()))),
        (Some(Value::Bytes), Some(v)) => v.parse::<u64>().map_err(|_| bad(format!("`{v}` is not a byte count")))?,
        (Some(Value::Duration), Some(v)) => parse_duration(v).map_err(bad)?,
    };
    if let Some(rate) = rate {
        if nth.is_some() {
            return Err(bad("give `#N` or `~RATE`, not both".into()));
        }
        if !kind.has_nth() {
            return Err(bad(format!("`{}` strikes once its bytes are written; it takes no rate", kind.name())));
        }
        let p: f64 = rate.parse().map_err(|_| bad(format!("`{rate}` is not a number")))?;
        if !(p > 0.0 && p <= 1.0) {
            return Err(bad(format!("the rate `{rate}` is not in (0, 1]")));
        }
        let per_million = (p * 1e6).round().max(1.0) as u32;
        return Ok(Entry::Rate(Rate { kind, per_million, value, under }));
    }
    let nth = match nth {
        None => 1,
        Some(_) if !kind.has_nth() => return Err(bad(format!("`{}` strikes once its bytes are written; it takes no `#N`", kind.name()))),
        Some(n) => match n.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(bad(format!("`#{n}` is not an occurrence (1, 2, …)"))),
        },
    };
    Ok(Entry::Fault(Fault { kind, nth, value, under }))
}

/// `250ms`, `5s`, `1h`…: a whole number and a unit.
fn parse_duration(text: &str) -> Result<u64, String> {
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (n, unit) = text.split_at(digits);
    let scale = UNITS.iter().find(|(u, _)| *u == unit).map(|(_, s)| *s);
    match (n.parse::<u64>(), scale) {
        (Ok(n), Some(scale)) => n.checked_mul(scale).ok_or_else(|| format!("`{text}` is too long a duration")),
        _ => Err(format!("`{text}` is not a duration (`250ms`, `5s`, `1h`, `1d`)")),
    }
}

const UNITS: [(&str, u64); 7] = [
    ("d", 86_400_000_000_000),
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// A duration in the largest unit that divides it.
fn duration_text(ns: u64) -> String {
    let (unit, scale) = UNITS.iter().find(|(_, s)| ns % s == 0 && ns > 0).copied().unwrap_or(("s", 1_000_000_000));
    format!("{}{unit}", ns / scale)
}

fn write_value(f: &mut fmt::Formatter<'_>, kind: FaultKind, value: u64) -> fmt::Result {
    match kind.value() {
        None => Ok(()),
        Some(Value::Bytes) => write!(f, "={value}"),
        Some(Value::Duration) => write!(f, "={}", duration_text(value)),
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        write_value(f, self.kind, self.value)?;
        if self.kind.has_nth() {
            write!(f, "#{}", self.nth)?;
        }
        if let Some(u) = &self.under {
            write!(f, "@{u}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        write_value(f, self.kind, self.value)?;
        let p = format!("{:.6}", f64::from(self.per_million) / 1e6);
        write!(f, "~{}", p.trim_end_matches('0').trim_end_matches('.'))?;
        if let Some(u) = &self.under {
            write!(f, "@{u}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match parse(s)? {
            Entry::Fault(f) => Ok(f),
            Entry::Rate(_) => Err(format!("fault `{s}`: a rate is not an exact fault")),
        }
    }
}

/// A 64-bit mix (splitmix64's finalizer): the fault seed's only source of
/// choices, so a draw is the same on every machine.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Values drawn for the kinds that take one.
const LATENCIES: [Duration; 3] = [Duration::from_millis(50), Duration::from_millis(500), Duration::from_secs(5)];
const STEPS: [Duration; 3] = [Duration::from_secs(1), Duration::from_secs(3600), Duration::from_secs(86_400)];

impl Draw {
    /// The exact faults this draw gives, where the run without them had
    /// `sites` occurrences for each kind: each fault picks a kind that
    /// could strike at least once, then one of its occurrences. A draw
    /// among no such kinds gives nothing.
    pub fn resolve(&self, sites: &super::SiteCounts) -> Vec<Fault> {
        let live: Vec<FaultKind> = self.kinds.iter().copied().filter(|k| sites.could_strike(*k)).collect();
        if live.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Fault> = Vec::new();
        let mut state = mix(self.seed);
        let mut next = || {
            state = mix(state);
            state
        };
        for _ in 0..self.count {
            // A few tries to avoid drawing one fault twice; a repeat left
            // after them is dropped.
            for _ in 0..8 {
                let kind = live[(next() % live.len() as u64) as usize];
                let pick = next();
                let (nth, value) = match kind {
                    FaultKind::NoSpaceAfter => (1, pick % sites.bytes_written.max(1)),
                    FaultKind::HttpLatency => (1 + pick % sites.of(kind), LATENCIES[(next() % 3) as usize].as_nanos() as u64),
                    FaultKind::ClockBack | FaultKind::ClockJump => {
                        (1 + pick % sites.of(kind), STEPS[(next() % 3) as usize].as_nanos() as u64)
                    }
                    _ => (1 + pick % sites.of(kind), 0),
                };
                let fault = Fault { kind, nth, value, under: None };
                if !out.iter().any(|f| f.kind == fault.kind && f.nth == fault.nth) {
                    out.push(fault);
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_reads_back_as_written() {
        for text in ["no-space#3@data/", "no-space-after=4096", "http-latency=250ms#2", "clock-back=1h", "stdin-short#4", "read-io~0.05@logs/"] {
            let mut plan = FaultPlan::default();
            plan.push_text(text).unwrap();
            let shown = plan.texts();
            let expected = if text == "clock-back=1h" { "clock-back=1h#1" } else { text };
            assert_eq!(shown, [expected]);
        }
        let refused = |t: &str| FaultPlan::default().push_text(t).unwrap_err();
        assert_eq!(refused("no-space#0"), "fault `no-space#0`: `#0` is not an occurrence (1, 2, …)");
        assert!(refused("disk-on-fire").starts_with("fault `disk-on-fire`: no kind `disk-on-fire` (kinds: no-space, "));
        assert_eq!(refused("http-latency"), "fault `http-latency`: `http-latency` needs a duration: `http-latency=250ms`");
        assert_eq!(refused("no-space~2"), "fault `no-space~2`: the rate `2` is not in (0, 1]");
        assert_eq!(refused("no-space-after=10#2"), "fault `no-space-after=10#2`: `no-space-after` strikes once its bytes are written; it takes no `#N`");
        assert_eq!(parse_kinds("http,stdin").unwrap().len(), 7);
        assert!(parse_kinds("fs,disk").unwrap_err().starts_with("`disk` is no fault kind"));
    }
}
