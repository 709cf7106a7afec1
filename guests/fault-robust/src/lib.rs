//! `fault-robust`: a counter that checkpoints to disk the careful way, and
//! survives a disk that fails now and then. It appends each step to a log,
//! writes the count to a temporary file, syncs it and renames it over the
//! checkpoint, then reads both back. Every call that can fail is retried
//! (up to four tries), and the streams finish short reads and writes, so
//! the result does not depend on which calls failed once. Exploring drawn
//! filesystem faults finds one class.

use replay_guest::{Open, main, os, println, retry};

main!(run);

const TRIES: u32 = 4;
const STEPS: u32 = 3;

async fn run() {
    let (root, _) = os::root();
    must("mkdir state", root.mkdir("state").await).await;
    must("create the log", retry(TRIES, async || root.write("state/log.txt", b"").await).await).await;
    for step in 1..=STEPS {
        let line = format!("step {step}\n");
        must("append to the log", retry(TRIES, async || root.append("state/log.txt", line.as_bytes()).await).await).await;
    }
    let count = format!("{STEPS}\n");
    let checkpoint = retry(TRIES, async || {
        let open = Open { create: true, truncate: true, write: true, ..Open::default() };
        let file = root.open("state/count.tmp", open).await?;
        file.write_stream(0, count.as_bytes()).await?;
        file.sync().await
    });
    must("write the checkpoint", checkpoint.await).await;
    must("rename the checkpoint", retry(TRIES, async || root.rename("state/count.tmp", "state/count.txt").await).await).await;
    let log = must("read the log", retry(TRIES, async || root.read("state/log.txt").await).await).await;
    let count = must("read the checkpoint", retry(TRIES, async || root.read("state/count.txt").await).await).await;
    println!("log: {:?}", String::from_utf8_lossy(&log));
    println!("count: {}", String::from_utf8_lossy(&count).trim_end());
}

/// The value, or a report of what failed and exit status 1.
async fn must<T>(what: &str, r: Result<T, String>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            println!("{what}: {e}, {TRIES} times");
            os::exit(1)
        }
    }
}
