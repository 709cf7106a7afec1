//! Whole processes and compiles: a cold and a warm `wasi-replay run`, and
//! compiling the largest catalog component.

use super::measure::{median, min_max};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use wasi_replay::{catalog, Harness, World};

/// Target 4: `wasi-replay run` of fs-tree p2 as a process, with an empty
/// compile cache and then with the cache the first run filled.
pub(super) fn cli(rounds: usize) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let component = catalog::component_path("fs-tree", World::P2);
    let fixture = catalog::scenarios_dir().join("tree");
    let run = |cache: &Path| -> anyhow::Result<f64> {
        let t = Instant::now();
        let status = Command::new(&exe)
            .arg("--cache-dir")
            .arg(cache)
            .arg("run")
            .arg(&component)
            .arg("--fs")
            .arg(&fixture)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "wasi-replay run failed: {status}");
        Ok(t.elapsed().as_secs_f64() * 1e3)
    };
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let cache = tempfile::tempdir()?;
        cold.push(run(cache.path())?);
        warm.push(run(cache.path())?);
    }
    let (cold, warm) = (median(&mut cold), median(&mut warm));
    println!();
    println!("wasi-replay run of fs-tree p2 as a process ({rounds} rounds, a new cache each)");
    println!("  first (compiles): {cold:.1} ms; second (cached): {warm:.1} ms ({:.1}x)", cold / warm);
    Ok(())
}

/// How long wasmtime takes to compile (and the harness to link) the
/// largest component of the catalog, with no compile cache.
pub(super) fn compile(rounds: usize) -> anyhow::Result<()> {
    let guests = catalog::SCENARIOS.iter().chain(catalog::HOSTILE);
    let (size, path) = guests
        .flat_map(|name| [World::P2, World::P3].map(|world| catalog::component_path(name, world)))
        .filter_map(|path| Some((std::fs::metadata(&path).ok()?.len(), path)))
        .max()
        .ok_or_else(|| anyhow::anyhow!("no catalog component is built"))?;
    let harness = Harness::new()?.without_cache();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        harness.load(&path)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (lo, hi) = min_max(&times);
    println!();
    println!("compiling the largest catalog component, no cache ({rounds} rounds)");
    println!(
        "  {} ({:.0} KiB): {:.1} ms (min-max {lo:.1}-{hi:.1})",
        path.strip_prefix(catalog::guests_dir()).unwrap_or(&path).display(),
        size as f64 / 1024.0,
        median(&mut times)
    );
    Ok(())
}

