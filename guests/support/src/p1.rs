//! The catalog's filesystem surface over WASI preview 1, for `wasm32-wasip1`
//! builds: the raw `wasi_snapshot_preview1` imports, called one by one, so
//! the host sees exactly the calls a scenario asks for. It carries what
//! `fs-ops` needs; p1 has no streams, metadata hashes or descriptor flags
//! in p2's sense, and the nearest p1 calls stand in for them (documented on
//! each method). Errors are p1's errno names (`noent`, `badf`, …).

use crate::{Open, Stat, Time, flag_names, kind_name};

/// The world this build speaks.
pub const WORLD: &str = "p1";

mod sys {
    #[repr(C)]
    pub struct Iovec {
        pub buf: *const u8,
        pub len: usize,
    }

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn fd_read(fd: u32, iovs: *const Iovec, n: usize, nread: *mut usize) -> i32;
        pub fn fd_pread(fd: u32, iovs: *const Iovec, n: usize, offset: u64, nread: *mut usize) -> i32;
        pub fn fd_write(fd: u32, iovs: *const Iovec, n: usize, nwritten: *mut usize) -> i32;
        pub fn fd_pwrite(fd: u32, iovs: *const Iovec, n: usize, offset: u64, nwritten: *mut usize) -> i32;
        pub fn fd_seek(fd: u32, offset: i64, whence: u32, new: *mut u64) -> i32;
        pub fn fd_close(fd: u32) -> i32;
        pub fn fd_prestat_get(fd: u32, out: *mut u8) -> i32;
        pub fn fd_prestat_dir_name(fd: u32, path: *mut u8, len: usize) -> i32;
        pub fn fd_fdstat_get(fd: u32, out: *mut u8) -> i32;
        pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32;
        pub fn fd_filestat_get(fd: u32, out: *mut u8) -> i32;
        pub fn fd_filestat_set_size(fd: u32, size: u64) -> i32;
        pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> i32;
        pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32;
        pub fn fd_sync(fd: u32) -> i32;
        pub fn fd_datasync(fd: u32) -> i32;
        pub fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> i32;
        pub fn path_open(
            fd: u32,
            dirflags: u32,
            path: *const u8,
            path_len: usize,
            oflags: u32,
            rights: u64,
            inheriting: u64,
            fdflags: u32,
            out: *mut u32,
        ) -> i32;
        pub fn path_filestat_get(fd: u32, flags: u32, path: *const u8, len: usize, out: *mut u8) -> i32;
        pub fn path_filestat_set_times(
            fd: u32,
            flags: u32,
            path: *const u8,
            len: usize,
            atim: u64,
            mtim: u64,
            fst: u32,
        ) -> i32;
        pub fn path_create_directory(fd: u32, path: *const u8, len: usize) -> i32;
        pub fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> i32;
        pub fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> i32;
        pub fn path_rename(fd: u32, old: *const u8, old_len: usize, fd2: u32, new: *const u8, new_len: usize) -> i32;
        pub fn path_link(
            fd: u32,
            flags: u32,
            old: *const u8,
            old_len: usize,
            fd2: u32,
            new: *const u8,
            new_len: usize,
        ) -> i32;
        pub fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> i32;
        pub fn path_readlink(fd: u32, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> i32;
    }
}

/// A buffer with the 8-byte alignment p1's records need (the host traps
/// on a misaligned pointer).
#[repr(C, align(8))]
struct Raw<const N: usize>([u8; N]);

impl<const N: usize> Raw<N> {
    fn new() -> Self {
        Raw([0; N])
    }
    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }
}

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const FDFLAG_APPEND: u32 = 1;
const LOOKUP_FOLLOW: u32 = 1;
/// The largest buffer a read hands the host.
const MAX_BUF: usize = 64 << 10;

/// Errno names in witx order.
const ERRNO: [&str; 77] = [
    "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already", "badf", "badmsg",
    "busy", "canceled", "child", "connaborted", "connrefused", "connreset", "deadlk", "destaddrreq", "dom", "dquot",
    "exist", "fault", "fbig", "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir",
    "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset", "netunreach", "nfile",
    "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem", "nomsg", "noprotoopt", "nospc", "nosys",
    "notconn", "notdir", "notempty", "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead",
    "perm", "pipe", "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale", "timedout",
    "txtbsy", "xdev", "notcapable",
];

type Res<T> = Result<T, String>;

fn check(errno: i32) -> Res<()> {
    match errno {
        0 => Ok(()),
        n => Err(usize::try_from(n).ok().and_then(|i| ERRNO.get(i)).map_or_else(|| format!("errno-{n}"), |s| s.to_string())),
    }
}

pub use crate::block_on;

/// Every p1 call completes inline: no future ever waits.
pub(crate) fn wait_any() -> bool {
    false
}

fn write_fd(fd: u32, mut bytes: &[u8]) -> Res<()> {
    while !bytes.is_empty() {
        let iov = sys::Iovec { buf: bytes.as_ptr(), len: bytes.len() };
        let mut n = 0;
        check(unsafe { sys::fd_write(fd, &iov, 1, &mut n) })?;
        if n == 0 {
            return Err("wrote nothing".into());
        }
        bytes = &bytes[n..];
    }
    Ok(())
}

/// Reads `fd` from its position to the end (at most 1 MiB).
fn read_to_end(fd: u32) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 4096];
    while out.len() < (1 << 20) {
        let iov = sys::Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
        let mut n = 0;
        check(unsafe { sys::fd_read(fd, &iov, 1, &mut n) })?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok(out)
}

/// Writes to stdout.
pub async fn print(s: &str) {
    write_fd(1, s.as_bytes()).expect("stdout");
}

/// Writes to stderr.
pub async fn eprint(s: &str) {
    write_fd(2, s.as_bytes()).expect("stderr");
}

/// Reads stdin to its end.
pub async fn read_stdin() -> Vec<u8> {
    read_to_end(0).expect("stdin")
}

/// A descriptor: a directory or a file. Dropping it closes it.
pub struct Fd(u32);

/// A directory descriptor.
pub type Dir = Fd;

impl Drop for Fd {
    fn drop(&mut self) {
        unsafe { sys::fd_close(self.0) };
    }
}

/// Every preopened directory with its guest path: the descriptors from 3
/// up that `fd_prestat_get` describes.
pub fn preopens() -> Vec<(Dir, String)> {
    let mut out = Vec::new();
    for fd in 3.. {
        let mut prestat = Raw::<8>::new();
        if unsafe { sys::fd_prestat_get(fd, prestat.ptr()) } != 0 {
            break;
        }
        let len = u32::from_le_bytes(prestat.0[4..8].try_into().unwrap()) as usize;
        let mut name = vec![0u8; len];
        check(unsafe { sys::fd_prestat_dir_name(fd, name.as_mut_ptr(), len) }).expect("preopen name");
        out.push((Fd(fd), String::from_utf8_lossy(&name).into_owned()));
    }
    out
}

fn kind(filetype: u8) -> &'static str {
    kind_name(filetype == 3, filetype == 4, filetype == 7)
}

fn time(ns: u64) -> Option<(i64, u32)> {
    Some(((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as u32))
}

fn stat_of(raw: &[u8; 64]) -> Stat {
    let u = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap());
    Stat { kind: kind(raw[16]), size: u(32), nlink: u(24), atime: time(u(40)), mtime: time(u(48)), ctime: time(u(56)) }
}

/// A time as p1 passes it: nanoseconds and the flags that say what to do
/// with them. A time before 1970 or past 2554 cannot be said in p1.
fn new_time(t: Time, set: u32, now: u32) -> Res<(u64, u32)> {
    match t {
        Time::NoChange => Ok((0, 0)),
        Time::Now => Ok((0, now)),
        Time::At(s, n) => u64::try_from(s)
            .ok()
            .and_then(|s| s.checked_mul(1_000_000_000))
            .and_then(|ns| ns.checked_add(u64::from(n)))
            .map(|ns| (ns, set))
            .ok_or_else(|| "not-a-p1-time".to_string()),
    }
}

fn times(atime: Time, mtime: Time) -> Res<(u64, u64, u32)> {
    let (a, af) = new_time(atime, 1, 2)?;
    let (m, mf) = new_time(mtime, 4, 8)?;
    Ok((a, m, af | mf))
}

fn follow_flag(follow: bool) -> u32 {
    if follow { LOOKUP_FOLLOW } else { 0 }
}

impl Fd {
    /// `path_open` with the flags spelled out: read and write are the
    /// `fd_read` and `fd_write` rights; p1 has no mutate-directory.
    pub async fn open(&self, path: &str, o: Open) -> Res<Fd> {
        let oflags = u32::from(o.create) | u32::from(o.directory) << 1 | u32::from(o.exclusive) << 2 | u32::from(o.truncate) << 3;
        let rights = if o.read { RIGHT_FD_READ } else { 0 } | if o.write { RIGHT_FD_WRITE } else { 0 };
        let mut fd = 0;
        let dirflags = follow_flag(!o.nofollow);
        check(unsafe { sys::path_open(self.0, dirflags, path.as_ptr(), path.len(), oflags, rights, rights, 0, &mut fd) })?;
        Ok(Fd(fd))
    }

    /// `path_create_directory`.
    pub async fn mkdir(&self, path: &str) -> Res<()> {
        check(unsafe { sys::path_create_directory(self.0, path.as_ptr(), path.len()) })
    }

    /// `path_rename`.
    pub async fn rename_to(&self, from: &str, dir: &Fd, to: &str) -> Res<()> {
        check(unsafe { sys::path_rename(self.0, from.as_ptr(), from.len(), dir.0, to.as_ptr(), to.len()) })
    }

    /// `path_unlink_file`.
    pub async fn remove_file(&self, path: &str) -> Res<()> {
        check(unsafe { sys::path_unlink_file(self.0, path.as_ptr(), path.len()) })
    }

    /// `path_remove_directory`.
    pub async fn rmdir(&self, path: &str) -> Res<()> {
        check(unsafe { sys::path_remove_directory(self.0, path.as_ptr(), path.len()) })
    }

    /// Every entry `fd_readdir` gives, `.` and `..` included, cookie by
    /// cookie (`path` must be `.`: p1 lists a descriptor).
    pub async fn readdir(&self, path: &str) -> Res<Vec<(String, &'static str)>> {
        assert_eq!(path, ".", "p1 lists the descriptor itself");
        let mut out = Vec::new();
        let mut cookie = 0u64;
        let mut buf = vec![0u8; 4096];
        loop {
            let mut used = 0;
            check(unsafe { sys::fd_readdir(self.0, buf.as_mut_ptr(), buf.len(), cookie, &mut used) })?;
            let mut at = 0;
            let mut whole = 0;
            while at + 24 <= used {
                let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
                let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
                if at + 24 + namlen > used {
                    break;
                }
                let name = String::from_utf8_lossy(&buf[at + 24..at + 24 + namlen]).into_owned();
                out.push((name, kind(buf[at + 20])));
                cookie = next;
                at += 24 + namlen;
                whole += 1;
            }
            if used < buf.len() {
                return Ok(out);
            }
            if whole == 0 {
                buf.resize(buf.len() * 2, 0);
            }
        }
    }

    /// `path_filestat_get`.
    pub async fn stat_at(&self, path: &str, follow: bool) -> Res<Stat> {
        let mut raw = Raw::<64>::new();
        check(unsafe { sys::path_filestat_get(self.0, follow_flag(follow), path.as_ptr(), path.len(), raw.ptr()) })?;
        Ok(stat_of(&raw.0))
    }

    fn filestat(&self) -> Res<[u8; 64]> {
        let mut raw = Raw::<64>::new();
        check(unsafe { sys::fd_filestat_get(self.0, raw.ptr()) })?;
        Ok(raw.0)
    }

    /// `fd_filestat_get`.
    pub async fn fstat(&self) -> Res<Stat> {
        self.filestat().map(|raw| stat_of(&raw))
    }

    /// `fd_filestat_set_size`.
    pub async fn set_size(&self, size: u64) -> Res<()> {
        check(unsafe { sys::fd_filestat_set_size(self.0, size) })
    }

    /// `fd_filestat_set_times`.
    pub async fn set_times(&self, atime: Time, mtime: Time) -> Res<()> {
        let (a, m, flags) = times(atime, mtime)?;
        check(unsafe { sys::fd_filestat_set_times(self.0, a, m, flags) })
    }

    /// `path_filestat_set_times` with the follow flag chosen.
    pub async fn set_times_with(&self, follow: bool, path: &str, atime: Time, mtime: Time) -> Res<()> {
        let (a, m, flags) = times(atime, mtime)?;
        check(unsafe { sys::path_filestat_set_times(self.0, follow_flag(follow), path.as_ptr(), path.len(), a, m, flags) })
    }

    /// `fd_pread` into one buffer of `len` bytes (at most 64 KiB).
    pub async fn read_at(&self, offset: u64, len: u64) -> Res<Vec<u8>> {
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX).min(MAX_BUF)];
        let iov = sys::Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
        let mut n = 0;
        check(unsafe { sys::fd_pread(self.0, &iov, 1, offset, &mut n) })?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `fd_pwrite` of one buffer; bytes written.
    pub async fn write_at(&self, offset: u64, data: &[u8]) -> Res<u64> {
        let iov = sys::Iovec { buf: data.as_ptr(), len: data.len() };
        let mut n = 0;
        check(unsafe { sys::fd_pwrite(self.0, &iov, 1, offset, &mut n) })?;
        Ok(n as u64)
    }

    fn seek(&self, offset: u64) -> Res<()> {
        let mut at = 0;
        check(unsafe { sys::fd_seek(self.0, offset as i64, 0, &mut at) })
    }

    /// p1 has no read stream: `fd_seek` to `offset`, then `fd_read` to the
    /// end.
    pub async fn read_stream(&self, offset: u64) -> Res<Vec<u8>> {
        self.seek(offset)?;
        read_to_end(self.0)
    }

    /// p1 has no write stream: `fd_seek` to `offset`, then `fd_write`.
    pub async fn write_stream(&self, offset: u64, data: &[u8]) -> Res<()> {
        self.seek(offset)?;
        write_fd(self.0, data)
    }

    /// p1 has no append stream: `fd_write` with the append flag set by
    /// `fd_fdstat_set_flags`, then the flags as they were.
    pub async fn append_stream(&self, data: &[u8]) -> Res<()> {
        let mut raw = Raw::<24>::new();
        check(unsafe { sys::fd_fdstat_get(self.0, raw.ptr()) })?;
        let flags = u32::from(u16::from_le_bytes([raw.0[2], raw.0[3]]));
        check(unsafe { sys::fd_fdstat_set_flags(self.0, flags | FDFLAG_APPEND) })?;
        let written = write_fd(self.0, data);
        check(unsafe { sys::fd_fdstat_set_flags(self.0, flags) })?;
        written
    }

    /// `path_symlink`.
    pub async fn symlink(&self, target: &str, path: &str) -> Res<()> {
        check(unsafe { sys::path_symlink(target.as_ptr(), target.len(), self.0, path.as_ptr(), path.len()) })
    }

    /// `path_readlink` into a 4 KiB buffer.
    pub async fn readlink(&self, path: &str) -> Res<String> {
        let mut buf = vec![0u8; 4096];
        let mut used = 0;
        check(unsafe { sys::path_readlink(self.0, path.as_ptr(), path.len(), buf.as_mut_ptr(), buf.len(), &mut used) })?;
        buf.truncate(used);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Whether both descriptors name one file: equal device and inode in
    /// `fd_filestat_get`.
    pub async fn same(&self, other: &Fd) -> bool {
        match (self.filestat(), other.filestat()) {
            (Ok(a), Ok(b)) => a[..16] == b[..16],
            _ => false,
        }
    }

    /// p1 has no metadata hash: the device and inode `fd_filestat_get`
    /// gives.
    pub async fn hash(&self) -> Res<(u64, u64)> {
        let raw = self.filestat()?;
        Ok((u64::from_le_bytes(raw[8..16].try_into().unwrap()), u64::from_le_bytes(raw[..8].try_into().unwrap())))
    }

    /// The device and inode `path_filestat_get` gives.
    pub async fn hash_with(&self, follow: bool, path: &str) -> Res<(u64, u64)> {
        let mut raw = Raw::<64>::new();
        check(unsafe { sys::path_filestat_get(self.0, follow_flag(follow), path.as_ptr(), path.len(), raw.ptr()) })?;
        Ok((u64::from_le_bytes(raw.0[8..16].try_into().unwrap()), u64::from_le_bytes(raw.0[..8].try_into().unwrap())))
    }

    /// `fd_sync`.
    pub async fn sync(&self) -> Res<()> {
        check(unsafe { sys::fd_sync(self.0) })
    }

    /// `fd_datasync`.
    pub async fn sync_data(&self) -> Res<()> {
        check(unsafe { sys::fd_datasync(self.0) })
    }

    /// `fd_advise` with `normal` advice.
    pub async fn advise(&self, offset: u64, len: u64) -> Res<()> {
        check(unsafe { sys::fd_advise(self.0, offset, len, 0) })
    }

    /// `path_link` with the old path's follow flag chosen.
    pub async fn link_with(&self, follow: bool, old: &str, dir: &Fd, new: &str) -> Res<()> {
        check(unsafe { sys::path_link(self.0, follow_flag(follow), old.as_ptr(), old.len(), dir.0, new.as_ptr(), new.len()) })
    }

    /// The `fd_read` and `fd_write` rights `fd_fdstat_get` reports, named
    /// as p2's flags are, with `append` when the descriptor appends.
    pub async fn flags(&self) -> Res<String> {
        let mut raw = Raw::<24>::new();
        check(unsafe { sys::fd_fdstat_get(self.0, raw.ptr()) })?;
        let rights = u64::from_le_bytes(raw.0[8..16].try_into().unwrap());
        let mut names = flag_names(rights & RIGHT_FD_READ != 0, rights & RIGHT_FD_WRITE != 0, false);
        if u16::from_le_bytes([raw.0[2], raw.0[3]]) & FDFLAG_APPEND as u16 != 0 {
            names.push_str(if names.is_empty() { "append" } else { "|append" });
        }
        Ok(names)
    }

    /// The file type `fd_fdstat_get` reports.
    pub async fn kind(&self) -> Res<&'static str> {
        let mut raw = Raw::<24>::new();
        check(unsafe { sys::fd_fdstat_get(self.0, raw.ptr()) })?;
        Ok(kind(raw.0[0]))
    }
}
