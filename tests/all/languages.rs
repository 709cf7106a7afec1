//! Guests from other toolchains. The C `fs-tree` (a WASI p1 module built
//! with `zig cc`, adapted on load) must leave the same report as the Rust
//! `fs-tree` p2 build, apart from the guest's name and `adapted-from`.

use crate::support::{assert_same_text, guest, harness};
use wasi_replay::catalog;
use wasi_replay::report::{RunReport, World};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn comparable(r: &RunReport) -> String {
    RunReport { guest: String::new(), adapted_from: None, ..r.clone() }.to_yaml()
}

#[test]
fn the_c_fs_tree_matches_the_rust_one() {
    let scenario = catalog::scenario("fs-tree").unwrap();
    let c = harness().run(&guest("fs-tree-c", World::P2), &scenario).unwrap();
    let rust = harness().run(&guest("fs-tree", World::P2), &scenario).unwrap();
    assert_eq!(c.adapted_from.as_deref(), Some("wasip1"));
    assert_eq!(rust.adapted_from, None);
    assert_same_text("C and Rust fs-tree reports", "rust (p2)", &comparable(&rust), "c (wasip1)", &comparable(&c));
    settings().bind(|| insta::assert_snapshot!("all__languages__fs_tree_c", c.to_yaml()));
}

#[test]
fn a_c_program_has_the_rights_a_real_host_gives() {
    // wasi-libc opens directories without asking for mutate-directory; a
    // real host lets them change what their preopen may change.
    let scenario = catalog::scenario("fs-rights-c").unwrap();
    let g = guest("fs-rights-c", World::P2);
    let run = |b| harness().run(&g, &scenario.clone().backend(b)).unwrap();
    let (direct, bridge) = (run(wasi_replay::host::Backend::Direct), run(wasi_replay::host::Backend::Bridge));
    let wasi_replay::report::Output::Text(out) = &direct.stdout else { panic!() };
    assert_eq!(
        out,
        "open . as a directory: ok\nmkdirat through it: ok\nopenat O_CREAT through it: ok\n\
         fstatat of the empty path: No such file or directory\nopenat sub: ok\n\
         openat ../x out of sub: Operation not permitted\n\
         fstatat f.txt/ with a trailing slash: Not a directory\n"
    );
    assert_eq!(direct.stdout, bridge.stdout);
    assert_eq!(direct.fs, bridge.fs);
}

#[test]
fn a_p1_module_is_adapted_once_per_harness() {
    let path = catalog::component_path("fs-tree-c", World::P2);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "a core module on disk");
    let h = harness();
    let t = std::time::Instant::now();
    h.load(&path).unwrap();
    let first = t.elapsed();
    let t = std::time::Instant::now();
    let g = h.load(&path).unwrap();
    assert_eq!(g.adapted_from(), Some("wasip1"));
    // Not a timing assertion: just print what the cache saves.
    eprintln!("first load {first:?}, second {:?}", t.elapsed());
}

#[test]
fn a_core_module_that_is_not_a_p1_command_says_why() {
    let h = harness();
    for (wat, why) in [
        ("(module (import \"env\" \"f\" (func)) (func (export \"_start\")))", "imports more than wasi_snapshot_preview1 (env::f)"),
        ("(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32))))", "exports no `_start`"),
    ] {
        let err = h.load_bytes("m", &wat::parse_str(wat).unwrap(), None).err().expect("refused").to_string();
        assert!(err.contains(why), "{err}");
    }
}
