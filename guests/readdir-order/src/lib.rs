//! `readdir-order`: merges the files of `inbox/` into `merged.txt`, in the
//! order the directory lists them. It forgets to sort them, so what it
//! writes depends on an order WASI leaves to the host: its golden holds on
//! a host that lists by name, and nowhere else. Seeds do not change that
//! order, so exploring finds one class; `check --perturb` catches it.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let (root, _) = os::root();
    let mut merged = Vec::new();
    for (name, kind) in root.readdir("inbox").await.expect("list inbox") {
        if kind == "file" {
            println!("merging {name}");
            merged.extend(root.read(&format!("inbox/{name}")).await.expect("read a message"));
        }
    }
    root.write("merged.txt", &merged).await.expect("write merged.txt");
    println!("merged {} bytes", merged.len());
}
