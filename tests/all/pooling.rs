//! The pooling allocator is invisible to guests: every catalog guest,
//! hostile ones included, leaves the same report from a one-slot pool as
//! from on-demand allocation, run after run in the same slots.

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
