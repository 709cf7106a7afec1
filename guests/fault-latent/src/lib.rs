//! `fault-latent`: splits `records.csv` into one file per record under
//! `export/`, then writes an index of them. It retries the read and every
//! record write when they fail; the index write it neither retries nor
//! handles, so a disk that is full at that one moment makes it panic. Its
//! golden run never shows this. Exploring drawn `no-space` and `read-io`
//! faults finds the seeds where the index write fails, and shrinks each
//! to that one fault.

use replay_guest::{main, os, println, retry};

main!(run);

async fn run() {
    let (root, _) = os::root();
    let csv = retry(3, async || root.read("records.csv").await).await.expect("read records.csv");
    let csv = String::from_utf8_lossy(&csv).into_owned();
    root.mkdir("export").await.expect("mkdir export");
    let mut index = String::new();
    for line in csv.lines() {
        let name = line.split(',').next().unwrap_or(line);
        let path = format!("export/{name}.csv");
        match retry(3, async || root.write(&path, format!("{line}\n").as_bytes()).await).await {
            Ok(()) => println!("exported {name}"),
            Err(e) => println!("could not export {name}: {e}"),
        }
        index.push_str(&format!("{name}.csv\n"));
    }
    // The latent bug: the one write that is neither retried nor handled.
    root.write("export/index.txt", index.as_bytes()).await.expect("write the index");
    println!("index written");
}
