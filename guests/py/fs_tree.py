"""fs-tree in Python: the scenario of guests/fs-tree, through CPython's os
module (wasi-libc over WASI 0.2). Its report must equal the Rust guest's
p2 report apart from the guest's name: the same calls in the same order,
and the same text, including the Rust guest's Err("...") and quoted-string
forms."""

import errno
import os

from wit_world import exports
from wit_world.imports import preopens

# The WASI error-code name for an errno, as the Rust guest prints it.
CODES = {
    errno.EEXIST: "exist",
    errno.ENOTEMPTY: "not-empty",
    errno.ENOENT: "no-entry",
    errno.ENOTDIR: "not-directory",
    errno.EISDIR: "is-directory",
}


def result(label, action):
    try:
        action()
        print(f"{label}: Ok(())")
    except OSError as e:
        print(f'{label}: Err("{CODES.get(e.errno, e.strerror)}")')


def write(path, data, mode="wb"):
    with open(path, mode) as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Run(exports.Run):
    def run(self) -> None:
        dirs = preopens.get_directories()
        print(f"preopen {dirs[0][1] if dirs else ''}")

        fixture = read("/fixture/hello.txt").decode()
        print(f"fixture: {fixture.rstrip()}")

        os.mkdir("/data")
        os.mkdir("/data/sub")
        write("/data/a.txt", b"alpha\n")
        write("/data/a.txt", b"beta\n", "ab")
        write("/data/sub/bytes.bin", bytes(range(256)))
        write("/data/tmp.txt", b"short-lived")
        os.mkdir("/data/empty")

        a = read("/data/a.txt").decode()
        print('a.txt: "' + a.replace("\n", "\\n") + '"')
        os.rename("/data/a.txt", "/data/renamed.txt")
        os.remove("/data/tmp.txt")
        os.rmdir("/data/empty")
        write("/fixture/hello.txt", b"hello, replaced\n")

        for name in sorted(os.listdir("/data")):
            st = os.stat(f"/data/{name}")
            if os.path.isfile(f"/data/{name}"):
                print(f"data/{name}: file size={st.st_size} nlink={st.st_nlink}")
            else:
                print(f"data/{name}: dir")

        result("mkdir data", lambda: os.mkdir("/data"))
        result("rmdir data", lambda: os.rmdir("/data"))
        result("stat missing", lambda: os.stat("/missing"))
        result("read a.txt after rename", lambda: read("/data/a.txt"))
