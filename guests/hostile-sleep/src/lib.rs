//! `hostile-sleep`: sleeps for the longest time a guest can ask for, then
//! for ever. Nothing in virtual time can wake it, so the run ends with
//! `waits-forever` at once, never after a wall-clock timeout.

use replay_guest::os;
use replay_guest::{main, println};

main!(run);

async fn run() {
    println!("sleeping 1 s");
    os::sleep(1_000_000_000).await;
    println!("sleeping u64::MAX ns");
    os::sleep(u64::MAX).await;
    println!("woke up");
}
