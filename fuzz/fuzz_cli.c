/* fuzz_cli: the input is a command line for the cshark CLI, its arguments
 * separated by NUL bytes (argv[0] is "cshark"). It goes through the CLI's
 * own parser and checks (cli/options.c: parse_args, check_options), as
 * main() runs them; a command that passes and reads files is then run
 * (cli/files.c: read_files) on fuzz/data/small.pcap in place of its -r
 * files, its output into /dev/null. Live captures, -w, --export-objects,
 * -j workers and external name resolution are parsed but not run.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "common.h"

enum { MAX_ARGS = 64 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    /* -h, -v, -D and the packets print to stdout. */
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

/* Whether the command only reads the -r files and prints. */
static int runnable(const cli_options *o, char **argv, int argc)
{
    if (o->live.count || o->live.write || !o->npaths || (o->resolve && strchr(o->resolve, 'N')))
        return 0;
    for (size_t i = 0; i < o->z.count; i++)
        if (o->z.folders[i])
            return 0;
    /* Refused filters make the engine leak (common.h): left to --check-filter. */
    if ((o->filter && fuzz_filter_refused(o->filter)) ||
        (o->trailing && fuzz_filter_refused(o->trailing)))
        return 0;
    for (size_t i = 0; i < o->z.count; i++)
        if (fuzz_spec_refused(o->z.specs[i]))
            return 0;
    /* Files the engine would write, devices and /proc it would read forever. */
    for (int i = 1; i < argc; i++)
        if (strstr(argv[i], "debug_file") || strstr(argv[i], "/dev/") ||
            strstr(argv[i], "/proc/") || strstr(argv[i], "/sys/"))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char *argv[MAX_ARGS + 2];
    char *keep[MAX_ARGS + 2]; /* getopt permutes argv */
    int argc = 0;
    argv[argc++] = "cshark";
    for (size_t at = 0; at < size && argc <= MAX_ARGS;) {
        argv[argc++] = text + at;
        at += strlen(text + at) + 1;
    }
    argv[argc] = NULL;
    memcpy(keep, argv, sizeof argv);

    cli_options o;
    optind = 0; /* a new parse: glibc's getopt starts afresh */
    int status = parse_args(argc, argv, &o);
    if (status < 0 && o.check) {
        const char *warning;
        int let_off = fuzz_engine_leaks_begin("dfilter:");
        cshark_filter_check(o.check, &warning);
        fuzz_engine_leaks_end(let_off);
    } else if (status < 0 && o.z.help) {
        analyses_help(stdout);
    } else if (status < 0 && check_options(&o) == 0 && runnable(&o, keep, argc) &&
               resolve_fields(&o.fields) == 0) {
        const char *small = fuzz_small_capture();
        if (o.npaths > 2)
            o.npaths = 2;
        for (size_t i = 0; i < o.npaths; i++)
            o.paths[i] = small;
        o.path = small;
        o.jobs = 1;
        int let_off = 0;
        for (int i = 1; i < argc && !let_off; i++)
            let_off = fuzz_engine_leaks_begin(keep[i]);
        read_files(&o);
        fuzz_engine_leaks_end(let_off);
    }
    fflush(stdout);
    cli_options_free(&o);
    free(text);
    return 0;
}
