//! Bad input: one line on stderr, exit 2, never a panic.

use super::*;

#[test]
fn bad_input_missing_file() {
    bad_input(&["run", "no/such/guest.wasm"], "cannot read no/such/guest.wasm");
}

#[test]
fn bad_input_not_wasm() {
    bad_input(&["run", "Cargo.toml"], "Cargo.toml: not a WebAssembly file");
}

#[test]
fn bad_input_core_module() {
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str("(module)").unwrap()).unwrap();
    bad_input(&["run", f.path().to_str().unwrap()], "is a core WebAssembly module but not a WASI p1 command: it exports no `_start`");
}

#[test]
fn bad_input_component_without_run() {
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str("(component)").unwrap()).unwrap();
    bad_input(&["check", f.path().to_str().unwrap()], "does not export wasi:cli/run");
}

#[test]
fn bad_input_unsatisfied_imports_are_listed_by_name() {
    let wat = r#"
        (component
          (import "acme:missing/thing@1.0.0" (instance (export "f" (func))))
          (import "wasi:http/outgoing-handler@0.2.0" (instance (export "handle" (func))))
          (core module $m (func (export "run") (result i32) i32.const 0))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $r (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $r)))
    "#;
    let f = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap();
    std::fs::write(f.path(), wat::parse_str(wat).unwrap()).unwrap();
    bad_input(
        &["run", f.path().to_str().unwrap()],
        "unsatisfied imports: acme:missing/thing@1.0.0, wasi:http/outgoing-handler@0.2.0",
    );
}

#[test]
fn bad_input_malformed_scenario_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "guest = \"fs-tree\"\n# a comment\nseed = \"many\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "bad.toml: line 3: field `seed`: invalid type");
    std::fs::write(&f, "guest = \"fs-tree\"\nsede = 1\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "line 2: field `sede`: unknown field");
    std::fs::write(&f, "guest = \"fs-tree\"\nargs = [\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "bad.toml: line");
}

#[test]
fn bad_input_missing_fixture_directory() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"fs-tree\"\nfixture = \"nowhere\"\n").unwrap();
    bad_input(&["test", f.to_str().unwrap()], "field `fixture`: directory not found");
    let c = p2("fs-tree");
    bad_input(&["run", c.to_str().unwrap(), "--fs", "no/such/dir"], "--fs: directory not found: no/such/dir");
}

#[test]
fn bad_input_unknown_flag_values() {
    bad_input(&["run", "x.wasm", "--world", "p4"], "invalid value 'p4' for '--world");
    bad_input(&["run", "x.wasm", "--format", "xml"], "invalid value 'xml'");
    bad_input(&["run", "x.wasm", "--env", "NOEQUALS"], "is not K=V");
    bad_input(&["test", "--partition", "3/2"], "is not K/N");
    bad_input(&["run", "x.wasm", "--seed", "many"], "invalid value 'many' for '--seed");
}

/// An `--html` page that cannot be written is one line naming the flag
/// and the file, on every command that takes it.
#[test]
fn bad_input_html_file_that_cannot_be_written() {
    let c = p2("exit-code");
    let c = c.to_str().unwrap();
    let page = "no/such/dir/page.html";
    bad_input(&["run", c, "--html", page], "--html no/such/dir/page.html");
    bad_input(&["diff", c, "--html", page], "--html no/such/dir/page.html");
    bad_input(&["check", c, "--runs", "2", "--html", page], "--html no/such/dir/page.html");
    bad_input(&["explore", c, "--seeds", "0..2", "--html", page], "--html no/such/dir/page.html");
    bad_input(&["test", "scenarios/exit-code.toml", "--html", page], "--html no/such/dir/page.html");
}
