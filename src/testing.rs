//! Assertions for a test author's own tests, in as few lines as a test
//! can have:
//!
//! ```rust,no_run
//! use wasi_replay::{Scenario, assert_run};
//!
//! #[test]
//! fn app_lists_its_input() {
//!     assert_run!("tests/app.wasm", Scenario::new("app").seed(7).args(["app", "--list"]));
//! }
//! ```
//!
//! [`assert_run!`](crate::assert_run) runs the component once and asserts
//! an insta snapshot of the report's canonical YAML (named after the test,
//! reviewed with `cargo insta review`).
//! [`assert_deterministic!`](crate::assert_deterministic) runs it several
//! times and requires one report, and
//! [`assert_p2_eq_p3!`](crate::assert_p2_eq_p3) requires a guest's p2 and
//! p3 builds to leave the same report. Each returns the report. All of them
//! share one [`Harness`] per test binary (with the default compile cache,
//! so a guest compiles once, not on every `cargo test`), and a component
//! that cannot be run fails the test with the harness's one-line error.
//!
//! Layer L7: imports L0–L6.
//! `tests/all/architecture.rs` holds it.

use crate::harness::Harness;
use crate::report::{RunReport, unified_diff as diff};
use crate::scenario::Scenario;
use std::path::Path;

#[doc(hidden)]
pub use insta;

/// The harness every assertion of this test binary uses.
pub fn harness() -> &'static Harness {
    Harness::shared().unwrap_or_else(|e| panic!("wasi-replay: {e}"))
}

/// Runs `component` once with `scenario`. Panics with the harness's error
/// when it cannot be run (a guest that traps or exits is a report).
#[track_caller]
pub fn run(component: impl AsRef<Path>, scenario: &Scenario) -> RunReport {
    let h = harness();
    let guest = h.load(component).unwrap_or_else(|e| panic!("wasi-replay: {e}"));
    h.run(&guest, scenario).unwrap_or_else(|e| panic!("wasi-replay: {e}"))
}

/// Runs `component` `runs` times (at least two) and panics with a unified
/// diff at the first report that differs from the first.
#[track_caller]
pub fn deterministic(component: impl AsRef<Path>, scenario: &Scenario, runs: usize) -> RunReport {
    let h = harness();
    let guest = h.load(component.as_ref()).unwrap_or_else(|e| panic!("wasi-replay: {e}"));
    let reports = h.run_many(&guest, scenario, runs.max(2), 1).unwrap_or_else(|e| panic!("wasi-replay: {e}"));
    let first = reports[0].to_yaml();
    for (i, r) in reports.iter().enumerate().skip(1) {
        let again = r.to_yaml();
        if again != first {
            let divergence = crate::journal::heading(reports[0].divergence(r));
            let diff = diff("run 1", &first, "later", &again);
            panic!("{}: run {} differs from run 1:\n{divergence}{diff}", component.as_ref().display(), i + 1);
        }
    }
    reports.into_iter().next().expect("at least two runs")
}

/// Runs the p2 and the p3 build of one guest and panics with a unified
/// diff when their reports differ beyond the world's name. Returns the p2
/// report.
#[track_caller]
pub fn p2_eq_p3(p2: impl AsRef<Path>, p3: impl AsRef<Path>, scenario: &Scenario) -> RunReport {
    let (a, b) = (run(p2, scenario), run(p3, scenario));
    let (ya, yb) = (a.without_world().to_yaml(), b.without_world().to_yaml());
    if ya != yb {
        let divergence = crate::journal::heading(a.divergence(&b));
        panic!("the p2 and p3 reports differ:\n{divergence}{}", diff("p2", &ya, "p3", &yb));
    }
    a
}

/// Runs a component with a scenario and asserts an insta snapshot of the
/// report's YAML; evaluates to the report.
/// `assert_run!("app.wasm", Scenario::new("app").seed(7))`.
#[macro_export]
macro_rules! assert_run {
    ($component:expr, $scenario:expr $(,)?) => {{
        let report = $crate::testing::run($component, &$scenario);
        $crate::testing::insta::assert_snapshot!(report.to_yaml());
        report
    }};
}

/// Runs a component three times (or `runs` times) and asserts one report;
/// evaluates to it. `assert_deterministic!("app.wasm", scenario)`.
#[macro_export]
macro_rules! assert_deterministic {
    ($component:expr, $scenario:expr $(,)?) => {
        $crate::testing::deterministic($component, &$scenario, 3)
    };
    ($component:expr, $scenario:expr, $runs:expr $(,)?) => {
        $crate::testing::deterministic($component, &$scenario, $runs)
    };
}

/// Runs a guest's p2 and p3 builds and asserts equal reports (the world
/// set aside); evaluates to the p2 report.
/// `assert_p2_eq_p3!("app-p2.wasm", "app-p3.wasm", scenario)`.
#[macro_export]
macro_rules! assert_p2_eq_p3 {
    ($p2:expr, $p3:expr, $scenario:expr $(,)?) => {
        $crate::testing::p2_eq_p3($p2, $p3, &$scenario)
    };
}
