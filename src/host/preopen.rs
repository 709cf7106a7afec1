//! Preopened directories: what the guest is told, and where each lives in
//! the MemFs.

/// One preopened directory as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The path the guest is told (`/`, `.`, `/data`, …).
    pub guest_path: String,
    /// Enforced by the host: any change under it is `not-permitted`, as
    /// wasmtime-wasi answers.
    pub read_only: bool,
}

impl Preopen {
    /// A read-write preopen.
    pub fn rw(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: false }
    }

    /// A read-only preopen.
    pub fn ro(guest_path: impl Into<String>) -> Self {
        Preopen { guest_path: guest_path.into(), read_only: true }
    }

    /// Where this preopen's root lives in the MemFs: the guest path made
    /// absolute (`.` and `/` are the MemFs root).
    pub fn memfs_path(&self) -> String {
        let trimmed = self.guest_path.trim_start_matches("./").trim_matches('/');
        if trimmed.is_empty() || trimmed == "." { "/".into() } else { format!("/{trimmed}") }
    }
}
