//! The RSS of a MemFs with 100,000 files.

use super::measure::rss_bytes;
use std::time::Instant;
use wasi_replay::memfs::MemFs;

/// Target 5: a MemFs of 100,000 files of 100 bytes, 1,000 to a directory.
pub(super) fn memory() {
    const FILES: usize = 100_000;
    let before = rss_bytes();
    let mut fs = MemFs::new();
    let t = Instant::now();
    for i in 0..FILES {
        let dir = format!("/m/{:02}", i / 1000);
        if i % 1000 == 0 {
            fs.mkdir_p(&dir).expect("mkdir in a fresh MemFs");
        }
        let mut data = [0u8; 100];
        data[..8].copy_from_slice(&(i as u64).to_le_bytes());
        fs.write(&format!("{dir}/{i:06}"), data).expect("write in a fresh MemFs");
    }
    let built = t.elapsed();
    let after = rss_bytes();
    println!();
    println!("MemFs of {FILES} files of 100 bytes ({} inodes), built in {:.0} ms", fs.inode_count(), built.as_secs_f64() * 1e3);
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "  process RSS {:.1} MB before, {:.1} MB after: {} bytes per inode",
            b as f64 / 1e6,
            a as f64 / 1e6,
            a.saturating_sub(b) / fs.inode_count()
        ),
        _ => println!("  RSS: not available on this system"),
    }
    drop(fs);
}

