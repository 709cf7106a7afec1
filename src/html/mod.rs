//! Runs as HTML: one self-contained page for a run, a pair of runs, a
//! suite's cases or an exploration's classes.
//!
//! A page holds everything it shows (inline CSS and a little inline
//! script, nothing fetched), so a CI artifact opens as it is. Markup is
//! built with `maud`, which escapes every value it is given; guest output,
//! file contents and journal lines are untrusted, and a guest that prints
//! `<script>` shows that text. The same input gives the same bytes.
//!
//! - [`run_page`]: the report (exit, output, the final tree, calls,
//!   responses, HTTP, faults) and, with a journal, its timeline.
//! - [`pair_page`]: two runs side by side, where their journals part marked
//!   in both timelines, and the unified diff of their reports.
//! - [`suite_page`]: a table of cases, each linking to its run or, for a
//!   golden mismatch, to the pair of golden and new report.
//! - [`exploration_page`]: the classes, their runs, struck and fewest
//!   faults, and each class's replay command.
//!
//! The timeline (see [`timeline`]) keeps the journal as JSON in the page
//! and draws it a page of calls at a time, so a journal of a hundred
//! thousand calls stays quick to open and to scroll.
//!
//! Layer L8: imports L0–L7.

mod timeline;
mod views;

use crate::explore::Exploration;
use crate::report::RunReport;
use crate::suite::CaseResult;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The page of one run.
pub fn run_page(report: &RunReport) -> String {
    let title = format!("{} ({})", report.guest, report.world);
    page(&title, views::run(report, "run")).into_string()
}

/// The page of two runs that should have been alike: `left` is the
/// expected one (run 1, the golden, the first component), `right` the
/// one compared with it. Each is named as the page should call it.
pub fn pair_page(left_name: &str, left: &RunReport, right_name: &str, right: &RunReport) -> String {
    let title = format!("{left_name} and {right_name}");
    page(&title, views::pair((left_name, left), (right_name, right), "pair")).into_string()
}

/// One case of a suite as [`suite_page`] shows it: its result and how
/// long it took.
#[derive(Debug, Clone, Copy)]
pub struct SuiteCase<'a> {
    /// What the case gave.
    pub result: &'a CaseResult,
    /// How long it ran.
    pub time: std::time::Duration,
}

/// The page of a suite: a table of its cases (scenario, world, result,
/// time), each linking to its run, or to the golden and the new report
/// side by side when they differ.
pub fn suite_page(title: &str, cases: &[SuiteCase<'_>]) -> String {
    page(title, views::suite(cases)).into_string()
}

/// The page of an exploration: its settings and classes, each class with
/// its runs, the faults that struck and the fewest that give it, and the
/// command that replays it.
pub fn exploration_page(found: &Exploration) -> String {
    let title = format!("{}: exploration over seeds {}..{}", found.guest, found.seeds.0, found.seeds.1);
    page(&title, views::exploration(found)).into_string()
}

/// A whole page around `body`.
fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
                script { (PreEscaped(timeline::SCRIPT)) }
            }
        }
    }
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 90em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.4em; overflow-wrap: anywhere; } h2 { font-size: 1.1em; margin-top: 1.5em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1em; overflow-wrap: anywhere; }
pre, code { font: 12.5px/1.4 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: .3em 0; }
dt { color: #666; } dd { margin: 0; overflow-wrap: anywhere; }
.failed { color: #b00020; font-weight: bold; } .passed { color: #1e6b1e; }
.none, .note { color: #777; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2em; }
.size, .target, .digest { color: #666; margin-left: .8em; font-size: .9em; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5em; }
.sides > * { min-width: 0; }
.timeline ol { padding-left: 4.5em; margin: .3em 0; }
.timeline li.hidden { display: none; }
.timeline li.diverged { background: #fde7e9; outline: 1px solid #b00020; }
.timeline li.end { color: #b00020; font-style: italic; }
.timeline li.linked { background: #fff4c2; }
.pager { display: flex; gap: .5em; align-items: center; flex-wrap: wrap; }
.time { color: #777; display: inline-block; min-width: 5em; }
.op { font-weight: 600; }
.op.fs { color: #0b5394; } .op.clock { color: #7f6000; } .op.random { color: #741b47; }
.op.stdio { color: #274e13; } .op.http { color: #a61c00; } .op.env { color: #444; }
.legend label { margin-right: .6em; white-space: nowrap; }
.divergence { font-weight: 600; color: #b00020; }
pre.diff .add { color: #1e6b1e; background: #e6f4e6; } pre.diff .del { color: #b00020; background: #fde7e9; }
pre.diff .hunk { color: #5b2c83; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .15em .8em .15em 0; vertical-align: top; }
th { color: #666; font-weight: normal; border-bottom: 1px solid #ddd; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .7em; background: #6d9eeb; vertical-align: middle; }
section.case { display: none; border-top: 2px solid #ddd; margin-top: 1em; }
section.case:target { display: block; }
body:has(> section.case:target) > :is(p.summary, table.cases) { display: none; }
";
