/* cshark: read captures and print them, tshark-style, through libcshark.
 * main() reads the options (options.c), checks them, then runs: the engine
 * once, then every capture in turn (files.c), each opened, shaped and
 * printed (capture.c), or the files in worker processes (workers.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* --check-filter: compile the filter and say so. */
static int check_filter(const cli_options *o)
{
    if (cshark_init(o->init_flags) != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    const char *warning;
    if (cshark_filter_check(o->check, &warning) != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error()); /* tshark -Y's status */
    if (warning)
        fprintf(stderr, "cshark: warning: %s\n", warning);
    return 0;
}

static int run(cli_options *o)
{
    if (cshark_init(o->init_flags) != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    int status = resolve_fields(&o->fields);
    if (status)
        return status;
    static char outbuf[1 << 16];
    /* Live output is read as it comes: a line at a time. */
    setvbuf(stdout, outbuf, o->live.count ? _IOLBF : _IOFBF, sizeof outbuf);
    /* No cshark_shutdown(): the engine's teardown costs more than the exit
     * that frees everything anyway. */
    return read_files(o);
}

int main(int argc, char **argv)
{
    cli_options o;
    /* Like tshark: the user's locale for the engine's text. */
    setlocale(LC_ALL, "");
    cli_watch_memory_limit(); /* before the engine starts (check_options) */
    int status = parse_args(argc, argv, &o);
    if (status < 0 && o.check)
        status = check_filter(&o);
    else if (status < 0 && o.z.help)
        status = analyses_help(stdout);
    else if (status < 0 && (status = check_options(&o)) == 0)
        status = run(&o);
    cli_options_free(&o);
    return status;
}
