//! `net-denied`: every way out to the network must fail.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let tcp = os::tcp_connect([93, 184, 216, 34], 80).await;
    println!("tcp connect 93.184.216.34:80: {tcp:?}");
    let udp = os::udp_bind([0, 0, 0, 0], 5353).await;
    println!("udp bind 0.0.0.0:5353: {udp:?}");
    let dns = os::resolve("example.com").await;
    println!("lookup example.com: {dns:?}");
    assert!(tcp.is_err() && udp.is_err() && dns.is_err(), "network is not sealed");
}
