//! The library as a test author meets it: the names at the crate root, a
//! compile cache on by default, and a run called from inside a tokio
//! runtime (a `#[tokio::test]`).

use crate::support::{assert_same_text, harness};
use wasi_replay::cli_support::CompileCache;
use wasi_replay::{catalog, Harness, RunReport, Scenario, World};

#[test]
fn the_root_names_what_a_test_needs() {
    fn is_error<E: std::error::Error>() {}
    is_error::<wasi_replay::HarnessError>();
    is_error::<wasi_replay::HostError>();
    is_error::<wasi_replay::FsError>();
    is_error::<wasi_replay::SuiteError>();
    let h = harness();
    let guest = h.load(catalog::component_path("exit-code", World::P2)).unwrap();
    let report: RunReport = h.run(&guest, &Scenario::new("exit-code").seed(7)).unwrap();
    assert_eq!(report.exit, wasi_replay::Exit::Status(3));
    let shown = format!("{guest:?}");
    assert!(shown.contains("exit_code") && shown.contains("P2"), "{shown}");
    let _: wasi_replay::MemFs = wasi_replay::MemFs::new();
}

#[test]
fn a_harness_keeps_compiled_guests_in_the_default_cache() {
    let h = Harness::new().unwrap();
    assert_eq!(h.cache_dir(), CompileCache::default_dir().as_deref());
    assert!(h.cache_dir().is_some(), "HOME or a cache variable is set where the tests run");
    assert_eq!(h.without_cache().cache_dir(), None);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Harness::new().unwrap().with_cache_dir(dir.path().into()).cache_dir(), Some(dir.path()));
}

#[tokio::test]
async fn a_run_inside_a_tokio_test_works() {
    let h = harness();
    let guest = h.load(catalog::component_path("clock-random", World::P3)).unwrap();
    let scenario = catalog::scenario("clock-random").unwrap();
    let inside = h.run(&guest, &scenario).unwrap().to_yaml();
    let outside = std::thread::scope(|s| s.spawn(|| h.run(&guest, &scenario).unwrap().to_yaml()).join().unwrap());
    assert_same_text("clock-random in and out of a tokio runtime", "outside", &outside, "inside", &inside);
}

#[test]
fn the_assertion_macros_check_what_they_say() {
    harness(); // builds the catalog
    let path = |name, world| catalog::component_path(name, world);
    let scenario = catalog::scenario("clock-random").unwrap();
    let r = wasi_replay::assert_deterministic!(path("clock-random", World::P2), scenario);
    assert_eq!(r.world, World::P2);
    let r = wasi_replay::assert_p2_eq_p3!(path("clock-random", World::P2), path("clock-random", World::P3), scenario);
    assert_eq!(r.world, World::P2);
    // Two different guests are not one guest's two builds.
    let mismatch = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wasi_replay::assert_p2_eq_p3!(path("exit-code", World::P2), path("clock-random", World::P3), scenario)
    }));
    let message = *mismatch.expect_err("different guests must differ").downcast::<String>().unwrap();
    assert!(message.starts_with("the p2 and p3 reports differ:\n---"), "{message}");
    let missing = std::panic::catch_unwind(|| wasi_replay::testing::run("no/such.wasm", &Scenario::new("x")));
    let message = *missing.expect_err("a missing file").downcast::<String>().unwrap();
    assert_eq!(message, "wasi-replay: cannot read no/such.wasm: No such file or directory (os error 2)");
}

/// The message of a panic `f` must raise.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("it must panic");
    payload.downcast::<String>().map(|s| *s).unwrap_or_else(|p| p.downcast::<&str>().unwrap().to_string())
}

#[test]
fn the_suite_runner_finds_scenarios_by_glob_and_keeps_their_goldens() {
    use wasi_replay::Suite;
    use wasi_replay::Update;
    harness(); // builds the catalog
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("a.toml"), "guest = \"exit\"\nargs = [\"exit-code\"]\n").unwrap();
    std::fs::write(dir.path().join("sub/b.toml"), "guest = \"exit\"\nseed = 1\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
    let all = format!("{}/**/*.toml", dir.path().display());
    let top = format!("{}/*.toml", dir.path().display());
    let suite = |update| Suite::new().guest("exit", catalog::component_path("exit-code", World::P2)).update(update);

    // Globs: `**` reaches into sub/, `*` stays in its directory, and a
    // glob that matches nothing is an error, never an empty suite.
    let files = suite(Update::Pending).load([&all]).unwrap();
    assert_eq!(files.iter().map(|f| f.scenario.name()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(Suite::cases(&files).len(), 2, "a guest given in p2 alone runs in p2 alone");
    assert_eq!(suite(Update::Pending).load([&top]).unwrap().len(), 1);
    let none = suite(Update::Pending).load([format!("{}/*.json", dir.path().display())]).unwrap_err();
    assert!(none.to_string().ends_with("names no scenario file"), "{none}");

    // No goldens yet: both fail, and the new reports wait in .snap.new.
    let message = panic_message(|| suite(Update::Pending).run(&all));
    assert!(message.starts_with("2 of 2 scenario cases failed"), "{message}");
    assert!(dir.path().join("sub/b.p2.snap.new").exists());
    // Accepted, they pass, and the pending files are gone.
    suite(Update::Accept).run(&all);
    assert!(!dir.path().join("sub/b.p2.snap.new").exists());
    suite(Update::Nothing).run(&all);

    // A changed golden fails with a diff, and on CI nothing is written.
    let golden = dir.path().join("a.p2.snap");
    let text = std::fs::read_to_string(&golden).unwrap();
    std::fs::write(&golden, text.replace("status: 3", "status: 4")).unwrap();
    let message = panic_message(|| suite(Update::Nothing).run(&all));
    assert!(message.starts_with("1 of 2 scenario cases failed"), "{message}");
    assert!(message.contains("nothing was written") && message.contains("\n-  status: 4\n+  status: 3\n"), "{message}");
    assert!(!dir.path().join("a.p2.snap.new").exists());
}

/// A scenario directory is walked without following symlinks: a dangling
/// link and a link back up are passed by, and the walk ends.
#[test]
fn discovery_follows_no_symlink() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/a.toml"), "guest = \"x\"\n").unwrap();
    std::os::unix::fs::symlink("/nonexistent/gone", dir.path().join("sub/gone")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
    let found = wasi_replay::cli_support::discover(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(found, [dir.path().join("sub/a.toml")]);
}
