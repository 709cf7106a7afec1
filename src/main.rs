//! The `wasi-replay` command. See `wasi-replay --help`.

mod cli;

// mimalloc: a run makes hundreds of small allocations on the host side
// (resource entries, boxed futures, paths), and glibc's malloc was about a
// tenth of the instructions of a run.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns a closed pipe (`wasi-replay run
    // … | head`) into a panic in `print!`; the default ends the process
    // quietly, as a shell pipeline expects.
    #[cfg(unix)]
    // SAFETY: called first thing, before any other thread exists, and
    // sets the disposition the process would have had without Rust.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", one_line(&e.to_string()));
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    match cli::main(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", one_line(&chain(&e)));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

/// Folds a message onto one line: clap's usage hints are dropped, the
/// possible values kept, and any other line breaks become "; ".
fn one_line(msg: &str) -> String {
    let mut parts = Vec::new();
    for line in msg.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("Usage:") || line.starts_with("For more information") {
            continue;
        }
        parts.push(line);
    }
    parts.join("; ")
}

/// The error and its causes joined with ": ", skipping a cause whose text
/// the message already holds (many errors print their source themselves).
fn chain(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}
