//! `explore` and `merge`: seeded runs grouped into classes, a replay
//! command per class, and partitions joined.

use super::{EXIT_OK, InputArgs};
use anyhow::{Context, anyhow};
use std::path::{Path, PathBuf};
use wasi_replay::explore;
use wasi_replay::explore::{Config, Exploration};
use wasi_replay::cli_support::MAX_CONCURRENT_RUNS;

/// What `explore` was asked, besides the inputs.
pub struct Options<'a> {
    pub seeds: (u64, u64),
    pub faults: u32,
    pub kinds: Option<&'a str>,
    pub partition: Option<(usize, usize)>,
    pub json: Option<&'a Path>,
    pub html: Option<&'a Path>,
    pub threads: Option<usize>,
}

pub fn explore(component: &Path, inputs: &InputArgs, o: Options<'_>) -> anyhow::Result<u8> {
    let watch = super::progress::on_ctrl_c();
    let base = inputs.scenario(component)?;
    let kinds = match o.kinds {
        Some(k) => wasi_replay::faults::parse_kinds(k).map_err(|e| anyhow!("--fault-kinds: {e}"))?,
        None => wasi_replay::faults::FaultKind::ALL.to_vec(),
    };
    if o.kinds.is_some() && o.faults == 0 {
        anyhow::bail!("--fault-kinds: there are no faults to draw; give --faults N");
    }
    let mut page = super::Page::create(o.html)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = o.threads.unwrap_or(cores).min(MAX_CONCURRENT_RUNS as usize);
    let config = Config {
        seeds: o.seeds.0..o.seeds.1,
        faults: o.faults,
        kinds,
        partition: o.partition.map(|(k, n)| (k as u64, n as u64)),
        threads,
    };
    let harness = super::new_harness(threads)?;
    let guest = harness.load_on(component, inputs.world())?;
    let start = std::time::Instant::now();
    let progress = super::progress::Progress::start(&watch);
    let found = explore::explore_watched(&harness, &guest, &base, &config, &watch);
    progress.finish();
    let mut found = found?;
    found.replay = replay_prefix();
    let elapsed = start.elapsed();
    eprintln!("{} runs in {:.2} s ({:.0} runs/s)", found.runs, elapsed.as_secs_f64(), found.runs as f64 / elapsed.as_secs_f64());
    if let Some(file) = o.json {
        let text = serde_json::to_string_pretty(&found)? + "\n";
        std::fs::write(file, text).with_context(|| format!("--json {}", file.display()))?;
    }
    super::write_page(&mut page, || wasi_replay::html::exploration_page(&found))?;
    print!("{}", found.show());
    Ok(if found.interrupted { super::EXIT_INTERRUPTED } else { EXIT_OK })
}

pub fn merge(files: &[PathBuf]) -> anyhow::Result<u8> {
    let mut parts = Vec::new();
    for f in files {
        let bytes = wasi_replay::memfs::read_capped(f, wasi_replay::host::DEFAULT_INPUT_BYTES).map_err(|e| anyhow!("{}: {e}", f.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| anyhow!("{}: not an exploration: not UTF-8 text", f.display()))?;
        let part: Exploration = serde_json::from_str(&text).map_err(|e| anyhow!("{}: not an exploration: {e}", f.display()))?;
        parts.push(part);
    }
    let merged = explore::merge(parts).map_err(|e| anyhow!("merge: {e}"))?;
    print!("{}", merged.show());
    Ok(EXIT_OK)
}

/// `wasi-replay run` with this command line's inputs: everything after
/// `explore` but the flags only exploring takes, and the seed.
fn replay_prefix() -> String {
    // `--schedule` too: a class replays by its own decisions; and
    // `--html`, which `run` would take as its own page to write.
    const OWN: [&str; 9] = ["--seeds", "--faults", "--fault-kinds", "--partition", "--json", "--html", "--threads", "--seed", "--schedule"];
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "explore").map_or(args.len(), |i| i + 1);
    let mut kept = vec!["wasi-replay".to_string(), "run".to_string()];
    let mut rest = args[at..].iter();
    while let Some(a) = rest.next() {
        let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
        if OWN.contains(&name) {
            if !a.contains('=') {
                rest.next();
            }
            continue;
        }
        kept.push(explore::shell_word(a));
    }
    kept.join(" ")
}
