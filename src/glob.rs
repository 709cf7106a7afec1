//! Shell-style wildcards, for mock URLs and scenario paths: `*` is any run
//! of characters, `?` any one; in paths, a `**` component is any number of
//! components and `*` never crosses a `/`.

/// Does `text` match `pattern`?
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    bytes(pattern.as_bytes(), text.as_bytes())
}

fn bytes(p: &[u8], s: &[u8]) -> bool {
    // Iterative, with one backtrack point: linear in practice, never
    // exponential in the number of stars.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Does a path, as components, match a pattern, as components?
pub(crate) fn path_matches(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| path_matches(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(p, tail)| matches(first, p) && path_matches(rest, tail)),
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
        assert!(matches("https://*.example.com/v?/items", "https://api.example.com/v1/items"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b", "aXc"));
        assert!(!matches("?", ""));
        assert!(matches(&"*a".repeat(30), &"a".repeat(30)));
        assert!(!matches(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn double_star_spans_components() {
        let p = ["tests", "**", "*.toml"];
        assert!(path_matches(&p, &["tests", "a.toml"]));
        assert!(path_matches(&p, &["tests", "x", "y", "a.toml"]));
        assert!(!path_matches(&p, &["tests", "x", "a.txt"]));
        assert!(!path_matches(&["tests", "*.toml"], &["tests", "x", "a.toml"]), "one star stays in its component");
    }
}
