//! Captured stdout and stderr with a cap. A guest that floods its output is
//! never stopped or trapped for it: every write succeeds, the first `cap`
//! bytes are kept, and the capture remembers that it was truncated.

use bytes::Bytes;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

#[derive(Default)]
struct Buffer {
    data: Vec<u8>,
    truncated: bool,
}

/// One captured output stream. Clones share the buffer.
#[derive(Clone)]
pub struct Capture {
    buf: Arc<Mutex<Buffer>>,
    cap: usize,
    journal: crate::journal::Journal,
    op: &'static str,
    /// The run's schedule gate: each write of a p3 stream waits its turn
    /// there (p2 and p1 writes complete inside the call).
    gate: crate::schedule::Gate,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture").field("truncated", &self.truncated()).finish_non_exhaustive()
    }
}

impl Capture {
    /// A capture keeping at most `cap` bytes.
    pub fn new(cap: usize) -> Self {
        Capture { buf: Arc::default(), cap, journal: None, op: "", gate: None }
    }

    /// The same capture, noting each write as `op` in `journal`.
    pub(crate) fn journaled(mut self, journal: &crate::journal::Journal, op: &'static str) -> Self {
        self.journal = journal.clone();
        self.op = op;
        self
    }

    /// The same capture, holding each write of a p3 stream at `gate`.
    pub(crate) fn scheduled(mut self, gate: &crate::schedule::Gate) -> Self {
        self.gate = gate.clone();
        self
    }

    pub(crate) fn push(&self, bytes: &[u8]) {
        crate::journal::note(&self.journal, self.op, || crate::journal::bytes(bytes), String::new);
        let mut b = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        let room = self.cap.saturating_sub(b.data.len());
        if bytes.len() > room {
            b.truncated = true;
        }
        b.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The bytes kept so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner()).data.clone()
    }

    /// Did the guest write more than the cap?
    pub fn truncated(&self) -> bool {
        self.buf.lock().unwrap_or_else(|e| e.into_inner()).truncated
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        match &self.gate {
            None => Box::new(self.clone()),
            Some(_) => Box::new(Held { hold: crate::schedule::Hold::new(&self.gate), capture: self.clone() }),
        }
    }
}

/// One p3 output stream under a schedule: each write waits its turn at
/// the gate, so writes of streams open at once (two tasks printing) land
/// in the order the schedule gives.
struct Held {
    hold: crate::schedule::Hold,
    capture: Capture,
}

impl tokio::io::AsyncWrite for Held {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let op = self.capture.op;
        std::task::ready!(self.hold.poll(cx, || format!("{op} of {} bytes", buf.len())));
        self.capture.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[async_trait::async_trait]
impl Pollable for Capture {
    async fn ready(&mut self) {}
}

// Always ready: a blocking write is a plain one (the trait's default first
// waits on `ready`, a boxed future per step).
#[async_trait::async_trait]
impl OutputStream for Capture {
    async fn blocking_write_and_flush(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 20)
    }
}

impl tokio::io::AsyncWrite for Capture {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
