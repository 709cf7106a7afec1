//! JUnit XML for `test --junit`, written by quick-junit: one test case per
//! scenario and world, a failure whose message names where the report
//! left its golden, and an error where the case could not run.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// One scenario in one world, as it ended.
pub struct Case {
    /// The scenario file (JUnit's `classname`).
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The world it ran in (`p1`, `p2`, `p3`, or `?` when it never ran).
    pub world: String,
    /// How long it took.
    pub time: Duration,
    /// How it ended.
    pub outcome: Outcome,
}

/// How a case ended.
pub enum Outcome {
    /// The report matched its golden (or was accepted as it).
    Passed,
    /// The report differs from its golden, or there is none yet: `message`
    /// on one line, `detail` the diff or what happened.
    Failed { message: String, detail: String },
    /// The case could not run (bad input, a harness error).
    Error { message: String },
}

/// Where `new` first differs from `old`, on one line: the line number and
/// both lines.
pub fn first_changed_line(old: &str, new: &str) -> String {
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

/// The JUnit document for `cases`, in one test suite named `name`.
pub fn render(name: &str, cases: Vec<Case>) -> Result<String, quick_junit::SerializeError> {
    let mut suite = TestSuite::new(name);
    let total: Duration = cases.iter().map(|c| c.time).sum();
    for c in cases {
        let status = match c.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Failed { message, detail } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(message).set_description(detail);
                s
            }
            Outcome::Error { message } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(message);
                s
            }
        };
        let mut case = TestCase::new(format!("{} ({})", c.scenario, c.world), status);
        case.set_classname(c.file).set_time(c.time);
        suite.add_test_case(case);
    }
    suite.set_time(total);
    let mut report = Report::new(name);
    report.set_time(total).add_test_suite(suite);
    report.to_string()
}
