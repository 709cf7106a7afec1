//! The pooling allocator is invisible to guests: every catalog guest,
//! hostile ones included, leaves the same report from a one-slot pool as
//! from on-demand allocation, run after run in the same slots; and no run
//! reads what an earlier run left in its slot's memory.

use crate::support::{assert_same_text, harness};
use wasi_replay::{catalog, Allocation, Harness, World};
use wasi_replay::catalog::{AS_GUESTS, C_GUESTS, HOSTILE, SCENARIOS};

#[test]
fn every_catalog_guest_leaves_the_same_report_from_a_pool() {
    let on_demand = harness();
    let pooled = Harness::with_allocation(Allocation::Pooling { concurrent_runs: 1 }).expect("pooled harness");
    let c_guests = C_GUESTS.iter().chain(AS_GUESTS).map(|(name, _)| (*name, World::P1));
    let rust_guests = SCENARIOS.iter().chain(HOSTILE).flat_map(|n| [(*n, World::P2), (*n, World::P3)]);
    for (name, world) in rust_guests.chain(c_guests) {
        let path = catalog::component_path(name, world);
        let scenario = catalog::scenario(name).unwrap();
        let expected = on_demand.run(&on_demand.load(&path).unwrap(), &scenario).unwrap().to_yaml();
        let guest = pooled.load(&path).unwrap_or_else(|e| panic!("{e}"));
        // Twice: the second run reuses the slot the first one left.
        for pass in ["first", "second"] {
            let got = pooled.run(&guest, &scenario).unwrap_or_else(|e| panic!("{name} {world}: {e}")).to_yaml();
            assert_same_text(&format!("{name} {world} ({pass} pooled run)"), "on-demand", &expected, "pooled", &got);
        }
    }
}

#[test]
fn runs_on_two_threads_share_a_pool_of_two() {
    let pooled = Harness::with_allocation(Allocation::Pooling { concurrent_runs: 2 }).expect("pooled harness");
    let guest = pooled.load(&catalog::component_path("clock-random", World::P3)).unwrap();
    let scenario = catalog::scenario("clock-random").unwrap();
    let reports = pooled.run_many(&guest, &scenario, 20, 2).unwrap();
    assert_eq!(reports.len(), 20);
    let first = reports[0].to_yaml();
    for r in &reports[1..] {
        assert_same_text("clock-random p3 on two threads", "run 1", &first, "a later run", &r.to_yaml());
    }
}

/// A command component that fails (`run` returns `err`) when any 8 bytes
/// it reads at the start and middle of each 4 KiB of 10 MiB of linear
/// memory are not zero, then writes ones over all of them. With
/// `check_after_write`, it reads again after writing: the control that
/// shows the check sees what was written.
fn memory_prober(check_after_write: bool) -> Vec<u8> {
    let after = if check_after_write { "(br_if $done (i32.eqz (call $clean)))" } else { "" };
    wat::parse_str(format!(
        r#"(component
          (core module $m
            (memory 1)
            ;; 1 when every probed word is zero.
            (func $clean (result i32) (local $at i32)
              (block $dirty
                (loop $next
                  (br_if $dirty (i64.ne (i64.load (local.get $at)) (i64.const 0)))
                  (br_if $dirty (i64.ne (i64.load offset=2048 (local.get $at)) (i64.const 0)))
                  (local.set $at (i32.add (local.get $at) (i32.const 4096)))
                  (br_if $next (i32.lt_u (local.get $at) (i32.const 10485760))))
                (return (i32.const 1)))
              (i32.const 0))
            (func (export "run") (result i32) (local $at i32)
              (drop (memory.grow (i32.const 159)))
              (block $done
                (br_if $done (i32.eqz (call $clean)))
                (loop $next
                  (i64.store (local.get $at) (i64.const -1))
                  (i64.store offset=2048 (local.get $at) (i64.const -1))
                  (local.set $at (i32.add (local.get $at) (i32.const 4096)))
                  (br_if $next (i32.lt_u (local.get $at) (i32.const 10485760))))
                {after}
                (return (i32.const 0)))
              (i32.const 1)))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $r (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $r)))"#
    ))
    .expect("the prober parses")
}

/// On the default pool and on the one a guided search uses, which resets
/// the first 64 KiB of each memory in place rather than handing it back.
#[test]
fn a_run_never_sees_the_memory_a_previous_run_left_in_its_slot() {
    let harnesses = [
        ("the default pool", Harness::with_allocation(Allocation::Pooling { concurrent_runs: 1 }).expect("pooled harness")),
        ("the search's pool", Harness::for_search(1).expect("search harness")),
    ];
    for (which, pooled) in harnesses {
        let pooled = pooled.without_cache();
        let scenario = wasi_replay::Scenario::new("prober");
        // The control: the check does see ones it wrote itself.
        let control = pooled.load_bytes("control", &memory_prober(true), None).unwrap();
        assert_ne!(pooled.run(&control, &scenario).unwrap().exit, wasi_replay::Exit::Status(0), "{which}: the probe cannot see written memory");
        // One slot, many runs: each finds 10 MiB of zeros where the last left ones.
        let prober = pooled.load_bytes("prober", &memory_prober(false), None).unwrap();
        for run in 1..=5 {
            let report = pooled.run(&prober, &scenario).unwrap();
            assert_eq!(report.exit, wasi_replay::Exit::Status(0), "{which}: run {run} saw a previous run's memory");
        }
    }
}
