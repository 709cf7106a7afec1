//! Where one run's time goes, step by step, against the floor: the same
//! component in a plain wasmtime embedding ([`Floor`]), timed in the
//! same blocks.

use super::floor::Floor;
use super::measure::{interleaved, median, micros, reference};
use std::time::Instant;
use wasi_replay::{RunPhases, Scenario, World, catalog};

/// The runs the breakdown times: fs-tree, and the empty command that
/// makes no host call of its own, in both worlds.
const ROWS: [(&str, World); 4] = [("fs-tree", World::P2), ("fs-tree", World::P3), ("empty", World::P2), ("empty", World::P3)];

/// One column of the table: a guest in a world, measured.
struct Column {
    load: f64,
    steps: Vec<(&'static str, f64)>,
    total: f64,
    run: f64,
    floor: f64,
    floor_instantiate: f64,
    reference: f64,
}

/// Times `runs` pooled runs of each of [`ROWS`] with their steps, the
/// plain embedding's runs and bare instantiations, and the reference loop,
/// taking turns; prints the medians as a table.
pub(super) fn breakdown(runs: usize) -> anyhow::Result<()> {
    let harness = crate::cli::new_harness(1)?;
    let mut columns = Vec::new();
    for (name, world) in ROWS {
        let path = catalog::component_path(name, world);
        let scenario = if catalog::BENCH_GUESTS.contains(&name) { Scenario::new(name) } else { catalog::scenario(name)? };
        let mut loads: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                harness.load(&path).map(|_| micros(t.elapsed()))
            })
            .collect::<Result<_, _>>()?;
        let guest = harness.load(&path)?;
        let floor = Floor::new(&path, world)?;
        // A plain run of fs-tree would need a filesystem of its own: only
        // the empty guest runs whole in the floor; fs-tree is instantiated.
        let whole = name == "empty";
        let mut phases: Vec<RunPhases> = Vec::with_capacity(runs + 5);
        let mut phased = || -> anyhow::Result<()> {
            phases.push(harness.run_phased(&guest, &scenario)?.1);
            Ok(())
        };
        let m = interleaved(
            &mut [
                &mut phased,
                &mut || harness.run(&guest, &scenario).map(drop).map_err(Into::into),
                &mut || if whole { floor.run() } else { Ok(()) },
                &mut || floor.instantiate(),
                &mut || Ok(reference()),
            ],
            runs,
        )?;
        let step = |i: usize| median(&mut phases.iter().map(|p| micros(p.steps()[i].1)).collect::<Vec<_>>());
        columns.push(Column {
            load: median(&mut loads),
            steps: (0..RunPhases::default().steps().len()).map(|i| (RunPhases::default().steps()[i].0, step(i))).collect(),
            total: m[0],
            run: m[1],
            floor: if whole { m[2] } else { f64::NAN },
            floor_instantiate: m[3],
            reference: m[4],
        });
    }
    println!();
    println!("one pooled run, step by step: µs, medians of {runs} runs each (the steps' medians need not add up to the total)");
    print!("{:<44}", "");
    for (name, world) in ROWS {
        print!(" {:>12}", format!("{name} {world}"));
    }
    println!();
    let row = |label: &str, f: &dyn Fn(&Column) -> f64| {
        print!("{label:<44}");
        for c in &columns {
            match f(c) {
                v if v.is_nan() => print!(" {:>12}", "-"),
                v => print!(" {v:>12.1}"),
            }
        }
        println!();
    };
    row("load (compile cache hit), once", &|c| c.load);
    for i in 0..columns[0].steps.len() {
        let label = format!("  {}", columns[0].steps[i].0);
        row(&label, &|c| c.steps[i].1);
    }
    row("run, timed by steps", &|c| c.total);
    row("run", &|c| c.run);
    row("floor: plain wasmtime, run", &|c| c.floor);
    row("floor: plain wasmtime, instantiate", &|c| c.floor_instantiate);
    row("run / floor run (x)", &|c| c.run / c.floor);
    row("instantiate .. reset / floor instantiate (x)", &|c| (c.steps[2].1 + c.steps[3].1 + c.steps[6].1) / c.floor_instantiate);
    row("reference loop", &|c| c.reference);
    row("run in reference loops", &|c| c.run / c.reference);
    Ok(())
}
