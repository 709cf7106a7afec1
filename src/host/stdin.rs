//! Stdin: the scenario's bytes, served as wasmtime-wasi's memory pipe
//! serves them, with each read noted in the journal (`stdin.read`) and
//! shortened when a planned `stdin-short` fault strikes it.

use bytes::Bytes;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdinStream};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::p2::{InputStream, Pollable, StreamError};

use crate::faults::{Effect, Faults, Site};
use crate::journal::Journal;

/// The run's stdin. Clones share the unread bytes.
#[derive(Clone)]
pub(crate) struct Stdin {
    pipe: MemoryInputPipe,
    journal: Journal,
    faults: Faults,
    /// The run's schedule gate: each read of a p3 stream waits its turn
    /// there (p2 and p1 reads complete inside the call).
    gate: crate::schedule::Gate,
}

impl Stdin {
    pub(crate) fn new(data: Vec<u8>, journal: Journal, faults: Faults, gate: crate::schedule::Gate) -> Self {
        Stdin { pipe: MemoryInputPipe::new(data), journal, faults, gate }
    }

    /// How many of `asked` bytes this read may return: all, or half when
    /// a planned fault strikes it.
    fn allowed(&self, asked: usize) -> usize {
        match &self.faults {
            Some(f) if f.strike(Site::StdinRead, "", 0, true).contains(&Effect::Short) => crate::faults::half(asked),
            _ => asked,
        }
    }
}

impl IsTerminal for Stdin {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for Stdin {
    fn p2_stream(&self) -> Box<dyn InputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncRead + Send + Sync> {
        match &self.gate {
            None => Box::new(self.clone()),
            Some(_) => Box::new(Held { hold: crate::schedule::Hold::new(&self.gate), stdin: self.clone() }),
        }
    }
}

/// A p3 stdin stream under a schedule: each read waits its turn at the
/// gate, as a file stream's does.
struct Held {
    hold: crate::schedule::Hold,
    stdin: Stdin,
}

impl tokio::io::AsyncRead for Held {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut tokio::io::ReadBuf<'_>) -> Poll<io::Result<()>> {
        let room = buf.remaining();
        std::task::ready!(self.hold.poll(cx, || format!("stdin.read of up to {room} bytes")));
        Pin::new(&mut self.stdin).poll_read(cx, buf)
    }
}

#[async_trait::async_trait]
impl InputStream for Stdin {
    fn read(&mut self, size: usize) -> Result<Bytes, StreamError> {
        let size = self.allowed(size);
        let r = self.pipe.read(size);
        if let Some(j) = &self.journal {
            match &r {
                Ok(data) if !data.is_empty() => j.note_chunk("stdin.read", "", None, data, false),
                _ => j.note("stdin.read", "", "end"),
            }
        }
        r
    }
}

#[async_trait::async_trait]
impl Pollable for Stdin {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncRead for Stdin {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut tokio::io::ReadBuf<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let before = buf.filled().len();
        let allowed = me.allowed(buf.remaining());
        let r = if allowed < buf.remaining() {
            let mut part = vec![0; allowed];
            let mut short = tokio::io::ReadBuf::new(&mut part);
            let r = Pin::new(&mut me.pipe).poll_read(cx, &mut short);
            buf.put_slice(short.filled());
            r
        } else {
            Pin::new(&mut me.pipe).poll_read(cx, buf)
        };
        if let Some(j) = &me.journal {
            match &buf.filled()[before..] {
                [] => j.note("stdin.read", "", "end"),
                data => j.note_chunk("stdin.read", "", None, data, false),
            }
        }
        r
    }
}
