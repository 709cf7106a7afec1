//! Recording real HTTP (the `record` feature): a guest's outgoing
//! requests go to the network through a blocking client, and every
//! answer is kept as a mock rule, so a run against the real world can be
//! replayed offline from the cassette ([`crate::suite::save_mocks`]).
//!
//! The request is made on the run's own thread and blocks it: the paused
//! runtime cannot move virtual time while it waits, so a recorded run's
//! clocks read as a mocked run's would. Each recorded rule matches the
//! method and the whole URL the guest asked for, and sends back the
//! status, headers and body that came; the guest's request headers are
//! not kept (they may carry credentials). A URL asked twice is answered
//! from its first recording on replay, as mock rules match first-first.

use super::mocks::{MockRule, UrlMatch};
use std::sync::{Arc, Mutex};

/// The recorder of a run, shared by its stores. Clones share the rules.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    upstream: Option<String>,
    rules: Arc<Mutex<Vec<MockRule>>>,
}

/// Headers the client and the mock set for themselves.
const FRAMING: &[&str] = &["content-length", "transfer-encoding", "connection", "keep-alive"];

impl Recording {
    /// A recorder that sends each request to the URL the guest asked for,
    /// or, with `upstream` (`http://127.0.0.1:8080`), to the same path and
    /// query there: a local or staging server standing in for the real one.
    pub fn new(upstream: Option<String>) -> Self {
        Recording { upstream: upstream.map(|u| u.trim_end_matches('/').to_string()), rules: Arc::default() }
    }

    /// The rules recorded so far, in the order the requests were made.
    pub fn rules(&self) -> Vec<MockRule> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends one request and records its answer; the rule is returned.
    pub(crate) fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<MockRule, wasmtime_wasi_http::Error> {
        use wasmtime_wasi_http::Error as E;
        let target = match &self.upstream {
            Some(up) => {
                let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
                format!("{up}{path}")
            }
            None => url.to_string(),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        let mut request = http::Request::builder().method(method).uri(&target);
        for (k, v) in headers {
            if !FRAMING.contains(&k.as_str()) && k != "host" {
                request = request.header(k, v);
            }
        }
        let request = request.body(body.to_vec()).map_err(|_| E::HttpRequestUriInvalid)?;
        let mut response = agent.run(request).map_err(|e| match e {
            ureq::Error::HostNotFound => E::DestinationNotFound,
            ureq::Error::Timeout(_) => E::ConnectionTimeout,
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => E::ConnectionRefused,
            ureq::Error::ConnectionFailed => E::ConnectionRefused,
            other => E::InternalError(Some(other.to_string())),
        })?;
        let status = response.status().as_u16();
        let response_headers = response
            .headers()
            .iter()
            .filter(|(k, _)| !FRAMING.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        // A response is kept whole in the cassette; one past the input cap
        // is refused to the guest as too large, and not recorded.
        let cap = super::limits::DEFAULT_INPUT_BYTES;
        let body = response.body_mut().with_config().limit(cap).read_to_vec().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => E::HttpResponseBodySize(Some(cap)),
            other => E::InternalError(Some(other.to_string())),
        })?;
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let rule = MockRule {
            name: format!("recorded-{}", rules.len() + 1),
            method: Some(method.to_string()),
            url: UrlMatch::Exact(url.to_string()),
            headers: Vec::new(),
            status,
            response_headers,
            body,
            chunks: 1,
        };
        rules.push(rule.clone());
        Ok(rule)
    }
}
