//! The fault kinds, the sites where they strike, and their groups.

/// Where a fault strikes: the host call whose occurrences it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// A write to a file (a stream write or `descriptor.write`).
    FsWrite,
    /// A read from a file.
    FsRead,
    /// `sync` or `sync-data`.
    FsSync,
    /// `rename-at`.
    FsRename,
    /// An outgoing HTTP request.
    Http,
    /// A read of the wall clock.
    WallClock,
    /// A read of stdin.
    StdinRead,
}

impl Site {
    /// How the report names it: `fs.write`.
    pub fn name(self) -> &'static str {
        match self {
            Site::FsWrite => "fs.write",
            Site::FsRead => "fs.read",
            Site::FsSync => "fs.sync",
            Site::FsRename => "fs.rename",
            Site::Http => "http.send",
            Site::WallClock => "clock.wall",
            Site::StdinRead => "stdin.read",
        }
    }
}

/// What kind of failure a fault is. See the table in [`crate::faults`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// A write fails with `insufficient-space`.
    NoSpace,
    /// Every write fails with `insufficient-space` once the value's bytes
    /// have been written.
    NoSpaceAfter,
    /// A read fails with `io`.
    ReadIo,
    /// A write takes half its bytes.
    ShortWrite,
    /// A read returns half its bytes.
    ShortRead,
    /// A sync fails with `io`.
    SyncIo,
    /// A rename fails with `io`.
    RenameIo,
    /// An HTTP request is answered 500.
    Http500,
    /// An HTTP request is answered 503.
    Http503,
    /// An HTTP request fails with `connection-refused`.
    HttpRefused,
    /// An HTTP request fails with `connection-terminated`.
    HttpReset,
    /// An HTTP response's body stops halfway with `connection-terminated`.
    HttpCut,
    /// An HTTP answer comes the value's nanoseconds later.
    HttpLatency,
    /// The wall clock steps back by the value's nanoseconds.
    ClockBack,
    /// The wall clock jumps forward by the value's nanoseconds.
    ClockJump,
    /// A stdin read returns half of what was asked for.
    StdinShort,
}

/// A group of kinds, as `--fault-kinds` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Every filesystem kind.
    Fs,
    /// Every HTTP kind.
    Http,
    /// The wall-clock kinds.
    Clock,
    /// Short stdin reads.
    Stdin,
}

impl Group {
    /// Every group.
    pub const ALL: [Group; 4] = [Group::Fs, Group::Http, Group::Clock, Group::Stdin];

    /// The group's name: `fs`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Fs => "fs",
            Group::Http => "http",
            Group::Clock => "clock",
            Group::Stdin => "stdin",
        }
    }

    /// The kinds in it.
    pub fn kinds(self) -> Vec<FaultKind> {
        FaultKind::ALL.iter().copied().filter(|k| k.group() == self).collect()
    }
}

impl FaultKind {
    /// Every kind, in the order of the table in [`crate::faults`].
    pub const ALL: [FaultKind; 16] = [
        FaultKind::NoSpace,
        FaultKind::NoSpaceAfter,
        FaultKind::ReadIo,
        FaultKind::ShortWrite,
        FaultKind::ShortRead,
        FaultKind::SyncIo,
        FaultKind::RenameIo,
        FaultKind::Http500,
        FaultKind::Http503,
        FaultKind::HttpRefused,
        FaultKind::HttpReset,
        FaultKind::HttpCut,
        FaultKind::HttpLatency,
        FaultKind::ClockBack,
        FaultKind::ClockJump,
        FaultKind::StdinShort,
    ];

    /// Its name: `no-space`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::NoSpace => "no-space",
            FaultKind::NoSpaceAfter => "no-space-after",
            FaultKind::ReadIo => "read-io",
            FaultKind::ShortWrite => "short-write",
            FaultKind::ShortRead => "short-read",
            FaultKind::SyncIo => "sync-io",
            FaultKind::RenameIo => "rename-io",
            FaultKind::Http500 => "http-500",
            FaultKind::Http503 => "http-503",
            FaultKind::HttpRefused => "http-refused",
            FaultKind::HttpReset => "http-reset",
            FaultKind::HttpCut => "http-cut",
            FaultKind::HttpLatency => "http-latency",
            FaultKind::ClockBack => "clock-back",
            FaultKind::ClockJump => "clock-jump",
            FaultKind::StdinShort => "stdin-short",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        FaultKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The site whose occurrences it counts.
    pub fn site(self) -> Site {
        match self {
            FaultKind::NoSpace | FaultKind::NoSpaceAfter | FaultKind::ShortWrite => Site::FsWrite,
            FaultKind::ReadIo | FaultKind::ShortRead => Site::FsRead,
            FaultKind::SyncIo => Site::FsSync,
            FaultKind::RenameIo => Site::FsRename,
            FaultKind::Http500
            | FaultKind::Http503
            | FaultKind::HttpRefused
            | FaultKind::HttpReset
            | FaultKind::HttpCut
            | FaultKind::HttpLatency => Site::Http,
            FaultKind::ClockBack | FaultKind::ClockJump => Site::WallClock,
            FaultKind::StdinShort => Site::StdinRead,
        }
    }

    /// Its group.
    pub fn group(self) -> Group {
        match self.site() {
            Site::FsWrite | Site::FsRead | Site::FsSync | Site::FsRename => Group::Fs,
            Site::Http => Group::Http,
            Site::WallClock => Group::Clock,
            Site::StdinRead => Group::Stdin,
        }
    }

    /// Does it make a call return less than asked, which only some calls
    /// may do?
    pub fn is_short(self) -> bool {
        matches!(self, FaultKind::ShortWrite | FaultKind::ShortRead)
    }

    /// What its value is: `None` when it takes none.
    pub(super) fn value(self) -> Option<Value> {
        match self {
            FaultKind::NoSpaceAfter => Some(Value::Bytes),
            FaultKind::HttpLatency | FaultKind::ClockBack | FaultKind::ClockJump => Some(Value::Duration),
            _ => None,
        }
    }

    /// Does it strike at an occurrence (`#N`), rather than from a count of
    /// bytes on?
    pub(super) fn has_nth(self) -> bool {
        self != FaultKind::NoSpaceAfter
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value {
    Bytes,
    Duration,
}

/// How often each kind could have struck in a run: the occurrences of
/// its site (for the short kinds, only those that may answer short), and
/// the bytes written. A draw picks among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteCounts {
    pub(super) per_kind: [u64; FaultKind::ALL.len()],
    /// Bytes written to files.
    pub bytes_written: u64,
}

impl SiteCounts {
    /// The occurrences `kind` could strike.
    pub fn of(&self, kind: FaultKind) -> u64 {
        self.per_kind[kind as usize]
    }

    /// Could `kind` strike at all?
    pub fn could_strike(&self, kind: FaultKind) -> bool {
        match kind {
            FaultKind::NoSpaceAfter => self.bytes_written > 0,
            k => self.of(k) > 0,
        }
    }
}
