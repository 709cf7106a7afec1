//! `hostile-flood`: writes 4 MiB to stdout, then carries on: the capture
//! keeps its first bytes, and the guest is never stopped for flooding.

use replay_guest::{eprintln, main, os};

main!(run);

async fn run() {
    let line = "flood flood flood flood flood flood flood flood flood flood flood\n".repeat(1024);
    for _ in 0..(4 << 20) / line.len() {
        os::write_stdout(line.as_bytes()).await;
    }
    eprintln!("still running after the flood");
}
