/* -T fields: tshark's format — a separator between fields, an aggregator
 * between occurrences, nothing when absent; CSV escapes as print.c does.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The CLI writes from one thread, so the unlocked stdio calls: per-call
 * locking was a visible share of the -T fields profile. */
#include <inttypes.h>

#include "cli.h"

static void escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\b': fputs_unlocked("\\b", out); break;
        case '\f': fputs_unlocked("\\f", out); break;
        case '\n': fputs_unlocked("\\n", out); break;
        case '\r': fputs_unlocked("\\r", out); break;
        case '\t': fputs_unlocked("\\t", out); break;
        default: putc_unlocked(*s, out); break;
        }
    }
}

/* -E header=y: the names, before each file's packets (the BOM of -E bom=y
 * is the document's head: capture.c). */
void print_fields_header(FILE *out, const cli_fields *f)
{
    if (!f->header)
        return;
    for (size_t i = 0; i < f->count; i++) { /* unquoted, as tshark 4.0 */
        if (i)
            putc_unlocked(f->separator, out);
        fputs_unlocked(f->names[i], out);
    }
    putc_unlocked('\n', out);
}

/* One field's occurrences as tshark's -E occurrence= and aggregator= want
 * them: all, or only the first or last. */
typedef struct {
    FILE *out;
    const cli_fields *f;
    const char *first, *last;
    size_t shown;
} occurrences;

static void occurrence(occurrences *o, const char *v)
{
    if (!v)
        return; /* occurrences without a value (no bytes to show) do not count */
    if (!o->first)
        o->first = v;
    o->last = v;
    if (o->f->occurrence != 'a')
        return;
    if (o->shown++ == 0 && o->f->quote)
        putc_unlocked(o->f->quote, o->out);
    else if (o->shown > 1)
        putc_unlocked(o->f->aggregator, o->out);
    escaped(o->out, v);
}

static void occurrences_end(occurrences *o)
{
    if (o->f->occurrence != 'a' && o->first) {
        if (o->f->quote)
            putc_unlocked(o->f->quote, o->out);
        escaped(o->out, o->f->occurrence == 'f' ? o->first : o->last);
        o->shown = 1;
    }
    if (o->shown && o->f->quote)
        putc_unlocked(o->f->quote, o->out);
}

void print_fields(FILE *out, cshark_packet *pkt, const cli_fields *f)
{
    size_t ncols = f->columns ? cshark_packet_column_count(pkt) : 0;
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            putc_unlocked(f->separator, out);
        occurrences o = { .out = out, .f = f };
        char num[16]; /* read by occurrences_end(): lives as long as O */
        if (f->from_packet[i]) {
            uint32_t v = f->from_packet[i] == FROM_PACKET_NUMBER ? cshark_packet_number(pkt)
                         : f->from_packet[i] == FROM_PACKET_LEN
                             ? cshark_packet_length(pkt)
                             : cshark_packet_captured_length(pkt);
            snprintf(num, sizeof num, "%" PRIu32, v);
            occurrence(&o, num);
        } else if (f->handles[i]) {
            const cshark_item *const *items;
            size_t n = 0;
            cshark_packet_fields_of(pkt, f->handles[i], &items, &n);
            for (size_t k = 0; k < n; k++)
                occurrence(&o, cshark_item_fields_text(items[k]));
        } else {
            /* Every visible column of that title, in column order. */
            const char *title = column_field_title(f->names[i]);
            for (size_t c = 0; c < ncols; c++)
                if (strcmp(cshark_packet_column_title(pkt, c), title) == 0)
                    occurrence(&o, cshark_packet_column(pkt, c));
        }
        occurrences_end(&o);
    }
    putc_unlocked('\n', out);
}
