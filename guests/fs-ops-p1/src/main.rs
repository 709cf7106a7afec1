//! `fs-ops` as a WASI p1 command: the interpreter's own source, included.

#[path = "../../fs-ops/src/lib.rs"]
mod fs_ops;

fn main() {
    fs_ops::main();
}
