/*
 * record-parser in C: the record format of guests/record-parser read from
 * stdin, the same lines printed, and the same bug. A blob's length is
 * trusted: where the Rust guest's slice index panics, this one's `take`
 * reports the blob and aborts, as a C parser built with its bounds
 * assertions on does. With --checked the length is checked like the other
 * kinds'. A WASI p1 module, searched by `wasi-replay fuzz` as it is built.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char input[65536];
static size_t size;

static char lines[64][320];
static int nlines;

static char why[160];

/* A line to print once the file is read. */
static void line(const char *fmt, ...) {
    if (nlines == 64) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lines[nlines++], sizeof lines[0], fmt, ap);
    va_end(ap);
}

/* The byte at `at`, or -1 with `why` set when the file ends before it. */
static int byte(size_t at) {
    if (at >= size) {
        snprintf(why, sizeof why, "ends at byte %zu", at);
        return -1;
    }
    return input[at];
}

/* `len` bytes from `at`, which the caller says are there. */
static const unsigned char *take(size_t at, size_t len) {
    if (at + len > size) {
        fprintf(stderr, "take: %zu bytes at %zu run past the end (%zu bytes)\n", len, at, size);
        abort();
    }
    return input + at;
}

/* The count, or -1 with `why` set. */
static int parse(int checked) {
    int b;
    if ((b = byte(0)) < 0) return -1;
    if (b != 'R') { strcpy(why, "not a record file"); return -1; }
    if ((b = byte(1)) < 0) return -1;
    if (b != 'E') { strcpy(why, "not a record file"); return -1; }
    if ((b = byte(2)) < 0) return -1;
    if (b != 'C') { strcpy(why, "not a record file"); return -1; }
    int version = byte(3);
    if (version < 0) return -1;
    size_t at;
    if (version == 1) {
        at = 4;
    } else if (version == 2) {
        int flags = byte(4);
        if (flags < 0) return -1;
        if (flags & 0x80) line("flags: compressed (ignored)");
        at = 5;
    } else {
        snprintf(why, sizeof why, "version %d is not 1 or 2", version);
        return -1;
    }
    int count = byte(at);
    if (count < 0) return -1;
    int check = byte(at + 1);
    if (check < 0) return -1;
    if (check != 255 - count) { strcpy(why, "the header's check byte does not match"); return -1; }
    at += 2;
    for (int i = 0; i < count; i++) {
        int kind = byte(at);
        if (kind < 0) return -1;
        int len = byte(at + 1);
        if (len < 0) return -1;
        at += 2;
        size_t left = at < size ? size - at : 0;
        if (kind == 't' || kind == 'n') {
            const char *name = kind == 't' ? "text" : "number";
            if ((size_t)len > left) { snprintf(why, sizeof why, "record %d: %s runs past the end", i, name); return -1; }
            const char *data = (const char *)input + at;
            if (kind == 't') {
                line("text: %.*s", len, data);
            } else {
                unsigned long long n = 0;
                int digits = 0;
                for (int k = 0; k < len; k++) {
                    if (data[k] < '0' || data[k] > '9') { digits = -1; break; }
                    n = n * 10 + (unsigned)(data[k] - '0');
                    digits++;
                }
                if (digits <= 0) { snprintf(why, sizeof why, "record %d: not a number", i); return -1; }
                line("number: %llu", n);
            }
        } else if (kind == 'b' && version >= 2) {
            if (checked && (size_t)len > left) { snprintf(why, sizeof why, "record %d: blob runs past the end", i); return -1; }
            const unsigned char *data = take(at, (size_t)len);
            unsigned char sum = 0;
            for (int k = 0; k < len; k++) sum = (unsigned char)(sum + data[k]);
            line("blob: %d bytes, sum %d", len, sum);
        } else {
            snprintf(why, sizeof why, "record %d: unknown kind %d", i, kind);
            return -1;
        }
        at += (size_t)len;
    }
    return count;
}

int main(int argc, char **argv) {
    int checked = 0;
    for (int i = 1; i < argc; i++) checked |= strcmp(argv[i], "--checked") == 0;
    size = fread(input, 1, sizeof input, stdin);
    int count = parse(checked);
    for (int i = 0; i < nlines; i++) printf("%s\n", lines[i]);
    if (count < 0) printf("rejected: %s\n", why);
    else printf("ok: %d records\n", count);
    return 0;
}
