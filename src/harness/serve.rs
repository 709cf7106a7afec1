//! Serving a scenario's requests with an HTTP handler guest: p2
//! `wasi:http/incoming-handler` or p3 `wasi:http/handler`.
//!
//! Each request is built as a real host would hand it over (authority
//! `localhost` unless a `host` header says otherwise, scheme `http`), and
//! its response is read whole: status, headers, body. What the guest does
//! wrong is a response entry, never a hang of the harness: a trap, an
//! error code, a handler that returns without a response or never
//! finishes its body. [`Serve::Fresh`] gives each request a fresh store
//! and instance with the filesystem carried over; [`Serve::Shared`] serves
//! them all from one instance, in order; [`Serve::Concurrent`] hands them
//! all at once to one p3 instance.

use super::HarnessError;
use super::run::{Command, Leftovers, exit_of, leftovers, new_store};
use crate::host::http::{BodyRecord, shown_headers};
use crate::host::{Core, HostError, HostState, Limits};
use crate::memfs::MemFs;
use super::outcome::Outcome;
use crate::report::{Exit, ResponseReport};
use crate::scenario::{Request, Serve};
use bytes::Bytes;
use http_body_util::BodyExt;
use wasmtime::{Engine, Store};
use wasmtime_wasi_http::WasiHttpView;

/// What came back for one request.
#[derive(Default)]
struct Answer {
    status: Option<u16>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Why the answer is missing or not whole.
    error: Option<String>,
}

/// A handler instantiated in a store.
enum Instance {
    P2(wasmtime_wasi_http::p2::bindings::Proxy),
    P3(wasmtime_wasi_http::p3::bindings::Service),
}

/// The request as an `http::Request` with its body.
fn http_request(req: &Request) -> wasmtime::Result<http::Request<http_body_util::combinators::UnsyncBoxBody<Bytes, wasmtime_wasi_http::p2::bindings::http::types::ErrorCode>>> {
    let host = req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map_or("localhost", |(_, v)| v.as_str());
    let mut builder = http::Request::builder().method(req.method.as_str()).uri(format!("http://{host}{}", req.path));
    for (k, v) in &req.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let body = http_body_util::Full::new(Bytes::from(req.body.clone())).map_err(|never| match never {}).boxed_unsync();
    Ok(builder.body(body)?)
}

fn headers_of(map: &http::HeaderMap) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

impl Instance {
    async fn new<T: HostState>(command: &Command<T>, store: &mut Store<T>) -> wasmtime::Result<Self> {
        match command {
            Command::P2Handler(pre) => Ok(Instance::P2(pre.instantiate_async(&mut *store).await?)),
            Command::P3Handler(pre) => Ok(Instance::P3(pre.instantiate_async(&mut *store).await?)),
            _ => wasmtime::bail!("no HTTP handler"),
        }
    }

    /// Serves one request. The error is what ended the instance (a trap,
    /// an exit, a limit); the answer holds whatever came before it.
    async fn serve<T: HostState + WasiHttpView>(&self, store: &mut Store<T>, req: &Request) -> (Answer, wasmtime::Result<()>) {
        crate::journal::note(&store.data_mut().core().journal, "http.serve", || req.line(), String::new);
        match self {
            Instance::P2(proxy) => p2_serve(proxy, store, req).await,
            Instance::P3(service) => p3_serve(service, store, req).await,
        }
    }
}

async fn p2_serve<T: HostState + WasiHttpView>(
    proxy: &wasmtime_wasi_http::p2::bindings::Proxy,
    store: &mut Store<T>,
    req: &Request,
) -> (Answer, wasmtime::Result<()>) {
    use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let set_up = (|| {
        let incoming = store.data_mut().http().new_incoming_request(Scheme::Http, http_request(req)?)?;
        let out = store.data_mut().http().new_response_outparam(tx)?;
        Ok::<_, wasmtime::Error>((incoming, out))
    })();
    let (incoming, out) = match set_up {
        Ok(pair) => pair,
        Err(e) => return (Answer { error: Some(format!("request: {e:#}")), ..Answer::default() }, Ok(())),
    };
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel::<()>();
    let call = async {
        let r = proxy.wasi_http_incoming_handler().call_handle(&mut *store, incoming, out).await;
        let _ = done_tx.send(());
        r
    };
    // The response is read while the guest runs (its body may be larger
    // than the pipe); once the call has returned, nothing more can come.
    let answer = async {
        let mut call_over = false;
        let set = tokio::select! {
            biased;
            r = &mut rx => r.ok(),
            _ = &mut done_rx => {
                call_over = true;
                rx.try_recv().ok()
            }
        };
        match set {
            None => Answer { error: Some("the handler returned without setting a response".into()), ..Answer::default() },
            Some(Err(code)) => Answer { error: Some(format!("error-code: {code:?}")), ..Answer::default() },
            Some(Ok(resp)) => {
                let (parts, mut body) = resp.into_parts();
                let mut answer = Answer { status: Some(parts.status.as_u16()), headers: headers_of(&parts.headers), ..Answer::default() };
                loop {
                    let frame = if call_over {
                        // No guest code runs any more: only what is there.
                        match futures::FutureExt::now_or_never(body.frame()) {
                            Some(f) => f,
                            None => {
                                answer.error = Some("the handler returned without finishing the body".into());
                                break;
                            }
                        }
                    } else {
                        tokio::select! {
                            biased;
                            f = body.frame() => f,
                            _ = &mut done_rx => {
                                call_over = true;
                                continue;
                            }
                        }
                    };
                    match frame {
                        None => break,
                        Some(Ok(f)) => {
                            if let Ok(data) = f.into_data() {
                                answer.body.extend_from_slice(&data);
                            }
                        }
                        Some(Err(e)) => {
                            answer.error = Some(format!("body: {e:?}"));
                            break;
                        }
                    }
                }
                answer
            }
        }
    };
    let (called, mut answer) = tokio::join!(call, answer);
    if called.is_err() && answer.status.is_none() {
        // It did not return: what ended it says why there is no response.
        answer.error = None;
    }
    (answer, called)
}

async fn p3_serve<T: HostState + WasiHttpView>(
    service: &wasmtime_wasi_http::p3::bindings::Service,
    store: &mut Store<T>,
    req: &Request,
) -> (Answer, wasmtime::Result<()>) {
    match store.run_concurrent(async |a| p3_answer(a, service, req).await).await {
        Ok(Ok(answer)) => (answer, Ok(())),
        Ok(Err(e)) | Err(e) => (Answer::default(), Err(e)),
    }
}

/// Hands `req` to a p3 handler inside its store's event loop and reads
/// the response whole. The error is what ended the instance.
async fn p3_answer<T: HostState + WasiHttpView>(
    a: &wasmtime::component::Accessor<T>,
    service: &wasmtime_wasi_http::p3::bindings::Service,
    req: &Request,
) -> wasmtime::Result<Answer> {
    use wasmtime_wasi_http::p3::bindings::http::types::Request as P3Request;
    let http_req = match http_request(req) {
        Ok(r) => r.map(|b| b.map_err(|code| wasmtime_wasi_http::p3::bindings::http::types::ErrorCode::InternalError(Some(format!("{code:?}")))).boxed_unsync()),
        Err(e) => return Ok(Answer { error: Some(format!("request: {e:#}")), ..Answer::default() }),
    };
    let (request, io) = a.with(|mut s| P3Request::from_http(s.data_mut().http().hooks, http_req));
    let (handled, _) = futures::future::join(service.handle(a, request), io).await;
    let response = match handled? {
        Ok(response) => response,
        Err(code) => return Ok(Answer { error: Some(format!("error-code: {code:?}")), ..Answer::default() }),
    };
    let response = a.with(|mut s| response.into_http(&mut s, async { Ok(()) }))?;
    let (parts, body) = response.into_parts();
    let mut answer = Answer { status: Some(parts.status.as_u16()), headers: headers_of(&parts.headers), ..Answer::default() };
    match body.collect().await {
        Ok(c) => answer.body = c.to_bytes().to_vec(),
        Err(e) => answer.error = Some(format!("body: {e:?}")),
    }
    Ok(answer)
}

/// Serves every request at once from one p3 instance
/// ([`Serve::Concurrent`]), under the run's schedule when it has one.
/// The HTTP exchanges the handler made go to the report's `http`, since
/// no one request owns them.
async fn serve_concurrent<T: HostState + WasiHttpView>(
    engine: &Engine,
    command: &Command<T>,
    state: T,
    limits: &Limits,
    requests: &[Request],
    redact: &[String],
) -> Result<Outcome, HarnessError> {
    let (mut store, horizon) = new_store(engine, state, limits)?;
    let gate = store.data_mut().core().gate.clone();
    let work = async {
        let Instance::P3(service) = Instance::new(command, &mut store).await? else {
            wasmtime::bail!("concurrent serving needs a p3 handler");
        };
        for req in requests {
            crate::journal::note(&store.data_mut().core().journal, "http.serve", || req.line(), String::new);
        }
        store
            .run_concurrent(async |a| {
                let each = requests.iter().map(|req| p3_answer(a, &service, req));
                futures::future::join_all(each).await.into_iter().collect::<wasmtime::Result<Vec<Answer>>>()
            })
            .await?
    };
    let served = match &gate {
        Some(g) => super::run::scheduled(work, tokio::time::sleep_until(horizon), g).await,
        None => tokio::select! {
            biased;
            r = work => Some(r),
            () = tokio::time::sleep_until(horizon) => None,
        },
    };
    let (answers, exit) = match served {
        Some(Ok(answers)) => (answers, None),
        Some(Err(e)) => (Vec::new(), Some(exit_of(Err(e), limits))),
        None => {
            let ns = u64::try_from(store.data_mut().core().clock.elapsed().as_nanos()).unwrap_or(u64::MAX);
            (Vec::new(), Some(Exit::WaitsForever { virtual_time_ns: ns }))
        }
    };
    let mut answers = answers.into_iter();
    let responses = requests
        .iter()
        .map(|req| match (answers.next(), &exit) {
            (Some(answer), _) => entry(req, answer, redact),
            (None, x) => {
                let why = x.as_ref().map_or_else(|| "no answer".to_string(), ended);
                ResponseReport { request: req.line(), status: None, headers: Vec::new(), body: None, error: Some(why), http: Vec::new() }
            }
        })
        .collect();
    let http = exchanges_since(store.data_mut().core(), 0);
    let schedule = gate.as_ref().map(|g| g.taken());
    let out = leftovers(store.data_mut().core())?;
    Ok(outcome_of(out, exit, responses, http, schedule))
}

/// The outcome of serving: what the stores left, how the run ended (no
/// end: status 0), the responses, and the exchanges and schedule that no
/// single request owns.
fn outcome_of(
    mut out: Leftovers,
    exit: Option<Exit>,
    responses: Vec<ResponseReport>,
    http: Vec<crate::host::Exchange>,
    schedule: Option<crate::schedule::Taken>,
) -> Outcome {
    out.truncated.sort();
    out.truncated.dedup();
    Outcome {
        schedule,
        exit: exit.unwrap_or(Exit::Status(0)),
        elapsed_ns: out.elapsed_ns,
        stdout: out.stdout,
        stderr: out.stderr,
        truncated: out.truncated,
        fs: out.fs,
        http,
        calls: Vec::new(),
        responses,
        journal: out.journal,
    }
}

/// The report entry of one request.
fn entry(req: &Request, answer: Answer, redact: &[String]) -> ResponseReport {
    ResponseReport {
        request: req.line(),
        status: answer.status,
        headers: shown_headers(answer.headers, redact),
        body: BodyRecord::of(&answer.body),
        error: answer.error,
        http: Vec::new(),
    }
}

/// Why a request that ended its instance has no whole answer.
fn ended(exit: &Exit) -> String {
    match exit {
        Exit::Status(n) => format!("the handler exited with status {n}"),
        Exit::Trap(m) => format!("trap: {m}"),
        Exit::OutOfFuel => "out of fuel".into(),
        Exit::Timeout { after_ms } => format!("timed out after {after_ms} ms"),
        Exit::WaitsForever { .. } => "waits forever".into(),
    }
}

/// Takes the exchanges logged since `from`.
fn exchanges_since(core: &Core, from: usize) -> Vec<crate::host::Exchange> {
    let log = core.http_log.lock().unwrap_or_else(|e| e.into_inner());
    log.get(from..).map(<[_]>::to_vec).unwrap_or_default()
}

fn log_len(core: &Core) -> usize {
    core.http_log.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// Serves `requests` in order and collects the outcome. `state` builds a
/// store state around a filesystem: once for [`Serve::Shared`], once per
/// request for [`Serve::Fresh`], each time with the filesystem the last
/// request left.
#[allow(clippy::too_many_arguments)]
pub(super) async fn serve_on<T: HostState + WasiHttpView>(
    engine: &Engine,
    command: &Command<T>,
    mut state: impl FnMut(Option<MemFs>) -> Result<T, HostError>,
    fs: Option<MemFs>,
    limits: &Limits,
    requests: &[Request],
    serve: Serve,
    redact: &[String],
) -> Result<Outcome, HarnessError> {
    if serve == Serve::Concurrent {
        return serve_concurrent(engine, command, state(fs)?, limits, requests, redact).await;
    }
    let mut responses = Vec::new();
    let mut exit = None::<Exit>;
    let mut out = Leftovers { stdout: Vec::new(), stderr: Vec::new(), truncated: Vec::new(), elapsed_ns: 0, fs, journal: None };
    let mut shared: Option<(Store<T>, tokio::time::Instant, Option<Instance>)> = None;
    for req in requests {
        if serve == Serve::Shared && exit.is_some() {
            let why = format!("not served: the shared instance ended at an earlier request ({})", ended(exit.as_ref().expect("some")));
            responses.push(ResponseReport { request: req.line(), status: None, headers: Vec::new(), body: None, error: Some(why), http: Vec::new() });
            continue;
        }
        let (mut store, horizon, instance) = match shared.take() {
            Some(s) => s,
            None => {
                let (store, horizon) = new_store(engine, state(out.fs.take())?, limits)?;
                (store, horizon, None)
            }
        };
        let before = log_len(store.data_mut().core());
        let served = tokio::select! {
            biased;
            r = async {
                let instance = match instance {
                    Some(i) => i,
                    None => match Instance::new(command, &mut store).await {
                        Ok(i) => i,
                        Err(e) => return (None, Answer::default(), Err(e)),
                    },
                };
                let (answer, result) = instance.serve(&mut store, req).await;
                (Some(instance), answer, result)
            } => Some(r),
            () = tokio::time::sleep_until(horizon) => None,
        };
        let (instance, answer, ended_with) = match served {
            Some((instance, answer, Ok(()))) => (instance, answer, None),
            Some((_, answer, Err(e))) => (None, answer, Some(exit_of(Err(e), limits))),
            None => {
                let ns = u64::try_from(store.data_mut().core().clock.elapsed().as_nanos()).unwrap_or(u64::MAX);
                (None, Answer::default(), Some(Exit::WaitsForever { virtual_time_ns: ns }))
            }
        };
        let mut e = entry(req, answer, redact);
        if let Some(x) = &ended_with {
            let why = ended(x);
            e.error = Some(match e.error {
                Some(first) => format!("{first}; {why}"),
                None => why,
            });
            exit.get_or_insert(x.clone());
        }
        e.http = exchanges_since(store.data_mut().core(), before);
        responses.push(e);
        match serve {
            Serve::Shared if instance.is_some() => shared = Some((store, horizon, instance)),
            _ => out.absorb(leftovers(store.data_mut().core())?),
        }
    }
    if let Some((mut store, _, _)) = shared {
        out.absorb(leftovers(store.data_mut().core())?);
    }
    Ok(outcome_of(out, exit, responses, Vec::new(), None))
}
