//! `hostile-fs-bomb`: writes 4 KiB files until the disk is full, then says
//! what stopped it.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let (root, _) = os::root();
    root.mkdir("bomb").await.unwrap();
    let block = vec![0xffu8; 4096]; // binary: the report shows a hash, not 4 KiB of text
    for i in 0.. {
        if let Err(e) = root.write(&format!("bomb/{i:05}"), &block).await {
            println!("file {i} failed: {e}");
            break;
        }
    }
    println!("still alive");
}
