/* Every capture of the command: each file of -r in the order given, read as
 * if by its own tshark run (frame numbers from 1, the options applied to
 * each), into one output. A file that cannot be read is named on stderr and
 * the others are still read (exit status 2 at the end); an error of the
 * options (a bad filter) or of stdout stops at once. -j N reads them in
 * workers (workers.c) with the same output.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

void report(capture_result *r, int *status)
{
    if (!r->status)
        return;
    cli_fail(r->status, "%s", r->message);
    /* The first failure's status, unless a later one stops the command. */
    if (!*status || r->fatal)
        *status = r->status;
}

/* -j 0: one worker per core this process may run on. */
static unsigned cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int read_files(const cli_options *o)
{
    unsigned workers = o->jobs ? (unsigned)o->jobs : cores();
    if (workers > o->npaths)
        workers = (unsigned)o->npaths;
    if (workers > 1)
        return read_in_workers(o, workers);

    size_t n = o->npaths ? o->npaths : 1; /* none: the live capture */
    capture_out co = { .out = stdout, .head = 1 };
    capture_result r;
    int status = 0, started = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = o->npaths ? o->paths[i] : NULL;
        co.json_file = o->npaths > 1 ? path : NULL;
        co.head = !started;
        read_capture(o, path, &co, &r);
        started |= r.started;
        report(&r, &status);
        if (r.interrupted && !status)
            status = EXIT_CAPTURE;
        if (r.fatal || r.interrupted)
            break;
    }
    if (started)
        print_finale(stdout, o);
    if (fflush(stdout) != 0 && !status)
        status = cli_fail(EXIT_CAPTURE, "%s", "error writing to standard output");
    return status;
}
