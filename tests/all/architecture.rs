//! The crate's layers, read from its source: every `crate::…` path in
//! `src/` must point to the same or a lower layer, as the table in
//! CONTRIBUTING.md ("Layout") says, and no two files of one module may
//! import each other, directly or round a loop.
//!
//! Paths are read as text, with comments and string literals removed:
//! `use crate::a::B;`, `use crate::{a::B, c::D};`, inline `crate::a::f()`
//! and `$crate::` in macros all count. A root re-export (`crate::Scenario`)
//! counts as its source module. The binary (`src/main.rs`, `src/cli/`) is
//! a crate of its own that sees only the public API, so it is not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first, and what each module may import besides the
/// layers below its own. `None`: every lower layer; `Some(list)`: only
/// these modules.
const LAYERS: &[(&str, &[&str], Option<&[&str]>)] = &[
    // L0: the ground: no WASI host, no journal.
    ("L0", &["memfs", "kernel", "world", "glob", "quote", "coverage"], Some(&["memfs"])),
    // L1: the journal records calls against the kernel's clock.
    ("L1", &["journal"], Some(&["kernel"])),
    ("L2", &["faults", "schedule"], None),
    // L3: the hosts serve WASI over L0–L2 and never see a scenario or a report.
    ("L3", &["host"], None),
    // L4: report, then scenario (scenario may read report's types).
    ("L4", &["report", "scenario"], None),
    ("L5", &["harness"], None),
    ("L6", &["explore", "fuzz", "perturb", "replay"], None),
    ("L7", &["suite", "testing"], None),
    ("L8", &["catalog", "html"], None),
];

/// Imports within one layer that the table allows.
const SAME_LAYER: &[(&str, &str)] = &[("scenario", "report")];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules, _)| modules.contains(&module))
}

/// Why `from` may not import `to`, or `None` when it may.
fn forbidden(from: &str, to: &str) -> Option<String> {
    if from == to {
        return None;
    }
    let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
        return Some(format!("`{from}` or `{to}` has no layer in the table"));
    };
    let (name, _, only) = LAYERS[lf];
    if let Some(only) = only {
        return (!only.contains(&to)).then(|| format!("{name} `{from}` may import only {}", only.join(", ")));
    }
    if lt < lf || SAME_LAYER.contains(&(from, to)) {
        return None;
    }
    Some(format!("{name} `{from}` may not import {} `{to}`, a layer at or above its own", LAYERS[lt].0))
}

/// One import of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    line: usize,
    /// The path's segments after `crate` (or after `super`, resolved).
    path: Vec<String>,
}

/// `text` with comments, string literals and char literals blanked out
/// (newlines kept, so line numbers hold).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(rest.len(), |e| e + 4);
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'r' && (rest.starts_with(b"r\"") || rest.starts_with(b"r#")) && (i == 0 || !is_ident(b[i - 1])) {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = text[i + body..].find(&close).map_or(rest.len(), |e| body + e + close.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' && (rest.get(2) == Some(&b'\'') || rest.get(1) == Some(&b'\\')) {
            let end = rest[1..].iter().position(|&c| c == b'\'').map_or(1, |e| e + 2);
            let end = if rest.get(1) == Some(&b'\\') { rest[2..].iter().position(|&c| c == b'\'').map_or(2, |e| e + 3) } else { end };
            blank(&mut out, &rest[..end]);
            i += end;
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + len]);
            i += len;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every path that starts with `root::` (`crate`, `super`) in `code`,
/// groups expanded: `crate::{a::B, c}` gives `[a, B]` and `[c]`.
fn paths_from(code: &str, root: &str) -> Vec<Import> {
    let b = code.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(off) = code[at..].find(root) {
        let start = at + off;
        at = start + root.len();
        if start > 0 && is_ident(b[start - 1]) || b.get(at).is_some_and(|&c| is_ident(c)) {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        let mut tails = Vec::new();
        let mut i = at;
        read_tree(b, &mut i, &mut Vec::new(), &mut tails, true);
        for path in tails {
            if !path.is_empty() {
                found.push(Import { line, path });
            }
        }
    }
    found
}

fn skip_space(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

/// Reads `::seg::seg…`, `::{tree, tree}` or, inside a group, `seg::…`
/// from `b[*i..]`, pushing each whole path onto `out`.
fn read_tree(b: &[u8], i: &mut usize, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>, need_colons: bool) {
    let mut path = prefix.clone();
    let mut need = need_colons;
    loop {
        skip_space(b, i);
        if need {
            if !b[*i..].starts_with(b"::") {
                break;
            }
            *i += 2;
            skip_space(b, i);
        }
        need = true;
        if b.get(*i) == Some(&b'{') {
            *i += 1;
            loop {
                skip_space(b, i);
                if b.get(*i) == Some(&b'}') || *i >= b.len() {
                    *i += 1;
                    return;
                }
                read_tree(b, i, &mut path, out, false);
                skip_space(b, i);
                // `as name`, then `,` or the closing brace.
                while *i < b.len() && b[*i] != b',' && b[*i] != b'}' {
                    *i += 1;
                }
                if b.get(*i) == Some(&b',') {
                    *i += 1;
                }
            }
        }
        let start = *i;
        while *i < b.len() && is_ident(b[*i]) {
            *i += 1;
        }
        if start == *i {
            if b.get(*i) == Some(&b'*') {
                *i += 1;
            }
            break;
        }
        path.push(String::from_utf8_lossy(&b[start..*i]).into_owned());
    }
    out.push(path);
}

/// A crate's source, as (path below `src/`, text) pairs.
type Tree = Vec<(String, String)>;

/// The module a file belongs to: `host/p2.rs` and `host/mod.rs` are
/// `host`, `report.rs` is `report`.
fn module_of(file: &str) -> &str {
    let first = file.split('/').next().unwrap_or(file);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// What the crate root re-exports: `Scenario` → `scenario`.
fn root_exports(tree: &Tree) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Some((_, lib)) = tree.iter().find(|(f, _)| f == "lib.rs") else { return map };
    let code = code_only(lib);
    for line in code.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else { continue };
        let rest = rest.trim_end_matches(';');
        let mut paths = Vec::new();
        let bytes = rest.as_bytes();
        read_tree(bytes, &mut 0, &mut Vec::new(), &mut paths, false);
        for p in paths {
            if let (Some(module), Some(name)) = (p.first(), p.last())
                && p.len() > 1
            {
                map.insert(name.clone(), module.clone());
            }
        }
    }
    map
}

/// The modules `path` (after `crate`) reaches: its first segment, or the
/// module a root re-export comes from.
fn target_module(path: &[String], exports: &BTreeMap<String, String>) -> Option<String> {
    let first = path.first()?;
    if let Some(module) = exports.get(first) {
        return Some(module.clone());
    }
    Some(first.clone())
}

/// Every import that breaks the layers: `file:line: message`.
fn layer_violations(tree: &Tree) -> Vec<String> {
    let exports = root_exports(tree);
    let macros = ["assert_run", "assert_deterministic", "assert_p2_eq_p3"];
    let mut found = Vec::new();
    for (file, text) in tree {
        if file == "lib.rs" || file == "main.rs" || file.starts_with("cli/") {
            continue;
        }
        let from = module_of(file);
        let code = code_only(text);
        for root in ["crate"] {
            for import in paths_from(&code, root) {
                let Some(to) = target_module(&import.path, &exports) else { continue };
                if macros.contains(&to.as_str()) {
                    continue;
                }
                if let Some(why) = forbidden(from, &to) {
                    found.push(format!("src/{file}:{}: crate::{}: {why}", import.line, import.path.join("::")));
                }
            }
        }
    }
    found
}

/// The file a path inside module directory `dir` names, when it names a
/// file of its own: `dir/x.rs` or `dir/x/mod.rs` for a first segment `x`,
/// or the file `dir/mod.rs` re-exports `x` from.
fn file_named(tree_files: &BTreeSet<&str>, reexports: &BTreeMap<(String, String), String>, dir: &str, path: &[String]) -> Option<String> {
    let first = path.first()?;
    for candidate in [format!("{dir}/{first}.rs"), format!("{dir}/{first}/mod.rs")] {
        if tree_files.contains(candidate.as_str()) {
            return Some(candidate);
        }
    }
    reexports.get(&(dir.to_string(), first.clone())).cloned()
}

/// `dir/mod.rs`'s `pub use child::Name` lines: (dir, Name) → the child's file.
fn module_reexports(tree: &Tree, files: &BTreeSet<&str>) -> BTreeMap<(String, String), String> {
    let mut map = BTreeMap::new();
    for (file, text) in tree {
        let Some(dir) = file.strip_suffix("/mod.rs") else { continue };
        for line in code_only(text).lines() {
            let line = line.trim();
            let Some(rest) = ["pub use ", "pub(crate) use ", "pub(super) use "].iter().find_map(|p| line.strip_prefix(p)) else {
                continue;
            };
            let mut paths = Vec::new();
            read_tree(rest.trim_end_matches(';').as_bytes(), &mut 0, &mut Vec::new(), &mut paths, false);
            for p in paths {
                let (Some(child), Some(name)) = (p.first(), p.last()) else { continue };
                let child_file = [format!("{dir}/{child}.rs"), format!("{dir}/{child}/mod.rs")].into_iter().find(|f| files.contains(f.as_str()));
                if let Some(f) = child_file
                    && p.len() > 1
                {
                    map.insert((dir.to_string(), name.clone()), f);
                }
            }
        }
    }
    map
}

/// Loops among the files of one module: each a list of files that import
/// one another round a circle. A module's `mod.rs` is its face (children
/// may use what it defines), so imports of a `mod.rs` do not count.
fn file_cycles(tree: &Tree) -> Vec<Vec<String>> {
    let files: BTreeSet<&str> = tree.iter().map(|(f, _)| f.as_str()).collect();
    let reexports = module_reexports(tree, &files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in tree {
        if file == "lib.rs" || file == "main.rs" || file.starts_with("cli/") {
            continue;
        }
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        let own_dir = if file.ends_with("/mod.rs") { dir.to_string() } else { file.trim_end_matches(".rs").to_string() };
        let parent = if file.ends_with("/mod.rs") { dir.rsplit_once('/').map_or("", |(d, _)| d) } else { dir };
        let code = code_only(text);
        let mut targets = Vec::new();
        for import in paths_from(&code, "crate") {
            // crate::a::b → the file `a/b.rs` (or what `a/mod.rs` re-exports as b).
            if import.path.len() >= 2 {
                targets.push(file_named(&files, &reexports, &import.path[0], &import.path[1..]));
            }
        }
        for import in paths_from(&code, "super") {
            targets.push(file_named(&files, &reexports, parent, &import.path));
        }
        for import in paths_from(&code, "self") {
            targets.push(file_named(&files, &reexports, &own_dir, &import.path));
        }
        for t in targets.into_iter().flatten() {
            if t != *file && !t.ends_with("mod.rs") {
                edges.entry(file.clone()).or_default().insert(t);
            }
        }
    }
    strongly_connected(&edges).into_iter().filter(|c| c.len() > 1).collect()
}

/// Tarjan's strongly connected components.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        if let Some(next) = edges.get(v) {
            for w in next {
                if !s.index.contains_key(w.as_str()) {
                    visit(s, w);
                    let lw = s.low[w.as_str()];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w.as_str()) {
                    let iw = s.index[w.as_str()];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), out: Vec::new() };
    let nodes: BTreeSet<&str> = edges.iter().flat_map(|(k, v)| std::iter::once(k.as_str()).chain(v.iter().map(String::as_str))).collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// The crate's own `src/`.
fn source_tree() -> Tree {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut tree = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("src/ reads");
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rs") {
            let rel = entry.path().strip_prefix(&root).expect("below src").to_string_lossy().replace('\\', "/");
            tree.push((rel, std::fs::read_to_string(entry.path()).expect("source reads")));
        }
    }
    tree
}

fn tree(files: &[(&str, &str)]) -> Tree {
    files.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect()
}

#[test]
fn every_import_points_down_the_layers() {
    let tree = source_tree();
    assert!(tree.len() > 50, "src/ was read ({} files)", tree.len());
    let modules: BTreeSet<&str> = tree.iter().map(|(f, _)| module_of(f)).filter(|m| !["lib", "main", "cli"].contains(m)).collect();
    let unplaced: Vec<&&str> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules with no layer in the table: {unplaced:?}");
    let found = layer_violations(&tree);
    assert!(found.is_empty(), "imports that break the layers:\n{}", found.join("\n"));
}

#[test]
fn no_two_files_of_a_module_import_each_other() {
    let cycles = file_cycles(&source_tree());
    assert!(cycles.is_empty(), "files that import each other round a loop: {cycles:?}");
}

/// The checks catch what they are for, on a small made-up crate.
#[test]
fn a_forbidden_import_and_a_loop_are_found() {
    let bad = tree(&[
        ("lib.rs", "pub mod host;\npub mod scenario;\npub use scenario::Scenario;"),
        ("host/mod.rs", "//! crate::report in a comment is no import\nuse crate::memfs::MemFs;\nfn f(s: &crate::Scenario) {}\n"),
        ("kernel/clock.rs", "use crate::{memfs::TimeSource, faults::Faults};\nconst S: &str = \"crate::host\";"),
        ("journal/mod.rs", "use crate::kernel::VirtualClock;\n"),
    ]);
    assert_eq!(
        layer_violations(&bad),
        [
            "src/host/mod.rs:3: crate::Scenario: L3 `host` may not import L4 `scenario`, a layer at or above its own",
            "src/kernel/clock.rs:1: crate::faults::Faults: L0 `kernel` may import only memfs",
        ]
    );
    let looped = tree(&[
        ("suite/mod.rs", "mod file;\nmod http;\npub use file::ScenarioFile;"),
        ("suite/file.rs", "use super::http::RawHttp;"),
        ("suite/http.rs", "use super::{ScenarioFile, SuiteError};"),
        ("suite/golden.rs", "use crate::suite::file::inside;"),
    ]);
    assert_eq!(file_cycles(&looped), [vec!["suite/file.rs".to_string(), "suite/http.rs".to_string()]]);
}

#[test]
fn paths_are_read_whole_from_groups_and_inline_uses() {
    let code = code_only("use crate::{a::{B, c::D}, e as f};\nlet x = crate::g::h(); // crate::no\n$crate::i!()");
    let paths: Vec<(usize, String)> = paths_from(&code, "crate").into_iter().map(|i| (i.line, i.path.join("::"))).collect();
    assert_eq!(paths, [(1, "a::B".into()), (1, "a::c::D".into()), (1, "e".into()), (2, "g::h".into()), (3, "i".into())]);
}
