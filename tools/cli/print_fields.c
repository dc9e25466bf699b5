/* -T fields: tshark's format — a separator between fields, an aggregator
 * between occurrences, nothing when absent; CSV escapes as print.c does.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The CLI writes from one thread, so the unlocked stdio calls: per-call
 * locking was a visible share of the -T fields profile. */
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

void print_fields_header(FILE *out, const cli_fields *f)
{
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            putc_unlocked(f->separator, out);
        if (f->quote)
            putc_unlocked(f->quote, out);
        fputs_unlocked(f->names[i], out);
        if (f->quote)
            putc_unlocked(f->quote, out);
    }
    putc_unlocked('\n', out);
}

void print_fields(FILE *out, cshark_packet *pkt, const cli_fields *f)
{
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            putc_unlocked(f->separator, out);
        const cshark_item *const *items;
        size_t n = 0;
        cshark_packet_fields_of(pkt, f->handles[i], &items, &n);

        /* Occurrences without a value (no bytes to show) do not count. */
        const char *first = NULL, *last = NULL;
        size_t shown = 0;
        for (size_t k = 0; k < n; k++) {
            const char *v = cshark_item_field_value(items[k]);
            if (!v)
                continue;
            if (!first)
                first = v;
            last = v;
            if (f->occurrence != 'a')
                continue;
            if (shown++ == 0 && f->quote)
                putc_unlocked(f->quote, out);
            else if (shown > 1)
                putc_unlocked(f->aggregator, out);
            escaped(out, v);
        }
        if (f->occurrence != 'a' && first) {
            if (f->quote)
                putc_unlocked(f->quote, out);
            escaped(out, f->occurrence == 'f' ? first : last);
            shown = 1;
        }
        if (shown && f->quote)
            putc_unlocked(f->quote, out);
    }
    putc_unlocked('\n', out);
}
