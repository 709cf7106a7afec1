//! `run --invoke`: calls of exported functions.

use super::*;

#[test]
fn run_invoke_calls_exports_in_order_on_one_instance() {
    let lib = p2("lib-counter");
    let out = cli().arg("run").arg(&lib).args(["--invoke", "add(2)", "--invoke", "add(40)", "--invoke", r#"shout("hi")"#]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: RunReport = serde_yaml_ng::from_str(&stdout(&out)).unwrap();
    let results: Vec<_> = report.calls.iter().map(|c| (c.invoke.as_str(), c.result.as_deref())).collect();
    assert_eq!(results, [("add(2)", Some("2")), ("add(40)", Some("42")), (r#"shout("hi")"#, Some(r#""HI!""#))]);
}

#[test]
fn bad_input_invoke() {
    let lib = p2("lib-counter");
    let lib = lib.to_str().unwrap();
    bad_input(&["run", lib, "--invoke", "add(1,"], "--invoke: `add(1,`: ");
    bad_input(&["run", lib, "--invoke", "nope()"], "lib_counter: call `nope()`: no exported function `nope` (exported: ");
    bad_input(&["run", lib, "--invoke", "add(true)"], "`add` is func(n: u32) -> u64");
    bad_input(&["run", lib], "does not export wasi:cli/run");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"lib-counter\"\n[[call]]\ninvoke = \"add(\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "field `call`: `add(`: ");
}
