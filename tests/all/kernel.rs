//! The virtual kernel and host states: clocks, seeded randomness, and
//! building P2/P3 states with and without a filesystem.

use std::time::Duration;
use wasi_replay::host::{p1, p2, p3, Backend};
use wasi_replay::{ClockConfig, Scenario, World};
use wasi_replay::cli_support::{DEFAULT_MONOTONIC_START, Entropy, VirtualClock};
use wasi_replay::memfs::{DEFAULT_TIME, MemFs};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap()
}

#[test]
fn clocks_start_where_configured() {
    let c = VirtualClock::new(ClockConfig::default());
    assert_eq!(c.wall(), DEFAULT_TIME);
    assert_eq!(c.monotonic(), DEFAULT_MONOTONIC_START);
    let c = VirtualClock::new(ClockConfig { wall_start: Duration::from_secs(7), monotonic_start: 9 });
    assert_eq!((c.wall(), c.monotonic()), (Duration::from_secs(7), 9));
}

#[test]
fn reads_never_move_time() {
    paused().block_on(async {
        let c = VirtualClock::new(ClockConfig::default());
        c.start();
        let wall = wasi_replay::host::wall_clock(&c);
        let mono = wasi_replay::host::monotonic_clock(&c);
        let first = (wall.now(), mono.now());
        for _ in 0..1000 {
            assert_eq!((wall.now(), mono.now()), first);
        }
    });
}

#[test]
fn a_sleep_advances_both_clocks_exactly_and_at_once() {
    let real = std::time::Instant::now();
    paused().block_on(async {
        let c = VirtualClock::new(ClockConfig::default());
        c.start();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(c.elapsed(), Duration::from_secs(5));
        assert_eq!(c.wall(), DEFAULT_TIME + Duration::from_secs(5));
        assert_eq!(c.monotonic(), DEFAULT_MONOTONIC_START + 5_000_000_000);
    });
    assert!(real.elapsed() < Duration::from_secs(5), "virtual sleep waited on real time");
}

#[test]
fn concurrent_timers_fire_in_deadline_order() {
    paused().block_on(async {
        let c = VirtualClock::new(ClockConfig::default());
        c.start();
        let order = std::sync::Mutex::new(Vec::new());
        let timer = |secs: u64| {
            let (order, c) = (&order, &c);
            async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                order.lock().unwrap().push((secs, c.elapsed().as_secs()));
            }
        };
        tokio::join!(timer(3), timer(1), timer(2));
        assert_eq!(*order.lock().unwrap(), [(1, 1), (2, 2), (3, 3)]);
    });
}

#[test]
fn the_clock_keeps_its_last_reading_after_the_run() {
    let c = VirtualClock::new(ClockConfig::default());
    paused().block_on(async {
        c.start();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        c.elapsed();
    });
    assert_eq!(c.elapsed(), Duration::from_millis(1500));
}

#[test]
fn one_seed_gives_the_same_entropy() {
    use rand::Rng;
    let bytes = |seed| {
        let mut e = Entropy::from_seed(seed);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        e.secure.fill_bytes(&mut a);
        e.insecure.fill_bytes(&mut b);
        (a, b, e.insecure_seed)
    };
    assert_eq!(bytes(42), bytes(42));
    assert_ne!(bytes(42), bytes(43));
    let (secure, insecure, _) = bytes(42);
    assert_ne!(secure, insecure, "secure and insecure streams must differ");
}

#[test]
fn states_build_with_and_without_a_filesystem() {
    let mut fs = MemFs::new();
    fs.write_string("/f", "x").unwrap();
    let mut s2 = p2::build_state(1, Some(fs.clone())).unwrap();
    s2.snapshot_fs().unwrap();
    assert_eq!(s2.take_fs().unwrap(), Some(fs.clone()));
    assert!(s2.take_fs().unwrap().is_none(), "taken once");
    let bridge = Scenario::new("bridge").backend(Backend::Bridge).fs(fs.clone());
    let mut s2 = bridge.p2_state().unwrap();
    s2.snapshot_fs().unwrap();
    assert_eq!(s2.take_fs().unwrap(), Some(fs));
    let mut s3 = p3::build_state(1, None).unwrap();
    assert!(s3.take_fs().unwrap().is_none());
    assert!(s3.stdout().is_empty());
}

/// Every linker a run can use, bridge and direct in each world, links a
/// catalog guest of its world.
#[test]
fn every_linker_links_a_guest_of_its_world() {
    crate::support::harness(); // builds the catalog
    let path = |name, world| wasi_replay::catalog::component_path(name, world);
    let mut config = wasmtime::Config::new();
    config.wasm_component_model_async(true);
    let engine = wasmtime::Engine::new(&config).unwrap();
    let component = |world| wasmtime::component::Component::from_file(&engine, path("fs-tree", world)).unwrap();
    let (c2, c3) = (component(World::P2), component(World::P3));
    for (linker, which) in [(p2::linker(&engine).unwrap(), "p2 bridge"), (p2::direct_linker(&engine).unwrap(), "p2 direct")] {
        linker.instantiate_pre(&c2).unwrap_or_else(|e| panic!("{which}: {e:#}"));
    }
    for (linker, which) in [(p3::linker(&engine).unwrap(), "p3 bridge"), (p3::direct_linker(&engine).unwrap(), "p3 direct")] {
        linker.instantiate_pre(&c3).unwrap_or_else(|e| panic!("{which}: {e:#}"));
        linker.instantiate_pre(&c2).unwrap_or_else(|e| panic!("{which} with a p2 guest: {e:#}"));
    }
    let module = wasmtime::Module::from_file(&engine, path("fs-tree-c", World::P1)).unwrap();
    p1::linker(&engine).unwrap().instantiate_pre(&module).unwrap_or_else(|e| panic!("p1 bridge: {e:#}"));
    p1::direct_linker(&engine).unwrap().instantiate_pre(&module).unwrap_or_else(|e| panic!("p1 direct: {e:#}"));
}
