//! Comparing reports: the first field where two differ, where their
//! journals part, and the one unified diff every failure message uses.

use super::{FsView, RunReport};
use serde::Serialize;

impl RunReport {
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
}

/// The unified diff of two texts, each headed by its name.
pub fn unified_diff(left_name: &str, left: &str, right_name: &str, right: &str) -> String {
    similar::TextDiff::from_lines(left, right).unified_diff().header(left_name, right_name).to_string()
}
