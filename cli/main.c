/* cshark: read a capture and print it, tshark-style, through libcshark.
 * main() reads the options (options.c), checks them, then runs: opens the
 * capture, shapes its dissection and prints every packet.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Everything that shapes dissection, in the order given. */
static int configure(cshark_capture *cap, const cli_options *o)
{
    int rc = cshark_capture_set_name_resolution(cap, o->resolve);
    for (size_t i = 0; rc == CSHARK_OK && i < o->ndissect; i++) {
        const dissect_opt *d = &o->dissect[i];
        switch (d->kind) {
        case 'o': rc = cshark_capture_set_preference(cap, d->arg); break;
        case 'd': rc = cshark_capture_set_decode_as(cap, d->arg); break;
        default: rc = cshark_capture_set_protocol(cap, d->arg, d->kind == OPT_ENABLE); break;
        }
    }
    if (rc == CSHARK_OK && o->filter)
        rc = cshark_capture_set_display_filter(cap, o->filter);
    if (rc == CSHARK_OK)
        rc = cshark_capture_set_two_pass(cap, o->two_pass);
    /* -c counts records read, as tshark's does. */
    if (rc == CSHARK_OK && o->limit > 0)
        rc = cshark_capture_set_record_limit(cap, (uint64_t)o->limit);
    if (rc == CSHARK_OK && o->live.count)
        rc = live_configure(cap, &o->live);
    if (rc == CSHARK_OK && o->reset >= 0)
        rc = cshark_capture_set_session_reset(cap, (uint64_t)o->reset);
    return rc;
}

/* The fast path of -T fields: when only some fields are printed, build only
 * those. A protocol's value is its tree line, which only a full tree has. */
static int prime_fields(cshark_capture *cap, const cli_fields *f)
{
    /* Columns as tshark -T fields computes them: with a protocol tree (a
     * few malformed packets' Info differs without one). */
    int rc = f->columns ? cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON) : CSHARK_OK;
    const char **tree_names = calloc(f->count + 1, sizeof *tree_names);
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (!f->handles[i])
            continue;
        cshark_type type;
        if (cshark_field_type(f->names[i], &type) == CSHARK_OK && type == CSHARK_TYPE_PROTOCOL) {
            free(tree_names);
            return rc;
        }
        tree_names[n++] = f->names[i];
    }
    if (rc == CSHARK_OK)
        rc = cshark_capture_set_fields(cap, tree_names, n);
    free(tree_names);
    return rc;
}

/* What each output needs the engine to compute. */
static int prime_output(cshark_capture *cap, const cli_options *o)
{
    switch (o->output) {
    case OUT_BRIEF: return cshark_capture_set_fields(cap, brief_fields, brief_field_count);
    case OUT_FIELDS: return prime_fields(cap, &o->fields);
    /* The columns alone, with no tree unless the filter needs one: tshark's
     * text and -T psml; the Info of a few malformed packets depends on it. */
    case OUT_TEXT:
    case OUT_TABS:
    case OUT_PSML: return cshark_capture_set_columns(cap, CSHARK_COLUMNS_ONLY);
    default: return CSHARK_OK;
    }
}

/* The -e names resolved once: a lookup by name per field and packet was a
 * visible share of the -T fields profile. 0 or the exit status. */
static int resolve_fields(cli_fields *f)
{
    f->handles = calloc(f->count + 1, sizeof *f->handles);
    for (size_t i = 0; i < f->count; i++) {
        if (column_field_title(f->names[i]))
            f->columns = 1; /* any title, as tshark: unknown ones print nothing */
        else if (cshark_field_lookup(f->names[i], &f->handles[i]) != CSHARK_OK)
            return cli_fail(EXIT_USAGE, "%s", cshark_last_error());
    }
    return 0;
}

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

/* Open the capture and shape it: the capture, or NULL with *status set. */
static cshark_capture *open_capture(const cli_options *o, int *status)
{
    cshark_capture *cap;
    if ((o->path ? cshark_capture_open(&cap, o->path)
                 : cshark_capture_open_live(&cap, o->live.interfaces, o->live.count))
        != CSHARK_OK) {
        *status = cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
        return NULL;
    }
    int rc = configure(cap, o);
    if (rc == CSHARK_OK)
        rc = prime_output(cap, o);
    if (rc != CSHARK_OK) {
        /* tshark's statuses: 2 for a bad filter, 1 for a bad option. */
        int code = rc == CSHARK_EFILTER || rc == CSHARK_ESTATE ? EXIT_CAPTURE : EXIT_USAGE;
        *status = cli_fail(code, "%s", cshark_last_error());
        cshark_capture_close(cap);
        return NULL;
    }
    return cap;
}

/* Every packet in the chosen output; the reading's last status. */
static int print_packets(cshark_capture *cap, const cli_options *o)
{
    columns_layout *layout = NULL;
    if (o->output == OUT_TEXT || o->output == OUT_TABS)
        layout = columns_layout_new(o->output == OUT_TABS ? '\t' : ' ');
    if (o->output == OUT_FIELDS)
        print_fields_preamble(stdout, &o->fields);
    else if (o->output == OUT_PDML)
        print_pdml_preamble(stdout, o->path);
    cshark_packet *pkt;
    int rc, psml_started = 0;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        switch (o->output) {
        case OUT_TEXT:
        case OUT_TABS: print_columns(stdout, cap, pkt, layout); break;
        case OUT_BRIEF: print_brief(stdout, pkt); break;
        case OUT_TREE: print_tree(stdout, pkt); break;
        case OUT_FIELDS: print_fields(stdout, pkt, &o->fields); break;
        case OUT_JSON: print_json(stdout, pkt); break;
        case OUT_PDML: print_pdml(stdout, pkt); break;
        case OUT_PSML:
            if (!psml_started++)
                print_psml_preamble(stdout, cap);
            print_psml(stdout, pkt);
            break;
        }
        if (o->flush_each)
            fflush(stdout);
    }
    if (o->output == OUT_PDML)
        print_pdml_finale(stdout);
    if (o->output == OUT_PSML) {
        if (!psml_started)
            print_psml_preamble(stdout, cap);
        print_psml_finale(stdout);
    }
    columns_layout_free(layout);
    fflush(stdout);
    return rc;
}

static int run(cli_options *o)
{
    if (cshark_init(o->init_flags) != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    int status = resolve_fields(&o->fields);
    if (status)
        return status;
    cshark_capture *cap = open_capture(o, &status);
    if (!cap)
        return status;

    static char outbuf[1 << 16];
    /* Live output is read as it comes: a line at a time. */
    setvbuf(stdout, outbuf, o->live.count ? _IOLBF : _IOFBF, sizeof outbuf);
    if (o->live.count)
        live_catch_signals(cap);
    int rc = print_packets(cap, o);
    if (rc < 0)
        status = cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    else if (ferror(stdout))
        status = cli_fail(EXIT_CAPTURE, "%s", "error writing to standard output");
    if (o->live.count) {
        live_report(cap);
        live_release_signals();
    }
    cshark_capture_close(cap);
    /* No cshark_shutdown(): the engine's teardown costs more than the exit
     * that frees everything anyway. */
    return status;
}

int main(int argc, char **argv)
{
    cli_options o;
    /* Like tshark: the user's locale for the engine's text. */
    setlocale(LC_ALL, "");
    int status = parse_args(argc, argv, &o);
    if (status < 0 && o.check)
        status = check_filter(&o);
    else if (status < 0 && (status = check_options(&o)) == 0)
        status = run(&o);
    cli_options_free(&o);
    return status;
}
