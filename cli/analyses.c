/* -z and --export-objects: analyses across packets, attached to each capture
 * before its first packet and printed after its last, as tshark prints them:
 * the last given first (its draw order), after the packets (none with -q).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const char *const levels[] = { "error", "warn", "note", "chat", "comment" };

int analyses_option(cli_analyses *z, int opt, const char *arg)
{
    if (opt == 'q') {
        z->quiet = 1;
        return -1;
    }
    if (opt == 'z') {
        if (strcmp(arg, "help") == 0)
            z->help = 1;
        else
            z->specs[z->count++] = arg;
        return -1;
    }
    /* --export-objects PROTO,DIR: the objects analysis, saved at the end. */
    const char *comma = strchr(arg, ',');
    if (!comma || comma == arg || !comma[1])
        return cli_fail(EXIT_USAGE, "--export-objects \"%s\": write it PROTO,DIR (protocols: "
                        "http, imf, smb, tftp, dicom, ftp-data)", arg);
    size_t n = (size_t)(comma - arg);
    for (size_t i = 0; i < z->count; i++)
        if (z->folders[i] && strncmp(z->specs[i] + 8, arg, n) == 0 && !z->specs[i][8 + n])
            return cli_fail(EXIT_USAGE, "--export-objects already names the protocol of \"%s\"",
                            arg);
    char *spec = malloc(n + 9);
    memcpy(spec, "objects,", 8);
    memcpy(spec + 8, arg, n);
    spec[8 + n] = '\0';
    z->folders[z->count] = comma + 1;
    z->specs[z->count++] = spec;
    return -1;
}

/* The level an "expert,..." spec names, or NULL. */
static const char *expert_level(const char *spec)
{
    if (strncmp(spec, "expert,", 7) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
        if (strncasecmp(spec + 7, levels[i], strlen(levels[i])) == 0)
            return levels[i];
    return NULL;
}

/* tshark keeps one expert level for the process: the last one named (else
 * every severity), shared by all its expert analyses. Respelt to that. */
static char *as_tshark_expert(const char *spec, const char *level)
{
    const char *own = expert_level(spec);
    const char *rest = own ? spec + 7 + strlen(own) : spec + strlen("expert");
    size_t n = strlen("expert,") + strlen(level) + strlen(rest) + 1;
    char *s = malloc(n);
    snprintf(s, n, "expert,%s%s", level, rest);
    return s;
}

/* tshark's exit status for SPEC refused with RC: 2 for a tap's bad filter,
 * 1 otherwise; io,stat's own (tap-iostat.c) 1 for its filters and for a
 * spec that is not io,stat,NUMBER[,...], else 10 (a bad column, field or
 * interval). */
static int refused_status(const char *spec, int rc)
{
    double interval;
    int n = 0;
    size_t len = strlen(spec);
    if (strncmp(spec, "io,stat,", 8) != 0)
        return rc == CSHARK_EFILTER ? EXIT_CAPTURE : EXIT_USAGE;
    if (rc == CSHARK_EFILTER || spec[len - 1] == ',' ||
        sscanf(spec + 8, "%lf%n", &interval, &n) != 1 || (spec[8 + n] && spec[8 + n] != ',') ||
        !(interval >= 0))
        return EXIT_USAGE;
    return 10;
}

cshark_analysis **analyses_attach(cshark_capture *cap, const cli_analyses *z, int *status)
{
    const char *level = "comment";
    for (size_t i = 0; i < z->count; i++)
        if (expert_level(z->specs[i]))
            level = expert_level(z->specs[i]);
    cshark_analysis **attached = calloc(z->count + 1, sizeof *attached);
    *status = 0;
    for (size_t i = 0; i < z->count && !*status; i++) {
        const char *spec = z->specs[i];
        char *respelt = NULL;
        if (strcmp(spec, "expert") == 0 || strncmp(spec, "expert,", 7) == 0)
            spec = respelt = as_tshark_expert(spec, level);
        int rc = cshark_capture_analyze(cap, spec, &attached[i]);
        if (rc != CSHARK_OK)
            *status = refused_status(spec, rc);
        free(respelt);
    }
    if (*status) {
        free(attached); /* they belong to the capture, closed by the caller */
        return NULL;
    }
    return attached;
}

int analyses_end(FILE *out, const cli_analyses *z, cshark_analysis **attached, char *msg,
                 size_t len)
{
    for (size_t i = z->count; i-- > 0;)
        if (!z->folders[i])
            fputs(cshark_analysis_text(attached[i]), out);
    int failed = 0;
    for (size_t i = 0; i < z->count; i++)
        if (z->folders[i] && cshark_analysis_save(attached[i], z->folders[i]) != CSHARK_OK &&
            !failed++)
            snprintf(msg, len, "%s", cshark_last_error());
    free(attached);
    return failed;
}

int analyses_help(FILE *out)
{
    const char *const *names;
    size_t n;
    if (cshark_analysis_list(&names, &n) != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    fputs("The available analyses for the \"-z\" option (after the name: its arguments,\n"
          "as tshark's; --export-objects takes the objects,PROTO ones as PROTO,DIR):\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "     %s\n", names[i]);
    return 0;
}
