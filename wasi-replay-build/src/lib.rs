//! Builds a guest crate as a WASI component from a build script, so a test
//! crate's `build.rs` is a few lines:
//!
//! ```no_run
//! // build.rs, with `wasi-replay-build` under [build-dependencies]
//! fn main() {
//!     wasi_replay_build::guest("guest", wasi_replay_build::Target::P2);
//! }
//! ```
//!
//! The guest crate in `guest/` (relative to the package) is built in
//! release mode for `wasm32-wasip2`, in a target directory under
//! `OUT_DIR`, and each component it builds is passed to the tests as an
//! environment variable named after the binary: `greet` becomes
//! `GREET_WASM`, read with `env!("GREET_WASM")`. The build script runs
//! again when a file under `guest/` changes.
//!
//! The variables cargo sets for the outer build (`CARGO_TARGET_DIR`,
//! `RUSTFLAGS`, the jobserver's `CARGO_MAKEFLAGS`, …) are removed before
//! the guest's build, since they belong to the host crate, not to the
//! guest. A missing wasm target is added with `rustup` when rustup is
//! there.
//!
//! A guest built twice, as a p2 and as a p3 component (the same sources
//! with a feature that switches the bindings), names its variables:
//!
//! ```no_run
//! use wasi_replay_build::{Guest, Target};
//! Guest::new("guest", Target::P2).env("GREET_P2").build();
//! Guest::new("guest", Target::P2).features(["p3"]).env("GREET_P3").build();
//! ```
//!
//! Outside a build script (no `OUT_DIR`), [`Guest::target_dir`] says where
//! to build, and [`Guest::try_build`] returns errors instead of panicking.
#![deny(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Rust target a guest is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `wasm32-wasip1`: a WASI p1 core module.
    P1,
    /// `wasm32-wasip2`: a component. p3 components are built for this
    /// target too, with bindings that speak WASI 0.3.
    P2,
}

impl Target {
    /// The target triple.
    pub fn triple(self) -> &'static str {
        match self {
            Target::P1 => "wasm32-wasip1",
            Target::P2 => "wasm32-wasip2",
        }
    }
}

/// A guest build that failed, with what cargo said.
#[derive(Debug)]
pub enum BuildError {
    /// The wasm target is not installed and rustup could not add it.
    MissingTarget(&'static str),
    /// cargo could not be started.
    Spawn(std::io::Error),
    /// cargo ran and failed; its diagnostics went to stderr.
    Failed {
        /// The guest's manifest.
        manifest: PathBuf,
    },
    /// The build succeeded and produced no `.wasm` binary.
    NoComponent {
        /// The guest's manifest.
        manifest: PathBuf,
    },
    /// Neither [`Guest::target_dir`] nor `OUT_DIR` says where to build.
    NoTargetDir,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingTarget(t) => write!(f, "the {t} target is not installed; run `rustup target add {t}`"),
            BuildError::Spawn(e) => write!(f, "cannot run cargo: {e}"),
            BuildError::Failed { manifest } => write!(f, "building the guest {} failed (cargo's errors are above)", manifest.display()),
            BuildError::NoComponent { manifest } => write!(f, "{} builds no binary, so there is no component to test", manifest.display()),
            BuildError::NoTargetDir => write!(f, "no target directory: not in a build script (no OUT_DIR), and none was given"),
        }
    }
}

impl std::error::Error for BuildError {}

/// A component a build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The binary's name (`greet`).
    pub name: String,
    /// The component file.
    pub path: PathBuf,
}

/// One guest crate to build.
#[derive(Debug, Clone)]
pub struct Guest {
    dir: PathBuf,
    target: Target,
    features: Vec<String>,
    env: Option<String>,
    target_dir: Option<PathBuf>,
}

/// Builds the guest crate in `dir` (relative to the package being built)
/// for `target` and sets `<BINARY>_WASM` for the tests; panics, with
/// cargo's errors above, when the build fails. Returns the components.
pub fn guest(dir: impl AsRef<Path>, target: Target) -> Vec<Built> {
    Guest::new(dir, target).build()
}

impl Guest {
    /// The guest crate in `dir`: relative paths are taken from
    /// `CARGO_MANIFEST_DIR` when it is set.
    pub fn new(dir: impl AsRef<Path>, target: Target) -> Self {
        let dir = dir.as_ref();
        let dir = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(base) if dir.is_relative() => PathBuf::from(base).join(dir),
            _ => dir.to_path_buf(),
        };
        Guest { dir, target, features: Vec::new(), env: None, target_dir: None }
    }

    /// Builds with these cargo features of the guest.
    pub fn features<S: Into<String>>(mut self, features: impl IntoIterator<Item = S>) -> Self {
        self.features.extend(features.into_iter().map(Into::into));
        self
    }

    /// Names the environment variable that carries the component's path
    /// (default: the binary's name, upper-cased, `-` as `_`, then `_WASM`).
    /// For a guest crate with one binary.
    pub fn env(mut self, name: impl Into<String>) -> Self {
        self.env = Some(name.into());
        self
    }

    /// Builds in this target directory (default: `$OUT_DIR/<crate dir
    /// name>-<target>`, and a features suffix).
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.target_dir = Some(dir.into());
        self
    }

    /// Builds, prints the `cargo:` lines a build script gives (the
    /// variables, and `rerun-if-changed` for the guest's directory), and
    /// returns the components. Panics with the error when it fails.
    pub fn build(self) -> Vec<Built> {
        let built = self.try_build().unwrap_or_else(|e| panic!("wasi-replay-build: {e}"));
        println!("cargo:rerun-if-changed={}", self.dir.display());
        if let (Some(name), [one]) = (&self.env, built.as_slice()) {
            println!("cargo:rustc-env={name}={}", one.path.display());
        } else {
            for b in &built {
                println!("cargo:rustc-env={}={}", default_env(&b.name), b.path.display());
            }
        }
        built
    }

    /// Builds and returns the components, printing nothing for cargo.
    pub fn try_build(&self) -> Result<Vec<Built>, BuildError> {
        let target = self.target.triple();
        ensure_target(target)?;
        let target_dir = match &self.target_dir {
            Some(dir) => dir.clone(),
            None => {
                let out = std::env::var_os("OUT_DIR").ok_or(BuildError::NoTargetDir)?;
                let crate_dir = self.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let mut name = format!("{crate_dir}-{target}");
                for f in &self.features {
                    name.push('-');
                    name.push_str(f);
                }
                PathBuf::from(out).join(name)
            }
        };
        let manifest = self.dir.join("Cargo.toml");
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args(["build", "--release", "--message-format=json-render-diagnostics", "--target", target, "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target_dir);
        if !self.features.is_empty() {
            cmd.arg("--features").arg(self.features.join(","));
        }
        clean_env(&mut cmd);
        // stdout is cargo's JSON (a build script's own stdout is read by
        // cargo); stderr carries the diagnostics.
        let out = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).output().map_err(BuildError::Spawn)?;
        if !out.status.success() {
            return Err(BuildError::Failed { manifest });
        }
        let built: Vec<Built> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("\"reason\":\"compiler-artifact\""))
            .filter_map(|l| json_string(l, "executable"))
            .map(PathBuf::from)
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .map(|path| Built { name: path.file_stem().unwrap_or_default().to_string_lossy().into_owned(), path })
            .collect();
        if built.is_empty() {
            return Err(BuildError::NoComponent { manifest });
        }
        Ok(built)
    }
}

/// `greet-app` → `GREET_APP_WASM`.
fn default_env(binary: &str) -> String {
    let mut name: String = binary.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    name.push_str("_WASM");
    name
}

/// Removes what cargo sets for the build that runs this one and that
/// would change or break a nested build of another crate: its target
/// directory and target, its flags, and its jobserver.
pub fn clean_env(cmd: &mut Command) -> &mut Command {
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_MAKEFLAGS"] {
        cmd.env_remove(var);
    }
    cmd
}

/// Adds `target` with rustup when the toolchain lacks it.
pub fn ensure_target(target: &'static str) -> Result<(), BuildError> {
    if target_installed(target) {
        return Ok(());
    }
    eprintln!("wasi-replay-build: installing the {target} target with rustup");
    let added = Command::new("rustup").args(["target", "add", target]).status().is_ok_and(|s| s.success());
    if added && target_installed(target) { Ok(()) } else { Err(BuildError::MissingTarget(target)) }
}

/// Whether the toolchain's sysroot has `target`'s standard library.
pub fn target_installed(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("lib/rustlib").join(target).exists()
}

/// The string value of `"key":"…"` in one line of cargo's JSON, with the
/// escapes a path can hold undone.
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_name_becomes_a_variable() {
        assert_eq!(default_env("greet"), "GREET_WASM");
        assert_eq!(default_env("fs-tree.v2"), "FS_TREE_V2_WASM");
    }

    #[test]
    fn an_executable_is_read_from_cargo_json() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["bin"]},"executable":"/t/a \"b\"\\c.wasm","fresh":true}"#;
        assert_eq!(json_string(line, "executable").as_deref(), Some(r#"/t/a "b"\c.wasm"#));
        assert_eq!(json_string(r#"{"executable":null}"#, "executable"), None);
        assert_eq!(json_string(r#"{"executable":"\u00e9.wasm"}"#, "executable").as_deref(), Some("é.wasm"));
    }
}
