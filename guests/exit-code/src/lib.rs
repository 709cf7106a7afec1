//! `exit-code`: leaves through `exit-with-code(3)`.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    println!("exiting with 3");
    os::exit(3);
}
