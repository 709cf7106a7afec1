//! The text form of a plan: `KIND[=VALUE][#N|~RATE][@PREFIX]` entries,
//! durations, kind lists, and how faults print.

use super::kind::{FaultKind, Group, Value};
use super::plan::{Draw, Fault, FaultPlan, Rate};
use crate::quote::one_line;
use std::fmt;

/// A plan, a fault or a list of kinds that does not read: what, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// What does not read, as its source names it: ``fault `no-space#0` ``,
    /// `--fault-kinds`, ``field `faults.count` ``; empty when the reason
    /// says it.
    pub subject: String,
    /// Why.
    pub reason: String,
}

impl PlanError {
    fn new(subject: &str, reason: impl Into<String>) -> Self {
        PlanError { subject: subject.to_string(), reason: reason.into() }
    }

    /// The same error, said of `subject` (the key that held the text).
    pub fn at(self, subject: &str) -> Self {
        PlanError { subject: subject.to_string(), reason: self.to_string() }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.subject.as_str() {
            "" => f.write_str(&one_line(&self.reason)),
            subject => write!(f, "{}: {}", one_line(subject), one_line(&self.reason)),
        }
    }
}

impl std::error::Error for PlanError {}

impl FaultPlan {
    /// Reads one entry of a plan: an exact fault (`no-space#3@data/`) or
    /// a rate (`no-space~0.05`), added to the plan.
    pub fn push_text(&mut self, text: &str) -> Result<(), PlanError> {
        match parse(text)? {
            Entry::Fault(f) => self.faults.push(f),
            Entry::Rate(r) => self.rates.push(r),
        }
        Ok(())
    }

    /// A plan of exactly `struck`, faults as a report lists them (each
    /// read back as it was written).
    pub(crate) fn struck(struck: &[String]) -> Self {
        let mut plan = FaultPlan::default();
        for f in struck {
            plan.push_text(f).expect("a struck fault reads back");
        }
        plan
    }

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
    ) -> Result<Self, PlanError> {
        let mut plan = FaultPlan::default();
        for e in entries {
            plan.push_text(e)?;
        }
        match draw_seed {
            Some(seed) => {
                let kinds = match kinds {
                    Some(k) => parse_kinds(k).map_err(|e| e.at(names.1))?,
                    None => FaultKind::ALL.to_vec(),
                };
                plan.draw = Some(Draw { seed, count: count.unwrap_or(1), kinds });
            }
            None => {
                for (given, name) in [(kinds.is_some(), names.1), (count.is_some(), names.2)] {
                    if given {
                        return Err(PlanError::new(name, format!("it says what to draw, and there is no {} to draw from", names.0)));
                    }
                }
            }
        }
        Ok(plan)
    }
}

/// Reads `--fault-kinds`: group names (`fs`, `http`, `clock`, `stdin`) and
/// kind names, comma-separated, each kind once, in table order.
pub fn parse_kinds(text: &str) -> Result<Vec<FaultKind>, PlanError> {
    let mut kinds = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match (Group::ALL.into_iter().find(|g| g.name() == word), FaultKind::from_name(word)) {
            (Some(g), _) => kinds.extend(g.kinds()),
            (None, Some(k)) => kinds.push(k),
            (None, None) => {
                let groups: Vec<&str> = Group::ALL.iter().map(|g| g.name()).collect();
                return Err(PlanError::new("", format!("`{word}` is no fault kind (groups: {}; kinds: {})", groups.join(", "), kind_names())));
            }
        }
    }
    if kinds.is_empty() {
        return Err(PlanError::new("", "no fault kinds given"));
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
fn parse(text: &str) -> Result<Entry, PlanError> {
    let bad = |why: String| PlanError::new(&format!("fault `{text}`"), why);
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
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, PlanError> {
        match parse(s)? {
            Entry::Fault(f) => Ok(f),
            Entry::Rate(_) => Err(PlanError::new(&format!("fault `{s}`"), "a rate is not an exact fault")),
        }
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
        let refused = |t: &str| FaultPlan::default().push_text(t).unwrap_err().to_string();
        assert_eq!(refused("no-space#0"), "fault `no-space#0`: `#0` is not an occurrence (1, 2, …)");
        assert!(refused("disk-on-fire").starts_with("fault `disk-on-fire`: no kind `disk-on-fire` (kinds: no-space, "));
        assert_eq!(refused("http-latency"), "fault `http-latency`: `http-latency` needs a duration: `http-latency=250ms`");
        assert_eq!(refused("no-space~2"), "fault `no-space~2`: the rate `2` is not in (0, 1]");
        assert_eq!(refused("no-space-after=10#2"), "fault `no-space-after=10#2`: `no-space-after` strikes once its bytes are written; it takes no `#N`");
        assert_eq!(parse_kinds("http,stdin").unwrap().len(), 7);
        assert!(parse_kinds("fs,disk").unwrap_err().to_string().starts_with("`disk` is no fault kind"));
    }
}
