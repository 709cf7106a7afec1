//! Shell-style wildcards, for mock URLs and scenario paths, matched by
//! globset: `*` is any run of characters and `?` any one; every other
//! character stands for itself (no classes, no alternatives, no escapes).
//! In a URL `*` crosses `/`; in a path it never does, and a `**` component
//! is any number of components.
//!
//! Owns the syntax only; it imports nothing of the crate.

use globset::{GlobBuilder, GlobMatcher};

/// A compiled wildcard pattern. Two globs are equal when their text is.
#[derive(Clone, Debug)]
pub struct Glob {
    text: String,
    matcher: GlobMatcher,
}

impl PartialEq for Glob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Glob {}

impl Glob {
    /// A pattern over a whole URL: `*` matches any run of characters,
    /// slashes included.
    pub fn url(text: impl Into<String>) -> Self {
        Glob::new(text.into(), false)
    }

    /// A pattern over a relative path: `*` stays inside one component, a
    /// `**` component spans any number of them.
    pub(crate) fn path(text: impl Into<String>) -> Self {
        Glob::new(text.into(), true)
    }

    fn new(text: String, separators: bool) -> Self {
        let mut pattern = String::with_capacity(text.len() + 8);
        let components: Vec<&str> = if separators { text.split('/').collect() } else { vec![text.as_str()] };
        for (i, component) in components.iter().enumerate() {
            if i > 0 {
                pattern.push('/');
            }
            if separators && *component == "**" {
                pattern.push_str("**");
                continue;
            }
            // Runs of stars are one star inside a component (and in a URL,
            // where a star already crosses `/`).
            let mut last_star = false;
            for c in component.chars() {
                match c {
                    '*' if last_star => {}
                    '*' | '?' => pattern.push(c),
                    c => pattern.push_str(&globset::escape(&c.to_string())),
                }
                last_star = c == '*';
            }
        }
        let matcher = GlobBuilder::new(&pattern)
            .literal_separator(separators)
            .backslash_escape(false)
            .build()
            .expect("with everything but `*` and `?` escaped, globset accepts every pattern")
            .compile_matcher();
        Glob { text, matcher }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Does `text` match?
    pub fn matches(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }
}

/// Does `s` hold a wildcard?
pub(crate) fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        let m = |p: &str, s: &str| Glob::url(p).matches(s);
        assert!(m("https://*.example.com/v?/items", "https://api.example.com/v1/items"));
        assert!(m("https://api.example.com/*", "https://api.example.com/v1/items?x=[1]"));
        assert!(m("*", ""));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(!m("a*b", "aXc"));
        assert!(!m("?", ""));
        assert!(m(&"*a".repeat(30), &"a".repeat(30)));
        assert!(!m(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn other_characters_stand_for_themselves() {
        let m = |p: &str, s: &str| Glob::url(p).matches(s);
        assert!(m("/items/[1]/{a,b}\\x", "/items/[1]/{a,b}\\x"));
        assert!(!m("/items/[12]", "/items/1"));
        assert!(!m("/{a,b}", "/a"));
    }

    #[test]
    fn double_star_spans_components() {
        let m = |p: &str, s: &str| Glob::path(p).matches(s);
        let p = "tests/**/*.toml";
        assert!(m(p, "tests/a.toml"));
        assert!(m(p, "tests/x/y/a.toml"));
        assert!(!m(p, "tests/x/a.txt"));
        assert!(!m("tests/*.toml", "tests/x/a.toml"), "one star stays in its component");
        assert!(m("tests/a**.toml", "tests/abc.toml"));
        assert!(!m("tests/a**.toml", "tests/a/b.toml"), "two stars inside a component are one star");
    }
}
