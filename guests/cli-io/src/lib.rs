//! `cli-io`: echoes args, env and stdin to stdout, and writes to stderr.

use replay_guest::{eprintln, main, os, println};

main!(run);

async fn run() {
    for (i, a) in os::args().iter().enumerate() {
        println!("arg[{i}] = {a}");
    }
    for (k, v) in os::env() {
        println!("env {k}={v}");
    }
    let input = os::read_stdin().await;
    println!("stdin: {} bytes", input.len());
    os::write_stdout(&input).await;
    eprintln!("a line on stderr");
}
