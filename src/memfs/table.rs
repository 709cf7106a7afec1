//! The inode table: a slab indexed by inode number. A freed number goes on
//! a stack and is the next one handed out, as a kernel reuses inode
//! numbers, so a guest that creates and deletes files forever holds no
//! more slots than it ever had live at once. The order of reuse depends
//! only on the order of operations, so numbers stay deterministic.

use super::{Ino, Inode};

#[derive(Clone)]
pub(crate) struct InodeTable {
    /// Slot `n` holds inode `n`; slot 0 is never used.
    slots: Vec<Option<Inode>>,
    /// Freed numbers, the most recently freed last.
    free: Vec<Ino>,
    live: usize,
}

impl InodeTable {
    /// A table holding `root` as inode `root_ino`, the first number.
    pub(crate) fn with_root(root_ino: Ino, root: Inode) -> Self {
        let mut slots: Vec<Option<Inode>> = (0..root_ino).map(|_| None).collect();
        slots.push(Some(root));
        InodeTable { slots, free: Vec::new(), live: 1 }
    }

    /// Stores `inode` under a free number and returns the number.
    pub(crate) fn alloc(&mut self, inode: Inode) -> Ino {
        self.live += 1;
        match self.free.pop() {
            Some(ino) => {
                self.slots[ino as usize] = Some(inode);
                ino
            }
            None => {
                self.slots.push(Some(inode));
                (self.slots.len() - 1) as Ino
            }
        }
    }

    pub(crate) fn get(&self, ino: &Ino) -> Option<&Inode> {
        self.slots.get(usize::try_from(*ino).ok()?)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, ino: &Ino) -> Option<&mut Inode> {
        self.slots.get_mut(usize::try_from(*ino).ok()?)?.as_mut()
    }

    pub(crate) fn contains_key(&self, ino: &Ino) -> bool {
        self.get(ino).is_some()
    }

    /// Takes inode `ino` out and frees its number.
    pub(crate) fn remove(&mut self, ino: &Ino) -> Option<Inode> {
        let inode = self.slots.get_mut(usize::try_from(*ino).ok()?)?.take()?;
        self.live -= 1;
        self.free.push(*ino);
        Some(inode)
    }

    /// Live inodes.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Live inodes in number order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Ino, &Inode)> {
        self.slots.iter().enumerate().filter_map(|(n, slot)| slot.as_ref().map(|i| (n as Ino, i)))
    }
}
