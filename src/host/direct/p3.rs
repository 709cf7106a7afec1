//! `wasi:filesystem@0.3.0` over MemFs: the p3 adapter on the shared core.
//! Streams read and write MemFs as the guest pulls or pushes, never on a
//! background thread, so virtual time cannot move under them.

use super::{DirectData, DirectView, Errno, Held, Res, SetTime, StreamLog, lock};
use crate::faults::{Effect, Site};
use crate::schedule::Hold;
use std::pin::Pin;
use std::task::{Context, Poll};
use crate::memfs::FileTime;
use tokio::sync::oneshot;
use wasmtime::StoreContextMut;
use wasmtime::component::{
    Access, Accessor, Destination, FutureReader, Resource, Source, StreamConsumer, StreamProducer,
    StreamReader, StreamResult,
};
use wasmtime_wasi::p3::bindings::clocks::system_clock::Instant;
use wasmtime_wasi::p3::bindings::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode, MetadataHashValue,
    NewTimestamp, OpenFlags, PathFlags,
};
use wasmtime_wasi::p3::bindings::filesystem::preopens;
use wasmtime_wasi::p3::filesystem::{FilesystemError, FilesystemResult};

type Descriptor = types::Descriptor;

super::world_adapter!(FilesystemError, instant);

/// Bytes handed to a reading guest per step.
const CHUNK: usize = 64 * 1024;

fn instant(t: FileTime) -> Option<Instant> {
    Some(Instant { seconds: t.seconds, nanoseconds: t.nanoseconds })
}

fn set_time(t: NewTimestamp) -> Res<SetTime> {
    Ok(match t {
        NewTimestamp::NoChange => SetTime::NoChange,
        NewTimestamp::Now => SetTime::Now,
        NewTimestamp::Timestamp(t) => SetTime::At(super::timestamp(t.seconds.into(), t.nanoseconds)?),
    })
}

/// Runs `f` on the view, synchronously: MemFs never waits.
fn with<U, R>(store: &Accessor<U, DirectData>, f: impl FnOnce(&mut DirectView<'_>) -> R) -> R {
    store.with(|mut access| f(&mut access.get()))
}

impl preopens::Host for DirectView<'_> {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        self.preopens()
    }
}

impl types::Host for DirectView<'_> {
    fn convert_error_code(&mut self, error: FilesystemError) -> wasmtime::Result<ErrorCode> {
        error.downcast()
    }
}

impl types::HostDescriptor for DirectView<'_> {
    fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.drop_handle(fd)
    }
}

/// A finished result future, for calls that fail before any I/O.
fn done<U>(
    store: &mut Access<'_, U, DirectData>,
    result: Result<(), ErrorCode>,
) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
    FutureReader::new(store, async move { wasmtime::error::Ok(result) })
}

impl<U> types::HostDescriptorWithStore<U> for DirectData {
    fn read_via_stream(
        mut store: Access<U, Self>,
        fd: Resource<Descriptor>,
        offset: u64,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), ErrorCode>>)> {
        let (source, held) = {
            let v = store.get();
            let source = v.read_source(&fd, offset)?;
            let held = source.map(|(ino, _)| (Held::new(&v.direct.fs, ino), StreamLog::new(&v, &fd)));
            (source, held)
        };
        match (source, held) {
            (Ok((_, allowed)), Ok((held, log))) => {
                let (tx, rx) = oneshot::channel();
                let producer = ReadProducer::new(held, log, offset, allowed, tx);
                Ok((StreamReader::new(&mut store, producer)?, FutureReader::new(&mut store, rx)?))
            }
            (Err(e), _) | (_, Err(e)) => {
                Ok((StreamReader::new(&mut store, std::iter::empty())?, done(&mut store, Err(code(e)))?))
            }
        }
    }

    fn write_via_stream(
        store: Access<'_, U, Self>,
        fd: Resource<Descriptor>,
        data: StreamReader<u8>,
        offset: u64,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        pipe_into(store, fd, data, Some(offset))
    }

    fn append_via_stream(
        store: Access<'_, U, Self>,
        fd: Resource<Descriptor>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        pipe_into(store, fd, data, None)
    }

    async fn advise(store: &Accessor<U, Self>, fd: Resource<Descriptor>, _: u64, len: u64, _: Advice) -> FilesystemResult<()> {
        lift(with(store, |v| v.advise(&fd, len)))
    }

    async fn sync_data(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<()> {
        lift(with(store, |v| v.sync(&fd, true)))
    }

    async fn get_flags(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<DescriptorFlags> {
        Ok(flags_out(with(store, |v| v.flags(&fd))?))
    }

    async fn get_type(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<DescriptorType> {
        Ok(dtype(with(store, |v| v.kind(&fd))?))
    }

    async fn set_size(store: &Accessor<U, Self>, fd: Resource<Descriptor>, size: u64) -> FilesystemResult<()> {
        lift(with(store, |v| v.set_size(&fd, size)))
    }

    async fn set_times(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> FilesystemResult<()> {
        let (a, m) = (lift(Ok(set_time(atim)))?, lift(Ok(set_time(mtim)))?);
        lift(with(store, |v| v.set_times(&fd, a, m)))
    }

    fn read_directory(
        mut store: Access<'_, U, Self>,
        fd: Resource<Descriptor>,
    ) -> wasmtime::Result<(StreamReader<DirectoryEntry>, FutureReader<Result<(), ErrorCode>>)> {
        match store.get().read_dir(&fd)? {
            Ok(entries) => {
                let entries: Vec<DirectoryEntry> =
                    entries.into_iter().map(|(name, kind)| DirectoryEntry { type_: dtype(kind), name }).collect();
                Ok((StreamReader::new(&mut store, entries)?, done(&mut store, Ok(()))?))
            }
            Err(e) => Ok((StreamReader::new(&mut store, std::iter::empty())?, done(&mut store, Err(code(e)))?)),
        }
    }

    async fn sync(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<()> {
        lift(with(store, |v| v.sync(&fd, false)))
    }

    async fn create_directory_at(store: &Accessor<U, Self>, fd: Resource<Descriptor>, path: String) -> FilesystemResult<()> {
        lift(with(store, |v| v.mkdir_at(&fd, &path)))
    }

    async fn stat(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<DescriptorStat> {
        Ok(stat(&with(store, |v| v.stat(&fd))?))
    }

    async fn stat_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        pf: PathFlags,
        path: String,
    ) -> FilesystemResult<DescriptorStat> {
        lift(with(store, |v| v.stat_at(&fd, follow(pf), &path))).map(|m| stat(&m))
    }

    async fn set_times_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        pf: PathFlags,
        path: String,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> FilesystemResult<()> {
        let (a, m) = (lift(Ok(set_time(atim)))?, lift(Ok(set_time(mtim)))?);
        lift(with(store, |v| v.set_times_at(&fd, follow(pf), &path, a, m)))
    }

    async fn link_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        pf: PathFlags,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FilesystemResult<()> {
        lift(with(store, |v| v.link_at(&fd, follow(pf), &old_path, &new_fd, &new_path)))
    }

    async fn open_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        pf: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FilesystemResult<Resource<Descriptor>> {
        let open = open_flags(oflags);
        lift(with(store, |v| v.open_at(&fd, follow(pf), &path, open, flags_in(flags))))
    }

    async fn readlink_at(store: &Accessor<U, Self>, fd: Resource<Descriptor>, path: String) -> FilesystemResult<String> {
        lift(with(store, |v| v.readlink_at(&fd, &path)))
    }

    async fn remove_directory_at(store: &Accessor<U, Self>, fd: Resource<Descriptor>, path: String) -> FilesystemResult<()> {
        lift(with(store, |v| v.rmdir_at(&fd, &path)))
    }

    async fn rename_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FilesystemResult<()> {
        lift(with(store, |v| v.rename_at(&fd, &old_path, &new_fd, &new_path)))
    }

    async fn symlink_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FilesystemResult<()> {
        lift(with(store, |v| v.symlink_at(&fd, &old_path, &new_path)))
    }

    async fn unlink_file_at(store: &Accessor<U, Self>, fd: Resource<Descriptor>, path: String) -> FilesystemResult<()> {
        lift(with(store, |v| v.unlink_at(&fd, &path)))
    }

    async fn is_same_object(
        store: &Accessor<U, Self>,
        a: Resource<Descriptor>,
        b: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        Ok(with(store, |v| v.same(&a, &b))?)
    }

    async fn metadata_hash(store: &Accessor<U, Self>, fd: Resource<Descriptor>) -> FilesystemResult<MetadataHashValue> {
        Ok(hash(with(store, |v| v.hash(&fd))?))
    }

    async fn metadata_hash_at(
        store: &Accessor<U, Self>,
        fd: Resource<Descriptor>,
        pf: PathFlags,
        path: String,
    ) -> FilesystemResult<MetadataHashValue> {
        lift(with(store, |v| v.hash_at(&fd, follow(pf), &path))).map(hash)
    }
}

/// Pipes a guest stream into a file at `offset`, or at the end (`None`).
fn pipe_into<U>(
    mut store: Access<'_, U, DirectData>,
    fd: Resource<Descriptor>,
    mut data: StreamReader<u8>,
    offset: Option<u64>,
) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
    let target = {
        let v = store.get();
        v.write_target(&fd, offset)?.map(|(ino, allowed)| (Held::new(&v.direct.fs, ino), StreamLog::new(&v, &fd), allowed))
    };
    match target {
        Ok((held, log, allowed)) => {
            let (tx, rx) = oneshot::channel();
            data.pipe(&mut store, WriteConsumer::new(held, log, offset, allowed, tx))?;
            FutureReader::new(&mut store, rx)
        }
        Err(e) => {
            data.close(&mut store)?;
            done(&mut store, Err(code(e)))
        }
    }
}

/// Sends the stream's final result once, when it ends or is dropped.
struct Outcome(Option<oneshot::Sender<Result<(), ErrorCode>>>);

impl Outcome {
    fn send(&mut self, result: Result<(), ErrorCode>) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(result);
        }
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        self.send(Ok(()));
    }
}

/// A stream operation's turn at the run's gate: `None` once it has come,
/// else what to answer meanwhile (pending, or cancelled when the guest
/// asks to finish).
fn wait_turn(
    turn: &mut Hold,
    cx: &Context<'_>,
    finish: bool,
    label: impl FnOnce() -> String,
) -> Option<Poll<wasmtime::Result<StreamResult>>> {
    if turn.poll(cx, label).is_ready() {
        return None;
    }
    if finish {
        turn.cancel();
        return Some(Poll::Ready(Ok(StreamResult::Cancelled)));
    }
    Some(Poll::Pending)
}

/// Reads a file from an offset as the guest pulls; holds the inode.
struct ReadProducer {
    held: Held,
    log: StreamLog,
    offset: u64,
    /// The descriptor's mode allows reading (see [`super::stream_refusal`]).
    allowed: bool,
    outcome: Outcome,
    /// Each read waits here for its turn when the run has a schedule.
    turn: Hold,
}

impl ReadProducer {
    fn new(held: Held, log: StreamLog, offset: u64, allowed: bool, tx: oneshot::Sender<Result<(), ErrorCode>>) -> Self {
        let turn = log.hold();
        ReadProducer { held, log, offset, allowed, outcome: Outcome(Some(tx)), turn }
    }
}

impl<D> StreamProducer<D> for ReadProducer {
    type Item = u8;
    type Buffer = bytes::BytesMut;

    fn poll_produce<'a>(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<'a, D>,
        dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = &mut *self;
        if let Some(waiting) = wait_turn(&mut me.turn, cx, finish, || format!("fs.stream-read {}", me.log.name())) {
            return waiting;
        }
        let mut dst = dst.as_direct(store, CHUNK);
        let buf = dst.remaining();
        if buf.is_empty() {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        if let Some(e) = super::stream_refusal(me.allowed, Some(me.offset), buf.len()) {
            me.log.read(me.offset, Err(e));
            me.outcome.send(Err(code(e)));
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        let want = match me.log.strike(Site::FsRead, 0, true) {
            Some(Effect::Io) => {
                me.log.read(me.offset, Err(Errno::Io));
                me.outcome.send(Err(code(Errno::Io)));
                return Poll::Ready(Ok(StreamResult::Dropped));
            }
            Some(Effect::Short) => crate::faults::half(buf.len()),
            _ => buf.len(),
        };
        let fs = lock(&me.held.fs);
        match fs.read_ino(me.held.ino, me.offset, want) {
            Ok([]) => {
                drop(fs);
                me.log.read(me.offset, Ok(&[]));
                me.outcome.send(Ok(()));
                Poll::Ready(Ok(StreamResult::Dropped))
            }
            Ok(data) => {
                let n = data.len();
                buf[..n].copy_from_slice(data);
                me.log.read(me.offset, Ok(data));
                drop(fs);
                dst.mark_written(n);
                me.offset = me.offset.saturating_add(n as u64);
                Poll::Ready(Ok(StreamResult::Completed))
            }
            Err(k) => {
                drop(fs);
                me.log.read(me.offset, Err(Errno::Fs(k)));
                me.outcome.send(Err(code(Errno::Fs(k))));
                Poll::Ready(Ok(StreamResult::Dropped))
            }
        }
    }
}

/// Writes what the guest pushes at an offset, or appends; holds the inode.
struct WriteConsumer {
    held: Held,
    log: StreamLog,
    offset: Option<u64>,
    /// The descriptor's mode allows writing (see [`super::stream_refusal`]).
    allowed: bool,
    outcome: Outcome,
    /// Each write waits here for its turn when the run has a schedule.
    turn: Hold,
}

impl WriteConsumer {
    fn new(
        held: Held,
        log: StreamLog,
        offset: Option<u64>,
        allowed: bool,
        tx: oneshot::Sender<Result<(), ErrorCode>>,
    ) -> Self {
        let turn = log.hold();
        WriteConsumer { held, log, offset, allowed, outcome: Outcome(Some(tx)), turn }
    }
}

impl<D> StreamConsumer<D> for WriteConsumer {
    type Item = u8;

    fn poll_consume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        src: Source<Self::Item>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let mut src = src.as_direct(store);
        let me = &mut *self;
        if !src.remaining().is_empty()
            && let Some(waiting) = wait_turn(&mut me.turn, cx, finish, || format!("fs.stream-write {}", me.log.name()))
        {
            return waiting;
        }
        let bytes = src.remaining();
        if let Some(e) = super::stream_refusal(me.allowed, me.offset, bytes.len()) {
            me.log.write(me.offset, bytes, Err(e));
            me.outcome.send(Err(code(e)));
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        let bytes = match me.log.strike(Site::FsWrite, bytes.len(), true) {
            Some(Effect::NoSpace) => {
                let e = Errno::Fs(crate::memfs::ErrorKind::NoSpace);
                me.log.write(me.offset, bytes, Err(e));
                me.outcome.send(Err(code(e)));
                return Poll::Ready(Ok(StreamResult::Dropped));
            }
            Some(Effect::Short) => &bytes[..crate::faults::half(bytes.len())],
            _ => bytes,
        };
        let mut fs = lock(&me.held.fs);
        let written = match me.offset {
            Some(at) => fs.write_ino(me.held.ino, at, bytes),
            None => fs.append_ino(me.held.ino, bytes),
        };
        drop(fs);
        me.log.write(me.offset, bytes, written.map_err(Errno::Fs));
        match written {
            Ok(n) => {
                src.mark_read(n);
                if let Some(at) = &mut me.offset {
                    *at = at.saturating_add(n as u64);
                }
                Poll::Ready(Ok(StreamResult::Completed))
            }
            Err(k) => {
                me.outcome.send(Err(code(Errno::Fs(k))));
                Poll::Ready(Ok(StreamResult::Dropped))
            }
        }
    }
}
