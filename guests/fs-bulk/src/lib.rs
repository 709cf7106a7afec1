//! `fs-bulk`: the filesystem-heavy scenario. Writes FILES files of SIZE
//! bytes (default 10,000 of 1 KiB) under `bulk/`, a hundred to a directory
//! in two levels of ten, then lists every directory and reads every file
//! back, checking each byte. Arguments: `fs-bulk [FILES [SIZE]]`.

use replay_guest::{main, os, println};

main!(run);

const PER_DIR: usize = 100;

async fn run() {
    let args = os::args();
    let number = |i: usize, default: usize| args.get(i).map_or(default, |a| a.parse().expect("a number"));
    let (files, size) = (number(1, 10_000), number(2, 1024));
    let (root, _) = os::root();

    let dirs = files.div_ceil(PER_DIR);
    root.mkdir("bulk").await.unwrap();
    for top in 0..dirs.div_ceil(10) {
        root.mkdir(&format!("bulk/{top:02}")).await.unwrap();
    }
    for d in 0..dirs {
        root.mkdir(&dir_of(d)).await.unwrap();
    }
    let base = pattern(size);
    for i in 0..files {
        root.write(&path_of(i), &content(&base, i)).await.unwrap();
    }
    println!("wrote {files} files of {size} bytes in {dirs} directories");

    let mut listed = 0;
    for d in 0..dirs {
        listed += root.readdir(&dir_of(d)).await.unwrap().len();
    }
    let (mut bad, mut read) = (0, 0);
    for i in 0..files {
        let data = root.read(&path_of(i)).await.unwrap();
        read += data.len();
        if data != content(&base, i) {
            bad += 1;
        }
    }
    println!("listed {listed} entries; read back {files} files, {read} bytes, {bad} differ");
}

fn dir_of(d: usize) -> String {
    format!("bulk/{:02}/{:01}", d / 10, d % 10)
}

fn path_of(i: usize) -> String {
    format!("{}/{:05}.bin", dir_of(i / PER_DIR), i)
}

/// SIZE bytes from a small xorshift, made once: the guest's own work stays
/// small next to the filesystem's.
fn pattern(size: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// File `i`'s content: the pattern with the file's number over its first
/// bytes, so that no two files are alike.
fn content(base: &[u8], i: usize) -> Vec<u8> {
    let mut data = base.to_vec();
    let n = (i as u64).to_le_bytes();
    let k = n.len().min(data.len());
    data[..k].copy_from_slice(&n[..k]);
    data
}
