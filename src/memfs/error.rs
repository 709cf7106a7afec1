//! The errors a MemFs operation can give: POSIX-like cases a guest can see,
//! each carrying the path it was about.

use std::fmt;

/// What went wrong, independent of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No entry at the path (`ENOENT`).
    NotFound,
    /// An entry already exists at the path (`EEXIST`).
    Exists,
    /// A path component that must be a directory is not one (`ENOTDIR`).
    NotDir,
    /// The operation needs a non-directory and found a directory (`EISDIR`).
    IsDir,
    /// The directory still has entries (`ENOTEMPTY`).
    NotEmpty,
    /// The path holds a NUL byte, or names no entry the operation can act
    /// on (such as `/` or a trailing `..`). An empty path is `NotFound`,
    /// as POSIX says.
    InvalidPath,
    /// The arguments make no sense together, e.g. moving a directory into
    /// itself or reading the target of something that is not a symlink
    /// (`EINVAL`).
    InvalidArgument,
    /// The operation is not allowed on this kind of entry, e.g. a hard link
    /// to a directory (`EPERM`).
    NotPermitted,
    /// Too many symlinks were followed, most likely a loop (`ELOOP`).
    Loop,
    /// A byte or inode quota would be exceeded (`ENOSPC`).
    NoSpace,
    /// A file would grow past [`MAX_FILE_SIZE`](super::MAX_FILE_SIZE)
    /// (`EFBIG`).
    TooLarge,
    /// A path component is longer than [`MAX_NAME`](super::MAX_NAME) bytes
    /// (`ENAMETOOLONG`).
    NameTooLong,
    /// The entry is in use as `.` or `..` and cannot move (`EBUSY`).
    Busy,
    /// A time does not fit the host's `time_t` (`EOVERFLOW`).
    Overflow,
}

impl ErrorKind {
    /// A short description, the way `strerror` would put it.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "no such file or directory",
            ErrorKind::Exists => "file exists",
            ErrorKind::NotDir => "not a directory",
            ErrorKind::IsDir => "is a directory",
            ErrorKind::NotEmpty => "directory not empty",
            ErrorKind::InvalidPath => "invalid path",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::NotPermitted => "operation not permitted",
            ErrorKind::Loop => "too many levels of symbolic links",
            ErrorKind::NoSpace => "no space left (quota)",
            ErrorKind::TooLarge => "file too large",
            ErrorKind::NameTooLong => "file name too long",
            ErrorKind::Busy => "device or resource busy",
            ErrorKind::Overflow => "value too large for defined data type",
        }
    }
}

/// A failed MemFs operation: what went wrong and on which path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsError {
    kind: ErrorKind,
    path: String,
}

impl FsError {
    pub(crate) fn new(kind: ErrorKind, path: &str) -> Self {
        FsError { kind, path: path.to_string() }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The path the operation was given.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind.describe())
    }
}

impl std::error::Error for FsError {}

/// Result of a MemFs operation.
pub type FsResult<T> = Result<T, FsError>;
