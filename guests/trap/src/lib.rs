//! `trap`: panics after writing a line, so the run ends in a trap.

use replay_guest::{main, println};

main!(run);

async fn run() {
    println!("about to panic");
    panic!("the trap guest panics on purpose");
}
