//! `clock-random`: virtual time and seeded randomness. Reads both clocks,
//! sleeps 5 s, races three timers, and prints random bytes and the seed.

use replay_guest::{main, os, println};

main!(run);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn run() {
    let (w0, m0) = (os::wall_now(), os::monotonic_now());
    println!("wall start: {}.{:09}", w0.0, w0.1);
    println!("monotonic start: {m0}");
    let again = (os::wall_now(), os::monotonic_now());
    println!("a second read moves time: {}", again != (w0, m0));

    os::sleep(5_000_000_000).await;
    let (w1, m1) = (os::wall_now(), os::monotonic_now());
    let wall_ns = (w1.0 - w0.0) as i128 * 1_000_000_000 + w1.1 as i128 - w0.1 as i128;
    println!("slept 5s: monotonic +{} ns, wall +{} ns", m1 - m0, wall_ns);

    let order = os::race_timers(&[3_000_000_000, 1_000_000_000, 2_000_000_000]).await;
    println!("timers 3s,1s,2s fired in order {order:?} after {} ns", os::monotonic_now() - m1);

    println!("random: {}", hex(&os::random_bytes(16)));
    println!("random again: {}", hex(&os::random_bytes(16)));
    println!("insecure: {}", hex(&os::insecure_random_bytes(16)));
    let (a, b) = os::insecure_seed();
    println!("insecure seed: {a:016x}{b:016x}");
}
