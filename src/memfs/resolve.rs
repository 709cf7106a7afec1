//! Path resolution: one walk that follows symlinks, resolves `..` against
//! the directories actually walked, and never rises above its floor.
//!
//! There are two floors. The MemFs root *clamps*: `..` there stays there
//! and an absolute path or symlink target starts over from it, as inside a
//! chroot. A guest's preopen is a *wall*: an absolute path, a `..` above it
//! or an absolute symlink target fails with [`ErrorKind::NotPermitted`], as
//! WASI asks.

use super::path::components;
use super::{ErrorKind, Ino, MAX_SYMLINKS, MemFs, Node, ROOT};
use smallvec::SmallVec;

/// Where a relative path starts, and what it may not rise above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// The directory the path is relative to.
    pub dir: Ino,
    /// A wall the path may not rise above (a guest's preopen), or `None`
    /// to clamp at the MemFs root.
    pub wall: Option<Ino>,
}

impl At {
    /// Relative to the MemFs root, clamped there.
    pub const ROOT: At = At { dir: ROOT, wall: None };

    /// Relative to `dir`, never above `wall`.
    pub(crate) fn walled(dir: Ino, wall: Ino) -> Self {
        At { dir, wall: Some(wall) }
    }
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The directory that holds (or would hold) the final entry.
    pub(crate) parent: Ino,
    /// The final component, or `None` when the path ends at the root, `.`
    /// or `..` and so names a directory without naming an entry in it.
    pub(crate) name: Option<String>,
    /// The entry's inode, if it exists.
    pub(crate) ino: Option<Ino>,
}

impl Resolved {
    /// The inode, or `NotFound`.
    pub(crate) fn found(&self) -> Result<Ino, ErrorKind> {
        self.ino.ok_or(ErrorKind::NotFound)
    }

    /// Parent and name for a new entry, or why one cannot go here.
    pub(crate) fn creatable(&self) -> Result<(Ino, String), ErrorKind> {
        match (&self.name, self.ino) {
            (_, Some(_)) => Err(ErrorKind::Exists),
            (Some(n), None) => Ok((self.parent, n.clone())),
            (None, None) => Err(ErrorKind::InvalidPath),
        }
    }

    /// Parent, name and inode of an entry that must exist and be removable.
    pub(crate) fn existing(&self) -> Result<(Ino, String, Ino), ErrorKind> {
        let ino = self.found()?;
        match &self.name {
            Some(n) => Ok((self.parent, n.clone(), ino)),
            None => Err(ErrorKind::InvalidPath),
        }
    }
}

impl MemFs {
    /// Resolves `path` from the root. Intermediate symlinks are always
    /// followed; a symlink in the last position only when `follow_last`.
    pub(crate) fn resolve(&self, path: &str, follow_last: bool) -> Result<Resolved, ErrorKind> {
        self.resolve_at(At::ROOT, path, follow_last)
    }

    /// Resolves `path` relative to `at`.
    pub(crate) fn resolve_at<'a>(&'a self, at: At, path: &'a str, follow_last: bool) -> Result<Resolved, ErrorKind> {
        // Components borrow from `path` and from the symlink targets
        // spliced in, and are kept last first (the next one on top); for a
        // usual path the walk allocates nothing but the name it returns.
        let mut todo = components(path)?;
        todo.reverse();
        let floor = at.wall.unwrap_or(ROOT);
        if at.wall.is_some() && path.starts_with('/') {
            return Err(ErrorKind::NotPermitted);
        }
        // The directories from the floor down to `at.dir`, via parent links.
        let mut stack: SmallVec<[Ino; 16]> = SmallVec::new();
        stack.push(at.dir);
        while *stack.last().expect("nonempty") != floor {
            let top = *stack.last().expect("nonempty");
            if top == ROOT || !self.inodes.contains_key(&top) {
                return Err(ErrorKind::NotPermitted);
            }
            stack.push(self.inode(top).parent);
        }
        stack.reverse();
        let mut followed = 0;
        while let Some(comp) = todo.pop() {
            let dir = *stack.last().expect("root");
            if comp == ".." {
                if stack.len() > 1 {
                    stack.pop();
                } else if at.wall.is_some() {
                    return Err(ErrorKind::NotPermitted);
                }
                continue;
            }
            let Node::Dir(entries) = &self.inode(dir).node else {
                return Err(ErrorKind::NotDir);
            };
            let is_last = todo.is_empty();
            let Some(&ino) = entries.get(comp) else {
                // No entry has a longer name, so the length matters only
                // here, where Linux's lookup of the component checks it.
                if comp.len() > super::MAX_NAME {
                    return Err(ErrorKind::NameTooLong);
                }
                if is_last {
                    return Ok(Resolved { parent: dir, name: Some(comp.to_string()), ino: None });
                }
                return Err(ErrorKind::NotFound);
            };
            if let Node::Symlink(target) = &self.inode(ino).node
                && (!is_last || follow_last)
            {
                followed += 1;
                if followed > MAX_SYMLINKS {
                    return Err(ErrorKind::Loop);
                }
                let spliced = components(target)?;
                if target.starts_with('/') {
                    if at.wall.is_some() {
                        return Err(ErrorKind::NotPermitted);
                    }
                    stack.truncate(1);
                }
                todo.extend(spliced.into_iter().rev());
                continue;
            }
            if is_last {
                return Ok(Resolved { parent: dir, name: Some(comp.to_string()), ino: Some(ino) });
            }
            stack.push(ino);
        }
        // The path ended on `..`, `.`, the root, or a followed symlink to a
        // directory: it names the directory on top of the stack.
        let ino = stack.pop().expect("root");
        let parent = stack.last().copied().unwrap_or(self.inode(ino).parent);
        Ok(Resolved { parent, name: None, ino: Some(ino) })
    }
}
