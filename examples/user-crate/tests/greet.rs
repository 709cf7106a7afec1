use wasi_replay::{assert_run, Scenario};

#[test]
fn greets_everyone() {
    assert_run!(env!("GREET_WASM"), Scenario::new("greet").args(["greet", "Ada", "Linus"]));
}
