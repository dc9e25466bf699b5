/* Under an address-space limit (ulimit -v), the engine's allocations fail
 * inside GLib, which cannot be told to return an error: g_malloc aborts,
 * and a failing g_vasprintf logs through itself until the stack overflows
 * (docs/RELIABILITY.md). Where a limit is set, this turns those deaths into
 * what they are: an out-of-memory error naming the limit and the file,
 * status 2. Any other crash keeps its signal (and its core).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"

const char *volatile cli_reading; /* the file being read, for the message */
static uint64_t limit;            /* bytes; 0: no limit, nothing caught */

static size_t put(char *buf, size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + at, s, n);
    return at + n;
}

static size_t put_u(char *buf, size_t at, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n)
        buf[at++] = tmp[--n];
    return at;
}

/* The process's address space now, from /proc (open and read are
 * async-signal-safe); 0 if unknown. */
static uint64_t vm_size(void)
{
    char buf[64];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    uint64_t pages = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        pages = pages * 10 + (uint64_t)(buf[i] - '0');
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void on_fatal(int sig)
{
    uint64_t vm = vm_size();
    /* Near the limit: the failed request was the one that crossed it (the
     * engine asks for up to tens of MB at once). */
    if (vm && vm + limit / 4 >= limit) {
        char msg[4400];
        const char *file = cli_reading;
        size_t n = put(msg, 0, "cshark: out of memory: the address space limit (ulimit -v) of ");
        n = put_u(msg, n, limit >> 20);
        n = put(msg, n, " MiB was reached");
        if (file && strlen(file) < 4096) {
            n = put(msg, n, " while reading \"");
            n = put(msg, n, file);
            n = put(msg, n, "\"");
        }
        n = put(msg, n, "\n");
        ssize_t w = write(STDERR_FILENO, msg, n);
        (void)w;
        _exit(EXIT_CAPTURE);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_watch_memory_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    limit = rl.rlim_cur;
    /* One malloc arena: each further thread's (the engine's and GLib's)
     * reserves 64 MB of address space, and failing to get it that thread
     * dies of the same GLib recursion, on a stack without our handler's. */
    mallopt(M_ARENA_MAX, 1);
    /* Its own stack: a GLib recursion ends by overflowing the main one. */
    static char alt[1 << 16];
    stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_ONSTACK };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}
