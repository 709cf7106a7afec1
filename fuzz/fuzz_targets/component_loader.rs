//! Arbitrary bytes through the component loader and, when they load, the
//! runner with small limits: a clean error or a report, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use wasi_replay::{Harness, Scenario};

fuzz_target!(|bytes: &[u8]| {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| Harness::new().expect("harness"));
    if let Ok(guest) = harness.load_bytes("fuzz", bytes, None) {
        let mut scenario = Scenario::new("fuzz");
        scenario.inputs.limits.fuel = Some(1_000_000);
        scenario.inputs.limits.timeout = Some(Duration::from_secs(2));
        let _ = harness.run(&guest, &scenario);
    }
});
