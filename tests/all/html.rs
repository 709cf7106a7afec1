//! The HTML page of a run (`wasi_replay::html`, `run --html`), read back
//! by a real browser: headless Chromium runs the page's script and dumps
//! the DOM it ends with.

use crate::support::{harness, wasi_replay};
use wasi_replay::{World, catalog};

/// Chromium, installed with apt when it is missing and this is root (as
/// `.ci/run` is); a test that needs it fails, naming what to install,
/// rather than pass without a browser.
fn chromium() -> std::path::PathBuf {
    static FOUND: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
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

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| std::path::Path::new(d).join(name)).find(|p| p.is_file())
}

/// The DOM of `page` once its scripts ran.
fn dump_dom(page: &std::path::Path) -> String {
    let out = std::process::Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A run with a journal, rendered: the browser's timeline has one entry
/// per journal line, each filesystem call lists the paths it names, and
/// the same report gives the same bytes.
#[test]
fn the_timeline_has_one_entry_per_journal_line() {
    let h = harness();
    let guest = h.load(&catalog::component_path("fs-tree", World::P2)).unwrap();
    let scenario = catalog::scenario("fs-tree").unwrap().journal(true);
    let report = h.run(&guest, &scenario).unwrap();
    let lines = report.journal.as_ref().expect("a journal").len();
    let page = wasi_replay::html::run_page(&report);
    assert_eq!(page, wasi_replay::html::run_page(&h.run(&guest, &scenario).unwrap()), "two renderings differ");
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("run.html");
    std::fs::write(&file, &page).unwrap();
    let dom = dump_dom(&file);
    assert_eq!(dom.matches("<li data-kind=").count(), lines, "timeline entries against {lines} journal lines");
    assert!(dom.contains("class=\"path\""), "no filesystem call lists a path");
    assert!(lines > 10 && dom.contains("data-kind=\"fs\""), "fs-tree makes filesystem calls");
}

/// A guest that prints `<script>` shows it as text: the dumped DOM has
/// the page's own script and no other, and the text escaped in `stdout`.
/// `run --html` writes the same page `html::run_page` renders; without a
/// journal it says how to get one.
#[test]
fn a_guest_that_prints_a_script_shows_it_as_text() {
    let work = tempfile::tempdir().unwrap();
    let stdin = work.path().join("stdin.txt");
    std::fs::write(&stdin, "<script>document.title='owned'</script><img src=x onerror=alert(1)>").unwrap();
    let file = work.path().join("run.html");
    let component = catalog::component_path("cli-io", World::P2);
    let out = wasi_replay(&["run".as_ref(), component.as_ref(), "--stdin".as_ref(), stdin.as_ref(), "--html".as_ref(), file.as_ref()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("&lt;script&gt;document.title") && !page.contains("<script>document"), "the guest's output is not escaped");
    assert!(page.contains("run with --journal"), "no word on the missing journal");
    let dom = dump_dom(&file);
    assert_eq!(dom.matches("<script>").count(), 1, "a script beside the page's own");
    assert!(!dom.contains("<img"), "the guest's markup became an element");
    assert!(dom.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"), "the guest's text is not shown");
    assert!(dom.contains("<title>cli-io (p2)</title>") || dom.contains("<title>cli_io (p2)</title>"), "the title changed");
}
