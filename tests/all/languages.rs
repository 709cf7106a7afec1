//! Guests from other toolchains. The C `fs-tree` (a WASI p1 module built
//! with `zig cc`, run on the p1 host) and the Python one (a component
//! built with componentize-py) must leave the same report as the Rust
//! `fs-tree` p2 build, apart from the guest's name and world. WASI p1
//! programs in C and AssemblyScript get what `wasmtime run` gives them:
//! their exit status, every argument and variable, `badf` for a descriptor
//! nobody opened, and the same report on both backends.

use crate::support::{assert_same_text, guest, harness};
use wasi_replay::{catalog, Exit, Output, RunReport, World};
use wasi_replay::host::Backend;

fn comparable(r: &RunReport) -> String {
    RunReport { guest: String::new(), world: World::P2, ..r.clone() }.to_yaml()
}

#[test]
fn the_c_fs_tree_matches_the_rust_one() {
    let c = harness().run(&guest("fs-tree-c", World::P1), &catalog::scenario("fs-tree-c").unwrap()).unwrap();
    let rust = harness().run(&guest("fs-tree", World::P2), &catalog::scenario("fs-tree").unwrap()).unwrap();
    assert_eq!((c.world, rust.world), (World::P1, World::P2));
    assert_same_text("C and Rust fs-tree reports", "rust (p2)", &comparable(&rust), "c (p1)", &comparable(&c));
}

#[test]
fn the_python_fs_tree_matches_the_rust_one() {
    let py = harness().run(&guest("fs-tree-py", World::P2), &catalog::scenario("fs-tree-py").unwrap()).unwrap();
    let rust = harness().run(&guest("fs-tree", World::P2), &catalog::scenario("fs-tree").unwrap()).unwrap();
    assert_eq!(py.guest, "fs-tree-py");
    assert_same_text("Python and Rust fs-tree reports", "rust", &comparable(&rust), "python", &comparable(&py));
}

#[test]
fn a_c_program_has_the_rights_a_real_host_gives() {
    // wasi-libc opens directories without asking for mutate-directory; a
    // real host lets them change what their preopen may change.
    let scenario = catalog::scenario("fs-rights-c").unwrap();
    let g = guest("fs-rights-c", World::P1);
    let run = |b| harness().run(&g, &scenario.clone().backend(b)).unwrap();
    let (direct, bridge) = (run(wasi_replay::host::Backend::Direct), run(wasi_replay::host::Backend::Bridge));
    let wasi_replay::Output::Text(out) = &direct.stdout else { panic!() };
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
fn a_p1_module_runs_on_the_p1_host_only() {
    let path = catalog::component_path("fs-tree-c", World::P1);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "a core module on disk");
    let h = harness();
    let g = h.load(&path).unwrap();
    assert_eq!((g.host(), g.exports()), (World::P1, World::P1));
    for world in [World::P2, World::P3] {
        let err = h.load_on(&path, Some(world)).err().expect("refused").to_string();
        assert!(err.ends_with(&format!("fs_tree_c.wasm: a p1 guest cannot run on the {world} host")), "{err}");
    }
    let component = catalog::component_path("fs-tree", World::P2);
    let err = h.load_on(&component, Some(World::P1)).err().expect("refused").to_string();
    assert!(err.ends_with("fs_tree.wasm: a p2 guest cannot run on the p1 host"), "{err}");
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

#[test]
fn p1_programs_get_what_wasmtime_run_gives_them() {
    for (name, bad_fd) in [("p1-cli", "Bad file descriptor"), ("p1-cli-as", "errno 8")] {
        let g = guest(name, World::P1);
        let scenario = catalog::scenario(name).unwrap();
        let direct = harness().run(&g, &scenario).unwrap();
        let bridge = harness().run(&g, &scenario.clone().backend(Backend::Bridge)).unwrap();
        // The status `proc_exit` passed, not the adapter's 0-or-1.
        assert_eq!(direct.exit, Exit::Status(33), "{name}");
        let Output::Text(out) = &direct.stdout else { panic!("{name}: binary stdout") };
        for line in ["arg 0: ", "arg 2: two words\n", "arg 3: ünïcödé\n", "env: REPLAY_MODE=golden\n", "env: EMPTY=\n"] {
            assert!(out.contains(line), "{name}: no {line:?} in\n{out}");
        }
        assert!(out.contains(&format!("write to fd 77: {bad_fd}\n")), "{name}:\n{out}");
        let (d, b) = (direct.without_backend().to_yaml(), bridge.without_backend().to_yaml());
        assert_same_text(&format!("{name} on both backends"), "direct", &d, "bridge", &b);
    }
}

#[test]
fn a_p1_exit_status_past_125_is_a_trap_as_in_wasmtime() {
    let g = guest("p1-cli", World::P1);
    for (status, exit) in [
        ("0", Exit::Status(0)),
        ("125", Exit::Status(125)),
        ("126", Exit::Trap("exit with invalid exit status outside of [0..126)".into())),
    ] {
        let scenario = catalog::scenario("p1-cli").unwrap().args(["p1-cli", status]);
        for backend in [Backend::Direct, Backend::Bridge] {
            let report = harness().run(&g, &scenario.clone().backend(backend)).unwrap();
            assert_eq!(report.exit, exit, "exit({status}) on {backend:?}");
        }
    }
}

#[test]
fn a_p1_wait_nothing_can_end_waits_forever_in_virtual_time() {
    let g = guest("p1-cli", World::P1);
    let scenario = catalog::scenario("p1-cli").unwrap().env("P1_CLI_WAIT_FOREVER", "1");
    let reports: Vec<_> = [Backend::Direct, Backend::Bridge]
        .into_iter()
        .map(|b| harness().run(&g, &scenario.clone().backend(b)).unwrap())
        .collect();
    for r in &reports {
        assert!(matches!(r.exit, Exit::WaitsForever { .. }), "{:?}", r.exit);
        assert_eq!(r.stdout, Output::Text(String::new()), "nothing after the wait ran");
    }
    assert_eq!(reports[0].without_backend(), reports[1].without_backend());
}

#[test]
fn a_p1_program_given_no_arguments_is_called_by_its_file_name() {
    let g = guest("p1-cli", World::P1);
    let scenario = wasi_replay::Scenario::new("p1-cli");
    let report = harness().run(&g, &scenario).unwrap();
    let Output::Text(out) = &report.stdout else { panic!("binary stdout") };
    assert!(out.starts_with("arg 0: p1_cli.wasm\nwrite to fd 77"), "{out}");
}

/// A poll of two clocks is not the lone sleep: on the bridge wasmtime-wasi's
/// own `poll_oneoff` serves it, on the direct backend ours; both wake at
/// the first deadline in virtual time and report that one clock.
#[test]
fn a_p1_poll_of_two_clocks_wakes_at_the_first_on_both_backends() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local $errno i32)
        ;; subscription 0: user data 7, the monotonic clock, 1 s from now
        (i64.store (i32.const 0) (i64.const 7))
        (i32.store (i32.const 16) (i32.const 1))
        (i64.store (i32.const 24) (i64.const 1000000000))
        ;; subscription 1: user data 8, the monotonic clock, 2 s from now
        (i64.store (i32.const 48) (i64.const 8))
        (i32.store (i32.const 64) (i32.const 1))
        (i64.store (i32.const 72) (i64.const 2000000000))
        (local.set $errno (call $poll (i32.const 0) (i32.const 200) (i32.const 2) (i32.const 400)))
        ;; status: errno * 100 + events * 10 + the first event's user data
        (call $exit (i32.add (i32.mul (local.get $errno) (i32.const 100))
          (i32.add (i32.mul (i32.load (i32.const 400)) (i32.const 10)) (i32.wrap_i64 (i64.load (i32.const 200))))))))"#;
    let h = harness();
    let g = h.load_bytes("poll-two", &wat::parse_str(wat).unwrap(), None).unwrap();
    for backend in [Backend::Direct, Backend::Bridge] {
        let report = h.run(&g, &wasi_replay::Scenario::new("poll-two").backend(backend)).unwrap();
        assert_eq!((report.exit.clone(), report.elapsed_ns), (Exit::Status(17), 1_000_000_000), "{backend:?}");
    }
}

#[test]
fn the_python_handler_answers_as_the_rust_one_does() {
    let py = harness().run(&guest("http-handler-py", World::P2), &catalog::scenario("http-handler-py").unwrap()).unwrap();
    // The same requests to the Rust handler get the same responses.
    let mut scenario = catalog::scenario("http-handler-py").unwrap();
    scenario = scenario.fs(wasi_replay::MemFs::new());
    let rust = harness().run(&guest("http-handler", World::P2), &scenario).unwrap();
    assert_eq!(py.responses.len(), 3);
    assert_eq!(py.responses, rust.responses);
}

#[test]
fn the_javascript_guest_reads_the_virtual_kernel_and_fetches_from_a_mock() {
    let scenario = catalog::scenario("cli-fetch-js").unwrap();
    let g = guest("cli-fetch-js", World::P2);
    let js = harness().run(&g, &scenario).unwrap();
    let Output::Text(stdout) = &js.stdout else { panic!("{:?}", js.stdout) };
    for line in ["args: cli-fetch hello world", "env APP_MODE=test", "date: 2024-01-01T00:00:00.183Z", "GET /v1/items: 200 application/json", r#"body: [{"id": 1}, {"id": 2}]"#] {
        assert!(stdout.lines().any(|l| l == line), "{line:?} not in:\n{stdout}");
    }
    assert_eq!(js.http.len(), 1);
    assert_eq!(harness().run(&g, &scenario).unwrap(), js, "a second run is the same run");
    let other_seed = harness().run(&g, &scenario.clone().seed(7)).unwrap();
    assert_ne!(other_seed.stdout, js.stdout, "the random lines follow the seed");
}
