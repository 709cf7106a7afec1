//! `http-post`: sends a JSON body and prints the status it gets.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let body = br#"{"name":"widget","count":3}"#;
    let r = os::http("POST", "https://api.example.com/v1/items", &[("content-type", "application/json")], Some(body))
        .await
        .expect("POST");
    println!("POST status: {}", r.status);
    println!("response: {}", String::from_utf8_lossy(&r.body));
}
