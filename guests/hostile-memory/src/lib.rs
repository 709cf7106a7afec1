//! `hostile-memory`: allocates 1 MiB blocks and touches them until the
//! memory limit refuses to grow linear memory.

use replay_guest::{main, println};

main!(run);

async fn run() {
    println!("allocating");
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; 1 << 20];
        block[4096] = 1;
        blocks.push(std::hint::black_box(block));
    }
}
