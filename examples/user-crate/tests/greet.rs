use wasi_replay::{Scenario, assert_run};

#[test]
fn greets_everyone() {
    assert_run!(env!("GUEST_WASM"), Scenario::new("greet").args(["greet", "Ada", "Linus"]));
}
