//! Colors (only on a terminal, never with NO_COLOR) and report diffs.

use std::io::IsTerminal;

/// Whether to color what goes to stdout.
pub fn color_stdout() -> bool {
    no_color_unset() && std::io::stdout().is_terminal()
}

/// Whether to color what goes to stderr.
pub fn color_stderr() -> bool {
    no_color_unset() && std::io::stderr().is_terminal()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `text` in green or red when `color`, as is otherwise.
pub fn paint(text: &str, good: bool, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = if good { "32" } else { "31;1" };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A unified diff of two texts, colored when `color`.
pub fn diff(left_name: &str, left: &str, right_name: &str, right: &str, color: bool) -> String {
    let text = wasi_replay::cli_support::unified_diff(left_name, left, right_name, right);
    if !color {
        return text;
    }
    text.lines()
        .map(|l| match l.as_bytes().first() {
            Some(b'+') => format!("\x1b[32m{l}\x1b[0m\n"),
            Some(b'-') => format!("\x1b[31m{l}\x1b[0m\n"),
            Some(b'@') => format!("\x1b[36m{l}\x1b[0m\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}
