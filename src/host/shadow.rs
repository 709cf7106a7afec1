//! Journaling the calls wasmtime-wasi serves itself.
//!
//! The environment, the clocks, random, `exit` and socket creation are
//! wasmtime-wasi's code, which has no hook. Each such function is linked
//! again over wasmtime-wasi's own (the linker allows shadowing): the
//! shadow calls wasmtime-wasi's implementation, through the same views its
//! bindings use, and notes the call when the run has a journal. Without
//! one, a shadow costs one branch over the function it replaces, and the
//! guest sees exactly what it saw before.

use super::{Core, HostState};
use crate::journal::{bytes, duration, note, wit_name};
use wasmtime::component::{Linker, LinkerInstance, Resource};
use wasmtime_wasi::cli::WasiCliCtxView;
use wasmtime_wasi::clocks::WasiClocksCtxView;
use wasmtime_wasi::sockets::WasiSocketsCtxView;

fn cli(core: &mut Core) -> WasiCliCtxView<'_> {
    WasiCliCtxView { ctx: core.ctx.cli(), table: &mut core.table }
}

fn clocks(core: &mut Core) -> WasiClocksCtxView<'_> {
    WasiClocksCtxView { ctx: core.ctx.clocks(), table: &mut core.table }
}

fn sockets(core: &mut Core) -> WasiSocketsCtxView<'_> {
    WasiSocketsCtxView { ctx: core.ctx.sockets(), table: &mut core.table }
}

fn names(list: &[String]) -> String {
    format!("{list:?}")
}

/// The variables' names, and a digest of the whole environment, so a
/// changed value shows without the journal spelling out values (which
/// may be secrets).
fn vars(env: &[(String, String)]) -> String {
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    let all: Vec<u8> = env.iter().flat_map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes(), b"\0"].concat()).collect();
    let digest = bytes(&all);
    let digest = digest.split_once('#').map_or("", |(_, d)| d);
    if keys.is_empty() { "[]".into() } else { format!("[{}] #{digest}", keys.join(", ")) }
}

fn exit_status(status: Result<(), ()>) -> String {
    if status.is_ok() { "ok".into() } else { "err".into() }
}

fn outcome<T, E: std::fmt::Debug>(r: &Result<T, E>, ok: impl FnOnce(&T) -> String) -> String {
    match r {
        Ok(v) => ok(v),
        Err(e) => wit_name(&format!("{e:?}")),
    }
}

/// Reopens `name` in `linker` for shadowing.
fn iface<'a, T: 'static>(linker: &'a mut Linker<T>, name: &str) -> wasmtime::Result<LinkerInstance<'a, T>> {
    linker.instance(name)
}

/// The shadows both worlds have in the same shape: the environment,
/// `exit`, and the three random interfaces, for world `$w` (`p2`, `p3`)
/// at version `$v`. The initial directory and the insecure seed are
/// named differently in the two (`$cwd`, `$seed`, and their host methods).
macro_rules! common {
    ($linker:ident, $T:ident, $w:ident, $v:literal, cwd: $cwd:literal $cwd_fn:ident, seed: $seed:literal $seed_fn:ident) => {{
        use wasmtime_wasi::$w::bindings::cli::{environment, exit};
        use wasmtime_wasi::$w::bindings::random::{insecure, insecure_seed, random};
        type Store<'a, T> = wasmtime::StoreContextMut<'a, T>;
        let mut env = iface($linker, concat!("wasi:cli/environment@", $v))?;
        env.func_wrap("get-environment", |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = environment::Host::get_environment(&mut cli(core))?;
            note(&core.journal, "env.vars", String::new, || vars(&r));
            Ok((r,))
        })?;
        env.func_wrap("get-arguments", |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = environment::Host::get_arguments(&mut cli(core))?;
            note(&core.journal, "env.args", String::new, || names(&r));
            Ok((r,))
        })?;
        env.func_wrap($cwd, |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = environment::Host::$cwd_fn(&mut cli(core))?;
            note(&core.journal, "env.cwd", String::new, || format!("{r:?}"));
            Ok((r,))
        })?;
        iface($linker, concat!("wasi:cli/exit@", $v))?.func_wrap("exit", |mut s: Store<'_, $T>, (status,): (Result<(), ()>,)| {
            let core = s.data_mut().core();
            note(&core.journal, "exit", || exit_status(status), String::new);
            exit::Host::exit(&mut cli(core), status)
        })?;
        let mut rand = iface($linker, concat!("wasi:random/random@", $v))?;
        rand.func_wrap("get-random-bytes", |mut s: Store<'_, $T>, (len,): (u64,)| {
            let core = s.data_mut().core();
            let r = random::Host::get_random_bytes(core.ctx.random(), len)?;
            note(&core.journal, "random.bytes", || len.to_string(), || bytes(&r));
            Ok((r,))
        })?;
        rand.func_wrap("get-random-u64", |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = random::Host::get_random_u64(core.ctx.random())?;
            note(&core.journal, "random.u64", String::new, || format!("{r:#018x}"));
            Ok((r,))
        })?;
        let mut weak = iface($linker, concat!("wasi:random/insecure@", $v))?;
        weak.func_wrap("get-insecure-random-bytes", |mut s: Store<'_, $T>, (len,): (u64,)| {
            let core = s.data_mut().core();
            let r = insecure::Host::get_insecure_random_bytes(core.ctx.random(), len)?;
            note(&core.journal, "random.insecure-bytes", || len.to_string(), || bytes(&r));
            Ok((r,))
        })?;
        weak.func_wrap("get-insecure-random-u64", |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = insecure::Host::get_insecure_random_u64(core.ctx.random())?;
            note(&core.journal, "random.insecure-u64", String::new, || format!("{r:#018x}"));
            Ok((r,))
        })?;
        iface($linker, concat!("wasi:random/insecure-seed@", $v))?.func_wrap($seed, |mut s: Store<'_, $T>, (): ()| {
            let core = s.data_mut().core();
            let r = insecure_seed::Host::$seed_fn(core.ctx.random())?;
            note(&core.journal, "random.insecure-seed", String::new, || format!("({:#x}, {:#x})", r.0, r.1));
            Ok((r,))
        })?;
    }};
}

/// Shadows the p2 functions. The p3 host carries p2 too and links these
/// as well.
pub(crate) fn add_p2<T: HostState>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::clocks::{monotonic_clock, wall_clock};
    use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, IpAddressFamily, Network};
    use wasmtime_wasi::p2::bindings::sockets::{ip_name_lookup, tcp_create_socket, udp_create_socket};
    use wasmtime_wasi::p2::{DynPollable, SocketError, TcpSocket, UdpSocket};

    linker.allow_shadowing(true);
    common!(linker, T, p2, "0.2.12", cwd: "initial-cwd" initial_cwd, seed: "insecure-seed" insecure_seed);

    iface(linker, "wasi:clocks/wall-clock@0.2.12")?.func_wrap("now", |mut s: wasmtime::StoreContextMut<'_, T>, (): ()| {
        let core = s.data_mut().core();
        let r = wall_clock::Host::now(&mut clocks(core))?;
        note(&core.journal, "clock.wall", String::new, || format!("{}.{:09}", r.seconds, r.nanoseconds));
        Ok((r,))
    })?;
    let mut mono = iface(linker, "wasi:clocks/monotonic-clock@0.2.12")?;
    mono.func_wrap("now", |mut s: wasmtime::StoreContextMut<'_, T>, (): ()| {
        let core = s.data_mut().core();
        let r = monotonic_clock::Host::now(&mut clocks(core))?;
        note(&core.journal, "clock.monotonic", String::new, || r.to_string());
        Ok((r,))
    })?;
    mono.func_wrap("subscribe-duration", |mut s: wasmtime::StoreContextMut<'_, T>, (d,): (u64,)| {
        let core = s.data_mut().core();
        note(&core.journal, "clock.subscribe", || duration(d.into()), String::new);
        let r: Resource<DynPollable> = monotonic_clock::Host::subscribe_duration(&mut clocks(core), d)?;
        Ok((r,))
    })?;
    mono.func_wrap("subscribe-instant", |mut s: wasmtime::StoreContextMut<'_, T>, (when,): (u64,)| {
        let core = s.data_mut().core();
        note(&core.journal, "clock.subscribe-until", || when.to_string(), String::new);
        let r: Resource<DynPollable> = monotonic_clock::Host::subscribe_instant(&mut clocks(core), when)?;
        Ok((r,))
    })?;

    // A socket error becomes the guest's code, or stays a trap, as the
    // bindings' `convert_error_code` has it.
    fn code<R>(r: Result<R, SocketError>) -> wasmtime::Result<Result<R, ErrorCode>> {
        match r {
            Ok(v) => Ok(Ok(v)),
            Err(e) => Ok(Err(e.downcast()?)),
        }
    }
    iface(linker, "wasi:sockets/tcp-create-socket@0.2.12")?.func_wrap(
        "create-tcp-socket",
        |mut s: wasmtime::StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let core = s.data_mut().core();
            let r: Result<Resource<TcpSocket>, ErrorCode> =
                code(tcp_create_socket::Host::create_tcp_socket(&mut sockets(core), family))?;
            note(&core.journal, "net.tcp-create", || wit_name(&format!("{family:?}")), || outcome(&r, |_| "socket".into()));
            Ok((r,))
        },
    )?;
    iface(linker, "wasi:sockets/udp-create-socket@0.2.12")?.func_wrap_async(
        "create-udp-socket",
        |mut s: wasmtime::StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            Box::new(async move {
                let core = s.data_mut().core();
                let r: Result<Resource<UdpSocket>, ErrorCode> =
                    code(udp_create_socket::Host::create_udp_socket(&mut sockets(core), family).await)?;
                let result = || outcome(&r, |_| "socket".into());
                note(&core.journal, "net.udp-create", || wit_name(&format!("{family:?}")), result);
                Ok((r,))
            })
        },
    )?;
    let mut lookup = iface(linker, "wasi:sockets/ip-name-lookup@0.2.12")?;
    lookup.func_wrap(
        "resolve-addresses",
        |mut s: wasmtime::StoreContextMut<'_, T>, (net, name): (Resource<Network>, String)| {
            let core = s.data_mut().core();
            let args = format!("{name:?}");
            let r = code(ip_name_lookup::Host::resolve_addresses(&mut sockets(core), net, name))?;
            note(&core.journal, "net.resolve", || args, || outcome(&r, |_| "stream".into()));
            Ok((r,))
        },
    )?;
    lookup.func_wrap(
        "[method]resolve-address-stream.resolve-next-address",
        |mut s: wasmtime::StoreContextMut<'_, T>, (stream,): (Resource<ip_name_lookup::ResolveAddressStream>,)| {
            let core = s.data_mut().core();
            let r = code(ip_name_lookup::HostResolveAddressStream::resolve_next_address(&mut sockets(core), stream))?;
            note(&core.journal, "net.resolve-next", String::new, || outcome(&r, |a| format!("{a:?}")));
            Ok((r,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Shadows the p3 functions (the p2 ones come from [`add_p2`]).
pub(crate) fn add_p3<T: HostState>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p3::bindings::clocks::system_clock;
    use wasmtime_wasi::p3::bindings::sockets::ip_name_lookup;
    use wasmtime_wasi::p3::bindings::sockets::types::{ErrorCode, HostTcpSocket, HostUdpSocket, IpAddressFamily};
    use wasmtime_wasi::p3::sockets::SocketError;
    use wasmtime_wasi::sockets::{TcpSocket, UdpSocket, WasiSockets};

    fn socket_view<T: HostState>(t: &mut T) -> WasiSocketsCtxView<'_> {
        sockets(t.core())
    }
    fn code<R>(r: Result<R, SocketError>) -> wasmtime::Result<Result<R, ErrorCode>> {
        match r {
            Ok(v) => Ok(Ok(v)),
            Err(e) => Ok(Err(e.downcast()?)),
        }
    }

    linker.allow_shadowing(true);
    common!(linker, T, p3, "0.3.0", cwd: "get-initial-cwd" get_initial_cwd, seed: "get-insecure-seed" get_insecure_seed);

    iface(linker, "wasi:clocks/system-clock@0.3.0")?.func_wrap("now", |mut s: wasmtime::StoreContextMut<'_, T>, (): ()| {
        let core = s.data_mut().core();
        let r = system_clock::Host::now(&mut clocks(core))?;
        note(&core.journal, "clock.wall", String::new, || format!("{}.{:09}", r.seconds, r.nanoseconds));
        Ok((r,))
    })?;
    // The monotonic clock is the host's own (`host::clocks`), which notes
    // its calls itself.

    iface(linker, "wasi:sockets/types@0.3.0")?.func_wrap(
        "[static]tcp-socket.create",
        |mut s: wasmtime::StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            let core = s.data_mut().core();
            let r: Result<Resource<TcpSocket>, ErrorCode> = code(HostTcpSocket::create(&mut sockets(core), family))?;
            note(&core.journal, "net.tcp-create", || wit_name(&format!("{family:?}")), || outcome(&r, |_| "socket".into()));
            Ok((r,))
        },
    )?;
    iface(linker, "wasi:sockets/types@0.3.0")?.func_wrap_async(
        "[static]udp-socket.create",
        |mut s: wasmtime::StoreContextMut<'_, T>, (family,): (IpAddressFamily,)| {
            Box::new(async move {
                let core = s.data_mut().core();
                let r: Result<Resource<UdpSocket>, ErrorCode> = code(HostUdpSocket::create(&mut sockets(core), family).await)?;
                let result = || outcome(&r, |_| "socket".into());
                note(&core.journal, "net.udp-create", || wit_name(&format!("{family:?}")), result);
                Ok((r,))
            })
        },
    )?;
    iface(linker, "wasi:sockets/ip-name-lookup@0.3.0")?.func_wrap_concurrent(
        "resolve-addresses",
        |a: &wasmtime::component::Accessor<T>, (name,): (String,)| {
            Box::pin(async move {
                let args = format!("{name:?}");
                let view = a.with_getter::<WasiSockets>(socket_view::<T>);
                let r = <WasiSockets as ip_name_lookup::HostWithStore<T>>::resolve_addresses(&view, name).await?;
                a.with(|mut s| {
                    let result = || outcome(&r, |list| format!("{} addresses", list.len()));
                    note(&s.get().core().journal, "net.resolve", || args, result);
                });
                Ok((r,))
            })
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}
