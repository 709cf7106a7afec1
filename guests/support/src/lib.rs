//! Guest-side support for the wasi-replay catalog.
//!
//! Every catalog scenario is one async Rust function written against [`os`].
//! The crate is built twice: with feature `p2`, [`os`] calls WASI 0.2 through
//! the `wasip2` bindings; with feature `p3`, it calls WASI 0.3 through
//! `wasip3`. Both implementations make the same calls in the same order, so
//! the host sees the same observable behaviour from either build. Nothing in
//! here may go through Rust's `std` for I/O: std on `wasm32-wasip2` always
//! speaks WASI 0.2, which would hide the p3 API from the test.
//!
//! With feature `p1` (a `wasm32-wasip1` binary), [`os`] is the filesystem
//! surface `fs-ops` needs, over raw `wasi_snapshot_preview1` calls.

#[cfg(any(all(feature = "p2", feature = "p3"), all(feature = "p1", any(feature = "p2", feature = "p3"))))]
compile_error!("enable exactly one of the features `p1`, `p2` and `p3`");
#[cfg(not(any(feature = "p1", feature = "p2", feature = "p3")))]
compile_error!("enable one of the features `p1`, `p2` or `p3`");

#[cfg(feature = "p1")]
#[path = "p1.rs"]
pub mod os;
#[cfg(feature = "p2")]
#[path = "p2.rs"]
pub mod os;
#[cfg(feature = "p3")]
#[path = "p3.rs"]
pub mod os;

#[doc(hidden)]
pub use futures;

/// Drives a future on the calling thread. Every p1 call and every p2
/// call but an HTTP response completes inline; a p2 response not yet in
/// leaves its pollable with the reactor (`os::wait_any`), and the future
/// is polled again once `wasi:io/poll.poll` says one of the waiting
/// pollables is ready. p3 has the host's own executor.
#[cfg(not(feature = "p3"))]
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => return v,
            std::task::Poll::Pending if os::wait_any() => {}
            std::task::Poll::Pending => panic!("a {} scenario future returned Pending", os::WORLD),
        }
    }
}
#[cfg(feature = "p2")]
#[doc(hidden)]
pub use wasip2;
#[cfg(feature = "p3")]
#[doc(hidden)]
pub use wasip3;


/// Runs `op` until it succeeds, at most `tries` times, and gives its
/// last error when it never does: how a careful guest meets a disk that
/// fails now and then.
pub async fn retry<T>(tries: u32, mut op: impl AsyncFnMut() -> Result<T, String>) -> Result<T, String> {
    let mut last = String::from("not tried");
    for _ in 0..tries {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// A file's kind as the guest reports it, the same words in both worlds.
pub fn kind_name(is_dir: bool, is_file: bool, is_link: bool) -> &'static str {
    match (is_dir, is_file, is_link) {
        (true, _, _) => "dir",
        (_, true, _) => "file",
        (_, _, true) => "symlink",
        _ => "other",
    }
}

/// Metadata the scenarios print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// `dir`, `file`, `symlink` or `other`.
    pub kind: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// Hard-link count.
    pub nlink: u64,
    /// Last access, as (seconds, nanoseconds) since the epoch.
    pub atime: Option<(i64, u32)>,
    /// Last modification.
    pub mtime: Option<(i64, u32)>,
    /// Last status change.
    pub ctime: Option<(i64, u32)>,
}

/// How [`os::Fd::open`] opens a path; all off by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Open {
    /// `open-flags.create`.
    pub create: bool,
    /// `open-flags.exclusive`.
    pub exclusive: bool,
    /// `open-flags.truncate`.
    pub truncate: bool,
    /// `open-flags.directory`.
    pub directory: bool,
    /// `descriptor-flags.read`.
    pub read: bool,
    /// `descriptor-flags.write`.
    pub write: bool,
    /// `descriptor-flags.mutate-directory`.
    pub mutate: bool,
    /// Clear `path-flags.symlink-follow`.
    pub nofollow: bool,
}

/// A new timestamp for `set-times`.
#[derive(Debug, Clone, Copy)]
pub enum Time {
    /// Leave it as it is.
    NoChange,
    /// The current time.
    Now,
    /// Exactly this (seconds, nanoseconds).
    At(i64, u32),
}

/// An HTTP request a handler guest serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path with its query, `/items?limit=2`.
    pub path: String,
    /// Headers, in the order the host gave them.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Headers as both worlds' `fields.from-list` takes them.
#[cfg(any(feature = "p2", feature = "p3"))]
pub(crate) fn field_list<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, Vec<u8>)> {
    headers.into_iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
}

/// What a handler guest answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A response.
    Response(HttpResponse),
    /// An error code instead (`internal-error` with this message).
    Error(String),
    /// No response at all: p2 drops the response outparam without setting
    /// it. (p3 cannot say this; there it is an error code too.)
    Nothing,
}

/// An HTTP response as the catalog guests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, in the order the host gave them.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Splits `scheme://authority/path?query`; the path defaults to `/`.
pub fn split_url(url: &str) -> (bool, String, String) {
    let (https, rest) = match url.strip_prefix("https://") {
        Some(r) => (true, r),
        None => (false, url.strip_prefix("http://").unwrap_or(url)),
    };
    match rest.find('/') {
        Some(i) => (https, rest[..i].to_string(), rest[i..].to_string()),
        None => (https, rest.to_string(), "/".to_string()),
    }
}

/// The WIT case name of a variant from its `Debug` text (`ErrorCode::NoEntry`
/// or `ErrorCode::DnsError(..)` gives `no-entry`, `dns-error`), the same
/// words a WIT enum's `name()` gives.
pub fn case_name(debug: &str) -> String {
    let case = debug.rsplit("::").next().unwrap_or(debug);
    let case = case.split(['(', ' ', '{']).next().unwrap_or(case);
    let mut out = String::new();
    for (i, c) in case.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Names the descriptor flags that are set, joined with `|`.
pub fn flag_names(read: bool, write: bool, mutate: bool) -> String {
    let mut v = Vec::new();
    if read {
        v.push("read");
    }
    if write {
        v.push("write");
    }
    if mutate {
        v.push("mutate-directory");
    }
    v.join("|")
}

/// Prints a line to stdout through the world's own stdout interface.
#[macro_export]
macro_rules! println {
    ($($t:tt)*) => { $crate::os::print(&format!("{}\n", format_args!($($t)*))).await };
}

/// Prints a line to stderr through the world's own stderr interface.
#[macro_export]
macro_rules! eprintln {
    ($($t:tt)*) => { $crate::os::eprint(&format!("{}\n", format_args!($($t)*))).await };
}

/// A p1 command's `main`, calling `async fn $main()`: the binary that
/// includes the scenario calls it from its own `main`.
#[cfg(feature = "p1")]
#[macro_export]
macro_rules! main {
    ($main:path) => {
        pub fn main() {
            $crate::os::block_on($main());
        }
    };
}

/// Exports this world's HTTP handler (p2 `wasi:http/incoming-handler`),
/// answering each request with `async fn $handle(HttpRequest) -> Reply`.
#[cfg(feature = "p2")]
#[macro_export]
macro_rules! serve {
    ($handle:path) => {
        struct ReplayHandler;
        impl $crate::wasip2::exports::http::incoming_handler::Guest for ReplayHandler {
            fn handle(
                request: $crate::wasip2::http::types::IncomingRequest,
                out: $crate::wasip2::http::types::ResponseOutparam,
            ) {
                let request = $crate::os::incoming(request);
                let response = $crate::os::block_on($handle(request));
                $crate::os::respond(out, response);
            }
        }
        $crate::wasip2::http::proxy::export!(ReplayHandler with_types_in $crate::wasip2);
    };
}

/// Exports this world's HTTP handler (p3 `wasi:http/handler`), answering
/// each request with `async fn $handle(HttpRequest) -> Reply`.
#[cfg(feature = "p3")]
#[macro_export]
macro_rules! serve {
    ($handle:path) => {
        struct ReplayHandler;
        impl $crate::wasip3::exports::http::handler::Guest for ReplayHandler {
            async fn handle(
                request: $crate::wasip3::http::types::Request,
            ) -> Result<$crate::wasip3::http::types::Response, $crate::wasip3::http::types::ErrorCode> {
                let request = $crate::os::incoming(request).await;
                $crate::os::respond($handle(request).await)
            }
        }
        $crate::wasip3::http::service::export!(ReplayHandler with_types_in $crate::wasip3);
    };
}

/// Exports `wasi:cli/run` for this world, calling `async fn $main()`.
#[cfg(feature = "p2")]
#[macro_export]
macro_rules! main {
    ($main:path) => {
        struct ReplayGuest;
        impl $crate::wasip2::exports::cli::run::Guest for ReplayGuest {
            fn run() -> Result<(), ()> {
                $crate::os::block_on($main());
                Ok(())
            }
        }
        $crate::wasip2::cli::command::export!(ReplayGuest with_types_in $crate::wasip2);
    };
}

/// Exports `wasi:cli/run` for this world, calling `async fn $main()`.
#[cfg(feature = "p3")]
#[macro_export]
macro_rules! main {
    ($main:path) => {
        struct ReplayGuest;
        impl $crate::wasip3::exports::cli::run::Guest for ReplayGuest {
            async fn run() -> Result<(), ()> {
                $main().await;
                Ok(())
            }
        }
        $crate::wasip3::cli::command::export!(ReplayGuest with_types_in $crate::wasip3);
    };
}
