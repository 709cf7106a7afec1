//! JUnit XML for a suite run, the format CI systems read: one test case per
//! scenario and world, a failure that names the first line where the report
//! left its golden, and an error where the case could not run.

use std::fmt::Write as _;

/// One scenario in one world, as it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The scenario file (JUnit's `classname`).
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The world it ran in (`p1`, `p2`, `p3`, or `?` when it never ran).
    pub world: String,
    /// How long it took, in seconds.
    pub seconds: f64,
    /// Whether it passed.
    pub outcome: Outcome,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The report matched its golden (or was accepted as it).
    Passed,
    /// The report differs from its golden, or there is none yet.
    Failed {
        /// One line: where the report first differs.
        message: String,
        /// The unified diff, or what happened.
        detail: String,
    },
    /// The case could not run (bad input, a harness error).
    Error {
        /// The error, on one line.
        message: String,
    },
}

/// Where `new` first differs from `old`, on one line: the line number and
/// both lines.
pub fn first_difference(old: &str, new: &str) -> String {
    let (mut a, mut b) = (old.lines(), new.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => return format!("line {n}: golden `{}`, report `{}`", x.trim(), y.trim()),
            (Some(x), None) => return format!("line {n}: golden `{}`, report ends", x.trim()),
            (None, Some(y)) => return format!("line {n}: golden ends, report `{}`", y.trim()),
            (None, None) => break,
        }
    }
    "the reports differ only in trailing whitespace".into()
}

/// The JUnit document for `cases`, in one `<testsuite>` named `suite`.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let count = |f: fn(&Outcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    let failures = count(|o| matches!(o, Outcome::Failed { .. }));
    let errors = count(|o| matches!(o, Outcome::Error { .. }));
    let seconds: f64 = cases.iter().map(|c| c.seconds).sum();
    let head = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{seconds:.3}\"",
        cases.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"{}\" {head}>", escape(suite));
    let _ = writeln!(out, "  <testsuite name=\"{}\" {head}>", escape(suite));
    for c in cases {
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{} ({})\" time=\"{:.3}\"",
            escape(&c.file),
            escape(&c.scenario),
            escape(&c.world),
            c.seconds
        );
        match &c.outcome {
            Outcome::Passed => {
                let _ = writeln!(out, "{open}/>");
            }
            Outcome::Failed { message, detail } => {
                let _ = writeln!(out, "{open}>");
                let _ = writeln!(out, "      <failure message=\"{}\">{}</failure>", escape(message), escape(detail));
                let _ = writeln!(out, "    </testcase>");
            }
            Outcome::Error { message } => {
                let _ = writeln!(out, "{open}>");
                let _ = writeln!(out, "      <error message=\"{}\"/>", escape(message));
                let _ = writeln!(out, "    </testcase>");
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text as XML character data or an attribute value. Characters XML 1.0
/// cannot carry at all (most controls) become U+FFFD.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
