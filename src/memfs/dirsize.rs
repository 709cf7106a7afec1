//! A directory's size as ext4 gives it, the filesystem of a typical Linux
//! production host.
//!
//! ext4 stores a directory's entries in 4096-byte blocks, each entry an
//! 8-byte header and its name padded to 4 bytes, after `.` and `..` (12
//! bytes each). While they fit one block the directory is 4096 bytes. When
//! they outgrow it, ext4 turns the directory into a hashed index: a root
//! block and at least two leaf blocks (12288 bytes), a leaf splitting in two
//! when it fills. Which leaf a name lands in depends on a hash seeded per
//! filesystem, so beyond one block no two ext4 filesystems agree to the
//! block; MemFs counts leaves filled to 11/16, which follows a real ext4
//! within a block or two for a few thousand names. A directory never
//! shrinks: removing entries leaves its size, as on ext4.

/// ext4's block size.
pub(crate) const BLOCK: u64 = 4096;

/// The bytes of `.` and `..`.
pub(crate) const DOTS: u64 = 24;

/// The bytes one entry named `name` takes.
pub(crate) fn record(name: &str) -> u64 {
    (8 + name.len() as u64).next_multiple_of(4)
}

/// The size of a directory whose entries take `bytes` (with [`DOTS`]).
pub(crate) fn size_for(bytes: u64) -> u64 {
    if bytes <= BLOCK {
        return BLOCK;
    }
    let leaves = bytes.div_ceil(BLOCK * 11 / 16).max(2);
    BLOCK * (1 + leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes read off ext4 on Linux 6 (`stat -c %s` after each `touch
    /// dir/file_N`): 4096 up to 254 such names, 12288 at the 255th.
    #[test]
    fn one_block_then_an_index_as_ext4_gives() {
        let bytes = |n: u64| DOTS + n * record("file_100");
        assert_eq!(record("file_1"), 16);
        assert_eq!(size_for(DOTS), 4096);
        assert_eq!(size_for(bytes(254)), 4096);
        assert_eq!(size_for(bytes(255)), 12288);
        assert_eq!(size_for(bytes(512)), 16384);
    }
}
