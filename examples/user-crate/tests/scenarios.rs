#[test]
fn scenarios() {
    let suite = wasi_replay::Suite::new().guest("greet", wasi_replay::World::P2, env!("GUEST_WASM"));
    suite.run("tests/scenarios/*.toml");
}
