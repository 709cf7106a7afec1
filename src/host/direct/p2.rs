//! `wasi:filesystem@0.2.x` over MemFs: the p2 adapter on the shared core.
//!
//! It implements the *synchronous* generated host traits: MemFs never
//! waits, and a synchronous host function costs the guest less per call
//! than an async one (no boxed future, no poll). The shared helpers
//! speak the async bindings' types, which every filesystem error goes
//! through ([`FsError`] wraps them); the sync types convert from and to
//! those with wasmtime-wasi's own `From` impls.

use super::{DirectView, Errno, Held, SetTime, StreamFsError, StreamLog, lock, ours};
use crate::faults::{Effect, Site};
use crate::memfs::{ErrorKind, Ino};
use bytes::Bytes;
use crate::memfs::FileTime;
use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::clocks::wall_clock::Datetime;
use wasmtime_wasi::p2::bindings::filesystem::preopens;
use wasmtime_wasi::p2::bindings::filesystem::types::{
    DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode, MetadataHashValue, NewTimestamp,
    OpenFlags, PathFlags,
};
use wasmtime_wasi::p2::bindings::sync::filesystem::types;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, FsError, FsResult, InputStream, OutputStream, Pollable, StreamError, StreamResult};

type Descriptor = types::Descriptor;

super::world_adapter!(FsError, datetime);
type DirStream = types::DirectoryEntryStream;

/// p2's datetimes have no seconds before 1970: wasmtime-wasi leaves such
/// a timestamp out.
fn datetime(t: FileTime) -> Option<Datetime> {
    Some(Datetime { seconds: u64::try_from(t.seconds).ok()?, nanoseconds: t.nanoseconds })
}

fn set_time(t: NewTimestamp) -> FsResult<SetTime> {
    Ok(match t {
        NewTimestamp::NoChange => SetTime::NoChange,
        NewTimestamp::Now => SetTime::Now,
        NewTimestamp::Timestamp(d) => SetTime::At(lift(Ok(super::timestamp(d.seconds.into(), d.nanoseconds)))?),
    })
}

impl preopens::Host for DirectView<'_> {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        self.preopens()
    }
}

impl types::Host for DirectView<'_> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<types::ErrorCode> {
        Ok(err.downcast()?.into())
    }

    fn filesystem_error_code(&mut self, err: Resource<wasmtime::Error>) -> wasmtime::Result<Option<types::ErrorCode>> {
        let err = self.table.get(&err)?;
        Ok(err.downcast_ref::<StreamFsError>().map(|e| code(e.0).into()))
    }
}

impl types::HostDescriptor for DirectView<'_> {
    fn advise(&mut self, fd: Resource<Descriptor>, _: u64, len: u64, _: types::Advice) -> FsResult<()> {
        lift(DirectView::advise(self, &fd, len))
    }

    fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        lift(DirectView::sync(self, &fd, true))
    }

    fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<types::DescriptorFlags> {
        Ok(flags_out(self.flags(&fd)?).into())
    }

    fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<types::DescriptorType> {
        Ok(dtype(self.kind(&fd)?).into())
    }

    fn set_size(&mut self, fd: Resource<Descriptor>, size: u64) -> FsResult<()> {
        lift(DirectView::set_size(self, &fd, size))
    }

    fn set_times(&mut self, fd: Resource<Descriptor>, atim: types::NewTimestamp, mtim: types::NewTimestamp) -> FsResult<()> {
        let (atim, mtim) = (set_time(atim.into())?, set_time(mtim.into())?);
        lift(DirectView::set_times(self, &fd, atim, mtim))
    }

    fn read(&mut self, fd: Resource<Descriptor>, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)> {
        lift(DirectView::read(self, &fd, len, offset))
    }

    fn write(&mut self, fd: Resource<Descriptor>, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        lift(DirectView::write(self, &fd, &buf, offset))
    }

    fn read_directory(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<DirStream>> {
        let entries = lift(self.read_dir(&fd))?;
        let entries = entries.into_iter().rev().map(|(name, kind)| DirectoryEntry { type_: dtype(kind), name }).collect();
        let r = self.table.push(ReadDir(entries))?;
        Ok(ours(&r))
    }

    fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        lift(DirectView::sync(self, &fd, false))
    }

    fn create_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        lift(self.mkdir_at(&fd, &path))
    }

    fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<types::DescriptorStat> {
        Ok(stat(&DirectView::stat(self, &fd)?).into())
    }

    fn stat_at(&mut self, fd: Resource<Descriptor>, pf: types::PathFlags, path: String) -> FsResult<types::DescriptorStat> {
        lift(DirectView::stat_at(self, &fd, follow(pf.into()), &path)).map(|m| stat(&m).into())
    }

    fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        pf: types::PathFlags,
        path: String,
        atim: types::NewTimestamp,
        mtim: types::NewTimestamp,
    ) -> FsResult<()> {
        let (atim, mtim) = (set_time(atim.into())?, set_time(mtim.into())?);
        lift(DirectView::set_times_at(self, &fd, follow(pf.into()), &path, atim, mtim))
    }

    fn link_at(
        &mut self,
        fd: Resource<Descriptor>,
        pf: types::PathFlags,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        lift(DirectView::link_at(self, &fd, follow(pf.into()), &old_path, &new_fd, &new_path))
    }

    fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        pf: types::PathFlags,
        path: String,
        oflags: types::OpenFlags,
        flags: types::DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let (open, flags) = (open_flags(oflags.into()), flags_in(flags.into()));
        lift(DirectView::open_at(self, &fd, follow(pf.into()), &path, open, flags))
    }

    fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.drop_handle(fd)
    }

    fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        lift(DirectView::readlink_at(self, &fd, &path))
    }

    fn remove_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        lift(self.rmdir_at(&fd, &path))
    }

    fn rename_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        lift(DirectView::rename_at(self, &fd, &old_path, &new_fd, &new_path))
    }

    fn symlink_at(&mut self, fd: Resource<Descriptor>, old_path: String, new_path: String) -> FsResult<()> {
        lift(DirectView::symlink_at(self, &fd, &old_path, &new_path))
    }

    fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        lift(self.unlink_at(&fd, &path))
    }

    fn read_via_stream(&mut self, fd: Resource<Descriptor>, offset: u64) -> FsResult<Resource<DynInputStream>> {
        let (ino, allowed) = lift(self.read_source(&fd, offset))?;
        let stream: DynInputStream = Box::new(FileStream::new(self, &fd, ino, Some(offset), allowed));
        Ok(self.table.push(stream)?)
    }

    fn write_via_stream(&mut self, fd: Resource<Descriptor>, offset: u64) -> FsResult<Resource<DynOutputStream>> {
        let (ino, allowed) = lift(self.write_target(&fd, Some(offset)))?;
        let stream: DynOutputStream = Box::new(FileStream::new(self, &fd, ino, Some(offset), allowed));
        Ok(self.table.push(stream)?)
    }

    fn append_via_stream(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<DynOutputStream>> {
        let (ino, allowed) = lift(self.write_target(&fd, None))?;
        let stream: DynOutputStream = Box::new(FileStream::new(self, &fd, ino, None, allowed));
        Ok(self.table.push(stream)?)
    }

    fn is_same_object(&mut self, a: Resource<Descriptor>, b: Resource<Descriptor>) -> wasmtime::Result<bool> {
        Ok(self.same(&a, &b)?)
    }

    fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<types::MetadataHashValue> {
        Ok(hash(DirectView::hash(self, &fd)?).into())
    }

    fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        pf: types::PathFlags,
        path: String,
    ) -> FsResult<types::MetadataHashValue> {
        lift(self.hash_at(&fd, follow(pf.into()), &path)).map(|h| hash(h).into())
    }
}

/// A directory listing taken when `read-directory` was called, in name
/// order (kept reversed, so `pop` yields the next entry).
struct ReadDir(Vec<DirectoryEntry>);

impl types::HostDirectoryEntryStream for DirectView<'_> {
    fn read_directory_entry(&mut self, stream: Resource<DirStream>) -> FsResult<Option<types::DirectoryEntry>> {
        let rd = self.table.get_mut(&ours::<DirStream, ReadDir>(&stream))?;
        Ok(rd.0.pop().map(Into::into))
    }

    fn drop(&mut self, stream: Resource<DirStream>) -> wasmtime::Result<()> {
        self.table.delete(ours::<DirStream, ReadDir>(&stream))?;
        Ok(())
    }
}

/// A p2 stream on a file: reads or writes at a position, or appends
/// (`pos: None`). It holds the inode so the file outlives an unlink. A
/// stream on a descriptor whose mode does not allow its direction fails
/// at its first read or write with `bad-descriptor`, as the host kernel's
/// `EBADF` does for wasmtime-wasi.
struct FileStream {
    held: Held,
    pos: Option<u64>,
    allowed: bool,
    log: StreamLog,
}

impl FileStream {
    fn new(view: &DirectView<'_>, fd: &Resource<Descriptor>, ino: Ino, pos: Option<u64>, allowed: bool) -> Self {
        let log = StreamLog::new(view, fd);
        FileStream { held: Held::new(&view.direct.fs, ino), pos, allowed, log }
    }

    fn check(&self, len: usize) -> StreamResult<()> {
        match super::stream_refusal(self.allowed, self.pos, len) {
            Some(e) => Err(StreamError::LastOperationFailed(StreamFsError(e).into())),
            None => Ok(()),
        }
    }
}

/// The guest-visible error a stream failed with.
fn stream_errno(e: &wasmtime::Error) -> Errno {
    e.downcast_ref::<StreamFsError>().map_or(Errno::Fs(ErrorKind::InvalidArgument), |e| e.0)
}

fn stream_err(k: ErrorKind) -> StreamError {
    StreamError::LastOperationFailed(StreamFsError(Errno::Fs(k)).into())
}

#[async_trait::async_trait]
impl Pollable for FileStream {
    async fn ready(&mut self) {}
}

// A MemFs stream is always ready, so the blocking calls are the plain ones
// (the trait's defaults first wait on `ready`, a boxed future per step).
#[async_trait::async_trait]
impl InputStream for FileStream {
    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.read(size)
    }

    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        let pos = self.pos.unwrap_or(0);
        let r = self.read_at(pos, size);
        match &r {
            Ok(data) => self.log.read(pos, Ok(data)),
            Err(StreamError::Closed) => self.log.read(pos, Ok(&[])),
            Err(StreamError::LastOperationFailed(e)) => self.log.read(pos, Err(stream_errno(e))),
            Err(StreamError::Trap(_)) => {}
        }
        r
    }
}

impl FileStream {
    fn read_at(&mut self, pos: u64, size: usize) -> StreamResult<Bytes> {
        self.check(size)?;
        let size = match self.log.strike(Site::FsRead, 0, true) {
            Some(Effect::Io) => return Err(StreamError::LastOperationFailed(StreamFsError(Errno::Io).into())),
            Some(Effect::Short) => crate::faults::half(size),
            _ => size,
        };
        let fs = lock(&self.held.fs);
        let data = fs.read_ino(self.held.ino, pos, size).map_err(stream_err)?;
        if data.is_empty() && size > 0 {
            return Err(StreamError::Closed);
        }
        let out = Bytes::copy_from_slice(data);
        self.pos = Some(pos.saturating_add(out.len() as u64));
        Ok(out)
    }

    fn write_all(&mut self, bytes: &[u8]) -> StreamResult<()> {
        self.check(bytes.len())?;
        // A p2 output stream takes all it is given, so no short write.
        if let Some(Effect::NoSpace) = self.log.strike(Site::FsWrite, bytes.len(), false) {
            return Err(stream_err(ErrorKind::NoSpace));
        }
        let mut fs = lock(&self.held.fs);
        match self.pos {
            Some(pos) => {
                let n = fs.write_ino(self.held.ino, pos, bytes).map_err(stream_err)?;
                self.pos = Some(pos.saturating_add(n as u64));
            }
            None => {
                fs.append_ino(self.held.ino, bytes).map_err(stream_err)?;
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl OutputStream for FileStream {
    async fn blocking_write_and_flush(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write(bytes)
    }

    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let pos = self.pos;
        let r = self.write_all(&bytes);
        let errno = match &r {
            Err(StreamError::LastOperationFailed(e)) => Some(stream_errno(e)),
            _ => None,
        };
        self.log.write(pos, &bytes, errno.map_or(Ok(bytes.len()), Err));
        r
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 20)
    }
}

