//! `race-counter`: two jobs run at once. Apples fetches its price; pears
//! fetches its price, its stock and the exchange rate. Each job then
//! counts itself in `counter.json` by reading the file, adding one and
//! writing it back, with no lock. When both reads come before either
//! write, one update is lost and the guest exits 1.
//!
//! The jobs are two futures of one `join!`. In p3 while one waits on the
//! host the other runs, so the order in which the host finishes their
//! reads and writes decides the count. In p2 only the HTTP responses
//! wait (the support crate polls every pending one at once with
//! `wasi:io/poll.poll`): the order of the responses decides which job
//! counts first, but each count's read and write are calls that complete
//! inline, so no order loses an update.
//!
//! With `--serial`, the robust twin: the fetches still run at once, but
//! the counting waits until both are done and then goes one job at a
//! time, so no order loses an update.
//!
//! With `--timers`, no jobs: three timers of 1 s each race, and the guest
//! prints the order they fired in. They fire at one virtual instant, so
//! under a schedule (p3) their order is the schedule's.

use replay_guest::{eprintln, main, os, println};

main!(run);

const COUNTER: &str = "counter.json";
const APPLES: &[&str] = &["https://prices.example.com/apples"];
const PEARS: &[&str] = &["https://prices.example.com/pears", "https://stock.example.com/pears", "https://rates.example.com/eur"];

fn count_of(json: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(json);
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(0)
}

async fn fetch(urls: &[&str]) -> Vec<String> {
    let mut bodies = Vec::new();
    for url in urls {
        let r = os::http("GET", url, &[("accept", "application/json")], None).await.expect("GET");
        bodies.push(format!("{} {}", r.status, String::from_utf8_lossy(&r.body).trim()));
    }
    bodies
}

async fn count(root: &os::Dir, name: &str, bodies: &[String]) {
    let seen = count_of(&root.read(COUNTER).await.expect("read counter.json"));
    root.write(COUNTER, format!("{{\"count\": {}}}\n", seen + 1).as_bytes()).await.expect("write counter.json");
    println!("{name}: {}, counter {seen} -> {}", bodies.join(", "), seen + 1);
}

async fn run() {
    let (root, _) = os::root();
    root.write(COUNTER, b"{\"count\": 0}\n").await.expect("create counter.json");
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--timers") {
        let order = os::race_timers(&[1_000_000_000; 3]).await;
        println!("timers 1s,1s,1s fired in order {order:?}");
        return;
    }
    if args.iter().any(|a| a == "--serial") {
        let (apples, pears) = replay_guest::futures::join!(fetch(APPLES), fetch(PEARS));
        count(&root, "apples", &apples).await;
        count(&root, "pears", &pears).await;
    } else {
        replay_guest::futures::join!(
            async { count(&root, "apples", &fetch(APPLES).await).await },
            async { count(&root, "pears", &fetch(PEARS).await).await },
        );
    }
    let count = count_of(&root.read(COUNTER).await.expect("read counter.json"));
    println!("count: {count}");
    if count != 2 {
        eprintln!("lost update: two jobs counted, counter.json says {count}");
        std::process::exit(1);
    }
}
