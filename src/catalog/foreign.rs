//! Guests from other toolchains: C with zig, AssemblyScript with asc,
//! Python with componentize-py, JavaScript with componentize-js. Each tool
//! comes from a registry (PyPI, npm) and is installed when missing; a
//! guest is rebuilt only when a source is newer than its output.

use super::*;

/// Is `out` missing or older than any of `inputs`?
pub(super) fn stale(out: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(out) else { return true };
    inputs.iter().any(|i| modified(i).is_none_or(|m| m > built))
}

/// Runs a Node.js tool (`npm`, `node …`) in `dir`; a failure is
/// `failed(guest, what it printed)`.
pub(super) fn run_node(
    cmd: &mut Command,
    dir: &Path,
    guest: &str,
    failed: fn(String, String) -> BuildError,
) -> Result<(), BuildError> {
    let out = cmd.current_dir(dir).output().map_err(|e| BuildError::NoNode(e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(failed(guest.to_string(), String::from_utf8_lossy(&out.stderr).trim().to_string()))
}

/// Builds the AssemblyScript guests with `asc`, when a source (or the
/// pinned packages) is newer than its module. The packages come from the
/// npm registry with `npm ci`, once.
pub fn build_as() -> Result<(), BuildError> {
    let root = guests_dir().join("as");
    let lock = root.join("package-lock.json");
    let config = root.join("asconfig.json");
    let todo: Vec<_> = AS_GUESTS
        .iter()
        .filter(|(name, src)| stale(&component_path(name, World::P1), &[root.join("assembly").join(src), lock.clone(), config.clone()]))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let run = |cmd: &mut Command, guest: &str| {
        run_node(cmd, &root, guest, |guest, stderr| BuildError::AsFailed { guest, stderr })
    };
    let asc = root.join("node_modules/assemblyscript/bin/asc.js");
    if stale(&asc, std::slice::from_ref(&lock)) {
        eprintln!("wasi-replay: installing AssemblyScript (npm ci in guests/as)");
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]), "npm ci")?;
    }
    let out_dir = guests_dir().join("target").join("as");
    std::fs::create_dir_all(&out_dir).map_err(BuildError::Spawn)?;
    for (name, src) in todo {
        let source = Path::new("assembly").join(src);
        let mut cmd = Command::new("node");
        cmd.arg(&asc).arg(&source).args(["--config", "asconfig.json", "--outFile"]).arg(component_path(name, World::P1));
        run(&mut cmd, name)?;
    }
    Ok(())
}

/// Runs componentize-py through its Python module, so no script has to be
/// on the PATH.
pub(super) fn componentize_py() -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", "import sys; from componentize_py import script; sys.argv[0] = 'componentize-py'; sys.exit(script())"]);
    cmd
}

pub(super) fn componentize_py_works() -> bool {
    componentize_py()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(COMPONENTIZE_PY))
}

/// The WASI 0.2 WIT wasmtime-wasi-http ships (`wasi:http` and every
/// package it uses), in the cargo registry (the host build has fetched it).
pub(super) fn wasi_wit() -> Result<PathBuf, BuildError> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    let registry = home.join("registry").join("src");
    let found = std::fs::read_dir(&registry).ok().into_iter().flatten().flatten().find_map(|index| {
        let deps = index.path().join("wasmtime-wasi-http-50.0.1/wit/deps");
        deps.is_dir().then_some(deps)
    });
    found.ok_or_else(|| BuildError::NoWasiWit(registry.display().to_string()))
}

/// `world` with the WASI packages beside it as `deps/`, in `out/wit`, the
/// layout componentize-py and componentize-js read.
pub(super) fn assemble_wit(world: &Path, out: &Path) -> Result<PathBuf, BuildError> {
    let wit = out.join("wit");
    let deps = wit.join("deps");
    std::fs::create_dir_all(&deps).map_err(BuildError::Spawn)?;
    std::fs::copy(world, wit.join("world.wit")).map_err(BuildError::Spawn)?;
    for entry in std::fs::read_dir(wasi_wit()?).map_err(BuildError::Spawn)? {
        let entry = entry.map_err(BuildError::Spawn)?;
        std::fs::copy(entry.path(), deps.join(entry.file_name())).map_err(BuildError::Spawn)?;
    }
    Ok(wit)
}

/// Builds the JavaScript guests with componentize-js, when a source, the
/// world or the pinned packages are newer than its component. The
/// packages come from the npm registry with `npm ci`, once.
pub fn build_js() -> Result<(), BuildError> {
    let root = guests_dir().join("js");
    let world = root.join("wit").join("world.wit");
    let lock = root.join("package-lock.json");
    let todo: Vec<_> = JS_GUESTS
        .iter()
        .filter(|(name, module, _)| {
            stale(&component_path(name, World::P2), &[root.join(format!("{module}.js")), world.clone(), lock.clone()])
        })
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let run = |cmd: &mut Command, guest: &str| {
        run_node(cmd, &root, guest, |guest, stderr| BuildError::JsFailed { guest, stderr })
    };
    let cli = root.join("node_modules/@bytecodealliance/componentize-js/src/cli.js");
    if stale(&cli, std::slice::from_ref(&lock)) {
        eprintln!("wasi-replay: installing componentize-js (npm ci in guests/js)");
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]), "npm ci")?;
    }
    let wit = assemble_wit(&world, &guests_dir().join("target").join("js"))?;
    for (name, module, target) in todo {
        let mut cmd = Command::new("node");
        cmd.arg(&cli)
            .arg(format!("{module}.js"))
            .arg("--wit")
            .arg(&wit)
            .args(["--world-name", target, "-o"])
            .arg(component_path(name, World::P2));
        run(&mut cmd, name)?;
    }
    Ok(())
}

/// Builds the Python guests with componentize-py, when a source or the
/// world is newer than its component: the world and wasmtime-wasi's WASI
/// packages are put together in `guests/target/py/wit` first.
pub fn build_py() -> Result<(), BuildError> {
    let root = guests_dir().join("py");
    let world = root.join("wit").join("world.wit");
    let todo: Vec<_> = PY_GUESTS
        .iter()
        .filter(|(name, module, _)| stale(&component_path(name, World::P2), &[root.join(format!("{module}.py")), world.clone()]))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let failed = |guest: &str, stderr: String| BuildError::PyFailed { guest: guest.to_string(), stderr };
    if !componentize_py_works() {
        eprintln!("wasi-replay: installing componentize-py {COMPONENTIZE_PY} (PyPI) for the Python guests");
        let pin = format!("componentize-py=={COMPONENTIZE_PY}");
        let out = Command::new("python3").args(["-m", "pip", "install", "--quiet", &pin]).output().map_err(BuildError::Spawn)?;
        if !componentize_py_works() {
            return Err(failed("pip install", String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
    }
    let wit = assemble_wit(&world, &guests_dir().join("target").join("py"))?;
    for (name, module, target) in todo {
        let out = componentize_py()
            .arg("-d")
            .arg(&wit)
            .args(["-w", target, "componentize", "-p"])
            .arg(&root)
            .arg(module)
            .arg("-o")
            .arg(component_path(name, World::P2))
            .output()
            .map_err(BuildError::Spawn)?;
        if !out.status.success() {
            return Err(failed(name, String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
    }
    Ok(())
}

/// Builds the C guests with `zig cc --target=wasm32-wasi`, when a source is
/// newer than its module. Zig comes from PyPI (`ziglang`) and is installed
/// with pip when missing.
pub fn build_c() -> Result<(), BuildError> {
    let out_dir = guests_dir().join("target").join("c");
    let todo: Vec<_> =
        C_GUESTS.iter().filter(|(name, src)| stale(&component_path(name, World::P1), &[guests_dir().join("c").join(src)])).collect();
    if todo.is_empty() {
        return Ok(());
    }
    ensure_zig()?;
    std::fs::create_dir_all(&out_dir).map_err(BuildError::Spawn)?;
    for (name, src) in todo {
        let out = Command::new("python3")
            .args(["-m", "ziglang", "cc", "--target=wasm32-wasi", "-O2", "-s", "-o"])
            .arg(component_path(name, World::P1))
            .arg(guests_dir().join("c").join(src))
            .output()
            .map_err(BuildError::Spawn)?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            return Err(BuildError::CFailed { guest: name.to_string(), stderr });
        }
    }
    Ok(())
}

pub(super) fn zig_works() -> bool {
    Command::new("python3").args(["-m", "ziglang", "version"]).output().is_ok_and(|o| o.status.success())
}

pub(super) fn ensure_zig() -> Result<(), BuildError> {
    if zig_works() {
        return Ok(());
    }
    eprintln!("wasi-replay: installing zig (PyPI package ziglang) for the C guests");
    let _ = Command::new("python3").args(["-m", "pip", "install", "--quiet", "ziglang"]).status();
    if zig_works() { Ok(()) } else { Err(BuildError::NoZig) }
}
