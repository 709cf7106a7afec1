//! A run as one HTML page: what the report holds, and with a journal, a
//! timeline of the guest's host calls along virtual time.
//!
//! The page is self-contained (inline CSS and a few lines of inline
//! script, nothing fetched), so a CI artifact opens as it is. It is built
//! with `maud`, which escapes every value it is given: guest output, file
//! contents and journal lines are untrusted, and a guest that prints
//! `<script>` shows that text. The same report gives the same bytes.
//!
//! A timeline entry is an `li` of `#timeline` with `data-kind` (its
//! group: `fs`, `clock`, `random`, `stdio`, `http`, `env`, `other`) and
//! its call's text; a filesystem call lists the paths it names. Long
//! journals stay usable through CSS `content-visibility`, which lets the
//! browser skip laying out entries off screen.
//!
//! Next (issue 34): the pair view for `diff` and golden mismatches (the
//! first divergence marked in both timelines), the suite table for `test`
//! and `check`, the exploration view, `--html` on those commands, and the
//! screenshots in the docs chapter "Looking at a run".
//!
//! Layer L8: imports L0–L7.

use crate::memfs::Kind;
use crate::report::{Exit, FsEntry, FsView, Output, RunReport};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeMap;

/// The page of one run.
pub fn run_page(report: &RunReport) -> String {
    let title = format!("{} ({})", report.guest, report.world);
    page(&title, run_view(report)).into_string()
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
                script { (PreEscaped(SCRIPT)) }
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

fn run_view(r: &RunReport) -> Markup {
    let failed = !matches!(r.exit, Exit::Status(0));
    html! {
        section #summary {
            dl {
                dt { "guest" } dd { (r.guest) }
                dt { "world" } dd { (r.world) }
                dt { "seed" } dd { (r.seed) }
                dt { "end" } dd.end.failed[failed] { (r.exit) }
                dt { "virtual time" } dd { (r.elapsed_ns) " ns" }
            }
        }
        section #stdout { h2 { "stdout" } (output(&r.stdout)) }
        section #stderr { h2 { "stderr" } (output(&r.stderr)) }
        @if !r.truncated.is_empty() {
            p.note { "truncated at the capture limit: " (r.truncated.join(", ")) }
        }
        section #fs { h2 { "final filesystem" } (tree(&r.fs)) }
        @if !r.calls.is_empty() { section #calls { h2 { "calls" } (yaml(&r.calls)) } }
        @if !r.responses.is_empty() { section #responses { h2 { "requests served" } (yaml(&r.responses)) } }
        @if !r.http.is_empty() { section #http { h2 { "HTTP exchanges" } (yaml(&r.http)) } }
        @if let Some(f) = &r.faults { section #faults { h2 { "faults" } (yaml(f)) } }
        @if let Some(s) = &r.schedule { section #schedule { h2 { "schedule" } (yaml(s)) } }
        section #journal {
            h2 { "timeline" }
            @match &r.journal {
                Some(lines) => (timeline(lines)),
                None => p.note { "No journal: run with --journal (or journal = true in the scenario) to see every host call along virtual time." },
            }
        }
    }
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

/// The group a journal call belongs to, by its name.
fn kind_of(op: &str) -> &'static str {
    match op.split('.').next().unwrap_or("") {
        "fs" => "fs",
        "clock" => "clock",
        "random" => "random",
        "stdin" | "stdout" | "stderr" => "stdio",
        "http" => "http",
        "env" | "exit" => "env",
        _ => "other",
    }
}

/// A journal line split into its time, its call's name, its arguments
/// and its result.
fn split(line: &str) -> (&str, &str, &str, &str) {
    let (time, rest) = line.split_once(' ').unwrap_or(("", line));
    let (call, result) = rest.rsplit_once(" -> ").unwrap_or((rest, ""));
    let (op, args) = call.split_once('(').map_or((call, ""), |(op, a)| (op, a.strip_suffix(')').unwrap_or(a)));
    (time, op, args, result)
}

/// The paths a filesystem call's arguments name: its quoted strings.
fn paths(args: &str) -> Vec<&str> {
    args.split('"').skip(1).step_by(2).collect()
}

const KINDS: [(&str, &str); 7] =
    [("fs", "filesystem"), ("clock", "clocks"), ("random", "random"), ("stdio", "stdio"), ("http", "HTTP"), ("env", "environment and exit"), ("other", "other")];

fn timeline(lines: &[String]) -> Markup {
    html! {
        p.legend {
            (lines.len()) " calls. Show: "
            @for (kind, name) in KINDS {
                label.(kind) { input type="checkbox" checked data-kind=(kind); " " (name) }
                " "
            }
        }
        ol #timeline {
            @for (i, line) in lines.iter().enumerate() {
                @let (time, op, args, result) = split(line);
                @let kind = kind_of(op);
                li data-kind=(kind) data-index=(i + 1) {
                    details {
                        summary {
                            span.time { (time) }
                            " "
                            span.op.(kind) { (op) }
                            @if !result.is_empty() { " → " span.result { (result) } }
                        }
                        dl {
                            dt { "call" } dd { code { (op) "(" (args) ")" } }
                            @if !result.is_empty() { dt { "result" } dd { code { (result) } } }
                            @if kind == "fs" && !paths(args).is_empty() {
                                dt { "paths" } dd { @for p in paths(args) { code.path { (p) } " " } }
                            }
                        }
                    }
                }
            }
        }
    }
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; border-bottom: 1px solid #ddd; }
pre, code { font: 12.5px/1.4 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: .3em 0; }
dt { color: #666; } dd { margin: 0; }
.failed { color: #b00020; font-weight: bold; }
.none, .note { color: #777; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2em; }
.size, .target, .digest { color: #666; margin-left: .8em; font-size: .9em; }
#timeline { padding-left: 3.5em; }
#timeline li { content-visibility: auto; contain-intrinsic-size: auto 1.6em; }
#timeline li.hidden { display: none; }
.time { color: #777; display: inline-block; min-width: 5em; }
.op { font-weight: 600; }
.op.fs { color: #0b5394; } .op.clock { color: #7f6000; } .op.random { color: #741b47; }
.op.stdio { color: #274e13; } .op.http { color: #a61c00; } .op.env { color: #444; }
.legend label { margin-right: .6em; white-space: nowrap; }
";

/// Hides and shows the timeline's groups; the page reads whole without it.
const SCRIPT: &str = "
for (const box of document.querySelectorAll('.legend input')) {
  box.addEventListener('change', () => {
    for (const li of document.querySelectorAll('#timeline li[data-kind=\"' + box.dataset.kind + '\"]')) {
      li.classList.toggle('hidden', !box.checked);
    }
  });
}
";
