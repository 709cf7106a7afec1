//! The HTML pages (`wasi_replay::html`, `--html` on run, diff, check,
//! test and explore), read back by a real browser: headless Chromium runs
//! each page's script and dumps the DOM it ends with. Each view's test
//! also takes a screenshot into `target/tmp/html/` (the docs' images are
//! copies of them).

use crate::support::{harness, wasi_replay};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use wasi_replay::{World, catalog};

/// Chromium, installed with apt when it is missing and this is root (as
/// `.ci/run` is); a test that needs it fails, naming what to install,
/// rather than pass without a browser.
fn chromium() -> PathBuf {
    static FOUND: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let find = || ["chromium", "chromium-browser"].iter().find_map(|n| which(n));
            if let Some(found) = find() {
                return found;
            }
            let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
            if root {
                let apt = |args: &[&str]| std::process::Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive").status();
                let _ = apt(&["update", "-qq"]);
                let _ = apt(&["install", "-y", "-qq", "chromium"]);
            }
            find().expect("headless Chromium is needed: apt-get install chromium")
        })
        .clone()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

/// Headless Chromium on `url` with `args`; its stdout.
fn browse(args: &[&str], url: &str) -> Vec<u8> {
    let out = std::process::Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"])
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The DOM of `page` once its scripts ran.
fn dump_dom(page: &Path) -> String {
    String::from_utf8(browse(&["--dump-dom"], &format!("file://{}", page.display()))).unwrap()
}

/// A screenshot of `page` (at `#fragment`, when given) 1200 pixels wide,
/// as `target/tmp/html/NAME.png`.
fn screenshot(page: &Path, fragment: &str, name: &str, height: u32) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let url = format!("file://{}{fragment}", page.display());
    browse(&[&format!("--screenshot={}", png.display()), &format!("--window-size=1200,{height}")], &url);
    let bytes = std::fs::read(&png).unwrap_or_default();
    assert!(bytes.starts_with(b"\x89PNG"), "no screenshot of {name}");
}

/// The `data-index` of every element in `dom` whose start tag has
/// `class="…diverged…"`.
fn diverged(dom: &str) -> Vec<usize> {
    dom.split("<li ")
        .skip(1)
        .map(|tag| &tag[..tag.find('>').unwrap_or(0)])
        .filter(|tag| tag.contains("diverged"))
        .filter_map(|tag| tag.split("data-index=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect()
}

/// How many timeline entries `dom` holds.
fn entries(dom: &str) -> usize {
    dom.matches("<li data-kind=").count()
}

fn p2(name: &str) -> PathBuf {
    catalog::component_path(name, World::P2)
}

fn args<'a>(words: &'a [&'a dyn AsRef<OsStr>]) -> Vec<&'a OsStr> {
    words.iter().map(|w| w.as_ref()).collect()
}

/// A run with a journal, rendered: the browser's timeline has one entry
/// per journal line, each filesystem call lists the paths it names, and
/// the same report gives the same bytes. `run --html` and `check --html`
/// write the page of the run.
#[test]
fn the_timeline_has_one_entry_per_journal_line() {
    let h = harness();
    let guest = h.load(&p2("fs-tree")).unwrap();
    let scenario = catalog::scenario("fs-tree").unwrap().journal(true);
    let report = h.run(&guest, &scenario).unwrap();
    let lines = report.journal.as_ref().expect("a journal").len();
    let page = wasi_replay::html::run_page(&report);
    assert_eq!(page, wasi_replay::html::run_page(&h.run(&guest, &scenario).unwrap()), "two renderings differ");
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("run.html");
    std::fs::write(&file, &page).unwrap();
    let dom = dump_dom(&file);
    assert_eq!(entries(&dom), lines, "timeline entries against {lines} journal lines");
    assert!(dom.contains(&format!("data-calls=\"{lines}\"")), "the timeline does not count its calls");
    assert!(dom.contains("class=\"path\""), "no filesystem call lists a path");
    assert!(lines > 10 && dom.contains("data-kind=\"fs\""), "fs-tree makes filesystem calls");

    // The same through the command line, and the view's screenshot.
    let fs = Path::new("scenarios/tree");
    let run = work.path().join("cli.html");
    let out = wasi_replay(&args(&[&"run", &p2("fs-tree"), &"--fs", &fs, &"--seed", &"42", &"--journal", &"--html", &run]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let yaml = String::from_utf8(out.stdout).unwrap();
    let journal = yaml.split("\njournal:\n").nth(1).expect("a journal in the report");
    let calls = journal.lines().take_while(|l| l.starts_with("- ")).count();
    assert_eq!(entries(&dump_dom(&run)), calls, "run --html: timeline entries against the report's journal");
    screenshot(&run, "", "run", 1500);

    let checked = work.path().join("check.html");
    let out = wasi_replay(&args(&[&"check", &p2("fs-tree"), &"--runs", &"3", &"--fs", &fs, &"--seed", &"42", &"--journal", &"--html", &checked]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&checked).unwrap(), std::fs::read_to_string(&run).unwrap(), "check --html is not run 1's page");
}

/// A journal longer than a page is drawn a page at a time: the page
/// holds every call as data, and the browser draws the first 500.
#[test]
fn a_long_journal_is_drawn_a_page_at_a_time() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("bulk.html");
    let out = wasi_replay(&args(&[
        &"run", &p2("fs-bulk"), &"--dir", &"::/", &"--fs-report", &"digest", &"--arg", &"1106", &"--journal", &"--html", &file,
    ]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&file).unwrap();
    let calls: usize = page.split("data-calls=\"").nth(1).and_then(|s| s.split('"').next()).and_then(|n| n.parse().ok()).expect("data-calls");
    assert!(calls >= 10_000, "fs-bulk 1106 made {calls} calls");
    let data = page.split("type=\"application/json\">").nth(1).and_then(|s| s.split("</script>").next()).unwrap();
    let parsed: Vec<serde_json::Value> = serde_json::from_str(data).unwrap();
    assert_eq!(parsed.len(), calls, "the page's data against its count");
    let dom = dump_dom(&file);
    assert_eq!(entries(&dom), 500, "the first page");
    assert!(dom.contains("calls 1–500 of ") && dom.contains("data-index=\"500\"") && !dom.contains("data-index=\"501\""));
    // A link to a call opens the timeline at the page that holds it.
    let linked = String::from_utf8(browse(&["--dump-dom"], &format!("file://{}#call-7000", file.display()))).unwrap();
    assert_eq!(entries(&linked), 500, "the page of call 7000");
    assert!(linked.contains("calls 6501–7000 of "), "not the page of call 7000");
    assert!(linked.contains("data-index=\"7000\" class=\"linked\""), "call 7000 is not the linked one");
}

/// A guest that prints `<script>` shows it as text: the dumped DOM has
/// the page's own script and no other, and the text escaped in `stdout`.
/// Without a journal the page says how to get one.
#[test]
fn a_guest_that_prints_a_script_shows_it_as_text() {
    let work = tempfile::tempdir().unwrap();
    let stdin = work.path().join("stdin.txt");
    std::fs::write(&stdin, "<script>document.title='owned'</script><img src=x onerror=alert(1)>").unwrap();
    let file = work.path().join("run.html");
    let out = wasi_replay(&args(&[&"run", &p2("cli-io"), &"--stdin", &stdin, &"--html", &file]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("&lt;script&gt;document.title") && !page.contains("<script>document"), "the guest's output is not escaped");
    assert!(page.contains("run with --journal"), "no word on the missing journal");
    let dom = dump_dom(&file);
    assert_eq!(dom.matches("<script>").count(), 1, "a script beside the page's own");
    assert!(!dom.contains("<img"), "the guest's markup became an element");
    assert!(dom.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"), "the guest's text is not shown");
    assert!(dom.contains("<title>cli-io (p2)</title>") || dom.contains("<title>cli_io (p2)</title>"), "the title changed");

    // In a journal too: a path the guest names is drawn by the page's
    // script as text.
    let ops = work.path().join("ops.txt");
    std::fs::write(&ops, "mkdir 0 \"</script><img/src=x/onerror=alert(1)>\"\n").unwrap();
    let file = work.path().join("journal.html");
    let out = wasi_replay(&args(&[&"run", &p2("fs-ops"), &"--dir", &"::/", &"--stdin", &ops, &"--journal", &"--html", &file]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&file).unwrap();
    assert_eq!(page.matches("</script>").count(), 2, "the journal's data closed its script element early");
    let dom = dump_dom(&file);
    assert!(entries(&dom) > 3, "no timeline");
    assert!(!dom.contains("<img"), "a journal line's markup became an element");
    assert!(dom.contains("<code class=\"path\">&lt;/script&gt;&lt;img/src=x/onerror=alert(1)&gt;</code>"), "the path is not shown as text");
}

/// Two catalog guests on the same inputs, as a pair: both timelines mark
/// the call where the journals part, at the index the library finds, and
/// `diff --html` marks the call its own first line names.
#[test]
fn the_divergence_is_marked_at_the_call_where_the_runs_part() {
    let h = harness();
    let scenario = catalog::scenario("fs-tree").unwrap().journal(true);
    let left = h.run(&h.load(&p2("fs-tree")).unwrap(), &scenario).unwrap();
    let right = h.run(&h.load(&p2("fs-semantics")).unwrap(), &scenario).unwrap();
    let at = wasi_replay::journal::divergence_index(left.journal.as_ref().unwrap(), right.journal.as_ref().unwrap()).expect("they part");
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("pair.html");
    std::fs::write(&file, wasi_replay::html::pair_page("fs-tree", &left, "fs-semantics", &right)).unwrap();
    assert_eq!(diverged(&dump_dom(&file)), [at + 1, at + 1], "the marked calls");

    let page = work.path().join("diff.html");
    let fs = Path::new("scenarios/tree");
    let out = wasi_replay(&args(&[&"diff", &p2("fs-tree"), &p2("fs-semantics"), &"--fs", &fs, &"--seed", &"42", &"--journal", &"--html", &page]));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let call: usize = stdout.strip_prefix("diverged at call ").and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).expect(&stdout);
    let dom = dump_dom(&page);
    assert_eq!(diverged(&dom), [call, call], "diff --html marks another call than it prints");
    assert!(dom.contains("class=\"diff\"") && dom.contains("class=\"del\""), "no unified diff");
    screenshot(&page, "", "diff", 1300);
}

/// `test --html` lists every case with its result, and a case whose
/// golden differs opens as the golden and the new report side by side,
/// marked at the journal line that was changed.
#[test]
fn a_suite_page_lists_every_case_with_its_result() {
    let work = tempfile::tempdir().unwrap();
    let goldens = work.path().join("goldens");
    let files = ["scenarios/cli-io.journal.toml", "scenarios/exit-code.toml", "scenarios/fs-tree.toml"];
    let mut accept: Vec<&OsStr> = vec!["test".as_ref()];
    accept.extend(files.iter().map(OsStr::new));
    accept.extend(["--snapshot-dir".as_ref(), goldens.as_os_str(), "--accept".as_ref()]);
    assert!(wasi_replay(&accept).status.success());
    // The fifth call of the journal, changed in the p2 golden.
    let golden = goldens.join("cli-io.journal.p2.snap");
    let text = std::fs::read_to_string(&golden).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let journal = lines.iter().position(|l| l == "journal:").expect("a journal");
    lines[journal + 5] = "- '0s stdout.write(1 bytes #00000000)'".to_string();
    std::fs::write(&golden, lines.join("\n") + "\n").unwrap();

    let page = work.path().join("suite.html");
    let mut test = accept[..accept.len() - 1].to_vec();
    test.extend(["--html".as_ref(), page.as_os_str()]);
    let out = wasi_replay(&test);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<String> = table.lines().skip(1).map(|l| l.split_whitespace().nth(2).unwrap().to_string()).collect();
    assert_eq!(expected.len(), 6, "{table}");
    let dom = dump_dom(&page);
    let shown: Vec<&str> = dom.split("<tr data-result=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
    assert_eq!(shown, expected, "the page's results against the table's");
    let mismatch = dom.split("id=\"case-1\"").nth(1).expect("case 1's view");
    assert_eq!(diverged(mismatch.split("id=\"case-2\"").next().unwrap()), [5, 5], "the changed call");
    screenshot(&page, "", "suite", 320);
    screenshot(&page, "#case-1", "suite-mismatch", 1100);
}

/// `explore --html` shows every class the exploration prints, with the
/// replay command it prints for it.
#[test]
fn an_exploration_page_shows_each_class_and_its_replay_command() {
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("explore.html");
    let out = wasi_replay(&args(&[
        &"explore", &catalog::component_path("fault-latent", World::P2), &"--fs", &"scenarios/explore/records", &"--seeds", &"0..32", &"--faults", &"2",
        &"--fault-kinds", &"no-space,read-io", &"--html", &page,
    ]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let commands: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("class ")?.split_once(": ").map(|(_, c)| c)).collect();
    assert!(commands.len() >= 2 && commands.iter().all(|c| !c.contains("--html")), "{stdout}");
    let dom = dump_dom(&page);
    let shown: Vec<&str> = dom.split("<pre class=\"replay\">").skip(1).filter_map(|s| s.split("</pre>").next()).collect();
    assert_eq!(shown, commands, "the page's replay commands against those printed");
    assert_eq!(dom.matches("<span class=\"bar\"").count(), commands.len(), "a row per class");
    screenshot(&page, "", "exploration", 700);
}
