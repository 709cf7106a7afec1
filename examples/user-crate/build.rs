//! Builds the crate's guest (`guest/`, a plain Rust binary) for
//! `wasm32-wasip2`, in a target directory of its own, and tells the tests
//! where the component is (`GUEST_WASM`).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let guest = dir.join("guest");
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("guest");
    println!("cargo:rerun-if-changed={}", guest.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(guest.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        // The outer build's settings are not the guest's.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the guest failed (is the wasm32-wasip2 target installed?)");
    let wasm = target.join("wasm32-wasip2/release/greet.wasm");
    println!("cargo:rustc-env=GUEST_WASM={}", wasm.display());
}
