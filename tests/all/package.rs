//! What is published: the packages' files, and the version line that
//! names the wasmtime a golden depends on.

use std::path::Path;
use std::process::Command;

/// The files `cargo package --list` puts in `package`'s `.crate`.
fn packaged(package: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["package", "--list", "--allow-dirty", "--offline", "-p", package])
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo package --list -p {package}:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn the_library_package_holds_the_library_its_guide_and_its_license() {
    let files = packaged("wasi-replay");
    for needed in ["Cargo.toml", "Cargo.lock", "LICENSE", "README.md", "src/lib.rs", "src/main.rs", "docs/library.md"] {
        assert!(files.iter().any(|f| f == needed), "{needed} is not packaged: {files:?}");
    }
    let stray: Vec<&String> = files
        .iter()
        .filter(|f| ["guests/", "scenarios/", "snapshots/", "tests/", "fuzz/", "examples/", "target/", "wit/", ".ci/"].iter().any(|d| f.starts_with(d)))
        .collect();
    assert!(stray.is_empty(), "packaged, and only the repository needs them: {stray:?}");
    // Every file the library compiles from is in the package.
    for entry in walkdir::WalkDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_string_lossy().into_owned();
            assert!(files.contains(&rel), "{rel} is not packaged");
        }
    }
}

#[test]
fn the_build_helper_package_is_its_source_and_license() {
    let mut files = packaged("wasi-replay-build");
    files.retain(|f| f != "Cargo.toml.orig" && f != ".cargo_vcs_info.json");
    assert_eq!(files, ["Cargo.lock", "Cargo.toml", "LICENSE", "src/lib.rs"]);
}

#[test]
fn version_names_the_wasmtime_it_runs_on() {
    let out = super::cli::cli().arg("--version").output().unwrap();
    let wasmtime = wasi_replay::cli_support::WASMTIME_VERSION;
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("wasi-replay {} (wasmtime {wasmtime})\n", env!("CARGO_PKG_VERSION")));
    // ... and that is the wasmtime the lock file builds.
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")).unwrap();
    assert!(lock.contains(&format!("name = \"wasmtime\"\nversion = \"{wasmtime}\"\n")), "Cargo.lock builds another wasmtime than {wasmtime}");
}
