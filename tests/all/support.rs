use std::sync::OnceLock;
use wasi_replay::catalog;
use wasi_replay::harness::{Guest, Harness};
use wasi_replay::World;
use wasi_replay::report::RunReport;
use wasi_replay::suite::{Golden, Update, Verdict};

/// The harness, shared by every test in the binary; the catalog is built
/// (or found up to date) once, before the first use.
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        if let Err(e) = catalog::build_all() {
            panic!("{e}");
        }
        Harness::new().expect("harness")
    })
}

/// Loads a catalog guest for `world`.
pub fn guest(name: &str, world: World) -> Guest {
    let h = harness();
    h.load(&catalog::component_path(name, world)).unwrap_or_else(|e| panic!("{e}"))
}

/// The golden of catalog guest `name` in `world`: the insta-format file
/// beside its scenario (`scenarios/<name>.<world>.snap`), the one set of
/// goldens that `wasi-replay test` checks too.
pub fn golden(name: &str, world: World) -> Golden {
    let file = catalog::scenario_file(name);
    let path = catalog::scenarios_dir().join(&file).with_file_name(format!("{name}.{world}.snap"));
    Golden { path, source: format!("scenarios/{}", file.display()) }
}

/// Asserts `report` against its golden, and fails with a unified diff
/// when they differ. A new or changed report is written as insta would
/// write it ([`Update::from_env`]): to `.snap.new` for `cargo insta
/// review`, nowhere on CI, over the golden with `INSTA_UPDATE=always`.
#[track_caller]
pub fn assert_golden(name: &str, world: World, report: &RunReport) {
    let golden = golden(name, world);
    let yaml = report.to_yaml();
    let at = |e: std::io::Error| -> ! { panic!("{}: {e}", golden.path.display()) };
    let old = golden.read().unwrap_or_else(|e| at(e));
    let update = Update::from_env();
    match golden.check(&yaml, update).unwrap_or_else(|e| at(e)) {
        Verdict::Match | Verdict::Accepted => {}
        verdict => {
            let old_text = old.as_deref().unwrap_or("");
            let divergence = wasi_replay::journal::heading(wasi_replay::journal::divergence_in_text(old_text, &yaml));
            let diff = divergence + &text_diff("golden", old_text, "new", &yaml).unwrap_or_default();
            let written = match verdict.wrote_pending(update) {
                true => format!("the new one is in {}", golden.pending().display()),
                false => "nothing was written".into(),
            };
            panic!("{name} ({world}): the report differs from {}; {written}:\n{diff}", golden.path.display());
        }
    }
}

/// Runs a catalog scenario with its default inputs.
pub fn run(name: &str, world: World) -> RunReport {
    let g = guest(name, world);
    let scenario = catalog::scenario(name).unwrap_or_else(|e| panic!("{e}"));
    harness().run(&g, &scenario).unwrap_or_else(|e| panic!("{e}"))
}

/// The unified diff of two texts, or `None` when they are equal.
pub fn text_diff(left_name: &str, left: &str, right_name: &str, right: &str) -> Option<String> {
    (left != right).then(|| wasi_replay::report::unified_diff(left_name, left, right_name, right))
}

/// Panics with a unified diff when two texts differ.
#[track_caller]
pub fn assert_same_text(what: &str, left_name: &str, left: &str, right_name: &str, right: &str) {
    if let Some(diff) = text_diff(left_name, left, right_name, right) {
        panic!("{what} differ:\n{diff}");
    }
}

/// Proptest settings for CI: exactly `cases` cases unless `PROPTEST_CASES`
/// asks for another count, a fixed seed unless `PROPTEST_RNG_SEED` picks
/// one, and no regression files written into the tree.
pub fn proptest_config(cases: u32, seed: u64) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut c = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if c.rng_seed == RngSeed::Random {
        c.rng_seed = RngSeed::Fixed(seed);
    }
    c
}
