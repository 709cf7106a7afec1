//! The catalog's scenario files (`scenarios/`), one test per file and
//! world, run by the library's own test harness (`Suite::main`) as a user's
//! `harness = false` target runs theirs: `cargo test --test scenarios --
//! --list` names them, `cargo test -- fs-tree.toml::p3` runs one. The
//! goldens are in `snapshots/`. The catalog is built before the first test
//! runs, and not for `--list`.

fn main() {
    wasi_replay::catalog::suite()
        .prepare(|| wasi_replay::catalog::build_all().map_err(|e| e.to_string()))
        .main(wasi_replay::catalog::scenarios_dir())
}
