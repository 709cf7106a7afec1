//! `http-unmatched`: calls a URL that no mock answers and prints the error.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let r = os::http("GET", "https://unmocked.example.org/secret", &[], None).await;
    println!("GET https://unmocked.example.org/secret: {:?}", r.map(|r| r.status));
}
