//! Timing helpers every part shares: medians, interleaved configs, a
//! reference workload, this process's RSS.

use std::time::{Duration, Instant};

pub(super) fn cores() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(wasi_replay::cli_support::MAX_CONCURRENT_RUNS as usize)
}

/// The median of `samples`, which it sorts.
/// The median rate of each of `N` ways, measured by `one_way` in `rounds`
/// rounds where the ways take turns, each round starting one further on,
/// so that none always runs first or last; a first round only warms up.
pub(super) fn rotating<const N: usize>(rounds: usize, mut one_way: impl FnMut(usize) -> anyhow::Result<f64>) -> anyhow::Result<[f64; N]> {
    let mut rates: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..=rounds {
        for k in 0..N {
            let way = (round + k) % N;
            let rate = one_way(way)?;
            if round > 0 {
                rates[way].push(rate);
            }
        }
    }
    Ok(rates.map(|mut r| median(&mut r)))
}

pub(super) fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// The smallest and largest of `samples`.
pub(super) fn min_max(samples: &[f64]) -> (f64, f64) {
    samples.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

pub(super) fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Times `runs` runs of each of `configs` and returns each one's median in
/// µs. The configs take turns in blocks of a tenth of the runs, after a
/// few untimed runs each: drift on the machine falls on all of them alike,
/// and each block runs with its own caches warm.
pub(super) fn interleaved(configs: &mut [&mut dyn FnMut() -> anyhow::Result<()>], runs: usize) -> anyhow::Result<Vec<f64>> {
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

/// Numbers sorted per call of [`reference`].
pub(super) const REFERENCE_LEN: usize = 4096;

/// A fixed piece of CPU work that shares nothing: sorting
/// [`REFERENCE_LEN`] pseudo-random numbers. Its time tells how fast the
/// machine was while it ran; its rate on every core against one tells how
/// far the cores scale when nothing at all is shared.
pub(super) fn reference() {
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

/// Resident set size of this process (Linux `/proc/self/status`).
pub(super) fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
