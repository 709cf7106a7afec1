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

use super::{SuiteError, syntax_error};
use crate::host::HttpMocks;
use crate::scenario::Origin;
use crate::scenario::text::Body;
use crate::scenario::text::HttpText;
use std::path::{Path, PathBuf};

/// Reads a `--http-mock` file (up to the default input cap) and the body
/// files it names (each up to `cap` bytes).
pub fn load_mocks(path: &Path, cap: u64) -> Result<HttpMocks, SuiteError> {
    let text = super::read_text(path)?;
    let raw: HttpText = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
    raw.mocks(Origin::file(path), cap).map_err(|e| SuiteError::at(path, e.to_string()))
}

/// `mocks` in the TOML format; a body that is not UTF-8 goes where
/// `side(index, body)` puts it, which returns `(body, body-file)`.
pub(crate) fn text_of(
    mocks: &HttpMocks,
    mut side: impl FnMut(usize, &[u8]) -> Result<(Option<String>, Option<String>), SuiteError>,
) -> Result<HttpText, SuiteError> {
    HttpText::of(mocks, |n, body| side(n, body).map(|(text, file)| Body { text, base64: None, file: file.map(PathBuf::from) }))
}

/// Writes `mocks` as a `--http-mock` file at `path`, which
/// [`load_mocks`] reads back to the same rules. A body that is UTF-8 is
/// written inline; any other goes to `<stem>.<n>.bin` beside the file.
pub fn save_mocks(mocks: &HttpMocks, path: &Path) -> Result<(), SuiteError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let stem = path.file_stem().map_or("mocks".into(), |s| s.to_string_lossy().into_owned());
    let out = text_of(mocks, |n, body| match std::str::from_utf8(body) {
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
