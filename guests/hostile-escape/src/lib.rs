//! `hostile-escape`: every way out of the sandbox it can think of; each
//! must fail.

use replay_guest::{Open, main, os, println};

main!(run);

fn err<T>(r: Result<T, String>) -> String {
    match r {
        Ok(_) => "ESCAPED".into(),
        Err(e) => e,
    }
}

async fn run() {
    let (root, _) = os::root();
    let ro = Open { read: true, ..Open::default() };
    println!("dot-dot: {}", err(root.open("../../../etc/passwd", ro).await));
    println!("absolute: {}", err(root.open("/etc/passwd", ro).await));
    root.symlink("../../../../etc/passwd", "out").await.unwrap();
    println!("symlink out: {}", err(root.open("out", ro).await));
    println!("symlink out, stat: {}", err(root.stat("out").await));
    println!("absolute symlink: {}", err(root.symlink("/etc/passwd", "abs").await));
    root.symlink("loop-b", "loop-a").await.unwrap();
    root.symlink("loop-a", "loop-b").await.unwrap();
    println!("symlink loop: {}", err(root.open("loop-a", ro).await));
    println!("hard link to outside: {}", err(root.link("../outside", &root, "inside").await));
    println!("hard link through symlink out: {}", err(root.link("out", &root, "inside2").await.and(root.read("inside2").await)));
    println!("rename out: {}", err(root.rename("out", "../gone").await));
    println!("mkdir out: {}", err(root.mkdir("../newdir").await));
    println!("tcp: {}", err(os::tcp_connect([127, 0, 0, 1], 22).await));
    println!("udp: {}", err(os::udp_bind([0, 0, 0, 0], 9999).await));
    println!("dns: {}", err(os::resolve("localhost").await));
}
