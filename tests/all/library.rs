//! The library as a test author meets it: the names at the crate root, a
//! compile cache on by default, and a run called from inside a tokio
//! runtime (a `#[tokio::test]`).

use crate::support::{assert_same_text, harness};
use wasi_replay::harness::CompileCache;
use wasi_replay::{Harness, RunReport, Scenario, World, catalog};

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
    assert_eq!(report.exit, wasi_replay::report::Exit::Status(3));
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
