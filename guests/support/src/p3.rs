//! The catalog's OS surface over WASI 0.3 (`wasip3`): the same functions as
//! `p2.rs`, each made of the p3 call that does the same job.

use crate::{HttpResponse, Open, Stat, Time, flag_names, kind_name, split_url};
use std::cell::RefCell;
use std::fmt::Debug;
use std::future::IntoFuture;
use wasip3::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp, OpenFlags, PathFlags,
};
use wasip3::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket, UdpSocket,
};
use wasip3::wit_bindgen::rt::async_support::{FutureReader, StreamReader};

/// The world this build speaks.
pub const WORLD: &str = "p3";

/// Feeds `bytes` into a fresh stream while `sink` consumes it.
async fn pump<E: 'static>(
    bytes: Vec<u8>,
    sink: impl FnOnce(StreamReader<u8>) -> FutureReader<Result<(), E>>,
) -> Result<(), E> {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = sink(rx);
    let ((), res) = futures::join!(
        async move {
            // A reader that stops early leaves bytes behind; the result
            // future says why.
            let _rest = tx.write_all(bytes).await;
            drop(tx);
        },
        done.into_future()
    );
    res
}

/// Writes to stdout.
pub async fn print(s: &str) {
    write_stdout(s.as_bytes()).await
}

/// Writes to stderr.
pub async fn eprint(s: &str) {
    pump(s.as_bytes().to_vec(), wasip3::cli::stderr::write_via_stream)
        .await
        .expect("stderr write");
}

/// Writes raw bytes to stdout.
pub async fn write_stdout(bytes: &[u8]) {
    pump(bytes.to_vec(), wasip3::cli::stdout::write_via_stream)
        .await
        .expect("stdout write");
}

/// Reads stdin to its end.
pub async fn read_stdin() -> Vec<u8> {
    let (rx, done) = wasip3::cli::stdin::read_via_stream();
    let data = rx.collect().await;
    done.await.expect("stdin read");
    data
}

/// The program arguments.
pub fn args() -> Vec<String> {
    wasip3::cli::environment::get_arguments()
}

/// The environment, in the order the host gives it.
pub fn env() -> Vec<(String, String)> {
    wasip3::cli::environment::get_environment()
}

/// Ends the run with `code`.
pub fn exit(code: u8) -> ! {
    wasip3::cli::exit::exit_with_code(code);
    unreachable!("exit-with-code returned")
}

/// Wall-clock time as (seconds, nanoseconds) since the epoch.
pub fn wall_now() -> (i64, u32) {
    let t = wasip3::clocks::system_clock::now();
    (t.seconds, t.nanoseconds)
}

/// Monotonic clock, in nanoseconds.
pub fn monotonic_now() -> u64 {
    wasip3::clocks::monotonic_clock::now()
}

/// Sleeps for `ns` nanoseconds.
pub async fn sleep(ns: u64) {
    wasip3::clocks::monotonic_clock::wait_for(ns).await;
}

/// Starts one timer per entry and returns the indices in the order they fired.
pub async fn race_timers(durations: &[u64]) -> Vec<usize> {
    let order = RefCell::new(Vec::new());
    let timers = durations.iter().enumerate().map(|(i, &d)| {
        let order = &order;
        async move {
            wasip3::clocks::monotonic_clock::wait_for(d).await;
            order.borrow_mut().push(i);
        }
    });
    futures::future::join_all(timers).await;
    order.into_inner()
}

/// `n` bytes from the secure RNG.
pub fn random_bytes(n: u64) -> Vec<u8> {
    wasip3::random::random::get_random_bytes(n)
}

/// `n` bytes from the insecure RNG.
pub fn insecure_random_bytes(n: u64) -> Vec<u8> {
    wasip3::random::insecure::get_insecure_random_bytes(n)
}

/// The insecure seed.
pub fn insecure_seed() -> (u64, u64) {
    wasip3::random::insecure_seed::get_insecure_seed()
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
    wasip3::filesystem::preopens::get_directories().into_iter().map(|(d, p)| (Fd(d), p)).collect()
}

type Res<T> = Result<T, String>;

fn code(e: ErrorCode) -> String {
    name(&e)
}

fn name(e: &impl Debug) -> String {
    crate::case_name(&format!("{e:?}"))
}

fn kind(t: &DescriptorType) -> &'static str {
    kind_name(
        matches!(t, DescriptorType::Directory),
        matches!(t, DescriptorType::RegularFile),
        matches!(t, DescriptorType::SymbolicLink),
    )
}

fn time(t: Option<wasip3::clocks::system_clock::Instant>) -> Option<(i64, u32)> {
    t.map(|t| (t.seconds, t.nanoseconds))
}

fn stat_of(s: wasip3::filesystem::types::DescriptorStat) -> Stat {
    Stat {
        kind: kind(&s.type_),
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
        Time::At(s, n) => NewTimestamp::Timestamp(wasip3::clocks::system_clock::Instant { seconds: s, nanoseconds: n }),
    }
}

fn path_flags(follow: bool) -> PathFlags {
    if follow { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() }
}

impl Fd {
    async fn open_raw(&self, path: &str, open: OpenFlags, flags: DescriptorFlags) -> Res<Descriptor> {
        self.0.open_at(PathFlags::SYMLINK_FOLLOW, path.to_string(), open, flags).await.map_err(code)
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
        self.0.open_at(path_flags(!o.nofollow), path.to_string(), open, flags).await.map(Fd).map_err(code)
    }

    /// Creates a directory.
    pub async fn mkdir(&self, path: &str) -> Res<()> {
        self.0.create_directory_at(path.to_string()).await.map_err(code)
    }

    /// Creates or truncates a file and writes `data` to it.
    pub async fn write(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open_raw(path, OpenFlags::CREATE | OpenFlags::TRUNCATE, DescriptorFlags::WRITE).await?;
        Fd(f).write_stream(0, data).await
    }

    /// Appends `data` to an existing file.
    pub async fn append(&self, path: &str, data: &[u8]) -> Res<()> {
        let f = self.open_raw(path, OpenFlags::empty(), DescriptorFlags::WRITE).await?;
        Fd(f).append_stream(data).await
    }

    /// Reads a whole file.
    pub async fn read(&self, path: &str) -> Res<Vec<u8>> {
        let f = self.open_raw(path, OpenFlags::empty(), DescriptorFlags::READ).await?;
        Fd(f).read_stream(0).await
    }

    /// Renames `from` to `to`, both inside this directory.
    pub async fn rename(&self, from: &str, to: &str) -> Res<()> {
        self.rename_to(from, self, to).await
    }

    /// Renames `from` in this directory to `to` in `dir`.
    pub async fn rename_to(&self, from: &str, dir: &Fd, to: &str) -> Res<()> {
        self.0.rename_at(from.to_string(), &dir.0, to.to_string()).await.map_err(code)
    }

    /// Removes a file.
    pub async fn remove_file(&self, path: &str) -> Res<()> {
        self.0.unlink_file_at(path.to_string()).await.map_err(code)
    }

    /// Removes an empty directory.
    pub async fn rmdir(&self, path: &str) -> Res<()> {
        self.0.remove_directory_at(path.to_string()).await.map_err(code)
    }

    /// Lists a directory as (name, kind), in the order the host returns.
    pub async fn readdir(&self, path: &str) -> Res<Vec<(String, &'static str)>> {
        let d = if path == "." {
            None
        } else {
            Some(self.open_raw(path, OpenFlags::DIRECTORY, DescriptorFlags::READ).await?)
        };
        let (rx, done) = d.as_ref().unwrap_or(&self.0).read_directory();
        let entries = rx.collect().await;
        done.await.map_err(code)?;
        Ok(entries.into_iter().map(|e| (e.name, kind(&e.type_))).collect())
    }

    /// Metadata of `path`, following symlinks.
    pub async fn stat(&self, path: &str) -> Res<Stat> {
        self.stat_at(path, true).await
    }

    /// Metadata of `path`; a symlink at the end is followed when `follow`.
    pub async fn stat_at(&self, path: &str, follow: bool) -> Res<Stat> {
        self.0.stat_at(path_flags(follow), path.to_string()).await.map(stat_of).map_err(code)
    }

    /// Metadata of this descriptor.
    pub async fn fstat(&self) -> Res<Stat> {
        self.0.stat().await.map(stat_of).map_err(code)
    }

    /// Sets the file's size.
    pub async fn set_size(&self, size: u64) -> Res<()> {
        self.0.set_size(size).await.map_err(code)
    }

    /// Sets this descriptor's times.
    pub async fn set_times(&self, atime: Time, mtime: Time) -> Res<()> {
        self.0.set_times(new_time(atime), new_time(mtime)).await.map_err(code)
    }

    /// Sets the times of `path`, following symlinks.
    pub async fn set_times_at(&self, path: &str, atime: Time, mtime: Time) -> Res<()> {
        self.0
            .set_times_at(PathFlags::SYMLINK_FOLLOW, path.to_string(), new_time(atime), new_time(mtime))
            .await
            .map_err(code)
    }

    /// Up to `len` bytes from `offset`. p3 has no direct read, so this is
    /// the stream read cut to `len`, which observes the same bytes.
    pub async fn read_at(&self, offset: u64, len: u64) -> Res<Vec<u8>> {
        let mut data = self.read_stream(offset).await?;
        data.truncate(len as usize);
        Ok(data)
    }

    /// Writes at `offset`; bytes written. p3 has no direct write, so this
    /// is the stream write, which leaves the same file.
    pub async fn write_at(&self, offset: u64, data: &[u8]) -> Res<u64> {
        self.write_stream(offset, data).await.map(|()| data.len() as u64)
    }

    /// Reads from `offset` to the end through a stream.
    pub async fn read_stream(&self, offset: u64) -> Res<Vec<u8>> {
        let (rx, done) = self.0.read_via_stream(offset);
        let data = rx.collect().await;
        done.await.map_err(code)?;
        Ok(data)
    }

    /// Writes at `offset` through a stream.
    pub async fn write_stream(&self, offset: u64, data: &[u8]) -> Res<()> {
        pump(data.to_vec(), |rx| self.0.write_via_stream(rx, offset)).await.map_err(code)
    }

    /// Appends through a stream.
    pub async fn append_stream(&self, data: &[u8]) -> Res<()> {
        pump(data.to_vec(), |rx| self.0.append_via_stream(rx)).await.map_err(code)
    }

    /// Hard-links `old` in this directory as `new` in `dir`.
    pub async fn link(&self, old: &str, dir: &Fd, new: &str) -> Res<()> {
        self.0.link_at(PathFlags::empty(), old.to_string(), &dir.0, new.to_string()).await.map_err(code)
    }

    /// Creates a symlink `path` pointing at `target`.
    pub async fn symlink(&self, target: &str, path: &str) -> Res<()> {
        self.0.symlink_at(target.to_string(), path.to_string()).await.map_err(code)
    }

    /// The target of the symlink at `path`.
    pub async fn readlink(&self, path: &str) -> Res<String> {
        self.0.readlink_at(path.to_string()).await.map_err(code)
    }

    /// Do both descriptors point at the same file?
    pub async fn same(&self, other: &Fd) -> bool {
        self.0.is_same_object(&other.0).await
    }

    /// `metadata-hash` of this descriptor.
    pub async fn hash(&self) -> Res<(u64, u64)> {
        self.0.metadata_hash().await.map(|h| (h.lower, h.upper)).map_err(code)
    }

    /// `metadata-hash-at` of `path`, following symlinks.
    pub async fn hash_at(&self, path: &str) -> Res<(u64, u64)> {
        self.0
            .metadata_hash_at(PathFlags::SYMLINK_FOLLOW, path.to_string())
            .await
            .map(|h| (h.lower, h.upper))
            .map_err(code)
    }

    /// `sync`, `sync-data` and `advise`, in that order.
    pub async fn sync_all(&self) -> Res<()> {
        self.0.sync().await.map_err(code)?;
        self.0.sync_data().await.map_err(code)?;
        self.0.advise(0, 0, wasip3::filesystem::types::Advice::Normal).await.map_err(code)
    }

    /// `sync`.
    pub async fn sync(&self) -> Res<()> {
        self.0.sync().await.map_err(code)
    }

    /// `sync-data`.
    pub async fn sync_data(&self) -> Res<()> {
        self.0.sync_data().await.map_err(code)
    }

    /// `advise` with `normal` advice.
    pub async fn advise(&self, offset: u64, len: u64) -> Res<()> {
        self.0.advise(offset, len, wasip3::filesystem::types::Advice::Normal).await.map_err(code)
    }

    /// `link-at` with the old path's follow flag chosen.
    pub async fn link_with(&self, follow: bool, old: &str, dir: &Fd, new: &str) -> Res<()> {
        self.0.link_at(path_flags(follow), old.to_string(), &dir.0, new.to_string()).await.map_err(code)
    }

    /// `set-times-at` with the follow flag chosen.
    pub async fn set_times_with(&self, follow: bool, path: &str, atime: Time, mtime: Time) -> Res<()> {
        self.0
            .set_times_at(path_flags(follow), path.to_string(), new_time(atime), new_time(mtime))
            .await
            .map_err(code)
    }

    /// `metadata-hash-at` with the follow flag chosen.
    pub async fn hash_with(&self, follow: bool, path: &str) -> Res<(u64, u64)> {
        self.0.metadata_hash_at(path_flags(follow), path.to_string()).await.map(|h| (h.lower, h.upper)).map_err(code)
    }

    /// The descriptor's flags, e.g. `read|mutate-directory`.
    pub async fn flags(&self) -> Res<String> {
        let f = self.0.get_flags().await.map_err(code)?;
        Ok(flag_names(
            f.contains(DescriptorFlags::READ),
            f.contains(DescriptorFlags::WRITE),
            f.contains(DescriptorFlags::MUTATE_DIRECTORY),
        ))
    }

    /// The descriptor's type.
    pub async fn kind(&self) -> Res<&'static str> {
        self.0.get_type().await.map(|t| kind(&t)).map_err(code)
    }
}

fn v4(ip: [u8; 4], port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (ip[0], ip[1], ip[2], ip[3]) })
}

/// Opens a TCP connection; the catalog only expects this to fail.
pub async fn tcp_connect(ip: [u8; 4], port: u16) -> Res<()> {
    let sock = TcpSocket::create(IpAddressFamily::Ipv4)
        .map_err(|e| format!("create: {}", name(&e)))?;
    sock.connect(v4(ip, port))
        .await
        .map_err(|e| format!("connect: {}", name(&e)))
}

/// Binds a UDP socket; the catalog only expects this to fail.
pub async fn udp_bind(ip: [u8; 4], port: u16) -> Res<()> {
    let sock = UdpSocket::create(IpAddressFamily::Ipv4)
        .map_err(|e| format!("create: {}", name(&e)))?;
    sock.bind(v4(ip, port)).map_err(|e| format!("bind: {}", name(&e)))
}

/// Resolves a host name; the catalog only expects this to fail.
pub async fn resolve(host: &str) -> Res<usize> {
    wasip3::sockets::ip_name_lookup::resolve_addresses(host.to_string())
        .await
        .map(|v| v.len())
        .map_err(|e| format!("lookup: {}", name(&e)))
}

/// Sends an HTTP request through `wasi:http/client@0.3.0`.
pub async fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Res<HttpResponse> {
    use wasip3::http::types::{Fields, Method, Request, Response, Scheme};
    let fields = crate::field_list(headers.iter().copied());
    let fields = Fields::from_list(&fields).map_err(|e| name(&e))?;
    let (body_tx, body_rx) = wasip3::wit_stream::new::<u8>();
    let (trailers_tx, trailers_rx) = wasip3::wit_future::new(|| Ok(None));
    let (request, _sent) = Request::new(fields, body.map(|_| body_rx), trailers_rx, None);
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
    let bytes = body.map(<[u8]>::to_vec);
    let (response, ()) = futures::join!(wasip3::http::client::send(request), async move {
        if let Some(bytes) = bytes {
            let mut tx = body_tx;
            let _ = tx.write_all(bytes).await;
        }
        let _ = trailers_tx.write(Ok(None)).await;
    });
    let response = response.map_err(|e| name(&e))?;
    let status = response.get_status_code();
    let headers = response
        .get_headers()
        .copy_all()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let (_, done) = wasip3::wit_future::new(|| Ok(()));
    let (rx, _trailers) = Response::consume_body(response, done);
    let body = rx.collect().await;
    Ok(HttpResponse { status, headers, body })
}

fn method_name(m: &wasip3::http::types::Method) -> String {
    use wasip3::http::types::Method;
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
pub async fn incoming(request: wasip3::http::types::Request) -> crate::HttpRequest {
    use wasip3::http::types::Request;
    let method = method_name(&request.get_method());
    let path = request.get_path_with_query().unwrap_or_default();
    let headers = request
        .get_headers()
        .copy_all()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let (_, done) = wasip3::wit_future::new(|| Ok(()));
    let (rx, _trailers) = Request::consume_body(request, done);
    let body = rx.collect().await;
    crate::HttpRequest { method, path, headers, body }
}

/// The handler's response: status and headers, and a body written by a
/// task of its own once the host reads it; or an error code (also for
/// [`crate::Reply::Nothing`], which p3 cannot express).
pub fn respond(reply: crate::Reply) -> Result<wasip3::http::types::Response, wasip3::http::types::ErrorCode> {
    use wasip3::http::types::{ErrorCode, Fields, Response};
    let response = match reply {
        crate::Reply::Response(r) => r,
        crate::Reply::Error(m) => return Err(ErrorCode::InternalError(Some(m))),
        crate::Reply::Nothing => return Err(ErrorCode::InternalError(Some("no response".into()))),
    };
    let fields = crate::field_list(response.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let headers = Fields::from_list(&fields).unwrap_or_else(|_| Fields::new());
    let (mut body_tx, body_rx) = wasip3::wit_stream::new::<u8>();
    let (trailers_tx, trailers_rx) = wasip3::wit_future::new(|| Ok(None));
    let (outgoing, _sent) = Response::new(headers, Some(body_rx), trailers_rx);
    let _ = outgoing.set_status_code(response.status);
    let bytes = response.body;
    wasip3::spawn_local(async move {
        let _ = body_tx.write_all(bytes).await;
        drop(body_tx);
        let _ = trailers_tx.write(Ok(None)).await;
    });
    Ok(outgoing)
}
