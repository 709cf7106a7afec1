//! `http-get`: fetches JSON over (mocked) HTTP and writes the body into the
//! filesystem.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let (root, _) = os::root();
    let url = "https://api.example.com/v1/items?limit=2";
    let r = os::http("GET", url, &[("accept", "application/json"), ("authorization", "Bearer s3cr3t")], None)
        .await
        .expect("GET");
    println!("GET {url}: {}", r.status);
    for (k, v) in &r.headers {
        println!("header {k}: {v}");
    }
    root.write("items.json", &r.body).await.unwrap();
    println!("wrote {} bytes to items.json", r.body.len());
}
