//! The catalog's OS surface over WASI 0.2 (`wasip2`). Every call here is
//! synchronous underneath; the functions are `async` only so that scenario
//! code is the same text in both worlds.

use crate::{Stat, kind_name};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use wasip2::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, ErrorCode, OpenFlags, PathFlags,
};
use wasip2::io::streams::StreamError;
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};

/// The world this build speaks.
pub const WORLD: &str = "p2";

/// Drives a future that never waits: every p2 call below completes inline.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a p2 scenario future returned Pending"),
    }
}

fn write_all(out: &wasip2::io::streams::OutputStream, bytes: &[u8]) {
    for chunk in bytes.chunks(4096) {
        out.blocking_write_and_flush(chunk).expect("stream write");
    }
}

/// Writes to stdout.
pub async fn print(s: &str) {
    write_all(&wasip2::cli::stdout::get_stdout(), s.as_bytes());
}

/// Writes to stderr.
pub async fn eprint(s: &str) {
    write_all(&wasip2::cli::stderr::get_stderr(), s.as_bytes());
}

/// Writes raw bytes to stdout.
pub async fn write_stdout(bytes: &[u8]) {
    write_all(&wasip2::cli::stdout::get_stdout(), bytes);
}

fn read_all(input: &wasip2::io::streams::InputStream) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        match input.blocking_read(4096) {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return out,
            Err(e) => panic!("stream read: {e:?}"),
        }
    }
}

/// Reads stdin to its end.
pub async fn read_stdin() -> Vec<u8> {
    read_all(&wasip2::cli::stdin::get_stdin())
}

/// The program arguments.
pub fn args() -> Vec<String> {
    wasip2::cli::environment::get_arguments()
}

/// The environment, in the order the host gives it.
pub fn env() -> Vec<(String, String)> {
    wasip2::cli::environment::get_environment()
}

/// Ends the run with `code`.
pub fn exit(code: u8) -> ! {
    wasip2::cli::exit::exit_with_code(code);
    unreachable!("exit-with-code returned")
}

/// Wall-clock time as (seconds, nanoseconds) since the epoch.
pub fn wall_now() -> (i64, u32) {
    let t = wasip2::clocks::wall_clock::now();
    (t.seconds as i64, t.nanoseconds)
}

/// Monotonic clock, in nanoseconds.
pub fn monotonic_now() -> u64 {
    wasip2::clocks::monotonic_clock::now()
}

/// Sleeps for `ns` nanoseconds.
pub async fn sleep(ns: u64) {
    wasip2::clocks::monotonic_clock::subscribe_duration(ns).block();
}

/// Starts one timer per entry and returns the indices in the order they fired.
pub async fn race_timers(durations: &[u64]) -> Vec<usize> {
    let mut pending: Vec<(usize, wasip2::io::poll::Pollable)> = durations
        .iter()
        .enumerate()
        .map(|(i, &d)| (i, wasip2::clocks::monotonic_clock::subscribe_duration(d)))
        .collect();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let refs: Vec<&wasip2::io::poll::Pollable> = pending.iter().map(|(_, p)| p).collect();
        let mut ready: Vec<usize> = wasip2::io::poll::poll(&refs).into_iter().map(|r| r as usize).collect();
        ready.sort_unstable();
        let fired: Vec<usize> = ready.iter().map(|&r| pending[r].0).collect();
        for &r in ready.iter().rev() {
            pending.remove(r);
        }
        order.extend(fired);
    }
    order
}

/// `n` bytes from the secure RNG.
pub fn random_bytes(n: u64) -> Vec<u8> {
    wasip2::random::random::get_random_bytes(n)
}

/// `n` bytes from the insecure RNG.
pub fn insecure_random_bytes(n: u64) -> Vec<u8> {
    wasip2::random::insecure::get_insecure_random_bytes(n)
}

/// The insecure seed.
pub fn insecure_seed() -> (u64, u64) {
    wasip2::random::insecure_seed::insecure_seed()
}

/// A directory handle.
pub struct Dir(Descriptor);

/// The first preopened directory and its guest path. Panics, at the
/// caller's location so the message is the same in both worlds, when there
/// is none.
#[track_caller]
pub fn root() -> (Dir, String) {
    let (d, path) = wasip2::filesystem::preopens::get_directories()
        .into_iter()
        .next()
        .expect("no preopened directory");
    (Dir(d), path)
}

type Res<T> = Result<T, String>;

fn code(e: ErrorCode) -> String {
    e.name().to_string()
}

fn kind(t: DescriptorType) -> &'static str {
    kind_name(
        t == DescriptorType::Directory,
        t == DescriptorType::RegularFile,
        t == DescriptorType::SymbolicLink,
    )
}

impl Dir {
    fn open(&self, path: &str, open: OpenFlags, flags: DescriptorFlags) -> Res<Descriptor> {
        self.0
            .open_at(PathFlags::empty(), path, open, flags)
            .map_err(code)
    }

    /// Creates a directory.
    pub async fn mkdir(&self, path: &str) -> Res<()> {
        self.0.create_directory_at(path).map_err(code)
    }

    /// Creates or truncates a file and writes `data` to it.
    pub async fn write(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open(
            path,
            OpenFlags::CREATE | OpenFlags::TRUNCATE,
            DescriptorFlags::WRITE,
        )?;
        let out = f.write_via_stream(0).map_err(code)?;
        write_all(&out, data);
        Ok(())
    }

    /// Appends `data` to an existing file.
    pub async fn append(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open(path, OpenFlags::empty(), DescriptorFlags::WRITE)?;
        let out = f.append_via_stream().map_err(code)?;
        write_all(&out, data);
        Ok(())
    }

    /// Reads a whole file.
    pub async fn read(&self, path: &str) -> Res<Vec<u8>> {
        let f = self.open(path, OpenFlags::empty(), DescriptorFlags::READ)?;
        let input = f.read_via_stream(0).map_err(code)?;
        Ok(read_all(&input))
    }

    /// Renames `from` to `to`, both inside this directory.
    pub async fn rename(&self, from: &str, to: &str) -> Res<()> {
        self.0.rename_at(from, &self.0, to).map_err(code)
    }

    /// Removes a file.
    pub async fn remove_file(&self, path: &str) -> Res<()> {
        self.0.unlink_file_at(path).map_err(code)
    }

    /// Removes an empty directory.
    pub async fn rmdir(&self, path: &str) -> Res<()> {
        self.0.remove_directory_at(path).map_err(code)
    }

    /// Lists a directory as (name, kind), in the order the host returns.
    pub async fn readdir(&self, path: &str) -> Res<Vec<(String, &'static str)>> {
        let d = if path == "." {
            None
        } else {
            Some(self.open(path, OpenFlags::DIRECTORY, DescriptorFlags::READ)?)
        };
        let stream = d.as_ref().unwrap_or(&self.0).read_directory().map_err(code)?;
        let mut out = Vec::new();
        while let Some(e) = stream.read_directory_entry().map_err(code)? {
            out.push((e.name, kind(e.type_)));
        }
        Ok(out)
    }

    /// Metadata of `path`, following symlinks.
    pub async fn stat(&self, path: &str) -> Res<Stat> {
        let s = self.0.stat_at(PathFlags::SYMLINK_FOLLOW, path).map_err(code)?;
        Ok(Stat { kind: kind(s.type_), size: s.size, nlink: s.link_count })
    }
}

fn v4(ip: [u8; 4], port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (ip[0], ip[1], ip[2], ip[3]) })
}

/// Opens a TCP connection; the catalog only expects this to fail.
pub async fn tcp_connect(ip: [u8; 4], port: u16) -> Res<()> {
    use wasip2::sockets::{instance_network, tcp_create_socket};
    let sock = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4)
        .map_err(|e| format!("create: {}", e.name()))?;
    let net = instance_network::instance_network();
    sock.start_connect(&net, v4(ip, port))
        .map_err(|e| format!("connect: {}", e.name()))?;
    sock.subscribe().block();
    sock.finish_connect()
        .map(|_| ())
        .map_err(|e| format!("connect: {}", e.name()))
}

/// Binds a UDP socket; the catalog only expects this to fail.
pub async fn udp_bind(ip: [u8; 4], port: u16) -> Res<()> {
    use wasip2::sockets::{instance_network, udp_create_socket};
    let sock = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4)
        .map_err(|e| format!("create: {}", e.name()))?;
    let net = instance_network::instance_network();
    sock.start_bind(&net, v4(ip, port))
        .map_err(|e| format!("bind: {}", e.name()))?;
    sock.subscribe().block();
    sock.finish_bind().map_err(|e| format!("bind: {}", e.name()))
}

/// Resolves a host name; the catalog only expects this to fail.
pub async fn resolve(name: &str) -> Res<usize> {
    use wasip2::sockets::{instance_network, ip_name_lookup};
    let net = instance_network::instance_network();
    let stream = ip_name_lookup::resolve_addresses(&net, name)
        .map_err(|e| format!("lookup: {}", e.name()))?;
    let mut n = 0;
    loop {
        match stream.resolve_next_address() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return Ok(n),
            Err(e) if e.name() == "would-block" => stream.subscribe().block(),
            Err(e) => return Err(format!("lookup: {}", e.name())),
        }
    }
}
