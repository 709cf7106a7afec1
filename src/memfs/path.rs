//! Path parsing. A MemFs path is a `/`-separated string; a leading `/` is
//! optional and means the MemFs root, never the host's. Empty components and
//! `.` are dropped here; `..` is kept, because it can only be resolved
//! against the tree (after following symlinks), as POSIX does.

use super::error::ErrorKind;
use smallvec::SmallVec;

/// Components of a path, held inline up to this many.
pub(crate) type Components<'a> = SmallVec<[&'a str; 12]>;

/// Splits a path into its meaningful components.
pub(crate) fn components(path: &str) -> Result<Components<'_>, ErrorKind> {
    if path.is_empty() {
        return Err(ErrorKind::NotFound);
    }
    // One pass over the bytes: paths are short, and splitting with
    // `str::split` costs more than the walk that follows.
    let mut out = Components::new();
    let mut start = 0;
    for (i, &b) in path.as_bytes().iter().enumerate() {
        match b {
            0 => return Err(ErrorKind::InvalidPath),
            b'/' => {
                push_component(&mut out, &path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_component(&mut out, &path[start..]);
    Ok(out)
}

fn push_component<'a>(out: &mut Components<'a>, c: &'a str) {
    if !c.is_empty() && c != "." {
        out.push(c);
    }
}

/// Joins a parent path and a child name into a normalized absolute path.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent == "/" { format!("/{name}") } else { format!("{parent}/{name}") }
}
