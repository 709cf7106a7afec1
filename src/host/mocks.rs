//! HTTP mocks: the rules that answer a guest's outgoing requests, and how
//! a rule matches a URL.

pub use crate::glob::Glob;

/// How a rule matches a request URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlMatch {
    /// The whole URL.
    Exact(String),
    /// A prefix of the URL.
    Prefix(String),
    /// A glob: `*` matches any run of characters, `?` one character.
    Glob(Glob),
}

impl UrlMatch {
    pub(crate) fn matches(&self, url: &str) -> bool {
        match self {
            UrlMatch::Exact(u) => u == url,
            UrlMatch::Prefix(p) => url.starts_with(p.as_str()),
            UrlMatch::Glob(g) => g.matches(url),
        }
    }
}

/// One mock: what it matches and what it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockRule {
    /// A name for the report; the rule's index when empty.
    pub name: String,
    /// Method to match (any when `None`), compared case-insensitively.
    pub method: Option<String>,
    /// URL to match.
    pub url: UrlMatch,
    /// Request headers that must be present with these values.
    pub headers: Vec<(String, String)>,
    /// Response status.
    pub status: u16,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
    /// Send the body in this many chunks (at least 1).
    pub chunks: usize,
}

/// The mocks of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMocks {
    /// Rules, tried in order; the first match answers.
    pub rules: Vec<MockRule>,
    /// Header names whose values the report replaces with `<redacted>`.
    /// Default: `authorization`, `cookie`, `proxy-authorization`.
    pub redact: Vec<String>,
}

impl Default for HttpMocks {
    fn default() -> Self {
        HttpMocks {
            rules: Vec::new(),
            redact: ["authorization", "cookie", "proxy-authorization"].map(String::from).to_vec(),
        }
    }
}
