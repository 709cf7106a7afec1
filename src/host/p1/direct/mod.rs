//! `wasi_snapshot_preview1` over MemFs: the p1 layer of the direct backend.
//!
//! wasmtime-wasi builds its p1 on its p2 filesystem, and so does this: each
//! path call goes to the descriptor core in [`crate::host::direct`] that
//! the p2 and p3 adapters use, so p1 inherits their fidelity. What p1 adds
//! is wasmtime-wasi's own: its descriptor table (stdio at 0 to 2, the
//! preopens next, the highest freed number reused first), file positions,
//! the rights it reports, `.` and `..` in directory listings, inode numbers
//! from metadata hashes, and reads and writes at a position that the host
//! kernel, not the p2 rights model, checks.

use super::sleep_alone;
use crate::host::direct::{self, DirectView, Errno, Flags, Handle, Open, Res, SetTime, stream_refusal};
use crate::host::{Core, HostError, Inputs};
use crate::memfs::{ErrorKind, Kind, Metadata, MemFs};
use rand::RngExt;
use rand_chacha::ChaCha20Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use wasmtime::component::Resource;
use wasmtime_wasi::I32Exit;
use wasmtime_wasi::p1::types::{self, Errno as E};
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::p2::{InputStream, StreamError};
use wiggle::{GuestMemory, GuestPtr, GuestType};

mod convert;
mod fds;
mod poll;

use convert::*;
use fds::*;

type Result<T, Er = types::Error> = std::result::Result<T, Er>;

/// The most random bytes one call may ask for (wasmtime-wasi's default).
const RANDOM_MAX: u64 = 64 << 20;

/// Store state for a p1 module on the direct backend.
pub struct P1Direct {
    pub(crate) core: Core,
    fds: Fds,
    stdin: MemoryInputPipe,
    random: ChaCha20Rng,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// What the current call may copy, in bytes (wasmtime's host-call fuel).
    fuel: usize,
}

impl std::fmt::Debug for P1Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P1Direct").field("descriptors", &self.fds.used.len()).finish_non_exhaustive()
    }
}

impl P1Direct {
    /// A state for `inputs`, with `fs` served from MemFs when given.
    pub(crate) fn from_inputs(inputs: &Inputs, fs: Option<MemFs>) -> Result<Self, HostError> {
        let mut core = Core::build(inputs, fs)?;
        let mut fds = Fds::default();
        for d in [Desc::Stdin, Desc::Stdout, Desc::Stderr] {
            fds.push(d);
        }
        let preopens = view(&mut core).preopens::<Handle>().map_err(|e| HostError::Wasi(format!("{e:#}")))?;
        for (fd, path) in preopens {
            fds.push(Desc::Dir { fd, preopen: Some(path) });
        }
        Ok(P1Direct {
            core,
            fds,
            stdin: MemoryInputPipe::new(inputs.stdin.clone()),
            random: crate::kernel::Entropy::from_seed(inputs.seed).secure,
            args: inputs.args.clone(),
            env: inputs.env.clone(),
            fuel: 0,
        })
    }

    fn view(&mut self) -> DirectView<'_> {
        view(&mut self.core)
    }

    /// Spends `n` bytes of the call's fuel: a guest cannot make one call
    /// copy without bound (`nomem`, as wasmtime-wasi says).
    fn spend(&mut self, n: usize) -> Result<()> {
        self.fuel = self.fuel.checked_sub(n).ok_or(E::Nomem)?;
        Ok(())
    }

    fn spend_array<T>(&mut self, array: GuestPtr<[T]>) -> Result<()> {
        let bytes = usize::try_from(array.len())?.checked_mul(size_of::<T>()).ok_or(E::Overflow)?;
        self.spend(bytes)
    }

    /// The first non-empty buffer of `iovs` (an empty one when all are),
    /// as wasmtime-wasi moves data: one buffer per call.
    fn first_buffer<V: IoVec>(&mut self, mem: &GuestMemory<'_>, iovs: GuestPtr<[V]>) -> Result<GuestPtr<[u8]>> {
        self.spend_array(iovs)?;
        for iov in iovs.iter() {
            let buf = mem.read(iov?)?.bytes();
            if buf.len() != 0 {
                self.spend_array(buf)?;
                return Ok(buf);
            }
        }
        Ok(GuestPtr::new((0, 0)))
    }

    /// The directory a path call names and its path, in wasmtime-wasi's
    /// order: the descriptor first, then the string.
    fn dir_path(&mut self, mem: &GuestMemory<'_>, fd: types::Fd, path: GuestPtr<str>) -> Result<(Resource<Handle>, String)> {
        let fd = self.dir(fd)?;
        Ok((fd, self.string(mem, path)?))
    }

    fn string(&mut self, mem: &GuestMemory<'_>, s: GuestPtr<str>) -> Result<String> {
        self.spend(usize::try_from(s.len())?)?;
        Ok(mem.as_cow_str(s)?.into_owned())
    }

    fn desc(&self, fd: types::Fd) -> Result<&Desc> {
        Ok(self.fds.used.get(&u32::from(fd)).ok_or(E::Badf)?)
    }

    /// A file or directory descriptor (stdio is `badf`).
    fn any(&self, fd: types::Fd) -> Result<Resource<Handle>> {
        match self.desc(fd)? {
            Desc::File(f) => Ok(borrow(&f.fd)),
            Desc::Dir { fd, .. } => Ok(borrow(fd)),
            _ => Err(E::Badf.into()),
        }
    }

    fn file(&self, fd: types::Fd) -> Result<&File> {
        match self.desc(fd)? {
            Desc::File(f) => Ok(f),
            _ => Err(E::Badf.into()),
        }
    }

    fn dir(&self, fd: types::Fd) -> Result<Resource<Handle>> {
        match self.desc(fd)? {
            Desc::Dir { fd, .. } => Ok(borrow(fd)),
            _ => Err(E::Badf.into()),
        }
    }

    /// A file that can seek: stdio is `spipe`, anything else `badf`.
    fn seekable(&mut self, fd: types::Fd) -> Result<&mut File> {
        match self.fds.used.get_mut(&u32::from(fd)) {
            Some(Desc::File(f)) => Ok(f),
            Some(Desc::Stdin | Desc::Stdout | Desc::Stderr) => Err(E::Spipe.into()),
            _ => Err(E::Badf.into()),
        }
    }

    /// Bytes of a file at `pos`, checked as the host kernel checks a pread.
    fn read_at(&self, fd: &Resource<Handle>, pos: u64, len: usize) -> Result<Vec<u8>> {
        let h = self.core.table.get(fd)?;
        if let Some(e) = stream_refusal(h.mode.read, Some(pos), len) {
            return Err(errno(e).into());
        }
        let fs = direct::lock(&self.core.direct.fs);
        Ok(fs.read_ino(h.held.ino, pos, len).map_err(|k| errno(k.into()))?.to_vec())
    }

    /// Writes at `pos`, or at the end, checked as the host kernel checks a
    /// pwrite (or an append); the byte count.
    fn write_at(&self, fd: &Resource<Handle>, pos: Option<u64>, data: &[u8]) -> Result<usize> {
        let h = self.core.table.get(fd)?;
        if let Some(e) = stream_refusal(h.mode.write, pos, data.len()) {
            return Err(errno(e).into());
        }
        let mut fs = direct::lock(&self.core.direct.fs);
        let n = match pos {
            Some(pos) => fs.write_ino(h.held.ino, pos, data),
            None => fs.append_ino(h.held.ino, data),
        };
        Ok(n.map_err(|k| errno(k.into()))?)
    }

    fn filestat(&mut self, m: &Metadata, (ino, _): (u64, u64)) -> Result<types::Filestat> {
        Ok(types::Filestat {
            dev: 1,
            ino,
            filetype: filetype(m.kind),
            nlink: m.nlink,
            size: m.size,
            atim: ns(m.atime)?,
            mtim: ns(m.mtime)?,
            ctim: ns(m.ctime)?,
        })
    }

    fn close(&mut self, fd: types::Fd) -> Result<()> {
        let fd = u32::from(fd);
        let desc = self.fds.used.remove(&fd).ok_or(E::Badf)?;
        self.fds.free.insert(fd);
        match desc {
            Desc::File(File { fd, .. }) | Desc::Dir { fd, .. } => self.view().drop_handle(fd).map_err(types::Error::trap),
            Desc::Stdin | Desc::Stdout | Desc::Stderr => Ok(()),
        }
    }
}

fn view(core: &mut Core) -> DirectView<'_> {
    DirectView { table: &mut core.table, direct: &core.direct }
}

impl WasiSnapshotPreview1 for P1Direct {
    fn set_hostcall_fuel(&mut self, fuel: usize) {
        self.fuel = fuel;
    }

    fn args_get(&mut self, mem: &mut GuestMemory<'_>, argv: GuestPtr<GuestPtr<u8>>, buf: GuestPtr<u8>) -> Result<()> {
        let args = self.args.clone();
        put_strings(mem, argv, buf, args.iter().map(|a| vec![a.as_bytes()]))
    }

    fn args_sizes_get(&mut self, _: &mut GuestMemory<'_>) -> Result<(types::Size, types::Size)> {
        sizes(self.args.iter().map(String::len))
    }

    fn environ_get(&mut self, mem: &mut GuestMemory<'_>, env: GuestPtr<GuestPtr<u8>>, buf: GuestPtr<u8>) -> Result<()> {
        let vars = self.env.clone();
        put_strings(mem, env, buf, vars.iter().map(|(k, v)| vec![k.as_bytes(), b"=", v.as_bytes()]))
    }

    fn environ_sizes_get(&mut self, _: &mut GuestMemory<'_>) -> Result<(types::Size, types::Size)> {
        sizes(self.env.iter().map(|(k, v)| k.len() + 1 + v.len()))
    }

    fn clock_res_get(&mut self, _: &mut GuestMemory<'_>, id: types::Clockid) -> Result<types::Timestamp> {
        match id {
            types::Clockid::Realtime | types::Clockid::Monotonic => Ok(1),
            _ => Err(E::Badf.into()),
        }
    }

    fn clock_time_get(&mut self, _: &mut GuestMemory<'_>, id: types::Clockid, _: types::Timestamp) -> Result<types::Timestamp> {
        match id {
            types::Clockid::Realtime => ns(self.core.clock.wall().into()),
            types::Clockid::Monotonic => Ok(self.core.clock.monotonic()),
            _ => Err(E::Badf.into()),
        }
    }

    async fn fd_advise(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: u64, len: u64, _: types::Advice) -> Result<()> {
        let fd = borrow(&self.file(fd)?.fd);
        lift(self.view().advise(&fd, len))
    }

    fn fd_allocate(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: u64, _: u64) -> Result<()> {
        self.file(fd)?;
        Err(E::Notsup.into())
    }

    async fn fd_close(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
        self.close(fd)
    }

    async fn fd_datasync(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
        self.file(fd)?;
        Ok(())
    }

    async fn fd_fdstat_get(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<types::Fdstat> {
        let stdio = |rights| types::Fdstat {
            fs_filetype: types::Filetype::Unknown,
            fs_flags: types::Fdflags::empty(),
            fs_rights_base: rights,
            fs_rights_inheriting: rights,
        };
        let (fd, nonblock, append) = match self.desc(fd)? {
            Desc::Stdin => return Ok(stdio(types::Rights::FD_READ)),
            Desc::Stdout | Desc::Stderr => return Ok(stdio(types::Rights::FD_WRITE)),
            Desc::Dir { preopen: Some(_), .. } => {
                let (base, inheriting) = preopen_rights();
                return Ok(types::Fdstat {
                    fs_filetype: types::Filetype::Directory,
                    fs_flags: types::Fdflags::empty(),
                    fs_rights_base: base,
                    fs_rights_inheriting: inheriting,
                });
            }
            Desc::Dir { fd, .. } => (borrow(fd), false, false),
            Desc::File(f) => (borrow(&f.fd), f.nonblock, f.append),
        };
        let view = self.view();
        let Flags { read, write, .. } = view.flags(&fd)?;
        let kind = view.kind(&fd)?;
        let mut rights = types::Rights::all();
        if kind == Kind::Dir {
            rights &= !(types::Rights::FD_SEEK | types::Rights::FD_FILESTAT_SET_SIZE | types::Rights::PATH_FILESTAT_SET_SIZE);
        }
        if !read {
            rights &= !(types::Rights::FD_READ | types::Rights::FD_READDIR);
        }
        if !write {
            rights &= !types::Rights::FD_WRITE;
        }
        let mut flags = types::Fdflags::empty();
        if append {
            flags |= types::Fdflags::APPEND;
        }
        if nonblock {
            flags |= types::Fdflags::NONBLOCK;
        }
        Ok(types::Fdstat { fs_filetype: filetype(kind), fs_flags: flags, fs_rights_base: rights, fs_rights_inheriting: rights })
    }

    fn fd_fdstat_set_flags(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, flags: types::Fdflags) -> Result<()> {
        let file = match self.fds.used.get_mut(&u32::from(fd)) {
            Some(Desc::File(f)) => f,
            _ => return Err(E::Badf.into()),
        };
        if flags.intersects(types::Fdflags::DSYNC | types::Fdflags::SYNC | types::Fdflags::RSYNC) {
            return Err(E::Inval.into());
        }
        file.append = flags.contains(types::Fdflags::APPEND);
        file.nonblock = flags.contains(types::Fdflags::NONBLOCK);
        Ok(())
    }

    fn fd_fdstat_set_rights(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: types::Rights, _: types::Rights) -> Result<()> {
        self.any(fd)?;
        Err(E::Notsup.into())
    }

    async fn fd_filestat_get(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<types::Filestat> {
        let fd = match self.desc(fd)? {
            Desc::Stdin | Desc::Stdout | Desc::Stderr => {
                return Ok(types::Filestat {
                    dev: 0,
                    ino: 0,
                    filetype: types::Filetype::Unknown,
                    nlink: 0,
                    size: 0,
                    atim: 0,
                    mtim: 0,
                    ctim: 0,
                });
            }
            Desc::Dir { fd, .. } | Desc::File(File { fd, .. }) => borrow(fd),
        };
        let view = self.view();
        let (m, hash) = (view.stat(&fd)?, view.hash(&fd)?);
        self.filestat(&m, hash)
    }

    async fn fd_filestat_set_size(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, size: u64) -> Result<()> {
        let fd = borrow(&self.file(fd)?.fd);
        lift(self.view().set_size(&fd, size))
    }

    async fn fd_filestat_set_times(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: types::Fd,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        f: types::Fstflags,
    ) -> Result<()> {
        let (a, m) = times(atim, mtim, f)?;
        let fd = self.any(fd)?;
        lift(self.view().set_times(&fd, a, m))
    }

    async fn fd_read(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, iovs: types::IovecArray) -> Result<types::Size> {
        let buf = self.first_buffer(mem, iovs)?;
        let data = match self.desc(fd)? {
            Desc::File(f) => {
                let (handle, pos) = (borrow(&f.fd), f.pos);
                let data = self.read_at(&handle, pos, buf.len() as usize)?;
                self.seekable(fd)?.pos = pos.checked_add(data.len() as u64).ok_or(E::Overflow)?;
                data
            }
            Desc::Stdin => match self.stdin.read(buf.len() as usize) {
                Ok(b) if b.is_empty() => return Err(E::Intr.into()),
                Ok(b) => b.to_vec(),
                Err(StreamError::Closed) => Vec::new(),
                Err(_) => return Err(E::Io.into()),
            },
            _ => return Err(E::Badf.into()),
        };
        put(mem, GuestPtr::new(buf.offset().0), &data)?;
        Ok(u32::try_from(data.len())?)
    }

    async fn fd_pread(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, iovs: types::IovecArray, offset: u64) -> Result<types::Size> {
        let buf = self.first_buffer(mem, iovs)?;
        let fd = match self.desc(fd)? {
            Desc::File(f) => borrow(&f.fd),
            Desc::Stdin => return Err(E::Spipe.into()),
            _ => return Err(E::Badf.into()),
        };
        // wasmtime-wasi reads through a p2 stream here, so at most one
        // stream read (64 KiB) at a time.
        let len = (buf.len() as usize).min(direct::MAX_READ as usize);
        let data = self.read_at(&fd, offset, len)?;
        put(mem, GuestPtr::new(buf.offset().0), &data)?;
        Ok(u32::try_from(data.len())?)
    }

    async fn fd_write(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, iovs: types::CiovecArray) -> Result<types::Size> {
        let buf = self.first_buffer(mem, iovs)?;
        self.write(mem, fd, buf, None).await
    }

    async fn fd_pwrite(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        iovs: types::CiovecArray,
        offset: u64,
    ) -> Result<types::Size> {
        let buf = self.first_buffer(mem, iovs)?;
        self.write(mem, fd, buf, Some(offset)).await
    }

    fn fd_prestat_get(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<types::Prestat> {
        match self.desc(fd)? {
            Desc::Dir { preopen: Some(p), .. } => Ok(types::Prestat::Dir(types::PrestatDir { pr_name_len: u32::try_from(p.len())? })),
            _ => Err(E::Badf.into()),
        }
    }

    fn fd_prestat_dir_name(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, path: GuestPtr<u8>, max: types::Size) -> Result<()> {
        match self.desc(fd)? {
            Desc::Dir { preopen: Some(p), .. } => {
                if p.len() > usize::try_from(max)? {
                    return Err(E::Nametoolong.into());
                }
                let p = p.clone();
                put(mem, path, p.as_bytes())?;
                Ok(())
            }
            _ => Err(E::Notdir.into()),
        }
    }

    async fn fd_renumber(&mut self, _: &mut GuestMemory<'_>, from: types::Fd, to: types::Fd) -> Result<()> {
        let (f, t) = (u32::from(from), u32::from(to));
        if !self.fds.used.contains_key(&f) || !self.fds.used.contains_key(&t) {
            return Err(E::Badf.into());
        }
        if f == t {
            return Ok(());
        }
        self.close(to)?;
        let desc = self.fds.used.remove(&f).ok_or(E::Badf)?;
        self.fds.free.insert(f);
        self.fds.free.remove(&t);
        self.fds.used.insert(t, desc);
        Ok(())
    }

    async fn fd_seek(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, offset: i64, whence: types::Whence) -> Result<u64> {
        let file = self.seekable(fd)?;
        let (handle, pos) = (borrow(&file.fd), file.pos);
        let new = match whence {
            types::Whence::Set if offset >= 0 => offset as u64,
            types::Whence::Cur => pos.checked_add_signed(offset).ok_or(E::Inval)?,
            types::Whence::End => self.view().stat(&handle)?.size.checked_add_signed(offset).ok_or(E::Inval)?,
            _ => return Err(E::Inval.into()),
        };
        self.seekable(fd)?.pos = new;
        Ok(new)
    }

    async fn fd_sync(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
        self.file(fd)?;
        Ok(())
    }

    fn fd_tell(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd) -> Result<u64> {
        Ok(self.seekable(fd)?.pos)
    }

    async fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
        cookie: types::Dircookie,
    ) -> Result<types::Size> {
        let fd = self.dir(fd)?;
        let view = self.view();
        let entries = lift(view.read_dir(&fd))?;
        let (dir_ino, _) = view.hash(&fd)?;
        let cookie = usize::try_from(cookie).map_err(|_| E::Overflow)?;
        let mut listing = vec![
            (types::Dirent { d_next: 1, d_ino: dir_ino, d_type: types::Filetype::Directory, d_namlen: 1 }, ".".to_string()),
            (types::Dirent { d_next: 2, d_ino: dir_ino, d_type: types::Filetype::Directory, d_namlen: 2 }, "..".to_string()),
        ];
        for ((name, kind), next) in entries.into_iter().zip(3u64..) {
            let (ino, _) = lift(view.hash_at(&fd, false, &name))?;
            let d_namlen = u32::try_from(name.len()).map_err(|_| E::Overflow)?;
            listing.push((types::Dirent { d_next: next, d_ino: ino, d_type: filetype(kind), d_namlen }, name));
        }
        let mut at = buf;
        let mut room = buf_len;
        let size = types::Dirent::guest_size();
        for (d, name) in listing.into_iter().skip(cookie) {
            let mut raw = [0u8; 24];
            raw[0..8].copy_from_slice(&d.d_next.to_le_bytes());
            raw[8..16].copy_from_slice(&d.d_ino.to_le_bytes());
            raw[16..20].copy_from_slice(&d.d_namlen.to_le_bytes());
            raw[20] = d.d_type as u8;
            let head = room.min(size);
            room -= head;
            at = put(mem, at, &raw[..head as usize])?;
            if room == 0 {
                return Ok(buf_len);
            }
            let name = &name.as_bytes()[..name.len().min(room as usize)];
            room -= name.len() as u32;
            at = put(mem, at, name)?;
            if room == 0 {
                return Ok(buf_len);
            }
        }
        Ok(buf_len - room)
    }

    async fn path_create_directory(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, path: GuestPtr<str>) -> Result<()> {
        let (fd, path) = self.dir_path(mem, fd, path)?;
        lift(self.view().mkdir_at(&fd, &path))
    }

    async fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestPtr<str>,
    ) -> Result<types::Filestat> {
        let (fd, path) = self.dir_path(mem, fd, path)?;
        let view = self.view();
        let m = lift(view.stat_at(&fd, follow(flags), &path))?;
        let hash = lift(view.hash_at(&fd, follow(flags), &path))?;
        self.filestat(&m, hash)
    }

    async fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestPtr<str>,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        f: types::Fstflags,
    ) -> Result<()> {
        let (a, m) = times(atim, mtim, f)?;
        let (fd, path) = self.dir_path(mem, fd, path)?;
        lift(self.view().set_times_at(&fd, follow(flags), &path, a, m))
    }

    async fn path_link(
        &mut self,
        mem: &mut GuestMemory<'_>,
        src: types::Fd,
        flags: types::Lookupflags,
        src_path: GuestPtr<str>,
        dst: types::Fd,
        dst_path: GuestPtr<str>,
    ) -> Result<()> {
        let (src, dst) = (self.dir(src)?, self.dir(dst)?);
        let (src_path, dst_path) = (self.string(mem, src_path)?, self.string(mem, dst_path)?);
        lift(self.view().link_at(&src, follow(flags), &src_path, &dst, &dst_path))
    }

    async fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        dirflags: types::Lookupflags,
        path: GuestPtr<str>,
        oflags: types::Oflags,
        rights: types::Rights,
        _: types::Rights,
        fdflags: types::Fdflags,
    ) -> Result<types::Fd> {
        let path = self.string(mem, path)?;
        let flags = Flags {
            read: rights.contains(types::Rights::FD_READ),
            write: rights.contains(types::Rights::FD_WRITE),
            mutate: false,
            sync: fdflags.intersects(types::Fdflags::SYNC | types::Fdflags::DSYNC | types::Fdflags::RSYNC),
        };
        let open = Open {
            create: oflags.contains(types::Oflags::CREAT),
            exclusive: oflags.contains(types::Oflags::EXCL),
            truncate: oflags.contains(types::Oflags::TRUNC),
            directory: oflags.contains(types::Oflags::DIRECTORY),
        };
        let dir = match self.desc(fd)? {
            Desc::Dir { fd, .. } => borrow(fd),
            Desc::File(_) => return Err(E::Notdir.into()),
            _ => return Err(E::Badf.into()),
        };
        let mut view = self.view();
        let opened: Resource<Handle> = lift(view.open_at(&dir, follow(dirflags), &path, open, flags))?;
        let desc = match view.kind(&opened)? {
            Kind::Dir => Desc::Dir { fd: opened, preopen: None },
            _ => Desc::File(File {
                fd: opened,
                pos: 0,
                append: fdflags.contains(types::Fdflags::APPEND),
                nonblock: fdflags.contains(types::Fdflags::NONBLOCK),
            }),
        };
        Ok(self.fds.push(desc).ok_or(E::Loop)?.into())
    }

    async fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestPtr<str>,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
    ) -> Result<types::Size> {
        let (fd, path) = self.dir_path(mem, fd, path)?;
        let target = lift(self.view().readlink_at(&fd, &path))?;
        let bytes = &target.as_bytes()[..target.len().min(buf_len as usize)];
        put(mem, buf, bytes)?;
        Ok(u32::try_from(bytes.len()).map_err(|_| E::Overflow)?)
    }

    async fn path_remove_directory(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, path: GuestPtr<str>) -> Result<()> {
        let (fd, path) = self.dir_path(mem, fd, path)?;
        lift(self.view().rmdir_at(&fd, &path))
    }

    async fn path_rename(
        &mut self,
        mem: &mut GuestMemory<'_>,
        src: types::Fd,
        src_path: GuestPtr<str>,
        dst: types::Fd,
        dst_path: GuestPtr<str>,
    ) -> Result<()> {
        let (src, dst) = (self.dir(src)?, self.dir(dst)?);
        let (src_path, dst_path) = (self.string(mem, src_path)?, self.string(mem, dst_path)?);
        lift(self.view().rename_at(&src, &src_path, &dst, &dst_path))
    }

    async fn path_symlink(&mut self, mem: &mut GuestMemory<'_>, target: GuestPtr<str>, fd: types::Fd, path: GuestPtr<str>) -> Result<()> {
        let fd = self.dir(fd)?;
        let (target, path) = (self.string(mem, target)?, self.string(mem, path)?);
        lift(self.view().symlink_at(&fd, &target, &path))
    }

    async fn path_unlink_file(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, path: GuestPtr<str>) -> Result<()> {
        let fd = self.dir(fd)?;
        // wasmtime-wasi reads this one path without charging fuel.
        let path = mem.as_cow_str(path)?.into_owned();
        lift(self.view().unlink_at(&fd, &path))
    }

    async fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        subs: GuestPtr<types::Subscription>,
        events: GuestPtr<types::Event>,
        n: types::Size,
    ) -> Result<types::Size> {
        if let Some(count) = sleep_alone(mem, subs, events, n).await? {
            return Ok(count);
        }
        self.poll(mem, subs.as_array(n), events.as_array(n)).await
    }

    fn proc_exit(&mut self, _: &mut GuestMemory<'_>, status: types::Exitcode) -> wasmtime::Error {
        if status >= 126 {
            return wasmtime::Error::msg("exit with invalid exit status outside of [0..126)");
        }
        I32Exit(status as i32).into()
    }

    fn proc_raise(&mut self, _: &mut GuestMemory<'_>, _: types::Signal) -> Result<()> {
        Err(E::Notsup.into())
    }

    fn sched_yield(&mut self, _: &mut GuestMemory<'_>) -> Result<()> {
        Ok(())
    }

    fn random_get(&mut self, mem: &mut GuestMemory<'_>, buf: GuestPtr<u8>, len: types::Size) -> Result<()> {
        // Byte by byte, as wasmtime-wasi draws them (each from its own
        // `u32`), so one seed gives the same bytes on both backends.
        if u64::from(len) > RANDOM_MAX {
            let e = wasmtime::Error::msg(format!("requested len {len} exceeds limit {RANDOM_MAX}"));
            return Err(types::Error::trap(e));
        }
        let bytes: Vec<u8> = (&mut self.random).random_iter().take(len as usize).collect();
        put(mem, buf, &bytes)?;
        Ok(())
    }

    fn sock_accept(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: types::Fdflags) -> Result<types::Fd> {
        self.desc(fd)?;
        Err(E::Notsock.into())
    }

    fn sock_recv(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: types::Fd,
        _: types::IovecArray,
        _: types::Riflags,
    ) -> Result<(types::Size, types::Roflags)> {
        self.desc(fd)?;
        Err(E::Notsock.into())
    }

    fn sock_send(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: types::CiovecArray, _: types::Siflags) -> Result<types::Size> {
        self.desc(fd)?;
        Err(E::Notsock.into())
    }

    fn sock_shutdown(&mut self, _: &mut GuestMemory<'_>, fd: types::Fd, _: types::Sdflags) -> Result<()> {
        self.desc(fd)?;
        Err(E::Notsock.into())
    }
}

impl P1Direct {
    /// `fd_write` (`at: None`) and `fd_pwrite`: a file writes at its
    /// position or at `at` (at its end when it appends, whatever `at`
    /// says, as Linux does); stdout and stderr take `fd_write` only.
    async fn write(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd, buf: GuestPtr<[u8]>, at: Option<u64>) -> Result<types::Size> {
        match self.desc(fd)? {
            Desc::File(f) => {
                let (handle, pos, append) = (borrow(&f.fd), f.pos, f.append);
                let data = mem.as_cow(buf)?;
                let n = self.write_at(&handle, if append { None } else { Some(at.unwrap_or(pos)) }, &data)?;
                drop(data);
                if at.is_none() {
                    let new = if append {
                        self.view().stat(&handle)?.size
                    } else {
                        pos.checked_add(n as u64).ok_or(E::Overflow)?
                    };
                    self.seekable(fd)?.pos = new;
                }
                Ok(u32::try_from(n)?)
            }
            Desc::Stdout | Desc::Stderr if at.is_some() => Err(E::Spipe.into()),
            d @ (Desc::Stdout | Desc::Stderr) => {
                let out = if matches!(d, Desc::Stdout) { &self.core.stdout } else { &self.core.stderr };
                // One write: the capture keeps the same bytes however the
                // guest's buffer is cut (wasmtime-wasi cuts at 4 KiB).
                let data = mem.as_cow(buf)?;
                out.push(&data);
                Ok(u32::try_from(data.len())?)
            }
            _ => Err(E::Badf.into()),
        }
    }
}
