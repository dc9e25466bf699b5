/* One capture read and printed: opened, its dissection shaped by the
 * options, every packet in the chosen output. The files of one command
 * (files.c) and each worker (workers.c) read their captures through here.
 * SPDX-License-Identifier: GPL-2.0-or-later */
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
 * those. A protocol's value is its tree line, which only a full tree has.
 * Fields read from the packet's own data are not asked of the engine: any
 * frame field makes the frame dissector build its whole subtree. */
static int prime_fields(cshark_capture *cap, const cli_fields *f)
{
    /* Columns as tshark -T fields computes them: with a protocol tree (a
     * few malformed packets' Info differs without one). */
    int rc = f->columns ? cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON) : CSHARK_OK;
    const char **tree_names = calloc(f->count + 1, sizeof *tree_names);
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (!f->handles[i] || f->from_packet[i])
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

/* Fields whose text is a number of the packet's own data, as the frame
 * dissector puts them in the tree (packet-frame.c: pinfo->num, the tvb's
 * reported and captured lengths, for every record type). */
static const char *const packet_fields[FROM_PACKET_COUNT] = {
    [FROM_PACKET_NUMBER] = "frame.number",
    [FROM_PACKET_LEN] = "frame.len",
    [FROM_PACKET_CAP_LEN] = "frame.cap_len",
};

int resolve_fields(cli_fields *f)
{
    f->handles = calloc(f->count + 1, sizeof *f->handles);
    f->from_packet = calloc(f->count + 1, 1);
    for (size_t i = 0; i < f->count; i++) {
        for (int k = FROM_PACKET_NUMBER; k < FROM_PACKET_COUNT; k++)
            if (strcmp(f->names[i], packet_fields[k]) == 0)
                f->from_packet[i] = (unsigned char)k;
        if (column_field_title(f->names[i]))
            f->columns = 1; /* any title, as tshark: unknown ones print nothing */
        else if (cshark_field_lookup(f->names[i], &f->handles[i]) != CSHARK_OK)
            return cli_fail(EXIT_USAGE, "%s", cshark_last_error());
    }
    return 0;
}

/* R failed with STATUS; FATAL when the options are at fault. */
static void failed(capture_result *r, int status, int fatal, const char *message)
{
    r->status = status;
    r->fatal = fatal;
    snprintf(r->message, sizeof r->message, "%s", message);
}

/* Open the capture PATH (NULL: the live interfaces) and shape it: the
 * capture, or NULL with R's error set. */
static cshark_capture *open_capture(const cli_options *o, const char *path, capture_result *r)
{
    cshark_capture *cap;
    if ((path ? cshark_capture_open(&cap, path)
              : cshark_capture_open_live(&cap, o->live.interfaces, o->live.count))
        != CSHARK_OK) {
        failed(r, EXIT_CAPTURE, 0, cshark_last_error());
        return NULL;
    }
    int rc = configure(cap, o);
    /* -q prints no packet: no columns, no fields (tshark -q computes none). */
    if (rc == CSHARK_OK && !o->z.quiet)
        rc = prime_output(cap, o);
    if (rc != CSHARK_OK) {
        /* tshark's statuses: 2 for a bad filter, 1 for a bad option. The
         * same options would fail on every other file. */
        int code = rc == CSHARK_EFILTER || rc == CSHARK_ESTATE ? EXIT_CAPTURE : EXIT_USAGE;
        failed(r, code, 1, cshark_last_error());
        cshark_capture_close(cap);
        return NULL;
    }
    return cap;
}

/* The document's head, what tshark writes before the packets: PDML's and
 * PSML's preambles, -E bom=y's BOM. With several files, one document: only
 * the first file read writes it, and a worker marks its bytes so that the
 * parent keeps the first file's only. */
static void write_head(cshark_capture *cap, const cli_options *o, const capture_out *co)
{
    if (!co->head || !(o->output == OUT_PDML || o->output == OUT_PSML ||
                       (o->output == OUT_FIELDS && o->fields.bom)))
        return;
    if (co->mark)
        co->mark(co->out, 1);
    if (o->output == OUT_PDML)
        print_pdml_preamble(co->out, o->live.count ? NULL : cshark_capture_path(cap));
    else if (o->output == OUT_PSML)
        print_psml_preamble(co->out, cap);
    else
        fputs_unlocked("\xef\xbb\xbf", co->out);
    if (co->mark)
        co->mark(co->out, 0);
}

/* Every packet in the chosen output; the reading's last status. */
static int print_packets(cshark_capture *cap, const cli_options *o, const capture_out *co)
{
    FILE *out = co->out;
    columns_layout *layout = NULL;
    if (o->output == OUT_TEXT || o->output == OUT_TABS)
        layout = columns_layout_new(o->output == OUT_TABS ? '\t' : ' ');
    if (o->output != OUT_PSML) /* its head needs the column titles */
        write_head(cap, o, co);
    if (o->output == OUT_FIELDS)
        print_fields_header(out, &o->fields);
    cshark_packet *pkt;
    int rc, psml_started = 0;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        switch (o->output) {
        case OUT_TEXT:
        case OUT_TABS: print_columns(out, cap, pkt, layout); break;
        case OUT_BRIEF: print_brief(out, pkt); break;
        case OUT_TREE: print_tree(out, pkt); break;
        case OUT_FIELDS: print_fields(out, pkt, &o->fields); break;
        case OUT_JSON: print_json(out, pkt, co->json_file); break;
        case OUT_PDML: print_pdml(out, pkt); break;
        case OUT_PSML:
            if (!psml_started++)
                write_head(cap, o, co);
            print_psml(out, pkt);
            break;
        }
        if (o->flush_each)
            fflush(out);
    }
    if (o->output == OUT_PSML && !psml_started)
        write_head(cap, o, co);
    columns_layout_free(layout);
    fflush(out);
    return rc;
}

void read_capture(const cli_options *o, const char *path, const capture_out *co,
                  capture_result *r)
{
    r->status = r->fatal = r->started = r->interrupted = 0;
    r->message[0] = '\0';
    cshark_capture *cap = open_capture(o, path, r);
    if (!cap)
        return;
    int status = 0;
    cshark_analysis **analyses = o->z.count ? analyses_attach(cap, &o->z, &status) : NULL;
    if (status) {
        failed(r, status, 1, cshark_last_error());
        cshark_capture_close(cap);
        return;
    }
    r->started = 1;
    cli_reading = path;
    live_catch_signals(cap);
    /* -q: no packets; the analyses still see every one. */
    int rc = o->z.quiet ? cshark_capture_run(cap) : print_packets(cap, o, co);
    /* A signal may cut a pipe's read short (EINTR): that is the stop. */
    if (rc < 0 && !(cli_signalled() && !o->live.count))
        failed(r, EXIT_CAPTURE, 0, cshark_last_error());
    /* After a read error too: tshark reports what it read. */
    char msg[sizeof r->message];
    if (analyses && analyses_end(co->out, &o->z, analyses, msg, sizeof msg) != 0 && !r->status)
        failed(r, EXIT_CAPTURE, 0, msg);
    fflush(co->out);
    if (ferror(co->out))
        failed(r, EXIT_CAPTURE, 1, "error writing to standard output");
    if (o->live.count)
        live_report(cap);
    live_release_signals();
    /* tshark ends a file's reading on a signal with status 2, silently. */
    r->interrupted = !o->live.count && cli_signalled();
    cshark_capture_close(cap);
}

void print_finale(FILE *out, const cli_options *o)
{
    if (o->output == OUT_PDML)
        print_pdml_finale(out);
    else if (o->output == OUT_PSML)
        print_psml_finale(out);
}
