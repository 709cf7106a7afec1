//! `--http-record` (the `record` feature) against a server this test runs
//! on 127.0.0.1: the run goes to the network and writes a cassette, and
//! the cassette, with the server gone, gives the same report offline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use wasi_replay::catalog;
use wasi_replay::World;

/// A loopback HTTP/1.1 server that answers every request with one JSON
/// body and keeps the request lines and headers it saw.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const BODY: &str = "{\"items\":[{\"id\":7,\"name\":\"washer\"}]}";

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (seen, stop) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let (s, st) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                serve(conn, &s);
            }
        });
        Server { port, seen, stop, thread: Some(thread) }
    }

    /// Stops accepting and waits for the thread: the port is closed after.
    fn stop(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        self.thread.take().unwrap().join().unwrap();
        self.seen.lock().unwrap().clone()
    }
}

fn serve(conn: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push(line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    seen.lock().unwrap().extend(head);
    let mut conn = conn;
    write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-upstream: loopback\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    )
    .unwrap();
}

fn wasi_replay(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-replay"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("INSTA_UPDATE")
        .output()
        .unwrap()
}

/// The tests take turns: one checks that its server's port is closed
/// after the server stops, and the other's server could be given that
/// port the moment it is free.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_cassette_recorded_from_a_loopback_server_replays_offline_to_the_same_report() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    catalog::build_all().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let cassette = dir.path().join("cassette.toml");
    let component = catalog::component_path("http-get", World::P2);
    let server = Server::start();
    let upstream = format!("http://127.0.0.1:{}", server.port);
    let root = format!("{}::/", dir.path().join("empty").display());
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let args = |extra: &[&Path]| {
        let mut a: Vec<std::ffi::OsString> = vec!["run".into(), component.clone().into(), "--dir".into(), root.clone().into()];
        a.extend(extra.iter().map(|p| p.as_os_str().to_owned()));
        a
    };
    let record = args(&[Path::new("--http-record"), &cassette, Path::new("--http-upstream"), Path::new(&upstream)]);
    let recorded = wasi_replay(&record.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    assert!(recorded.status.success(), "{}", String::from_utf8_lossy(&recorded.stderr));
    let seen = server.stop();
    assert!(seen.iter().any(|l| l == "GET /v1/items?limit=2 HTTP/1.1"), "the server saw the request: {seen:?}");
    assert!(seen.iter().any(|l| l.eq_ignore_ascii_case("accept: application/json")), "{seen:?}");
    let report = String::from_utf8_lossy(&recorded.stdout).into_owned();
    assert!(report.contains("washer"), "the guest got the server's body:\n{report}");
    assert!(report.contains("rule: recorded-1"), "{report}");

    let text = std::fs::read_to_string(&cassette).unwrap();
    assert!(text.contains("url = \"https://api.example.com/v1/items?limit=2\""), "recorded under the guest's URL:\n{text}");
    assert!(text.contains("x-upstream = \"loopback\"") && !text.contains("Bearer"), "answers kept, credentials not:\n{text}");
    assert!(TcpStream::connect(("127.0.0.1", upstream.rsplit(':').next().unwrap().parse::<u16>().unwrap())).is_err(), "the server is gone");

    let replay = args(&[Path::new("--http-mock"), &cassette]);
    let replayed = wasi_replay(&replay.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    assert!(replayed.status.success(), "{}", String::from_utf8_lossy(&replayed.stderr));
    assert_eq!(String::from_utf8_lossy(&replayed.stdout), report, "the offline replay gives the recorded report");
}

#[test]
fn recording_refuses_mocks_and_names_a_refused_connection() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    catalog::build_all().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let component = catalog::component_path("http-get", World::P2);
    let cassette = dir.path().join("c.toml");
    std::fs::write(dir.path().join("m.toml"), "").unwrap();
    let both = wasi_replay(&[
        "run".as_ref(),
        component.as_ref(),
        "--http-record".as_ref(),
        cassette.as_ref(),
        "--http-mock".as_ref(),
        dir.path().join("m.toml").as_ref(),
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("--http-record sends requests to the network; it takes no --http-mock"));
    // A port nobody listens on: the guest sees the refusal, the run goes on.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let upstream = format!("http://127.0.0.1:{port}");
    let out = wasi_replay(&[
        "run".as_ref(),
        component.as_ref(),
        "--http-record".as_ref(),
        cassette.as_ref(),
        "--http-upstream".as_ref(),
        upstream.as_ref(),
        "--dir".as_ref(),
        "::/".as_ref(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("error: connection refused") || report.contains("Connection refused"), "{report}");
    assert!(!std::fs::read_to_string(&cassette).unwrap().contains("[[mock]]"), "nothing answered, nothing recorded");
}
