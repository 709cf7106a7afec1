//! The p1 descriptor table, as wasmtime-wasi keeps it: stdio at 0 to 2,
//! the preopens next, the highest freed number reused first.

use super::*;

/// A descriptor number's meaning.
pub(super) enum Desc {
    Stdin,
    Stdout,
    Stderr,
    Dir { fd: Resource<Handle>, preopen: Option<String> },
    File(File),
}

pub(super) struct File {
    pub(super) fd: Resource<Handle>,
    pub(super) pos: u64,
    pub(super) append: bool,
    pub(super) nonblock: bool,
}

/// Descriptor numbers, handed out as wasmtime-wasi hands them out.
#[derive(Default)]
pub(super) struct Fds {
    pub(super) used: BTreeMap<u32, Desc>,
    pub(super) free: BTreeSet<u32>,
}

impl Fds {
    /// The highest freed number, else one past the highest in use.
    pub(super) fn push(&mut self, d: Desc) -> Option<u32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((&last, _)) => last.checked_add(1).or_else(|| (0..u32::MAX).rev().find(|n| !self.used.contains_key(n)))?,
                None => 0,
            },
        };
        self.used.insert(fd, d);
        Some(fd)
    }
}

pub(super) fn borrow(r: &Resource<Handle>) -> Resource<Handle> {
    Resource::new_borrow(r.rep())
}
