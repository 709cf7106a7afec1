//! The views the pages are made of: a run, a pair of runs, a suite and an
//! exploration. Each takes an `id` its elements' ids start with, so one
//! page can hold several.

use super::SuiteCase;
use super::timeline::timeline;
use crate::explore::Exploration;
use crate::memfs::Kind;
use crate::report::{Exit, FsEntry, FsView, Output, RunReport, unified_diff};
use crate::suite::CaseOutcome;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// One run: its summary, its output and tree, and its timeline.
pub(super) fn run(r: &RunReport, id: &str) -> Markup {
    html! {
        (summary(r))
        (contents(r))
        (timeline_section(r, id, None))
    }
}

/// Two runs: where they part, both timelines side by side with that call
/// marked, the unified diff of their reports, and both reports.
pub(super) fn pair((ln, l): (&str, &RunReport), (rn, r): (&str, &RunReport), id: &str) -> Markup {
    let at = match (&l.journal, &r.journal) {
        (Some(a), Some(b)) => crate::journal::divergence_index(a, b),
        _ => None,
    };
    let first = l.first_difference(r);
    let (lt, rt) = (l.to_yaml(), r.to_yaml());
    html! {
        section.difference {
            @match (l.divergence(r), &first) {
                (Some(line), _) => p.divergence { (line) },
                (None, Some((field, _, _))) => p.divergence { "The reports first differ at `" (field) "`." },
                (None, None) => p.passed { "The reports are equal." },
            }
            @if let Some((field, a, b)) = &first {
                @if field != "journal" {
                    div.sides {
                        div { h3 { (field) " in " (ln) } pre { (a) } }
                        div { h3 { (field) " in " (rn) } pre { (b) } }
                    }
                }
            }
        }
        div.sides {
            div { h2 { (ln) } (summary(l)) (timeline_section(l, &format!("{id}-left"), at)) }
            div { h2 { (rn) } (summary(r)) (timeline_section(r, &format!("{id}-right"), at)) }
        }
        @if lt != rt {
            section.diff { h2 { "the reports, diffed" } (diff(&unified_diff(ln, &lt, rn, &rt))) }
        }
        details.reports {
            summary { "both reports: output, final tree, calls, HTTP" }
            div.sides {
                div { h3 { (ln) } (contents(l)) }
                div { h3 { (rn) } (contents(r)) }
            }
        }
    }
}

/// A unified diff, each line colored by what it does.
fn diff(text: &str) -> Markup {
    html! {
        pre.diff {
            @for line in text.lines() {
                @let class = match line.as_bytes().first() {
                    Some(b'+') if !line.starts_with("+++") => "add",
                    Some(b'-') if !line.starts_with("---") => "del",
                    Some(b'@') => "hunk",
                    _ => "same",
                };
                span.(class) { (line) } "\n"
            }
        }
    }
}

fn summary(r: &RunReport) -> Markup {
    let failed = !matches!(r.exit, Exit::Status(0));
    html! {
        dl.summary {
            dt { "guest" } dd { (r.guest) }
            dt { "world" } dd { (r.world) }
            dt { "seed" } dd { (r.seed) }
            dt { "end" } dd.end.failed[failed] { (r.exit) }
            dt { "virtual time" } dd { (r.elapsed_ns) " ns" }
        }
    }
}

/// What a run left: its output, tree, calls, responses, HTTP, faults and
/// schedule.
fn contents(r: &RunReport) -> Markup {
    html! {
        section.stdout { h2 { "stdout" } (output(&r.stdout)) }
        section.stderr { h2 { "stderr" } (output(&r.stderr)) }
        @if !r.truncated.is_empty() {
            p.note { "truncated at the capture limit: " (r.truncated.join(", ")) }
        }
        section.fs { h2 { "final filesystem" } (tree(&r.fs)) }
        @if !r.calls.is_empty() { section.calls { h2 { "calls" } (yaml(&r.calls)) } }
        @if !r.responses.is_empty() { section.responses { h2 { "requests served" } (yaml(&r.responses)) } }
        @if !r.http.is_empty() { section.http { h2 { "HTTP exchanges" } (yaml(&r.http)) } }
        @if let Some(f) = &r.faults { section.faults { h2 { "faults" } (yaml(f)) } }
        @if let Some(s) = &r.schedule { section.schedule { h2 { "schedule" } (yaml(s)) } }
    }
}

fn timeline_section(r: &RunReport, id: &str, mark: Option<usize>) -> Markup {
    html! {
        section.journal {
            h2 { "timeline" }
            @match &r.journal {
                Some(lines) => (timeline(lines, id, mark)),
                None => p.note { "No journal: run with --journal (or journal = true in the scenario) to see every host call along virtual time." },
            }
        }
    }
}

fn output(o: &Output) -> Markup {
    match o {
        Output::Text(t) if t.is_empty() => html! { p.none { "(nothing)" } },
        Output::Text(t) => html! { pre { (t) } },
        Output::Binary { base64 } => html! { p { "not UTF-8; base64:" } pre { (base64) } },
    }
}

/// A part of the report as YAML, for the parts with no view of their own.
fn yaml<T: serde::Serialize>(value: &T) -> Markup {
    html! { pre { (serde_yaml_ng::to_string(value).unwrap_or_default()) } }
}

/// The final tree, each directory a `details` holding its entries.
fn tree(fs: &FsView) -> Markup {
    match fs {
        FsView::Digest(d) => yaml(d),
        FsView::Tree(entries) if entries.is_empty() => html! { p.none { "(no filesystem)" } },
        FsView::Tree(entries) => {
            // Each directory's entries, in the walk's order.
            let mut children: BTreeMap<&str, Vec<&FsEntry>> = BTreeMap::new();
            for e in entries.iter().filter(|e| e.path != "/") {
                let parent = e.path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
                children.entry(parent).or_default().push(e);
            }
            let root = entries.iter().find(|e| e.path == "/");
            html! {
                ul.tree {
                    @match root {
                        Some(root) => (entry(root, &children)),
                        None => @for e in children.get("/").into_iter().flatten() { (entry(e, &children)) },
                    }
                }
            }
        }
    }
}

/// One entry of the tree, with its own entries under it.
fn entry(e: &FsEntry, children: &BTreeMap<&str, Vec<&FsEntry>>) -> Markup {
    let name = if e.path == "/" { "/" } else { e.path.rsplit('/').next().unwrap_or(&e.path) };
    let under = children.get(e.path.as_str());
    html! {
        @if matches!(e.kind, Kind::Dir) {
            li.dir {
                details open {
                    summary { (name) @if e.path != "/" { "/" } }
                    @if let Some(under) = under {
                        ul { @for c in under { (entry(c, children)) } }
                    }
                }
            }
        } @else {
            li.file {
                span.name { (name) }
                @if let Some(size) = e.size { span.size { (size) " B" } }
                @if let Some(target) = &e.target { span.target { "→ " (target) } }
                @if let Some(sha) = &e.sha256 { span.digest { "sha256 " (sha) } }
                @if let Some(text) = &e.text { pre.content { (text) } }
            }
        }
    }
}

/// A report's YAML read back, for the views drawn from a golden's text.
fn parse(text: &str) -> Option<RunReport> {
    serde_yaml_ng::from_str(text).ok()
}

/// A suite: the table of cases, then each case's view, shown when its
/// row's link is followed (`section.case:target`).
pub(super) fn suite(cases: &[SuiteCase<'_>]) -> Markup {
    let failed = cases.iter().filter(|c| !c.result.passed()).count();
    html! {
        p.summary.failed[failed > 0] {
            (cases.len()) " case" @if cases.len() != 1 { "s" } ", "
            @if failed == 0 { "all passed" } @else { (failed) " failed" }
        }
        table.cases {
            thead { tr { th { "#" } th { "scenario" } th { "world" } th { "result" } th.num { "ms" } th { "file" } } }
            tbody {
                @for (i, c) in cases.iter().enumerate() {
                    @let r = c.result;
                    @let (word, passed) = (r.outcome.label(), r.passed());
                    tr data-result=(word) {
                        td.num { (i + 1) }
                        td { a href={ "#case-" (i + 1) } { (r.scenario) } }
                        td { (r.world_name()) }
                        td.passed[passed].failed[!passed] { (word) }
                        td.num { (format!("{:.1}", c.time.as_secs_f64() * 1000.0)) }
                        td { code { (r.file.display()) } }
                    }
                }
            }
        }
        @for (i, c) in cases.iter().enumerate() {
            @let r = c.result;
            @let id = format!("case-{}", i + 1);
            section.case id=(id) {
                h2 { (r.scenario) " (" (r.world_name()) "): " (r.outcome.label()) }
                p { code { (r.file.display()) } " · " a href="#" { "back to the table" } }
                (case(c, &id))
            }
        }
    }
}

/// One case's view: its run, or the golden and the new report side by
/// side, or why it failed.
fn case(c: &SuiteCase<'_>, id: &str) -> Markup {
    let r = c.result;
    let report = r.report.as_deref().and_then(parse);
    match &r.outcome {
        CaseOutcome::Mismatch { golden, old, new, .. } => match (parse(old), parse(new)) {
            (Some(o), Some(n)) => pair((&golden.display().to_string(), &o), ("new report", &n), id),
            _ => diff(&unified_diff(&golden.display().to_string(), old, "new report", new)),
        },
        CaseOutcome::Missing { golden, .. } => html! {
            p.failed { "No golden at " code { (golden.display()) } "; the new report:" }
            @if let Some(report) = &report { (run(report, id)) }
        },
        CaseOutcome::NotOneClass { classes, shown } => html! {
            p.failed { "The exploration found " (classes) " classes where the scenario asks for one." }
            pre { (shown) }
        },
        CaseOutcome::Perturbed { lines, detail } => html! {
            p.failed { "A perturbation the scenario does not allow changed the report." }
            pre { (lines.join("\n")) } pre { (detail) }
        },
        CaseOutcome::Error(e) => html! { p.failed { (e) } },
        CaseOutcome::Passed { .. } => match &report {
            Some(report) => run(report, id),
            None => html! { p.none { "(no report)" } },
        },
    }
}

/// An exploration: its settings, then its classes with their runs and
/// faults, each with the command that replays it.
pub(super) fn exploration(found: &Exploration) -> Markup {
    let most = found.classes.iter().map(|c| c.runs).max().unwrap_or(1).max(1);
    html! {
        dl.settings {
            dt { "guest" } dd { (found.guest) }
            dt { "seeds" } dd { (found.seeds.0) ".." (found.seeds.1) }
            dt { "runs" } dd { (found.runs) @if found.interrupted { " (interrupted: not every seed ran)" } }
            @if found.faults > 0 {
                dt { "faults per run" } dd { (found.faults) " drawn from " (found.kinds.join(", ")) }
            }
            @if !found.partitions.is_empty() { dt { "partitions" } dd { (found.partitions.join(", ")) } }
            @if let Some(w) = &found.walk { dt { "exhaustive walk" } dd { (yaml(w)) } }
        }
        h2 { (found.classes.len()) " class" @if found.classes.len() != 1 { "es" } }
        table.classes {
            thead { tr { th { "class" } th { "end" } th { "output" } th.num { "runs" } th {} th.num { "first seed" } th { "faults that struck" } th { "fewest that give it" } } }
            tbody {
                @for (i, c) in found.classes.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td.failed[c.exit != "status 0"] { (c.exit) }
                        td { code { (c.output) } }
                        td.num { (c.runs) }
                        td { span.bar style={ "width: " (c.runs * 12 / most) "em" } {} }
                        td.num { (c.first_seed) }
                        td { @if c.struck.is_empty() { span.none { "none" } } @else { (c.struck.join(", ")) } }
                        td {
                            @if c.struck.is_empty() { span.none { "none" } }
                            @else if c.minimal.is_empty() { span.none { "none: the seed alone gives it" } }
                            @else { (c.minimal.join(", ")) }
                        }
                    }
                }
            }
        }
        h2 { "replaying a class" }
        @for (i, c) in found.classes.iter().enumerate() {
            h3 { "class " (i + 1) ": " (c.exit) }
            pre.replay { (found.replay_command(c)) }
        }
    }
}
