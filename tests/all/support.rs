use std::sync::OnceLock;
use wasi_replay::{catalog, Guest, Harness, RunReport, World};

/// The harness, shared by every test in the binary; the catalog is built
/// (or found up to date) once, before the first use.
pub fn harness() -> &'static Harness {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| catalog::build_all().unwrap_or_else(|e| panic!("{e}")));
    Harness::shared().unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a catalog guest for `world`.
/// The `wasi-replay` binary run from the repository with `args`, once the
/// catalog is built, with no colour and outside CI and insta's settings.
pub fn wasi_replay(args: &[&std::ffi::OsStr]) -> std::process::Output {
    harness(); // builds the catalog once
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_wasi-replay"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env_remove("CI").env_remove("INSTA_UPDATE");
    c.output().unwrap()
}

pub fn guest(name: &str, world: World) -> Guest {
    let h = harness();
    h.load(&catalog::component_path(name, world)).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a catalog scenario with its default inputs.
pub fn run(name: &str, world: World) -> RunReport {
    let g = guest(name, world);
    let scenario = catalog::scenario(name).unwrap_or_else(|e| panic!("{e}"));
    harness().run(&g, &scenario).unwrap_or_else(|e| panic!("{e}"))
}

/// The unified diff of two texts, or `None` when they are equal.
pub fn text_diff(left_name: &str, left: &str, right_name: &str, right: &str) -> Option<String> {
    (left != right).then(|| wasi_replay::cli_support::unified_diff(left_name, left, right_name, right))
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
