/* p1-cli: the command surface of a WASI p1 program, one line per call:
 * its arguments and environment, a write to a descriptor nobody opened,
 * a sleep measured on the monotonic clock, the wall clock, random bytes,
 * and an exit status taken from argv[1] (33 when there is none). Each line
 * is what `wasmtime run` gives the same program, apart from time and
 * randomness, which are virtual and seeded here. With P1_CLI_WAIT_FOREVER
 * set, it first waits u64::MAX ns on the monotonic clock, a wait nothing
 * can end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static long long ns(struct timespec t) {
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void wait_forever(void) {
    __wasi_subscription_t sub = {0};
    sub.userdata = 1;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = UINT64_MAX;
    __wasi_event_t event;
    __wasi_size_t n;
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &event, 1, &n);
    printf("woke after forever: errno %d\n", e);
}

int main(int argc, char **argv) {
    if (getenv("P1_CLI_WAIT_FOREVER")) {
        wait_forever();
    }
    for (int i = 0; i < argc; i++) {
        printf("arg %d: %s\n", i, argv[i]);
    }
    for (char **e = environ; *e; e++) {
        printf("env: %s\n", *e);
    }
    ssize_t n = write(77, "x", 1);
    printf("write to fd 77: %s\n", n < 0 ? strerror(errno) : "written");

    struct timespec before, after, wall;
    struct timespec nap = {0, 250000000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &after);
    printf("slept %lld ns\n", ns(after) - ns(before));
    clock_gettime(CLOCK_REALTIME, &wall);
    printf("wall clock: %lld s\n", (long long)wall.tv_sec);

    unsigned char r[8];
    getentropy(r, sizeof r);
    printf("random:");
    for (size_t i = 0; i < sizeof r; i++) {
        printf(" %02x", r[i]);
    }
    printf("\n");
    fflush(stdout);
    exit(argc > 1 ? atoi(argv[1]) : 33);
}
