//! Schedules on the race guest (`scenarios/schedule/race-counter.toml`):
//! the default order passes, other orders of its reads and writes lose an
//! update, and a run's decisions replay it exactly.

use crate::support::{guest, harness};
use wasi_replay::cli_support::ScenarioFile;
use wasi_replay::schedule::Strategy;
use wasi_replay::{Exit, Output, RunReport, Scenario, World, catalog};

fn race() -> Scenario {
    let path = catalog::scenarios_dir().join(catalog::scenario_file("race-counter"));
    ScenarioFile::load(&path, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}")).scenario
}

fn run(world: World, strategy: &str, journal: bool) -> RunReport {
    let scenario = race().schedule(strategy.parse().unwrap()).journal(journal);
    harness().run(&guest("race-counter", world), &scenario).unwrap_or_else(|e| panic!("{strategy}: {e}"))
}

fn lost(report: &RunReport) -> bool {
    report.exit == Exit::Status(1) && matches!(&report.stderr, Output::Text(t) if t.contains("lost update"))
}

#[test]
fn the_default_order_counts_both_jobs_and_holds_nothing() {
    for world in [World::P2, World::P3] {
        let plain = harness().run(&guest("race-counter", world), &race()).unwrap();
        assert_eq!(plain.exit, Exit::Status(0), "{world}");
        assert!(plain.schedule.is_none(), "{world}: no schedule, no `schedule:` in the report");
        let default = run(world, "default", false);
        assert_eq!(default.to_yaml(), plain.to_yaml(), "{world}: `default` is the run without a schedule");
    }
}

#[test]
fn pct_finds_the_lost_update_and_its_decisions_replay_it() {
    let found: Vec<(u64, RunReport)> =
        (0..100).map(|seed| (seed, run(World::P3, &format!("pct:2:{seed}"), false))).filter(|(_, r)| lost(r)).collect();
    assert!(!found.is_empty(), "pct:2 over 100 seeds never lost an update");
    assert!(found.len() < 100, "every pct:2 run lost an update: the schedule is not what decides");
    let (seed, _) = &found[0];
    let original = run(World::P3, &format!("pct:2:{seed}"), true);
    let decisions = &original.schedule.as_ref().expect("a scheduled run reports its decisions").decisions;
    let replayed = run(World::P3, &format!("replay:{decisions}"), true);
    assert!(lost(&replayed));
    assert_eq!(replayed.to_yaml(), original.to_yaml(), "replay:{decisions} gives the pct:2:{seed} run byte for byte");
    let picks = original.journal.as_ref().unwrap().iter().filter(|l| l.contains("schedule.pick(")).count();
    assert_eq!(picks as u32, original.schedule.as_ref().unwrap().points, "one journal line per decision");
}

#[test]
fn p2_reorders_the_responses_but_its_file_calls_never_lose_an_update() {
    let walked = explore_race(World::P2, &race(), "exhaustive", 0..1);
    assert!(walked.classes.len() >= 2, "p2 polls both jobs' responses at once, so their order varies:\n{}", walked.show());
    assert!(walked.classes.iter().all(|c| c.exit == "status 0"), "a p2 read and write complete inline:\n{}", walked.show());
    let r = run(World::P2, "replay:-", false);
    assert!(r.schedule.as_ref().unwrap().points > 0, "two responses are held at once");
}

#[test]
fn schedule_texts_that_do_not_parse_say_why() {
    for (text, says) in [("pct:0", "depth"), ("replay:1.1-0.2", "increase"), ("fifo", "not a schedule")] {
        let e = text.parse::<Strategy>().unwrap_err();
        assert!(e.contains(says), "{text}: {e}");
    }
}

#[test]
fn the_schedule_perturbation_catches_the_race_and_holds_for_the_serial_twin() {
    use wasi_replay::perturb::{Perturbation, Verdict, perturb};
    let only = [Perturbation::Schedule];
    let racy = perturb(harness(), &guest("race-counter", World::P3), &race(), Some(&only), &[], 3).unwrap();
    assert!(matches!(&racy[0].verdict, Verdict::Changed { field, .. } if field == "exit"), "{}", racy[0].line());
    let serial = race().args(["race-counter", "--serial"]);
    let held = perturb(harness(), &guest("race-counter", World::P3), &serial, Some(&only), &[], 3).unwrap();
    assert_eq!(held[0].verdict, Verdict::Held { variants: 3 }, "{}", held[0].line());
}

#[test]
fn each_explored_class_replays_from_its_shrunk_decisions() {
    use wasi_replay::explore::{class_of, explore};
    let path = catalog::scenarios_dir().join(catalog::scenario_file("race-counter"));
    let file = ScenarioFile::load(&path, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}"));
    let spec = file.explore.as_ref().expect("race-counter has [explore]");
    let g = guest("race-counter", World::P3);
    let found = explore(harness(), &g, &spec.base(&file.scenario), &spec.config(2)).unwrap();
    assert!(found.classes.iter().any(|c| c.exit == "status 1"), "{}", found.show());
    for c in &found.classes {
        let decisions = c.decisions.as_deref().expect("an exploration with a schedule keeps each class's decisions");
        let replay = file.scenario.clone().seed(c.first_seed).schedule(format!("replay:{decisions}").parse().unwrap());
        let report = harness().run(&g, &replay).unwrap();
        assert_eq!(class_of(&report), (c.exit.clone(), c.output.clone()), "replay:{decisions} at seed {}", c.first_seed);
    }
}

#[test]
fn a_handler_takes_a_schedule_only_when_it_serves_concurrently_and_only_in_p3() {
    let path = catalog::scenarios_dir().join(catalog::scenario_file("http-handler"));
    let scenario = ScenarioFile::load(&path, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}")).scenario;
    let e = harness().run(&guest("http-handler", World::P3), &scenario.schedule(Strategy::Random { seed: None })).unwrap_err();
    assert!(e.to_string().contains("serves its requests concurrently"), "{e}");

    let hits = catalog::scenarios_dir().join("schedule/handler-hits.toml");
    let hits = ScenarioFile::load(&hits, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}")).scenario;
    let e = harness().run(&guest("http-handler", World::P2), &hits).unwrap_err();
    assert!(e.to_string().contains("needs a p3 handler"), "{e}");
    let lost = |r: &RunReport| {
        let bodies: Vec<_> = r.responses.iter().map(|x| format!("{:?}", x.body)).collect();
        bodies.iter().filter(|b| b.contains("hit 1")).count() == 2
    };
    let g = guest("http-handler", World::P3);
    assert!(!lost(&harness().run(&g, &hits).unwrap()), "the default order counts both hits");
    let replayed = harness().run(&g, &hits.clone().schedule("replay:2.1".parse().unwrap())).unwrap();
    assert!(lost(&replayed), "replay:2.1 reads both counts before either write: {:#?}", replayed.responses);
}

fn explore_race(world: World, scenario: &Scenario, schedule: &str, seeds: std::ops::Range<u64>) -> wasi_replay::explore::Exploration {
    use wasi_replay::explore::{Config, explore};
    let config = Config { seeds, faults: 0, kinds: Vec::new(), partition: None, threads: 2 };
    let base = scenario.clone().schedule(schedule.parse().unwrap());
    explore(harness(), &guest("race-counter", world), &base, &config).unwrap_or_else(|e| panic!("{schedule}: {e}"))
}

fn classes(found: &wasi_replay::explore::Exploration) -> std::collections::BTreeSet<(String, String)> {
    found.classes.iter().map(|c| (c.exit.clone(), c.output.clone())).collect()
}

#[test]
fn the_exhaustive_walk_finds_every_class_pct_found_and_stops_at_its_bound() {
    let walked = explore_race(World::P3, &race(), "exhaustive", 0..1);
    let w = walked.walk.expect("an exhaustive exploration says what it walked");
    assert_eq!(w.cut, 0, "race-counter's schedules fit the default bound:\n{}", walked.show());
    let pct = explore_race(World::P3, &race(), "pct:2", 0..200);
    assert_eq!(classes(&walked), classes(&pct), "the walk:\n{}\npct:2:\n{}", walked.show(), pct.show());
    assert!(walked.classes.iter().any(|c| c.exit == "status 1"));
    // The first schedule walked takes the first-held operation everywhere.
    assert_eq!(walked.classes[0].decisions.as_deref(), Some("-"));

    let cut = explore_race(World::P3, &race(), &format!("exhaustive:{}", walked.runs - 1), 0..2);
    assert_eq!((cut.runs, cut.walk.unwrap().cut), (2 * (walked.runs - 1), 2), "{}", cut.table());
    assert!(cut.table().contains("2 seeds stopped at the bound"), "{}", cut.table());
}

#[test]
fn the_serial_twin_is_one_class_under_every_strategy() {
    let serial = race().args(["race-counter", "--serial"]);
    for (world, schedules) in [(World::P2, 4), (World::P3, 4)] {
        for strategy in ["random", "pct:2", "pct:3"] {
            let found = explore_race(world, &serial, strategy, 0..50);
            assert_eq!(found.classes.len(), 1, "{world} {strategy}:\n{}", found.show());
        }
        let walked = explore_race(world, &serial, "exhaustive", 0..1);
        assert_eq!((walked.classes.len(), walked.runs), (1, schedules), "{world}:\n{}", walked.show());
        assert_eq!(classes(&walked), classes(&explore_race(world, &serial, "default", 0..1)), "{world}");
    }
}

#[test]
fn a_single_run_refuses_the_exhaustive_walk() {
    let e = harness().run(&guest("race-counter", World::P3), &race().schedule("exhaustive".parse().unwrap())).unwrap_err();
    assert!(e.to_string().contains("give it to explore"), "{e}");
}

#[test]
fn timers_that_fire_together_take_every_order_in_p3() {
    let tie = race().args(["race-counter", "--timers"]);
    let walked = explore_race(World::P3, &tie, "exhaustive", 0..1);
    assert_eq!((walked.runs, walked.classes.len()), (6, 6), "three timers at one instant, 3! orders:\n{}", walked.show());
    let g = guest("race-counter", World::P3);
    let mut orders = std::collections::BTreeSet::new();
    for c in &walked.classes {
        let replay = tie.clone().seed(c.first_seed).schedule(format!("replay:{}", c.decisions.as_deref().unwrap()).parse().unwrap());
        let Output::Text(out) = harness().run(&g, &replay).unwrap().stdout else { panic!("text") };
        orders.insert(out);
    }
    assert_eq!(orders.len(), 6, "each class replays to its own order: {orders:?}");
    // p2's timers are wasmtime-wasi's pollables, which the gate does not see.
    assert_eq!(explore_race(World::P2, &tie, "exhaustive", 0..1).runs, 1);
}

#[test]
fn stdin_and_the_output_streams_are_held_and_a_guest_with_one_task_sees_no_difference() {
    let path = catalog::scenarios_dir().join(catalog::scenario_file("cli-io"));
    let scenario = ScenarioFile::load(&path, &catalog::Catalog).unwrap_or_else(|e| panic!("{e}")).scenario.journal(true);
    let g = guest("cli-io", World::P3);
    let plain = harness().run(&g, &scenario).unwrap();
    let mut held = harness().run(&g, &scenario.clone().schedule("random:5".parse().unwrap())).unwrap();
    let schedule = held.schedule.take().expect("a schedule");
    let journal = held.journal.take().unwrap();
    for op in ["stdin.read", "stdout.write", "stderr.write"] {
        assert!(journal.iter().any(|l| l.contains(&format!("schedule.ready({op}"))), "{op} is held:\n{journal:#?}");
    }
    assert_eq!(schedule.points, 0, "one task holds one operation at a time");
    // A held read may come back in other chunks (the stream's reader asks
    // again with a smaller buffer); the bytes are the same.
    let stdin_bytes = |journal: &[String]| -> usize {
        journal.iter().filter_map(|l| l.split("stdin.read() -> ").nth(1)?.split(" bytes").next()?.parse::<usize>().ok()).sum()
    };
    assert_eq!(stdin_bytes(&journal), stdin_bytes(plain.journal.as_ref().unwrap()));
    let mut plain = plain;
    (held.journal, plain.journal) = (None, None);
    assert_eq!(held.to_yaml(), plain.to_yaml());
}
