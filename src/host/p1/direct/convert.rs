//! Conversions between the direct core's values and p1's: errnos, file
//! types, times, flags, and strings written into guest memory.

use super::*;

/// An `iovec` or a `ciovec`: the bytes it names.
pub(super) trait IoVec: GuestType {
    fn bytes(&self) -> GuestPtr<[u8]>;
}

impl IoVec for types::Iovec {
    fn bytes(&self) -> GuestPtr<[u8]> {
        self.buf.as_array(self.buf_len)
    }
}

impl IoVec for types::Ciovec {
    fn bytes(&self) -> GuestPtr<[u8]> {
        self.buf.as_array(self.buf_len)
    }
}

/// Our error as wasmtime-wasi's p1 names it (through its p2 code).
pub(super) fn errno(e: Errno) -> E {
    match e {
        Errno::BadDescriptor => E::Badf,
        Errno::Unsupported => E::Notsup,
        Errno::Io => E::Io,
        Errno::Fs(k) => match k {
            ErrorKind::NotFound => E::Noent,
            ErrorKind::Exists => E::Exist,
            ErrorKind::NotDir => E::Notdir,
            ErrorKind::IsDir => E::Isdir,
            ErrorKind::NotEmpty => E::Notempty,
            ErrorKind::InvalidPath | ErrorKind::InvalidArgument => E::Inval,
            ErrorKind::NotPermitted => E::Perm,
            ErrorKind::Loop => E::Loop,
            ErrorKind::NoSpace => E::Nospc,
            ErrorKind::TooLarge => E::Fbig,
            ErrorKind::NameTooLong => E::Nametoolong,
            ErrorKind::Busy => E::Busy,
            ErrorKind::Overflow => E::Overflow,
        },
    }
}

/// A guest-visible error becomes an errno; a host failure stays a trap.
pub(super) fn lift<T>(r: wasmtime::Result<Res<T>>) -> Result<T> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(errno(e).into()),
        Err(trap) => Err(types::Error::trap(trap)),
    }
}

pub(super) fn filetype(k: Kind) -> types::Filetype {
    match k {
        Kind::File => types::Filetype::RegularFile,
        Kind::Dir => types::Filetype::Directory,
        Kind::Symlink => types::Filetype::SymbolicLink,
    }
}

/// A file time as p1 nanoseconds (`overflow` past 2554). One before 1970
/// is 0, as wasmtime-wasi gives it (its p2 stat leaves such a time out).
pub(super) fn ns(t: crate::memfs::FileTime) -> Result<u64> {
    let Some(d) = t.since_epoch() else { return Ok(0) };
    let n = d.as_secs().checked_mul(1_000_000_000).and_then(|s| s.checked_add(u64::from(d.subsec_nanos())));
    Ok(n.ok_or(E::Overflow)?)
}

pub(super) fn wall_ns(d: Duration) -> u64 {
    d.as_secs().saturating_mul(1_000_000_000).saturating_add(u64::from(d.subsec_nanos()))
}

/// A time to set, from p1's value and flags: both "set" and "now" is
/// `inval`.
pub(super) fn set_time(set: bool, ts: types::Timestamp, now: bool) -> Result<SetTime> {
    match (set, now) {
        (true, true) => Err(E::Inval.into()),
        (true, false) => Ok(SetTime::At(lift(Ok(direct::timestamp(i128::from(ts / 1_000_000_000), (ts % 1_000_000_000) as u32)))?)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::NoChange),
    }
}

pub(super) fn times(atim: types::Timestamp, mtim: types::Timestamp, f: types::Fstflags) -> Result<(SetTime, SetTime)> {
    let a = set_time(f.contains(types::Fstflags::ATIM), atim, f.contains(types::Fstflags::ATIM_NOW))?;
    let m = set_time(f.contains(types::Fstflags::MTIM), mtim, f.contains(types::Fstflags::MTIM_NOW))?;
    Ok((a, m))
}

pub(super) fn follow(f: types::Lookupflags) -> bool {
    f.contains(types::Lookupflags::SYMLINK_FOLLOW)
}

/// Writes `bytes` at `ptr`; the pointer just past them.
pub(super) fn put(mem: &mut GuestMemory<'_>, ptr: GuestPtr<u8>, bytes: &[u8]) -> Result<GuestPtr<u8>> {
    let len = u32::try_from(bytes.len())?;
    mem.copy_from_slice(bytes, ptr.as_array(len))?;
    Ok(ptr.add(len)?)
}

/// Writes NUL-terminated strings to `buf` and their addresses to `ptrs`.
pub(super) fn put_strings<'a>(
    mem: &mut GuestMemory<'_>,
    mut ptrs: GuestPtr<GuestPtr<u8>>,
    mut buf: GuestPtr<u8>,
    strings: impl Iterator<Item = Vec<&'a [u8]>>,
) -> Result<()> {
    for parts in strings {
        mem.write(ptrs, buf)?;
        ptrs = ptrs.add(1)?;
        for p in parts {
            buf = put(mem, buf, p)?;
        }
        buf = put(mem, buf, &[0])?;
    }
    Ok(())
}

pub(super) fn sizes(strings: impl Iterator<Item = usize>) -> Result<(types::Size, types::Size)> {
    let (mut n, mut len) = (0usize, 0usize);
    for s in strings {
        n += 1;
        len = len.checked_add(s + 1).ok_or(E::Overflow)?;
    }
    Ok((u32::try_from(n)?, u32::try_from(len)?))
}

/// The rights wasmtime-wasi reports for a preopened directory.
pub(super) fn preopen_rights() -> (types::Rights, types::Rights) {
    use types::Rights as R;
    let base = R::PATH_CREATE_DIRECTORY
        | R::PATH_CREATE_FILE
        | R::PATH_LINK_SOURCE
        | R::PATH_LINK_TARGET
        | R::PATH_OPEN
        | R::FD_READDIR
        | R::PATH_READLINK
        | R::PATH_RENAME_SOURCE
        | R::PATH_RENAME_TARGET
        | R::PATH_SYMLINK
        | R::PATH_REMOVE_DIRECTORY
        | R::PATH_UNLINK_FILE
        | R::PATH_FILESTAT_GET
        | R::PATH_FILESTAT_SET_TIMES
        | R::FD_FILESTAT_GET
        | R::FD_FILESTAT_SET_TIMES;
    let inheriting = base
        | R::FD_DATASYNC
        | R::FD_READ
        | R::FD_SEEK
        | R::FD_FDSTAT_SET_FLAGS
        | R::FD_SYNC
        | R::FD_TELL
        | R::FD_WRITE
        | R::FD_ADVISE
        | R::FD_ALLOCATE
        | R::FD_FILESTAT_GET
        | R::FD_FILESTAT_SET_SIZE
        | R::FD_FILESTAT_SET_TIMES
        | R::POLL_FD_READWRITE;
    (base, inheriting)
}
