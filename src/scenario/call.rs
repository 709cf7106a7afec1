//! The text of a call of an exported function, as `wasmtime run --invoke`
//! takes it: `add(1, 2)`, or `iface#add(1, 2)`. Scenarios check its
//! syntax as they are read; the harness resolves it against a component.

use wasmtime::component::wasm_wave::untyped::UntypedFuncCall;

/// `text` split into the interface it names (if any) and the call proper,
/// `name(args)`, which WAVE parses.
pub(crate) fn split(text: &str) -> (Option<&str>, &str) {
    let head = text.find('(').map_or(text, |i| &text[..i]);
    match head.rfind('#') {
        Some(i) => (Some(text[..i].trim()), text[i + 1..].trim_start()),
        None => (None, text.trim()),
    }
}

/// Checks `text`'s syntax alone, as a scenario is read: the WAVE parser's
/// message on one line.
pub(crate) fn check_syntax(text: &str) -> Result<(), String> {
    let (_, call) = split(text);
    UntypedFuncCall::parse(&parseable(call)).map(|_| ()).map_err(|e| one_line(&e.to_string()))
}

/// `call` as the WAVE parser may be given it: ending in a line break, as
/// its lexer expects after a `//` comment (it panics on one that ends the
/// text). A trailing line break is white space to WAVE.
pub(crate) fn parseable(call: &str) -> String {
    format!("{call}\n")
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_that_ends_the_call_is_read() {
        // Found by the `wave_call` fuzz target: the WAVE lexer panicked on it.
        assert!(check_syntax("rr//").is_err());
        assert!(check_syntax("f() // done").is_ok());
    }

    #[test]
    fn bad_wave_is_one_line() {
        let e = check_syntax("add(1,").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(check_syntax("shout(\"hi\")").is_ok());
    }
}
