//! `empty`: a command whose `run` returns at once. It makes no host call
//! of its own, so a run of it is the floor of a run: instantiating the
//! component, entering `run`, and the harness's work around them. Only
//! the bench runs it.

use replay_guest::main;

main!(run);

async fn run() {}
