//! `hostile-loop`: spins forever. Fuel stops it, at the same instruction on
//! every run.

use replay_guest::{main, println};

main!(run);

async fn run() {
    println!("spinning");
    let mut x = 0u64;
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}
