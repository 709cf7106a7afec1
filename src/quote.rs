//! User-given text inside a one-line message. A guest name, a header or a
//! path may hold a line break or a terminal escape; the errors that quote
//! them show every control character escaped (`\n`, `\u{1b}`), so an error
//! stays one line whatever the input held.
//!
//! Layer L0: imports nothing of the crate.

use std::borrow::Cow;

/// `text` with each control character escaped as Rust writes it.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A message from elsewhere (wasmtime's, say, which may print a list over
/// several lines) with every run of white space made one space.
pub(crate) fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(one_line("plain `text` ünï"), "plain `text` ünï");
        assert_eq!(one_line("a\nb\r\tc\u{1b}[31m"), "a\\nb\\r\\tc\\u{1b}[31m");
    }
}
