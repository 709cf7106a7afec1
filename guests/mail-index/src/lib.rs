//! `mail-index`: writes `index.txt`, the names of the messages in
//! `inbox/`, sorted. It sizes its index from the inbox directory's size,
//! one slot per 32 bytes, believing no directory entry takes less, and
//! stops when the index is full. That holds on ext4, where a directory is
//! 4096 bytes, and nowhere else: on tmpfs a directory of five entries is
//! 140 bytes, four slots. An ordinary bug that a golden taken on one host
//! cannot show; `check --perturb` names `host-values`.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let (root, _) = os::root();
    let size = root.stat("inbox").await.expect("stat inbox").size;
    let capacity = (size / 32) as usize;
    let mut names: Vec<String> =
        root.readdir("inbox").await.expect("list inbox").into_iter().filter(|(_, kind)| *kind == "file").map(|(name, _)| name).collect();
    names.sort();
    let mut index = Vec::with_capacity(capacity);
    for name in names {
        if index.len() == capacity {
            break;
        }
        index.push(name);
    }
    root.write("index.txt", index.join("\n").as_bytes()).await.expect("write index.txt");
    println!("indexed {} messages", index.len());
    for name in &index {
        println!("  {name}");
    }
}
