//! Which of a component's imports a host cannot satisfy, by name, so a
//! link error can list all of them at once (wasmtime stops at the first).

use crate::world::World;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Interfaces of `wasi:*@0.2.x`, served by both hosts, up to 0.2.12.
const P2: &[&str] = &[
    "wasi:cli/environment", "wasi:cli/exit", "wasi:cli/stdin", "wasi:cli/stdout",
    "wasi:cli/stderr", "wasi:cli/terminal-input", "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin", "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock", "wasi:clocks/wall-clock", "wasi:filesystem/types",
    "wasi:filesystem/preopens", "wasi:io/error", "wasi:io/poll", "wasi:io/streams",
    "wasi:random/random", "wasi:random/insecure", "wasi:random/insecure-seed",
    "wasi:sockets/network", "wasi:sockets/instance-network", "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket", "wasi:sockets/tcp", "wasi:sockets/tcp-create-socket",
    "wasi:sockets/ip-name-lookup",
];

/// Interfaces of `wasi:*@0.3.0`, served by the p3 host only.
const P3: &[&str] = &[
    "wasi:cli/environment", "wasi:cli/exit", "wasi:cli/stdin", "wasi:cli/stdout",
    "wasi:cli/stderr", "wasi:cli/types", "wasi:cli/terminal-input", "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin", "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock", "wasi:clocks/system-clock", "wasi:clocks/types",
    "wasi:filesystem/types", "wasi:filesystem/preopens", "wasi:random/random",
    "wasi:random/insecure", "wasi:random/insecure-seed", "wasi:sockets/types",
    "wasi:sockets/ip-name-lookup",
];

/// The highest p2 minor the hosts implement.
const P2_MAX_PATCH: u32 = 12;

fn served(import: &str, host: World) -> bool {
    let Some((iface, version)) = import.split_once('@') else { return false };
    let p2 = version
        .strip_prefix("0.2.")
        .and_then(|patch| patch.parse::<u32>().ok())
        .is_some_and(|patch| patch <= P2_MAX_PATCH)
        && P2.contains(&iface);
    let p3 = version == "0.3.0" && P3.contains(&iface);
    p2 || (host == World::P3 && p3)
}

/// The component's imports that `host` does not serve, in import order.
pub(super) fn unsatisfied(engine: &Engine, component: &Component, host: World) -> Vec<String> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| !served(name, host))
        .collect()
}
