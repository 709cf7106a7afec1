//! The catalog's OS surface over WASI 0.2 (`wasip2`). Every call here is
//! synchronous underneath; the functions are `async` only so that scenario
//! code is the same text in both worlds.

use crate::{HttpResponse, Open, Stat, Time, flag_names, kind_name, split_url};
use wasip2::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp, OpenFlags, PathFlags,
};
use wasip2::io::streams::StreamError;
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};

/// The world this build speaks.
pub const WORLD: &str = "p2";

pub use crate::block_on;

fn write_all(out: &wasip2::io::streams::OutputStream, bytes: &[u8]) {
    try_write_all(out, bytes).expect("stream write");
}

/// Writes in 4 KiB steps; a failure is reported as the filesystem error
/// code behind it.
fn try_write_all(out: &wasip2::io::streams::OutputStream, bytes: &[u8]) -> Result<(), String> {
    for chunk in bytes.chunks(4096) {
        match out.blocking_write_and_flush(chunk) {
            Ok(()) => {}
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(wasip2::filesystem::types::filesystem_error_code(&e)
                    .map_or_else(|| e.to_debug_string(), code));
            }
            Err(StreamError::Closed) => return Err("closed".into()),
        }
    }
    Ok(())
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

/// Reads a file stream to its end; a failed read is its error code.
fn try_read_all(input: &wasip2::io::streams::InputStream) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match input.blocking_read(4096) {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(out),
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(wasip2::filesystem::types::filesystem_error_code(&e).map_or_else(|| e.to_debug_string(), code));
            }
        }
    }
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

/// A descriptor: a directory or a file.
pub struct Fd(Descriptor);

/// A directory descriptor.
pub type Dir = Fd;

/// The first preopened directory and its guest path. Panics, at the
/// caller's location so the message is the same in both worlds, when there
/// is none.
#[track_caller]
pub fn root() -> (Dir, String) {
    preopens().into_iter().next().expect("no preopened directory")
}

/// Every preopened directory with its guest path.
pub fn preopens() -> Vec<(Dir, String)> {
    wasip2::filesystem::preopens::get_directories().into_iter().map(|(d, p)| (Fd(d), p)).collect()
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

fn time(t: Option<wasip2::clocks::wall_clock::Datetime>) -> Option<(i64, u32)> {
    t.map(|t| (t.seconds as i64, t.nanoseconds))
}

fn stat_of(s: wasip2::filesystem::types::DescriptorStat) -> Stat {
    Stat {
        kind: kind(s.type_),
        size: s.size,
        nlink: s.link_count,
        atime: time(s.data_access_timestamp),
        mtime: time(s.data_modification_timestamp),
        ctime: time(s.status_change_timestamp),
    }
}

fn new_time(t: Time) -> NewTimestamp {
    match t {
        Time::NoChange => NewTimestamp::NoChange,
        Time::Now => NewTimestamp::Now,
        Time::At(s, n) => NewTimestamp::Timestamp(wasip2::clocks::wall_clock::Datetime { seconds: s as u64, nanoseconds: n }),
    }
}

fn path_flags(follow: bool) -> PathFlags {
    if follow { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() }
}

impl Fd {
    fn open_raw(&self, path: &str, open: OpenFlags, flags: DescriptorFlags) -> Res<Descriptor> {
        self.0.open_at(PathFlags::SYMLINK_FOLLOW, path, open, flags).map_err(code)
    }

    /// `open-at` with every flag spelled out.
    pub async fn open(&self, path: &str, o: Open) -> Res<Fd> {
        let mut open = OpenFlags::empty();
        open.set(OpenFlags::CREATE, o.create);
        open.set(OpenFlags::EXCLUSIVE, o.exclusive);
        open.set(OpenFlags::TRUNCATE, o.truncate);
        open.set(OpenFlags::DIRECTORY, o.directory);
        let mut flags = DescriptorFlags::empty();
        flags.set(DescriptorFlags::READ, o.read);
        flags.set(DescriptorFlags::WRITE, o.write);
        flags.set(DescriptorFlags::MUTATE_DIRECTORY, o.mutate);
        self.0.open_at(path_flags(!o.nofollow), path, open, flags).map(Fd).map_err(code)
    }

    /// Creates a directory.
    pub async fn mkdir(&self, path: &str) -> Res<()> {
        self.0.create_directory_at(path).map_err(code)
    }

    /// Creates or truncates a file and writes `data` to it.
    pub async fn write(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open_raw(path, OpenFlags::CREATE | OpenFlags::TRUNCATE, DescriptorFlags::WRITE)?;
        let out = f.write_via_stream(0).map_err(code)?;
        try_write_all(&out, data)
    }

    /// Appends `data` to an existing file.
    pub async fn append(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open_raw(path, OpenFlags::empty(), DescriptorFlags::WRITE)?;
        Fd(f).append_stream(data).await
    }

    /// Reads a whole file.
    pub async fn read(&self, path: &str) -> Res<Vec<u8>> {
        let f = self.open_raw(path, OpenFlags::empty(), DescriptorFlags::READ)?;
        Fd(f).read_stream(0).await
    }

    /// Renames `from` to `to`, both inside this directory.
    pub async fn rename(&self, from: &str, to: &str) -> Res<()> {
        self.rename_to(from, self, to).await
    }

    /// Renames `from` in this directory to `to` in `dir`.
    pub async fn rename_to(&self, from: &str, dir: &Fd, to: &str) -> Res<()> {
        self.0.rename_at(from, &dir.0, to).map_err(code)
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
            Some(self.open_raw(path, OpenFlags::DIRECTORY, DescriptorFlags::READ)?)
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
        self.stat_at(path, true).await
    }

    /// Metadata of `path`; a symlink at the end is followed when `follow`.
    pub async fn stat_at(&self, path: &str, follow: bool) -> Res<Stat> {
        self.0.stat_at(path_flags(follow), path).map(stat_of).map_err(code)
    }

    /// Metadata of this descriptor.
    pub async fn fstat(&self) -> Res<Stat> {
        self.0.stat().map(stat_of).map_err(code)
    }

    /// Sets the file's size.
    pub async fn set_size(&self, size: u64) -> Res<()> {
        self.0.set_size(size).map_err(code)
    }

    /// Sets this descriptor's times.
    pub async fn set_times(&self, atime: Time, mtime: Time) -> Res<()> {
        self.0.set_times(new_time(atime), new_time(mtime)).map_err(code)
    }

    /// Sets the times of `path`, following symlinks.
    pub async fn set_times_at(&self, path: &str, atime: Time, mtime: Time) -> Res<()> {
        self.0.set_times_at(PathFlags::SYMLINK_FOLLOW, path, new_time(atime), new_time(mtime)).map_err(code)
    }

    /// Up to `len` bytes from `offset`, by the direct call (p2 `read`).
    pub async fn read_at(&self, offset: u64, len: u64) -> Res<Vec<u8>> {
        self.0.read(len, offset).map(|(data, _)| data).map_err(code)
    }

    /// Writes at `offset` by the direct call (p2 `write`); bytes written.
    pub async fn write_at(&self, offset: u64, data: &[u8]) -> Res<u64> {
        self.0.write(data, offset).map_err(code)
    }

    /// Reads from `offset` to the end through a stream.
    pub async fn read_stream(&self, offset: u64) -> Res<Vec<u8>> {
        let input = self.0.read_via_stream(offset).map_err(code)?;
        try_read_all(&input)
    }

    /// Writes at `offset` through a stream.
    pub async fn write_stream(&self, offset: u64, data: &[u8]) -> Res<()> {
        let out = self.0.write_via_stream(offset).map_err(code)?;
        try_write_all(&out, data)
    }

    /// Appends through a stream.
    pub async fn append_stream(&self, data: &[u8]) -> Res<()> {
        let out = self.0.append_via_stream().map_err(code)?;
        try_write_all(&out, data)
    }

    /// Hard-links `old` in this directory as `new` in `dir`.
    pub async fn link(&self, old: &str, dir: &Fd, new: &str) -> Res<()> {
        self.0.link_at(PathFlags::empty(), old, &dir.0, new).map_err(code)
    }

    /// Creates a symlink `path` pointing at `target`.
    pub async fn symlink(&self, target: &str, path: &str) -> Res<()> {
        self.0.symlink_at(target, path).map_err(code)
    }

    /// The target of the symlink at `path`.
    pub async fn readlink(&self, path: &str) -> Res<String> {
        self.0.readlink_at(path).map_err(code)
    }

    /// Do both descriptors point at the same file?
    pub async fn same(&self, other: &Fd) -> bool {
        self.0.is_same_object(&other.0)
    }

    /// `metadata-hash` of this descriptor.
    pub async fn hash(&self) -> Res<(u64, u64)> {
        self.0.metadata_hash().map(|h| (h.lower, h.upper)).map_err(code)
    }

    /// `metadata-hash-at` of `path`, following symlinks.
    pub async fn hash_at(&self, path: &str) -> Res<(u64, u64)> {
        self.0.metadata_hash_at(PathFlags::SYMLINK_FOLLOW, path).map(|h| (h.lower, h.upper)).map_err(code)
    }

    /// `sync`, `sync-data` and `advise`, in that order.
    pub async fn sync_all(&self) -> Res<()> {
        self.0.sync().map_err(code)?;
        self.0.sync_data().map_err(code)?;
        self.0.advise(0, 0, wasip2::filesystem::types::Advice::Normal).map_err(code)
    }

    /// `sync`.
    pub async fn sync(&self) -> Res<()> {
        self.0.sync().map_err(code)
    }

    /// `sync-data`.
    pub async fn sync_data(&self) -> Res<()> {
        self.0.sync_data().map_err(code)
    }

    /// `advise` with `normal` advice.
    pub async fn advise(&self, offset: u64, len: u64) -> Res<()> {
        self.0.advise(offset, len, wasip2::filesystem::types::Advice::Normal).map_err(code)
    }

    /// `link-at` with the old path's follow flag chosen.
    pub async fn link_with(&self, follow: bool, old: &str, dir: &Fd, new: &str) -> Res<()> {
        self.0.link_at(path_flags(follow), old, &dir.0, new).map_err(code)
    }

    /// `set-times-at` with the follow flag chosen.
    pub async fn set_times_with(&self, follow: bool, path: &str, atime: Time, mtime: Time) -> Res<()> {
        self.0.set_times_at(path_flags(follow), path, new_time(atime), new_time(mtime)).map_err(code)
    }

    /// `metadata-hash-at` with the follow flag chosen.
    pub async fn hash_with(&self, follow: bool, path: &str) -> Res<(u64, u64)> {
        self.0.metadata_hash_at(path_flags(follow), path).map(|h| (h.lower, h.upper)).map_err(code)
    }

    /// The descriptor's flags, e.g. `read|mutate-directory`.
    pub async fn flags(&self) -> Res<String> {
        let f = self.0.get_flags().map_err(code)?;
        Ok(flag_names(
            f.contains(DescriptorFlags::READ),
            f.contains(DescriptorFlags::WRITE),
            f.contains(DescriptorFlags::MUTATE_DIRECTORY),
        ))
    }

    /// The descriptor's type.
    pub async fn kind(&self) -> Res<&'static str> {
        self.0.get_type().map(kind).map_err(code)
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

/// Sends an HTTP request through `wasi:http/outgoing-handler@0.2.x`.
pub async fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Res<HttpResponse> {
    use wasip2::http::outgoing_handler;
    use wasip2::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, Scheme};
    let name = |d: &dyn std::fmt::Debug| crate::case_name(&format!("{d:?}"));
    let fields = crate::field_list(headers.iter().copied());
    let fields = Fields::from_list(&fields).map_err(|e| name(&e))?;
    let request = OutgoingRequest::new(fields);
    let method = match method {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => Method::Other(other.to_string()),
    };
    request.set_method(&method).map_err(|()| "invalid method".to_string())?;
    let (https, authority, path) = split_url(url);
    let scheme = if https { Scheme::Https } else { Scheme::Http };
    request.set_scheme(Some(&scheme)).map_err(|()| "invalid scheme".to_string())?;
    request.set_authority(Some(&authority)).map_err(|()| "invalid authority".to_string())?;
    request.set_path_with_query(Some(&path)).map_err(|()| "invalid path".to_string())?;
    let outgoing = request.body().map_err(|()| "body taken".to_string())?;
    let pending = outgoing_handler::handle(request, None).map_err(|e| name(&e))?;
    if let Some(bytes) = body {
        let stream = outgoing.write().map_err(|()| "body stream taken".to_string())?;
        try_write_all(&stream, bytes)?;
    }
    OutgoingBody::finish(outgoing, None).map_err(|e| name(&e))?;
    ResponseIn(&pending).await;
    let response = match pending.get() {
        Some(Ok(Ok(r))) => r,
        Some(Ok(Err(e))) => return Err(name(&e)),
        Some(Err(())) | None => return Err("response already taken".into()),
    };
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let incoming = response.consume().map_err(|()| "body taken".to_string())?;
    let stream = incoming.stream().map_err(|()| "body stream taken".to_string())?;
    let body = read_all(&stream);
    drop(stream);
    Ok(HttpResponse { status, headers, body })
}

std::thread_local! {
    /// The pollables of the responses the running futures wait for.
    static WAITING: std::cell::RefCell<Vec<wasip2::io::poll::Pollable>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Ready when the response is in. Until then its pollable waits with the
/// others' in [`WAITING`], so that two requests of one `join!` are in
/// flight together and `wasi:io/poll.poll` says which answered first.
struct ResponseIn<'a>(&'a wasip2::http::types::FutureIncomingResponse);

impl std::future::Future for ResponseIn<'_> {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        let pollable = self.0.subscribe();
        if pollable.ready() {
            return std::task::Poll::Ready(());
        }
        WAITING.with_borrow_mut(|w| w.push(pollable));
        std::task::Poll::Pending
    }
}

/// Blocks until one of the waiting responses is in; false when none
/// waits (the future that returned Pending waits on nothing it can).
pub(crate) fn wait_any() -> bool {
    let waiting = WAITING.take();
    if waiting.is_empty() {
        return false;
    }
    wasip2::io::poll::poll(&waiting.iter().collect::<Vec<_>>());
    true
}

fn method_name(m: &wasip2::http::types::Method) -> String {
    use wasip2::http::types::Method;
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(o) => o.clone(),
    }
}

/// The request a handler was given, read whole.
pub fn incoming(request: wasip2::http::types::IncomingRequest) -> crate::HttpRequest {
    let method = method_name(&request.method());
    let path = request.path_with_query().unwrap_or_default();
    let headers =
        request.headers().entries().into_iter().map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned())).collect();
    let body = match request.consume() {
        Ok(incoming) => {
            let body = match incoming.stream() {
                Ok(stream) => read_all(&stream),
                Err(()) => Vec::new(),
            };
            drop(incoming);
            body
        }
        Err(()) => Vec::new(),
    };
    crate::HttpRequest { method, path, headers, body }
}

/// Sets the handler's response: status and headers, then the body; or an
/// error code; or, for [`crate::Reply::Nothing`], drops the outparam.
pub fn respond(out: wasip2::http::types::ResponseOutparam, reply: crate::Reply) {
    use wasip2::http::types::{ErrorCode, Fields, OutgoingBody, OutgoingResponse, ResponseOutparam};
    let response = match reply {
        crate::Reply::Response(r) => r,
        crate::Reply::Error(m) => return ResponseOutparam::set(out, Err(ErrorCode::InternalError(Some(m)))),
        crate::Reply::Nothing => return drop(out),
    };
    let fields = crate::field_list(response.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let headers = Fields::from_list(&fields).unwrap_or_else(|_| Fields::new());
    let outgoing = OutgoingResponse::new(headers);
    let _ = outgoing.set_status_code(response.status);
    let body = outgoing.body().expect("a new response's body");
    ResponseOutparam::set(out, Ok(outgoing));
    if let Ok(stream) = body.write() {
        let _ = try_write_all(&stream, &response.body);
    }
    let _ = OutgoingBody::finish(body, None);
}
