//! Canned HTTP: `wasi:http` outgoing requests, in both worlds, answered from
//! mock rules. No request ever leaves the process; wasmtime-wasi-http is
//! built without its client, and this is its only `send_request`.
//!
//! Every exchange is recorded in order: method, URL, sorted headers (values
//! of redacted headers replaced), the request body as text or sha256, the
//! rule that matched, and the status or error sent back.

use bytes::Bytes;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::sync::{Arc, Mutex};
use super::mocks::HttpMocks;
use crate::faults::{Effect, Site};
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// Request bodies up to this size that are UTF-8 appear as text.
const BODY_TEXT_LIMIT: usize = 4096;

/// A request body in the report: one of the two fields is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct BodyRecord {
    /// A small UTF-8 body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The sha256 of any other body, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl BodyRecord {
    /// A body as the report shows it: text when it is small UTF-8, else
    /// its sha256; `None` when it is empty.
    pub fn of(body: &[u8]) -> Option<Self> {
        (!body.is_empty()).then(|| match std::str::from_utf8(body) {
            Ok(t) if body.len() <= BODY_TEXT_LIMIT => BodyRecord { text: Some(t.to_string()), sha256: None },
            _ => BodyRecord { text: None, sha256: Some(Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()) },
        })
    }
}

/// Headers as the report shows them: `name: value`, sorted, with the
/// values of the `redact` names hidden.
pub(crate) fn shown_headers(mut headers: Vec<(String, String)>, redact: &[String]) -> Vec<String> {
    headers.sort();
    headers
        .into_iter()
        .map(|(k, v)| {
            let hidden = redact.iter().any(|r| r.eq_ignore_ascii_case(&k));
            format!("{k}: {}", if hidden { "<redacted>" } else { &v })
        })
        .collect()
}

/// One request and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Exchange {
    /// Request method.
    pub method: String,
    /// Request URL.
    pub url: String,
    /// Request headers as `name: value`, sorted; redacted values hidden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Request body, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyRecord>,
    /// The rule that answered; absent when none matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The status sent back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The error sent back instead (unmatched requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The exchanges of a run, shared with the hooks.
pub type HttpLog = Arc<Mutex<Vec<Exchange>>>;

/// The hooks wasmtime-wasi-http calls: `send_request` answers from mocks.
pub struct MockHooks {
    mocks: Arc<HttpMocks>,
    log: HttpLog,
    journal: crate::journal::Journal,
    faults: crate::faults::Faults,
    gate: crate::schedule::Gate,
    #[cfg(feature = "record")]
    recording: Option<super::Recording>,
}

impl std::fmt::Debug for MockHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHooks").finish_non_exhaustive()
    }
}

impl MockHooks {
    /// Hooks answering from `mocks`, recording into `log` (and noting
    /// each request in `journal`).
    pub(crate) fn new(
        inputs: &super::Inputs,
        log: HttpLog,
        journal: crate::journal::Journal,
        faults: crate::faults::Faults,
        gate: crate::schedule::Gate,
    ) -> Self {
        MockHooks {
            mocks: inputs.http.clone(),
            log,
            journal,
            faults,
            gate,
            #[cfg(feature = "record")]
            recording: inputs.recording.clone(),
        }
    }
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
)>;

impl WasiHttpHooks for MockHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let mocks = self.mocks.clone();
        let log = self.log.clone();
        let journal = self.journal.clone();
        let faults = self.faults.clone();
        let mut hold = crate::schedule::Hold::new(&self.gate);
        #[cfg(feature = "record")]
        let recording = self.recording.clone();
        Box::new(async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
            let url = parts.uri.to_string();
            let method = parts.method.as_str().to_string();
            let mut headers: Vec<(String, String)> = parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            headers.sort();
            let effects = faults.as_ref().map(|f| f.strike(Site::Http, &url, 0, false)).unwrap_or_default();
            for effect in &effects {
                if let Effect::Delay(d) = effect {
                    tokio::time::sleep(*d).await;
                }
            }
            if let Some(fault) = effects.iter().find(|e| !matches!(e, Effect::Delay(_) | Effect::Cut)) {
                return answer_fault(*fault, method, url, headers, &body, &mocks.redact, &journal, &log);
            }
            let cut = effects.contains(&Effect::Cut);
            #[cfg(feature = "record")]
            let recorded = match &recording {
                Some(r) => Some(r.send(&method, &url, &headers, &body)),
                None => None,
            };
            #[cfg(not(feature = "record"))]
            let recorded: Option<Result<super::mocks::MockRule, wasmtime_wasi_http::Error>> = None;
            let recorded_rule;
            let hit = match &recorded {
                Some(Ok(rule)) => {
                    recorded_rule = rule.clone();
                    Some((0, &recorded_rule))
                }
                Some(Err(_)) => None,
                None => mocks.rules.iter().enumerate().find(|(_, r)| {
                r.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(&method))
                    && r.url.matches(&url)
                    && r.headers.iter().all(|(k, v)| headers.iter().any(|(hk, hv)| hk.eq_ignore_ascii_case(k) && hv == v))
                }),
            };
            let record = Exchange {
                method,
                url,
                headers: shown_headers(headers, &mocks.redact),
                body: BodyRecord::of(&body),
                rule: hit.map(|(i, r)| if r.name.is_empty() { format!("#{i}") } else { r.name.clone() }),
                status: hit.map(|(_, r)| r.status),
                error: match &recorded {
                    Some(Err(e)) => Some(e.to_string()),
                    _ => hit.is_none().then(|| "HTTP-request-denied".to_string()),
                },
            };
            crate::journal::note(
                &journal,
                "http.send",
                || format!("{} {}, {}", record.method, record.url, crate::journal::bytes(&body)),
                || match (&record.status, &record.rule) {
                    (Some(status), Some(rule)) => format!("{status} (rule {rule})"),
                    _ => record.error.clone().unwrap_or_default(),
                },
            );
            log.lock().unwrap_or_else(|e| e.into_inner()).push(record);
            // The answer is ready; with a schedule it waits for its turn.
            hold.wait(|| format!("http.response {}", parts.uri)).await;
            let Some((_, rule)) = hit else {
                return Err(match recorded {
                    Some(Err(e)) => e,
                    _ => wasmtime_wasi_http::Error::HttpRequestDenied,
                });
            };
            let mut response = http::Response::builder().status(rule.status);
            for (k, v) in &rule.response_headers {
                response = response.header(k, v);
            }
            let n = rule.chunks.max(1);
            let size = rule.body.len().div_ceil(n).max(1);
            let whole = if cut { &rule.body[..rule.body.len() / 2] } else { &rule.body[..] };
            let mut frames: Vec<Result<http_body::Frame<Bytes>, wasmtime_wasi_http::Error>> =
                whole.chunks(size).map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c)))).collect();
            if cut {
                frames.push(Err(wasmtime_wasi_http::Error::ConnectionTerminated));
            }
            let body = http_body_util::StreamBody::new(futures::stream::iter(frames)).boxed_unsync();
            let response = response.body(body).map_err(|_| wasmtime_wasi_http::Error::HttpResponseIncomplete)?;
            let io: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send> = Box::new(async { Ok(()) });
            Ok((response, io))
        })
    }
}

/// Answers a request a planned fault struck, instead of its rule: a status
/// with no body, or a connection error. Recorded and journaled as the
/// rules' answers are, with `fault` as the rule.
#[allow(clippy::too_many_arguments)]
fn answer_fault(
    fault: Effect,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: &[u8],
    redact: &[String],
    journal: &crate::journal::Journal,
    log: &HttpLog,
) -> SendResult {
    let (status, error) = match fault {
        Effect::Status(s) => (Some(s), None),
        Effect::Refused => (None, Some((wasmtime_wasi_http::Error::ConnectionRefused, "connection-refused"))),
        _ => (None, Some((wasmtime_wasi_http::Error::ConnectionTerminated, "connection-terminated"))),
    };
    let record = Exchange {
        method,
        url,
        headers: shown_headers(headers, redact),
        body: BodyRecord::of(body),
        rule: Some("fault".into()),
        status,
        error: error.as_ref().map(|(_, name)| name.to_string()),
    };
    crate::journal::note(
        journal,
        "http.send",
        || format!("{} {}, {}", record.method, record.url, crate::journal::bytes(body)),
        || match (&record.status, &record.error) {
            (Some(status), _) => format!("{status} (fault)"),
            (None, e) => e.clone().unwrap_or_default(),
        },
    );
    log.lock().unwrap_or_else(|e| e.into_inner()).push(record);
    if let Some((e, _)) = error {
        return Err(e);
    }
    let empty = http_body_util::StreamBody::new(futures::stream::iter(Vec::<Result<http_body::Frame<Bytes>, wasmtime_wasi_http::Error>>::new())).boxed_unsync();
    let response = http::Response::builder()
        .status(status.unwrap_or(500))
        .body(empty)
        .map_err(|_| wasmtime_wasi_http::Error::HttpResponseIncomplete)?;
    let io: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send> = Box::new(async { Ok(()) });
    Ok((response, io))
}
