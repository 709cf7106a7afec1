//! Builds the crate's guest (`guest/`, a plain Rust binary named `greet`)
//! as a p2 component; the tests find it in `GREET_WASM`.

fn main() {
    wasi_replay_build::guest("guest", wasi_replay_build::Target::P2);
}
