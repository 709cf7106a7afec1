/*
 * fs-tree in C: the same scenario as guests/fs-tree, through wasi-libc and
 * WASI preview 1. Its report must equal the Rust guest's p2 report: the
 * same calls in the same order, and the same text printed, including the
 * Rust guest's `Err("...")` and quoted-string forms.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* The WASI error-code name for an errno, as the Rust guest prints it. */
static const char *code(int e) {
    switch (e) {
    case EEXIST: return "exist";
    case ENOTEMPTY: return "not-empty";
    case ENOENT: return "no-entry";
    case ENOTDIR: return "not-directory";
    case EISDIR: return "is-directory";
    default: return strerror(e);
    }
}

static void must(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "%s: %s\n", what, code(errno));
        exit(1);
    }
}

static void write_file(const char *path, const void *data, size_t len, int flags) {
    int fd = open(path, O_WRONLY | flags, 0644);
    must(fd >= 0, path);
    must(write(fd, data, len) == (ssize_t)len, path);
    close(fd);
}

static size_t read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return (size_t)-1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    return n < 0 ? 0 : (size_t)n;
}

static void result(const char *label, int ok) {
    if (ok) printf("%s: Ok(())\n", label);
    else printf("%s: Err(\"%s\")\n", label, code(errno));
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    char name[64] = {0};
    __wasi_prestat_t prestat;
    if (__wasi_fd_prestat_get(3, &prestat) == 0 && prestat.u.dir.pr_name_len < sizeof name &&
        __wasi_fd_prestat_dir_name(3, (uint8_t *)name, prestat.u.dir.pr_name_len) != 0)
        name[0] = 0;
    printf("preopen %s\n", name);

    char buf[4096];
    must(read_file("/fixture/hello.txt", buf, sizeof buf) != (size_t)-1, "fixture");
    buf[strcspn(buf, "\n")] = 0;
    printf("fixture: %s\n", buf);

    must(mkdir("/data", 0755) == 0, "mkdir data");
    must(mkdir("/data/sub", 0755) == 0, "mkdir data/sub");
    write_file("/data/a.txt", "alpha\n", 6, O_CREAT | O_TRUNC);
    write_file("/data/a.txt", "beta\n", 5, O_APPEND);
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++) bytes[i] = (unsigned char)i;
    write_file("/data/sub/bytes.bin", bytes, sizeof bytes, O_CREAT | O_TRUNC);
    write_file("/data/tmp.txt", "short-lived", 11, O_CREAT | O_TRUNC);
    must(mkdir("/data/empty", 0755) == 0, "mkdir data/empty");

    read_file("/data/a.txt", buf, sizeof buf);
    printf("a.txt: \"");
    for (char *c = buf; *c; c++) {
        if (*c == '\n') printf("\\n");
        else putchar(*c);
    }
    printf("\"\n");
    must(rename("/data/a.txt", "/data/renamed.txt") == 0, "rename");
    must(unlink("/data/tmp.txt") == 0, "unlink");
    must(rmdir("/data/empty") == 0, "rmdir");
    write_file("/fixture/hello.txt", "hello, replaced\n", 16, O_CREAT | O_TRUNC);

    DIR *d = opendir("/data");
    must(d != NULL, "opendir");
    char *names[32];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < 32) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], by_name);
    for (int i = 0; i < count; i++) {
        char path[128];
        struct stat st;
        snprintf(path, sizeof path, "/data/%s", names[i]);
        must(stat(path, &st) == 0, path);
        if (S_ISREG(st.st_mode))
            printf("data/%s: file size=%lld nlink=%llu\n", names[i], (long long)st.st_size,
                   (unsigned long long)st.st_nlink);
        else
            printf("data/%s: dir\n", names[i]);
    }

    result("mkdir data", mkdir("/data", 0755) == 0);
    result("rmdir data", rmdir("/data") == 0);
    struct stat st;
    result("stat missing", stat("/missing", &st) == 0);
    result("read a.txt after rename", read_file("/data/a.txt", buf, sizeof buf) != (size_t)-1);
    return 0;
}
