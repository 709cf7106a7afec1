//! Bounded inputs: every file the harness reads on a user's behalf has a
//! cap, and a source past it (a sparse file of gigabytes, `/dev/zero`, a
//! pipe) is refused in one line naming the file and the cap, with exit 2,
//! without reading more than the cap. Special files never hang a read.

use super::{bad_input, cli, p2, stderr};
use std::path::Path;

/// A sparse file of `len` bytes: large on paper, nothing on disk.
fn sparse(dir: &Path, name: &str, len: u64) -> String {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path.display().to_string()
}

const CAP: &str = "larger than the input cap of 67108864 bytes (raise it with `--input-bytes` or `limits.input-bytes`)";

#[test]
fn stdin_files_are_capped_and_special_files_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fs_tree = p2("fs-tree");
    let fs_tree = fs_tree.to_str().unwrap();
    let big = sparse(dir.path(), "stdin.bin", 3 << 30);
    bad_input(&["run", fs_tree, "--stdin", &big], &format!("--stdin: {big}: {CAP}"));
    bad_input(&["run", fs_tree, "--stdin", "/dev/zero", "--input-bytes", "4096"], "--stdin: /dev/zero: larger than the input cap of 4096 bytes");
    let dir_path = dir.path().display().to_string();
    bad_input(&["run", fs_tree, "--stdin", &dir_path], &format!("--stdin: {dir_path}: is a directory, not a file"));
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.display().to_string();
    bad_input(&["run", fs_tree, "--stdin", &fifo], &format!("--stdin: {fifo}: is a FIFO or socket, not a file"));
    // The harness's own stdin, through a pipe, stops at the cap too.
    let out = cli().args(["run", fs_tree, "--stdin", "-", "--input-bytes", "1000"]).write_stdin(vec![0u8; 100_000]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: --stdin: -: larger than the input cap of 1000 bytes (raise it with `--input-bytes` or `limits.input-bytes`)\n");
    // Under the cap, it runs.
    let out = cli().args(["run", fs_tree, "--stdin", "-", "--input-bytes", "1000"]).write_stdin(vec![b'x'; 1000]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn request_and_mock_bodies_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let handler = p2("http-handler");
    let handler = handler.to_str().unwrap();
    bad_input(&["run", handler, "--request", "POST /echo", "--request-body", "/dev/zero"], &format!("--request-body: /dev/zero: {CAP}"));
    let body = sparse(dir.path(), "body.bin", 1 << 40);
    let mocks = dir.path().join("mocks.toml");
    std::fs::write(&mocks, "[[mock]]\nurl-prefix = \"https://api.example.com/\"\nbody-file = \"body.bin\"\n").unwrap();
    let get = p2("http-get");
    bad_input(
        &["run", get.to_str().unwrap(), "--http-mock", mocks.to_str().unwrap()],
        &format!("http mock #0: field `body-file`: {body}: {CAP}"),
    );
}

#[test]
fn scenario_files_journal_files_and_fixtures_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sparse(dir.path(), "huge.toml", 3 << 30);
    bad_input(&["test", &scenario], &format!("{scenario}: cannot read: {CAP}"));
    let journal = sparse(dir.path(), "run.journal.yaml", 3 << 30);
    bad_input(&["replay", &journal, p2("fs-tree").to_str().unwrap()], &format!("cannot read {journal}: {CAP}"));

    // A scenario's own limit lowers (or raises) the cap of what it names.
    std::fs::write(dir.path().join("in.txt"), "0123456789").unwrap();
    let case = dir.path().join("case.toml");
    std::fs::write(&case, "guest = \"fs-tree\"\nstdin-file = \"in.txt\"\nlimits = { input-bytes = 9 }\n").unwrap();
    bad_input(&["test", case.to_str().unwrap()], "field `stdin-file`");
    bad_input(&["test", case.to_str().unwrap()], "larger than the input cap of 9 bytes");

    // A fixture tree is bounded by the run's MemFs quota as it is read:
    // a file of a terabyte fails before a byte of it is read.
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    sparse(&dir.path().join("tree"), "disk.img", 1 << 40);
    std::fs::write(&case, "guest = \"fs-tree\"\nfixture = \"tree\"\n").unwrap();
    bad_input(&["test", case.to_str().unwrap()], "field `fixture`: /disk.img: no space left (quota)");
    bad_input(&["run", p2("fs-tree").to_str().unwrap(), "--fs", dir.path().join("tree").to_str().unwrap()], "--fs: /disk.img: no space left (quota)");
}
