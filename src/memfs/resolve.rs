//! Path resolution: one walk from the root that follows symlinks, resolves
//! `..` against the directories actually walked, and never rises above the
//! root.

use super::path::components;
use super::{ErrorKind, Ino, MAX_SYMLINKS, MemFs, Node, ROOT};

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
        let mut todo = components(path)?;
        let mut stack: Vec<Ino> = vec![ROOT];
        let mut followed = 0;
        while let Some(comp) = todo.pop_front() {
            let dir = *stack.last().expect("root");
            if comp == ".." {
                if stack.len() > 1 {
                    stack.pop();
                }
                continue;
            }
            let Node::Dir(entries) = &self.inode(dir).node else {
                return Err(ErrorKind::NotDir);
            };
            let is_last = todo.is_empty();
            let Some(&ino) = entries.get(&comp) else {
                if is_last {
                    return Ok(Resolved { parent: dir, name: Some(comp), ino: None });
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
                let mut spliced = components(target)?;
                if target.starts_with('/') {
                    stack.truncate(1);
                }
                spliced.extend(todo.drain(..));
                todo = spliced;
                continue;
            }
            if is_last {
                return Ok(Resolved { parent: dir, name: Some(comp), ino: Some(ino) });
            }
            stack.push(ino);
        }
        // The path ended on `..`, `.`, the root, or a followed symlink to a
        // directory: it names the directory on top of the stack.
        let ino = stack.pop().expect("root");
        let parent = stack.last().copied().unwrap_or(ROOT);
        Ok(Resolved { parent, name: None, ino: Some(ino) })
    }
}
