//! `race-counter`: two jobs run at once; each fetches a price and then
//! counts itself in `counter.json` by reading the file, adding one and
//! writing it back, with no lock. When both reads come before either
//! write, one update is lost and the guest exits 1.
//!
//! In p3 the jobs are two futures of one `join!`: while one waits on the
//! host the other runs, so the order in which the host finishes their
//! reads and writes decides the count. In p2 every call blocks, so the
//! first job ends before the second starts and the count is always 2.

use replay_guest::{eprintln, main, os, println};

main!(run);

const COUNTER: &str = "counter.json";

fn count_of(json: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(json);
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(0)
}

async fn job(root: &os::Dir, name: &str, urls: &[&str]) {
    let mut bodies = Vec::new();
    for url in urls {
        let r = os::http("GET", url, &[("accept", "application/json")], None).await.expect("GET");
        bodies.push(format!("{} {}", r.status, String::from_utf8_lossy(&r.body).trim()));
    }
    let seen = count_of(&root.read(COUNTER).await.expect("read counter.json"));
    root.write(COUNTER, format!("{{\"count\": {}}}\n", seen + 1).as_bytes()).await.expect("write counter.json");
    println!("{name}: {}, counter {seen} -> {}", bodies.join(", "), seen + 1);
}

async fn run() {
    let (root, _) = os::root();
    root.write(COUNTER, b"{\"count\": 0}\n").await.expect("create counter.json");
    replay_guest::futures::join!(
        job(&root, "apples", &["https://prices.example.com/apples"]),
        job(&root, "pears", &["https://prices.example.com/pears", "https://stock.example.com/pears", "https://rates.example.com/eur"]),
    );
    let count = count_of(&root.read(COUNTER).await.expect("read counter.json"));
    println!("count: {count}");
    if count != 2 {
        eprintln!("lost update: two jobs counted, counter.json says {count}");
        std::process::exit(1);
    }
}
