//! `hostile-recursion`: recurses without end until the call stack is
//! exhausted.

use replay_guest::{main, println};

main!(run);

#[inline(never)]
#[allow(unconditional_recursion)] // the point of this guest
fn deeper(n: u64, pad: [u64; 8]) -> u64 {
    let pad = std::hint::black_box(pad);
    deeper(n + 1, [n; 8]) + pad[(n % 8) as usize]
}

async fn run() {
    println!("recursing");
    println!("{}", deeper(0, [0; 8]));
}
