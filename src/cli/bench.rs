//! `bench`: how fast the harness is, as medians over repeated runs. Every
//! ratio compares numbers taken side by side in this one process, with the
//! runs of the things compared interleaved. Numbers, never assertions.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasi_replay::catalog;
use wasi_replay::harness::Harness;
use wasi_replay::host::Backend;
use wasi_replay::memfs::MemFs;
use wasi_replay::report::{FsReport, FsView, RunReport, World};

/// The parts of the benchmark, in the order they run.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// RSS of a MemFs holding 100,000 files of 100 bytes (runs first, while
    /// the process is still small).
    Memory,
    /// µs per run: direct against bridge, pooled against on-demand.
    Runs,
    /// Listing the 10,000-file tree and writing the report as YAML.
    Tree,
    /// `check`'s rate on one thread against one thread per core.
    Threads,
    /// A second `wasi-replay run` of a component against the first.
    Cli,
    /// Compiling the largest catalog component, with no cache.
    Compile,
}

pub fn bench(scenarios: &[String], runs: usize, only: &[Part], child: bool) -> anyhow::Result<u8> {
    if child {
        per_run_child(scenarios, runs)?;
        return Ok(super::EXIT_OK);
    }
    let wanted = |p: Part| only.is_empty() || only.contains(&p);
    let profile = if cfg!(debug_assertions) { "dev (dependencies at opt-level 2)" } else { "release" };
    println!("build profile {profile}, {} cores; medians over repeated runs", cores());
    if wanted(Part::Memory) {
        memory();
    }
    catalog::build_all_with(catalog::Progress::Shown)?;
    if wanted(Part::Runs) {
        per_run(scenarios, runs)?;
    }
    if wanted(Part::Tree) {
        tree(runs.clamp(5, 50))?;
    }
    if wanted(Part::Threads) {
        threads(runs)?;
    }
    if wanted(Part::Cli) {
        cli(5)?;
    }
    if wanted(Part::Compile) {
        compile(5)?;
    }
    Ok(super::EXIT_OK)
}

fn cores() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(wasi_replay::harness::MAX_CONCURRENT_RUNS as usize)
}

/// The median of `samples`, which it sorts.
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// The smallest and largest of `samples`.
fn min_max(samples: &[f64]) -> (f64, f64) {
    samples.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Times `runs` runs of each of `configs` and returns each one's median in
/// µs. The configs take turns in blocks of a tenth of the runs, after a
/// few untimed runs each: drift on the machine falls on all of them alike,
/// and each block runs with its own caches warm.
fn interleaved(configs: &mut [&mut dyn FnMut() -> anyhow::Result<()>], runs: usize) -> anyhow::Result<Vec<f64>> {
    for run in configs.iter_mut() {
        for _ in 0..runs.min(5) {
            run()?;
        }
    }
    let block = (runs / 10).max(1);
    let mut samples = vec![Vec::with_capacity(runs); configs.len()];
    let mut done = 0;
    while done < runs {
        let n = block.min(runs - done);
        for (run, times) in configs.iter_mut().zip(&mut samples) {
            for _ in 0..n {
                let t = Instant::now();
                run()?;
                times.push(micros(t.elapsed()));
            }
        }
        done += n;
    }
    Ok(samples.iter_mut().map(|s| median(s)).collect())
}

/// Processes the per-run table is measured in, one after another. The
/// 2-core VM runs in phases of seconds to minutes: in one phase a loop of
/// fs-tree runs takes about 95 µs per run, in another about 150 µs, and
/// [`reference`] slows down with it. So each process is one sample spread
/// over time, the table shows the median across them, and the reference
/// loop, timed in the same blocks, shows which phases they met.
const RUN_PROCESSES: usize = 5;

/// Numbers sorted per call of [`reference`].
const REFERENCE_LEN: usize = 4096;

/// A fixed piece of CPU work that shares nothing: sorting
/// [`REFERENCE_LEN`] pseudo-random numbers. Its time tells how fast the
/// machine was while it ran; its rate on every core against one tells how
/// far the cores scale when nothing at all is shared.
fn reference() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut v: Vec<u32> = (0..REFERENCE_LEN)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        })
        .collect();
    v.sort_unstable();
    std::hint::black_box(&v);
}

/// Target 1 and 2: µs per run on the direct and bridge backends from a
/// pooled harness, and on the direct backend from an on-demand one, each
/// measured side by side in [`RUN_PROCESSES`] child processes.
fn per_run(scenarios: &[String], runs: usize) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut samples: Vec<Vec<[f64; 4]>> = Vec::new();
    for _ in 0..RUN_PROCESSES {
        let mut child = Command::new(&exe);
        match super::cache_dir() {
            Some(dir) => child.arg("--cache-dir").arg(dir),
            None => child.arg("--no-cache"),
        };
        let out = child
            .arg("bench")
            .args(scenarios)
            .args(["--runs", &runs.to_string(), "--only", "runs", "--child"])
            .stderr(Stdio::inherit())
            .output()?;
        anyhow::ensure!(out.status.success(), "the per-run benchmark process failed: {}", out.status);
        let rows = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|line| {
                let m: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
                <[f64; 4]>::try_from(m).map_err(|_| anyhow::anyhow!("unreadable benchmark line `{line}`"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        samples.push(rows);
    }
    println!();
    println!(
        "µs per run, one thread: medians over {RUN_PROCESSES} processes of each one's median \
         ({runs} runs each; fs-bulk {} runs)",
        bulk_runs(runs)
    );
    println!(
        "{:<14} {:<5} {:>10} {:>15} {:>10} {:>8} {:>10} {:>8}",
        "scenario", "world", "direct", "(processes", "bridge", "bridge/", "direct", "on-dem./"
    );
    println!(
        "{:<14} {:<5} {:>10} {:>15} {:>10} {:>8} {:>10} {:>8}",
        "", "", "pooled", "min-max)", "pooled", "direct", "on-demand", "pooled"
    );
    let rows = scenarios.iter().flat_map(|name| [World::P2, World::P3].map(|world| (name, world)));
    for (i, (name, world)) in rows.enumerate() {
        let column = |f: &dyn Fn(&[f64; 4]) -> f64| {
            let mut v: Vec<f64> = samples.iter().map(|rows| f(&rows[i])).collect();
            median(&mut v)
        };
        let direct: Vec<f64> = samples.iter().map(|rows| rows[i][0]).collect();
        let (lo, hi) = min_max(&direct);
        println!(
            "{:<14} {:<5} {:>10.1} {:>15} {:>10.1} {:>7.1}x {:>10.1} {:>7.2}x",
            name,
            world,
            column(&|m| m[0]),
            format!("{lo:.0}-{hi:.0}"),
            column(&|m| m[1]),
            column(&|m| m[1] / m[0]),
            column(&|m| m[2]),
            column(&|m| m[2] / m[0]),
        );
    }
    // Each process's reference time: the median over its rows.
    let mut reference: Vec<f64> = samples
        .iter()
        .map(|rows| median(&mut rows.iter().map(|m| m[3]).collect::<Vec<_>>()))
        .collect();
    let (lo, hi) = min_max(&reference);
    println!(
        "reference loop (sorting {REFERENCE_LEN} numbers, timed in the same blocks): {:.1} µs \
         (processes {lo:.1}-{hi:.1})",
        median(&mut reference)
    );
    Ok(())
}

/// One process's sample for [`per_run`]: a line per scenario and world
/// (in that order) with the median µs of direct pooled, bridge pooled and
/// direct on-demand runs and of [`reference`], which take turns in blocks.
fn per_run_child(scenarios: &[String], runs: usize) -> anyhow::Result<()> {
    let pooled = super::new_harness(1)?;
    let on_demand = super::with_cache(Harness::new()?);
    for name in scenarios {
        let n = if name == "fs-bulk" { bulk_runs(runs) } else { runs };
        for world in [World::P2, World::P3] {
            let path = catalog::component_path(name, world);
            let (guest, guest_od) = (pooled.load(&path)?, on_demand.load(&path)?);
            let direct = catalog::scenario(name)?.backend(Backend::Direct);
            let bridge = catalog::scenario(name)?.backend(Backend::Bridge);
            let m = interleaved(
                &mut [
                    &mut || pooled.run(&guest, &direct).map(drop).map_err(Into::into),
                    &mut || pooled.run(&guest, &bridge).map(drop).map_err(Into::into),
                    &mut || on_demand.run(&guest_od, &direct).map(drop).map_err(Into::into),
                    &mut || Ok(reference()),
                ],
                n,
            )?;
            println!("{name} {world} {} {} {} {}", m[0], m[1], m[2], m[3]);
        }
    }
    Ok(())
}

fn bulk_runs(runs: usize) -> usize {
    (runs / 64).max(3)
}

/// Target 2: the final tree of `fs-bulk` (10,000 files) listed and written
/// as the report's YAML, and as a digest.
fn tree(runs: usize) -> anyhow::Result<()> {
    let harness = super::new_harness(1)?;
    let guest = harness.load(&catalog::component_path("fs-bulk", World::P2))?;
    let (report, fs) = harness.run_with_fs(&guest, &catalog::scenario("fs-bulk")?)?;
    let fs = fs.ok_or_else(|| anyhow::anyhow!("fs-bulk left no filesystem"))?;
    let mut yaml_len = 0;
    let as_yaml = |how: FsReport, len: &mut usize| {
        *len = RunReport { fs: FsView::of(&fs, how), ..report.clone() }.to_yaml().len();
    };
    let listed = RunReport { fs: FsView::of(&fs, FsReport::Tree), ..report.clone() };
    let m = interleaved(
        &mut [
            &mut || Ok(as_yaml(FsReport::Tree, &mut yaml_len)),
            &mut || Ok(drop(FsView::of(&fs, FsReport::Tree))),
            &mut || Ok(drop(listed.to_yaml())),
            &mut || Ok(as_yaml(FsReport::Digest, &mut 0)),
        ],
        runs,
    )?;
    println!();
    println!("fs-bulk's final tree into report YAML ({runs} runs)");
    println!(
        "  {} entries, {} KiB of YAML listed: {:.2} ms (listing {:.2} ms, YAML {:.2} ms)",
        fs.walk().len(),
        yaml_len / 1024,
        m[0] / 1e3,
        m[1] / 1e3,
        m[2] / 1e3
    );
    println!("  the same as a digest: {:.2} ms", m[3] / 1e3);
    Ok(())
}

/// Target 3: `check`'s rate (runs over the time the runs took, as `check`
/// reports it) on one thread and on one per core, in alternating rounds;
/// every round's reports are also checked to be identical. The same
/// rounds time [`reference`] the same way, as the most the cores give.
fn threads(runs: usize) -> anyhow::Result<()> {
    let cores = cores();
    let harness = super::new_harness(cores)?;
    let guest = harness.load(&catalog::component_path("fs-tree", World::P2))?;
    let scenario = catalog::scenario("fs-tree")?;
    let rounds = 11;
    let (mut one, mut all, mut ref_one, mut ref_all) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        for (threads, rates, ref_rates) in [(1, &mut one, &mut ref_one), (cores, &mut all, &mut ref_all)] {
            let t = Instant::now();
            let reports = harness.run_many(&guest, &scenario, runs, threads)?;
            let rate = runs as f64 / t.elapsed().as_secs_f64();
            let first = reports[0].to_yaml();
            anyhow::ensure!(reports.iter().all(|r| r.to_yaml() == first), "runs differ");
            let t = Instant::now();
            std::thread::scope(|s| {
                for k in 0..threads {
                    s.spawn(move || (k..runs).step_by(threads).for_each(|_| reference()));
                }
            });
            let ref_rate = runs as f64 / t.elapsed().as_secs_f64();
            // Round 0 only warms up.
            if round > 0 {
                rates.push(rate);
                ref_rates.push(ref_rate);
            }
        }
    }
    let (one, all) = (median(&mut one), median(&mut all));
    let (ref_one, ref_all) = (median(&mut ref_one), median(&mut ref_all));
    println!();
    println!("check of fs-tree p2, {runs} runs, {rounds} rounds");
    println!("  1 thread:  {one:>8.0} runs/s");
    println!("  {cores} threads: {all:>8.0} runs/s ({:.2}x)", all / one);
    println!(
        "  reference loop, {runs} calls: {ref_one:.0} calls/s on 1 thread, {ref_all:.0} on {cores} ({:.2}x)",
        ref_all / ref_one
    );
    Ok(())
}

/// Target 4: `wasi-replay run` of fs-tree p2 as a process, with an empty
/// compile cache and then with the cache the first run filled.
fn cli(rounds: usize) -> anyhow::Result<()> {
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
fn compile(rounds: usize) -> anyhow::Result<()> {
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

/// Target 5: a MemFs of 100,000 files of 100 bytes, 1,000 to a directory.
fn memory() {
    const FILES: usize = 100_000;
    let before = rss_bytes();
    let mut fs = MemFs::new();
    let t = Instant::now();
    for i in 0..FILES {
        let dir = format!("/m/{:02}", i / 1000);
        if i % 1000 == 0 {
            fs.mkdir_p(&dir).expect("mkdir in a fresh MemFs");
        }
        let mut data = [0u8; 100];
        data[..8].copy_from_slice(&(i as u64).to_le_bytes());
        fs.write(&format!("{dir}/{i:06}"), data).expect("write in a fresh MemFs");
    }
    let built = t.elapsed();
    let after = rss_bytes();
    println!();
    println!("MemFs of {FILES} files of 100 bytes ({} inodes), built in {:.0} ms", fs.inode_count(), built.as_secs_f64() * 1e3);
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "  process RSS {:.1} MB before, {:.1} MB after: {} bytes per inode",
            b as f64 / 1e6,
            a as f64 / 1e6,
            a.saturating_sub(b) / fs.inode_count()
        ),
        _ => println!("  RSS: not available on this system"),
    }
    drop(fs);
}

/// Resident set size of this process (Linux `/proc/self/status`).
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
