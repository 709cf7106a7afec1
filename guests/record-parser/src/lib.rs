//! `record-parser`: reads a record file from stdin, or from the file
//! `--file PATH` names under the first preopened directory, and prints
//! what it holds. The format:
//!
//! ```text
//! "REC" 1 count check           check = 255 - count
//! "REC" 2 flags count check     (version 2 has a flags byte)
//! then `count` records:         kind len data[len]
//!   't' text, 'n' a decimal number, 'b' a blob (version 2 only)
//! ```
//!
//! A file it cannot read is reported on stdout (`rejected: …`) with exit 0.
//! The bug: a blob's length is trusted, so a blob longer than what is left
//! of the file panics (a slice out of range). Reaching it takes a valid
//! header, a version 2 file with its check byte matching, and a blob record.
//! With `--checked` the length is checked like the other kinds': the twin
//! with no bug.

use replay_guest::{main, os, println};

main!(run);

async fn run() {
    let args = os::args();
    let checked = args.iter().any(|a| a == "--checked");
    let input = match args.iter().position(|a| a == "--file").and_then(|i| args.get(i + 1)) {
        Some(path) => match os::root().0.read(path.trim_start_matches('/')).await {
            Ok(bytes) => bytes,
            Err(e) => {
                println!("rejected: cannot read {path}: {e}");
                return;
            }
        },
        None => os::read_stdin().await,
    };
    let mut lines = Vec::new();
    let end = match parse(&input, checked, &mut lines) {
        Ok(n) => format!("ok: {n} records"),
        Err(why) => format!("rejected: {why}"),
    };
    for line in lines {
        println!("{line}");
    }
    println!("{end}");
}

/// Reads the records, each one's line into `lines`; the count, or why
/// the file cannot be read.
fn parse(input: &[u8], checked: bool, lines: &mut Vec<String>) -> Result<usize, String> {
    let byte = |at: usize| input.get(at).copied().ok_or_else(|| format!("ends at byte {at}"));
    if byte(0)? != b'R' {
        return Err("not a record file".into());
    }
    if byte(1)? != b'E' {
        return Err("not a record file".into());
    }
    if byte(2)? != b'C' {
        return Err("not a record file".into());
    }
    let version = byte(3)?;
    let mut at = match version {
        1 => 4,
        2 => {
            let flags = byte(4)?;
            if flags & 0x80 != 0 {
                lines.push("flags: compressed (ignored)".into());
            }
            5
        }
        v => return Err(format!("version {v} is not 1 or 2")),
    };
    let count = byte(at)?;
    if byte(at + 1)? != 255 - count {
        return Err("the header's check byte does not match".into());
    }
    at += 2;
    for i in 0..count {
        let kind = byte(at)?;
        let len = usize::from(byte(at + 1)?);
        at += 2;
        let rest = &input[at.min(input.len())..];
        match kind {
            b't' => {
                let data = rest.get(..len).ok_or_else(|| format!("record {i}: text runs past the end"))?;
                lines.push(format!("text: {}", String::from_utf8_lossy(data)));
            }
            b'n' => {
                let data = rest.get(..len).ok_or_else(|| format!("record {i}: number runs past the end"))?;
                let text = std::str::from_utf8(data).map_err(|_| format!("record {i}: number is not text"))?;
                let n: u64 = text.trim().parse().map_err(|_| format!("record {i}: {text:?} is not a number"))?;
                lines.push(format!("number: {n}"));
            }
            b'b' if version >= 2 => {
                let data = if checked {
                    rest.get(..len).ok_or_else(|| format!("record {i}: blob runs past the end"))?
                } else {
                    &rest[..len]
                };
                let sum = data.iter().fold(0u8, |s, b| s.wrapping_add(*b));
                lines.push(format!("blob: {len} bytes, sum {sum}"));
            }
            other => return Err(format!("record {i}: unknown kind {other}")),
        }
        at += len;
    }
    Ok(usize::from(count))
}
