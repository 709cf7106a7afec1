//! How a guest's path names its last component, the way wasmtime-wasi's
//! sandboxed primitives (cap-std's, over Linux) read it.
//!
//! MemFs drops empty and `.` components, so `a.txt/` and `a.txt` are one
//! path to it. A WASI host is stricter about the end of a path: a trailing
//! `/` or `/.` makes the last component a directory, and the calls that
//! act on an entry (mkdir, unlink, rmdir, rename, link, symlink, readlink)
//! split the path into the directory that holds the entry and the entry's
//! name, which is `.` when the path ends in `/`, `.` or `..`. This module
//! does that split; the descriptor host then answers for `.` as Linux does.

use crate::memfs::{At, ErrorKind, Ino, Kind, MemFs};

/// The last component of a path, after [`split_parent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base<'a> {
    /// A name to act on inside the parent.
    Name(&'a str),
    /// The parent itself (`.`): the path ended in `/`, `.` or `..`.
    Dot,
}

/// Does the path end in `/` or `/.`, so that it must name a directory?
pub(crate) fn requires_dir(path: &str) -> bool {
    path.ends_with('/') || path.ends_with("/.")
}

/// Does the path end in `/`?
pub(crate) fn has_trailing_slash(path: &str) -> bool {
    path.ends_with('/')
}

/// The path without trailing slashes, keeping a lone `/`.
pub(crate) fn strip_dir_suffix(path: &str) -> &str {
    let stripped = path.trim_end_matches('/');
    if stripped.is_empty() && !path.is_empty() { "/" } else { stripped }
}

/// Splits `path` into the directory to resolve first and the component to
/// act on in it. `None` for the empty path (`no-entry`). An empty parent
/// means the descriptor's own directory.
pub(crate) fn split_parent(path: &str) -> Option<(&str, Base<'_>)> {
    if path.is_empty() {
        return None;
    }
    if requires_dir(path) {
        return Some((path, Base::Dot));
    }
    match split_last(path) {
        (parent, ".") => Some((parent, Base::Dot)),
        (_, "..") => Some((path, Base::Dot)),
        (parent, name) => Some((parent, Base::Name(name))),
    }
}

/// The path before its last `/` and the component after it; `/b` has the
/// root as its parent, `b` the empty path.
fn split_last(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// How an `open-at` or `stat-at` path ends, as the Linux path walk sees
/// it: `(walk, last, must_be_dir)`. `walk` is resolved as a directory
/// first, then `last` in it (`None` when the path names that directory
/// itself, as `.`, `..` or `/.` endings do).
pub(crate) fn last_component(path: &str) -> (&str, Option<&str>, bool) {
    let trailing = has_trailing_slash(path);
    let stripped = strip_dir_suffix(path);
    match split_last(stripped) {
        (_, "." | ".." | "") => (stripped, None, true),
        (parent, name) => (parent, Some(name), trailing),
    }
}

/// Resolves `walk` under `at` to a directory, following symlinks; an
/// empty `walk` is `at` itself. The wall stays `at`'s.
pub(crate) fn walk_dir(fs: &MemFs, at: At, walk: &str) -> Result<At, ErrorKind> {
    if walk.is_empty() {
        return Ok(at);
    }
    let ino = fs.lookup_at(at, walk, true).map_err(|e| e.kind())?;
    match fs.kind(ino) {
        Kind::Dir => Ok(At { dir: ino, wall: at.wall }),
        _ => Err(ErrorKind::NotDir),
    }
}

/// The inode a `stat-at`-like call names. A path that ends in `/`, `.` or
/// `..` names a directory, and a symlink there is followed to find out.
pub(crate) fn lookup(fs: &MemFs, at: At, path: &str, follow: bool) -> Result<Ino, ErrorKind> {
    if path.is_empty() {
        return Err(ErrorKind::NotFound);
    }
    match last_component(path) {
        (walk, None, _) => walk_dir(fs, at, walk).map(|a| a.dir),
        (walk, Some(name), true) => {
            let dir = walk_dir(fs, at, walk)?;
            walk_dir(fs, dir, name).map(|a| a.dir)
        }
        (_, Some(_), false) => fs.lookup_at(at, path, follow).map_err(|e| e.kind()),
    }
}

/// The directory that holds the entry a path names, and the entry's name
/// in it, for calls that act on an entry.
pub(crate) fn parent<'p>(fs: &MemFs, at: At, path: &'p str) -> Result<(At, Base<'p>), ErrorKind> {
    let (walk, base) = split_parent(path).ok_or(ErrorKind::NotFound)?;
    Ok((walk_dir(fs, at, walk)?, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_cap_std_does() {
        assert_eq!(split_parent(""), None);
        assert_eq!(split_parent("foo/bar/qux"), Some(("foo/bar", Base::Name("qux"))));
        assert_eq!(split_parent("foo"), Some(("", Base::Name("foo"))));
        assert_eq!(split_parent("foo/"), Some(("foo/", Base::Dot)));
        assert_eq!(split_parent("foo/."), Some(("foo/.", Base::Dot)));
        assert_eq!(split_parent("."), Some(("", Base::Dot)));
        assert_eq!(split_parent(".."), Some(("..", Base::Dot)));
        assert_eq!(split_parent("d/.."), Some(("d/..", Base::Dot)));
        assert_eq!(split_parent("/a"), Some(("/", Base::Name("a"))));
        assert_eq!(strip_dir_suffix("foo//"), "foo");
        assert_eq!(strip_dir_suffix("/"), "/");
        assert_eq!(strip_dir_suffix("//"), "/");
    }

    #[test]
    fn finds_the_last_component_as_linux_does() {
        assert_eq!(last_component("a.txt"), ("", Some("a.txt"), false));
        assert_eq!(last_component("a.txt/"), ("", Some("a.txt"), true));
        assert_eq!(last_component("a.txt/."), ("a.txt/.", None, true));
        assert_eq!(last_component("d/e/.."), ("d/e/..", None, true));
        assert_eq!(last_component("d/b.txt"), ("d", Some("b.txt"), false));
        assert_eq!(last_component("/a"), ("/", Some("a"), false));
    }
}
