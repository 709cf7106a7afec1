//! HTTP mock rules in TOML: the `[http]` table of a scenario file, or a
//! file of its own for `--http-mock`.
//!
//! ```toml
//! redact = ["authorization"]      # header values hidden in the report
//!
//! [[mock]]                         # in a scenario file: [[http.mock]]
//! name = "items"                   # shown in the report (default: #index)
//! method = "GET"                   # any method when absent
//! url = "https://api.example.com/v1/items"   # or url-prefix, or url-glob
//! headers = { accept = "application/json" }  # must be present
//! status = 200
//! response-headers = { content-type = "application/json" }
//! body = '{"items": []}'           # or body-file = "items.json"
//! chunks = 2                       # send the body in this many pieces
//! ```

use super::{SuiteError, inside, syntax_error};
use crate::host::{HttpMocks, MockRule, UrlMatch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `[http]` of a scenario, or a whole `--http-mock` file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHttp {
    redact: Option<Vec<String>>,
    #[serde(default)]
    mock: Vec<RawMock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMock {
    #[serde(default)]
    name: String,
    method: Option<String>,
    url: Option<String>,
    url_prefix: Option<String>,
    url_glob: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    response_headers: BTreeMap<String, String>,
    body: Option<String>,
    body_file: Option<PathBuf>,
    #[serde(default = "one")]
    chunks: usize,
}

fn ok() -> u16 {
    200
}

fn one() -> usize {
    1
}

impl RawHttp {
    /// The mocks, with body files read relative to `dir`. Errors name
    /// `file` and the rule.
    pub(crate) fn into_mocks(self, file: &Path, dir: &Path) -> Result<HttpMocks, SuiteError> {
        let mut mocks = HttpMocks::default();
        if let Some(r) = self.redact {
            mocks.redact = r;
        }
        for (i, m) in self.mock.into_iter().enumerate() {
            let at = |msg: String| SuiteError::at(file, format!("http mock #{i}: {msg}"));
            let url = match (m.url, m.url_prefix, m.url_glob) {
                (Some(u), None, None) => UrlMatch::Exact(u),
                (None, Some(p), None) => UrlMatch::Prefix(p),
                (None, None, Some(g)) => UrlMatch::Glob(crate::glob::Glob::url(g)),
                _ => return Err(at("give exactly one of `url`, `url-prefix`, `url-glob`".into())),
            };
            if !(100..=999).contains(&m.status) {
                return Err(at(format!("field `status`: {} is not an HTTP status", m.status)));
            }
            let body = match (m.body, m.body_file) {
                (Some(_), Some(_)) => return Err(at("fields `body` and `body-file` exclude each other".into())),
                (Some(b), None) => b.into_bytes(),
                (None, Some(f)) => {
                    inside(file, "body-file", &f)?;
                    std::fs::read(dir.join(&f)).map_err(|e| at(format!("field `body-file`: {}: {e}", f.display())))?
                }
                (None, None) => Vec::new(),
            };
            mocks.rules.push(MockRule {
                name: m.name,
                method: m.method,
                url,
                headers: m.headers.into_iter().collect(),
                status: m.status,
                response_headers: m.response_headers.into_iter().collect(),
                body,
                chunks: m.chunks.max(1),
            });
        }
        Ok(mocks)
    }
}

/// Reads a `--http-mock` file.
pub fn load_mocks(path: &Path) -> Result<HttpMocks, SuiteError> {
    let text = std::fs::read_to_string(path).map_err(|e| SuiteError::at(path, format!("cannot read: {e}")))?;
    let raw: RawHttp = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
    raw.into_mocks(path, path.parent().unwrap_or(Path::new(".")))
}

/// Mocks as the TOML format writes them.
#[derive(Serialize)]
pub(crate) struct OutHttp {
    redact: Vec<String>,
    mock: Vec<OutMock>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct OutMock {
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url_glob: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
    status: u16,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    response_headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_file: Option<String>,
    #[serde(skip_serializing_if = "is_one")]
    chunks: usize,
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// `mocks` in the TOML format; a body that is not UTF-8 goes where
/// `side(index, body)` puts it, which returns `(body, body-file)`.
pub(crate) fn raw_out(
    mocks: &HttpMocks,
    mut side: impl FnMut(usize, &[u8]) -> Result<(Option<String>, Option<String>), SuiteError>,
) -> Result<OutHttp, SuiteError> {
    let mut mock = Vec::new();
    for (n, r) in mocks.rules.iter().enumerate() {
        let (body, body_file) = if r.body.is_empty() { (None, None) } else { side(n, &r.body)? };
        let (mut url, mut url_prefix, mut url_glob) = (None, None, None);
        match &r.url {
            UrlMatch::Exact(u) => url = Some(u.clone()),
            UrlMatch::Prefix(u) => url_prefix = Some(u.clone()),
            UrlMatch::Glob(u) => url_glob = Some(u.as_str().to_string()),
        }
        mock.push(OutMock {
            name: r.name.clone(),
            method: r.method.clone(),
            url,
            url_prefix,
            url_glob,
            headers: r.headers.iter().cloned().collect(),
            status: r.status,
            response_headers: r.response_headers.iter().cloned().collect(),
            body,
            body_file,
            chunks: r.chunks,
        });
    }
    Ok(OutHttp { redact: mocks.redact.clone(), mock })
}

/// Writes `mocks` as a `--http-mock` file at `path`, which
/// [`load_mocks`] reads back to the same rules. A body that is UTF-8 is
/// written inline; any other goes to `<stem>.<n>.bin` beside the file.
pub fn save_mocks(mocks: &HttpMocks, path: &Path) -> Result<(), SuiteError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let stem = path.file_stem().map_or("mocks".into(), |s| s.to_string_lossy().into_owned());
    let out = raw_out(mocks, |n, body| match std::str::from_utf8(body) {
        Ok(text) => Ok((Some(text.to_string()), None)),
        Err(_) => {
            let f = format!("{stem}.{n}.bin");
            std::fs::write(dir.join(&f), body).map_err(|e| SuiteError::at(&dir.join(&f), format!("cannot write: {e}")))?;
            Ok((None, Some(f)))
        }
    })?;
    let text = toml::to_string(&out).map_err(|e| SuiteError::at(path, format!("cannot write: {e}")))?;
    std::fs::write(path, text).map_err(|e| SuiteError::at(path, format!("cannot write: {e}")))
}
