wasi_replay::scenarios! { dir = "tests/scenarios", guest("greet") = env!("GREET_WASM") }
