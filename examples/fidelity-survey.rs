//! Runs generated fidelity scripts (`FIDELITY_SURVEY` of them, default
//! 500) with the `fs-ops` guest on both backends in p1, p2 and p3, and
//! prints each kind of first divergence once, with its count and the
//! script line that caused it: for finding the next fidelity fix quickly.
//! Not a check; the fidelity tests are.
//!
//! ```sh
//! FIDELITY_SURVEY=2000 cargo run --release --example fidelity-survey
//! ```

use proptest::strategy::{Strategy, ValueTree};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use wasi_replay::{catalog, Guest, Harness, World};
use wasi_replay::host::Backend;

// Shared with the fidelity tests, which use all of it.
#[allow(dead_code)]
#[path = "../tests/all/fidelity/script.rs"]
mod script;
use script::{WORLDS, masked, run};

/// The process's harness, with the catalog built first.
fn harness() -> &'static Harness {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| catalog::build_all().unwrap_or_else(|e| panic!("{e}")));
    Harness::shared().unwrap_or_else(|e| panic!("{e}"))
}

/// A catalog guest, loaded for `world`.
fn guest(name: &str, world: World) -> Guest {
    harness().load(catalog::component_path(name, world)).unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let n: usize = std::env::var("FIDELITY_SURVEY").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut kinds: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for _ in 0..n {
        let s = script::script().new_tree(&mut runner).expect("a script").current();
        for world in WORLDS {
            let (d, b) = (masked(&run(&s, world, Backend::Direct)), masked(&run(&s, world, Backend::Bridge)));
            let Some((dl, bl)) = d.lines().zip(b.lines()).find(|(x, y)| x != y) else { continue };
            let n: usize = dl.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let line = s.lines().nth(n.saturating_sub(1)).unwrap_or("").to_string();
            let strip = |l: &str| l.split_once(' ').map_or(l.to_string(), |(_, r)| r.to_string());
            let key = format!("{world} {} | bridge: {}", strip(dl), strip(bl));
            kinds.entry(key).or_insert((0, line)).0 += 1;
        }
    }
    println!("{n} scripts, {} kinds of divergence", kinds.len());
    for (k, (count, line)) in &kinds {
        println!("{count:5}  {k}\n       e.g. {line}");
    }
}
