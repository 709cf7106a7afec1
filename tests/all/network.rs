//! The sealed network and canned HTTP: no catalog run opens a host socket,
//! no HTTP client is compiled in, and mocks answer in both worlds.

use crate::support::{guest, harness};
use wasi_replay::{catalog, World};
use wasi_replay::catalog::SCENARIOS;

/// Sockets this process holds, from /proc/self/fd.
fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

#[test]
fn no_catalog_run_opens_a_host_socket() {
    let h = harness();
    let guests: Vec<_> = SCENARIOS
        .iter()
        .flat_map(|n| [World::P2, World::P3].map(|w| (guest(n, w), catalog::scenario(n).unwrap())))
        .collect();
    let before = open_sockets();
    for (g, s) in &guests {
        h.run(g, s).unwrap();
    }
    assert_eq!(open_sockets(), before, "a catalog run opened a socket");
}

#[test]
fn every_socket_operation_is_denied_in_both_worlds() {
    for world in [World::P2, World::P3] {
        let r = harness().run(&guest("net-denied", world), &catalog::scenario("net-denied").unwrap()).unwrap();
        let yaml = r.to_yaml();
        assert!(yaml.contains("tcp connect 93.184.216.34:80: Err(\"create: access-denied\")"), "{yaml}");
        assert!(yaml.contains("udp bind 0.0.0.0:5353: Err(\"create: access-denied\")"), "{yaml}");
        assert!(yaml.contains("lookup example.com: Err(\"lookup: permanent-resolver-failure\")"), "{yaml}");
    }
}

#[test]
fn no_http_client_is_compiled_in() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "-p", "wasi-replay"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("wasmtime-wasi-http"), "{tree}");
    for client in ["rustls", "tokio-rustls", "webpki-roots", "hyper-util", "reqwest", "native-tls", "openssl", "ureq"] {
        assert!(
            !tree.lines().any(|l| l.split_whitespace().next() == Some(client)),
            "`{client}` is in the dependency tree"
        );
    }
}

/// The library alone (`default-features = false`) builds none of the
/// command line's crates.
#[test]
fn the_library_alone_has_no_cli_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = |features: &[&str]| {
        let out = std::process::Command::new(&cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "-p", "wasi-replay"])
            .args(features)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let has = |tree: &str, name: &str| tree.lines().any(|l| l.split_whitespace().next() == Some(name));
    let (lib, full) = (tree(&["--no-default-features"]), tree(&[]));
    // clap is in both: the library's test harness (`Suite::main`, through
    // libtest-mimic) reads libtest's command line with it.
    for cli_crate in ["indicatif", "mimalloc", "ctrlc", "quick-junit"] {
        assert!(has(&full, cli_crate), "`{cli_crate}` is not in the default tree, so this test checks nothing");
        assert!(!has(&lib, cli_crate), "`{cli_crate}` is in the library's tree without default features");
    }
}

#[test]
fn mocks_record_every_exchange_in_order() {
    let r = harness().run(&guest("http-get", World::P3), &catalog::scenario("http-get").unwrap()).unwrap();
    assert_eq!(r.http.len(), 1);
    let x = &r.http[0];
    assert_eq!((x.method.as_str(), x.rule.as_deref(), x.status), ("GET", Some("items"), Some(200)));
    assert!(x.headers.contains(&"authorization: <redacted>".to_string()), "{:?}", x.headers);
    assert!(r.fs.entries().iter().any(|e| e.path == "/items.json" && e.size == Some(57)));
}
