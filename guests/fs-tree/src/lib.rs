//! `fs-tree`: builds a small tree next to the fixture, then reads it back.
//! Touches mkdir, write, append, rename, remove, readdir and stat, and the
//! three errors a guest most often meets (exists, not empty, no entry).

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let (root, name) = os::root();
    println!("preopen {name}");

    let fixture = root.read("fixture/hello.txt").await.expect("fixture");
    println!("fixture: {}", String::from_utf8_lossy(&fixture).trim_end());

    root.mkdir("data").await.unwrap();
    root.mkdir("data/sub").await.unwrap();
    root.write("data/a.txt", b"alpha\n").await.unwrap();
    root.append("data/a.txt", b"beta\n").await.unwrap();
    let bytes: Vec<u8> = (0..=255u8).collect();
    root.write("data/sub/bytes.bin", &bytes).await.unwrap();
    root.write("data/tmp.txt", b"short-lived").await.unwrap();
    root.mkdir("data/empty").await.unwrap();

    let a = root.read("data/a.txt").await.unwrap();
    println!("a.txt: {:?}", String::from_utf8_lossy(&a));
    root.rename("data/a.txt", "data/renamed.txt").await.unwrap();
    root.remove_file("data/tmp.txt").await.unwrap();
    root.rmdir("data/empty").await.unwrap();
    root.write("fixture/hello.txt", b"hello, replaced\n").await.unwrap();

    let mut entries = root.readdir("data").await.unwrap();
    entries.sort();
    for (name, kind) in &entries {
        let st = root.stat(&format!("data/{name}")).await.unwrap();
        // A directory's size and link count are filesystem-specific (ext4
        // says 4096 and 2, tmpfs and btrfs say otherwise): print files only.
        if st.kind == "file" {
            println!("data/{name}: {kind} size={} nlink={}", st.size, st.nlink);
        } else {
            println!("data/{name}: {kind}");
        }
    }

    println!("mkdir data: {:?}", root.mkdir("data").await);
    println!("rmdir data: {:?}", root.rmdir("data").await);
    println!("stat missing: {:?}", root.stat("missing").await);
    println!("read a.txt after rename: {:?}", root.read("data/a.txt").await.map(|_| ()));
}
