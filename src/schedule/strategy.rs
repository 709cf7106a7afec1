//! A schedule's text: the strategy asked for, and the decisions a run took.

use std::fmt;

/// How a run picks which held operation finishes next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Today's order: nothing is held, every operation finishes when the
    /// host has it ready. No gate is built, so this costs nothing.
    #[default]
    Default,
    /// Each decision uniformly among the held operations, from `seed`
    /// (the run's seed when the text gives none).
    Random {
        /// `None`: the run's seed.
        seed: Option<u64>,
    },
    /// Probabilistic concurrency testing: each chain of operations gets a
    /// random priority, the highest held one goes first, and at `depth - 1`
    /// random steps the chain that just went drops below all others.
    Pct {
        /// The bug depth the search aims at, at least 1.
        depth: u32,
        /// `None`: the run's seed.
        seed: Option<u64>,
    },
    /// The decisions of an earlier run, given back.
    Replay(Decisions),
    /// Every schedule, depth-first: the first run takes the first-held
    /// operation at each decision, and each later run replays a prefix of
    /// an earlier one with one choice moved on, until every branch is
    /// walked or `bound` runs were made. It takes many runs, so only an
    /// exploration walks it (a single run refuses it).
    Exhaustive {
        /// The most schedules walked from one seed.
        bound: u64,
    },
}

/// The schedules `exhaustive` walks from one seed when no bound is given.
pub const EXHAUSTIVE_BOUND: u64 = 10_000;

/// The decisions of a run that differ from taking the first-held
/// operation: at the `point`-th decision (counting from 0, only where two
/// or more operations were held), the operation `choice` in order of
/// arrival (0 is the first held) went first.
///
/// Its text is `point.choice` pairs joined by `-` (`3.1-7.2`), or `-`
/// alone when every decision took the first-held operation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decisions(pub Vec<(u32, u32)>);

impl Decisions {
    /// The choice made at decision `point` (0 when not listed).
    pub fn at(&self, point: u32) -> u32 {
        self.0.iter().find(|(p, _)| *p == point).map_or(0, |(_, c)| *c)
    }
}

impl fmt::Display for Decisions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("-");
        }
        for (i, (point, choice)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            write!(f, "{point}.{choice}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Decisions {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "-" || text.is_empty() {
            return Ok(Decisions::default());
        }
        let mut out: Vec<(u32, u32)> = Vec::new();
        for pair in text.split('-') {
            let parsed = pair.split_once('.').and_then(|(p, c)| Some((p.parse::<u32>().ok()?, c.parse::<u32>().ok()?)));
            let Some((point, choice)) = parsed else {
                return Err(format!("`{pair}` is not a decision (POINT.CHOICE, e.g. 3.1)"));
            };
            if out.last().is_some_and(|(last, _)| *last >= point) {
                return Err(format!("decision points must increase: `{pair}` comes after point {}", out.last().map_or(0, |l| l.0)));
            }
            if choice > 0 {
                out.push((point, choice));
            }
        }
        Ok(Decisions(out))
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Default => f.write_str("default"),
            Strategy::Random { seed: None } => f.write_str("random"),
            Strategy::Random { seed: Some(s) } => write!(f, "random:{s}"),
            Strategy::Pct { depth, seed: None } => write!(f, "pct:{depth}"),
            Strategy::Pct { depth, seed: Some(s) } => write!(f, "pct:{depth}:{s}"),
            Strategy::Replay(d) => write!(f, "replay:{d}"),
            Strategy::Exhaustive { bound: EXHAUSTIVE_BOUND } => f.write_str("exhaustive"),
            Strategy::Exhaustive { bound } => write!(f, "exhaustive:{bound}"),
        }
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;

    /// `default`, `random`, `random:SEED`, `pct:D`, `pct:D:SEED` or
    /// `replay:DECISIONS`, `exhaustive` or `exhaustive:BOUND`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, rest) = text.split_once(':').unwrap_or((text, ""));
        let seed = |s: &str| s.parse::<u64>().map_err(|_| format!("`{s}` is not a seed (a number up to 2^64 - 1)"));
        match (name, rest) {
            ("default", "") => Ok(Strategy::Default),
            ("random", "") => Ok(Strategy::Random { seed: None }),
            ("random", s) => Ok(Strategy::Random { seed: Some(seed(s)?) }),
            ("pct", rest) => {
                let (depth, s) = rest.split_once(':').map_or((rest, None), |(d, s)| (d, Some(s)));
                let depth = match depth.parse::<u32>() {
                    Ok(d @ 1..=64) => d,
                    _ => return Err(format!("`pct:{depth}`: the depth is a number from 1 to 64")),
                };
                Ok(Strategy::Pct { depth, seed: s.map(seed).transpose()? })
            }
            ("replay", d) => Ok(Strategy::Replay(d.parse()?)),
            ("exhaustive", "") => Ok(Strategy::Exhaustive { bound: EXHAUSTIVE_BOUND }),
            ("exhaustive", b) => match b.parse::<u64>() {
                Ok(bound @ 1..) => Ok(Strategy::Exhaustive { bound }),
                _ => Err(format!("`exhaustive:{b}`: the bound is a number of schedules, at least 1")),
            },
            _ => Err(format!(
                "`{text}` is not a schedule: use default, random, random:SEED, pct:D, pct:D:SEED, replay:DECISIONS, exhaustive or exhaustive:BOUND"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back() {
        for text in ["default", "random", "random:7", "pct:2", "pct:3:11", "replay:-", "replay:0.1-4.2", "exhaustive", "exhaustive:50"] {
            let s: Strategy = text.parse().unwrap();
            assert_eq!(s.to_string(), text);
        }
        let d: Decisions = "0.0-2.1".parse().unwrap();
        assert_eq!(d.to_string(), "2.1", "a first-held choice is not a decision worth writing");
        assert_eq!(d.at(2), 1);
        assert_eq!(d.at(3), 0);
    }

    #[test]
    fn bad_texts_say_why() {
        for (text, says) in [
            ("pct", "depth"),
            ("pct:0", "depth"),
            ("pct:2:x", "seed"),
            ("replay:3", "not a decision"),
            ("replay:3.1-2.1", "increase"),
            ("fifo", "not a schedule"),
            ("exhaustive:0", "bound"),
            ("exhaustive:x", "bound"),
        ] {
            let e = text.parse::<Strategy>().unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
