/* fs-rights: what a wasi-libc program may do through directories it opens
 * itself, and what a real WASI host answers for the empty path and for `..`
 * out of such a directory. One line per call, the same on every host that
 * answers as wasmtime-wasi does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

int main(void) {
    int d = open(".", O_RDONLY | O_DIRECTORY);
    say("open . as a directory", d >= 0);
    say("mkdirat through it", mkdirat(d, "sub", 0777) == 0);
    say("openat O_CREAT through it", openat(d, "sub/f.txt", O_CREAT | O_WRONLY, 0666) >= 0);
    struct stat st;
    say("fstatat of the empty path", fstatat(d, "", &st, 0) == 0);
    int s = openat(d, "sub", O_RDONLY | O_DIRECTORY);
    say("openat sub", s >= 0);
    say("openat ../x out of sub", openat(s, "../x", O_RDONLY) >= 0);
    say("fstatat f.txt/ with a trailing slash", fstatat(s, "f.txt/", &st, 0) == 0);
    return 0;
}
