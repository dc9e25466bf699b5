/* A custom analyzer: the DNS names queried in a capture, most asked first.
 * Shows the fast path: a display filter plus fields of interest, so the
 * engine builds only what is read.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cshark/cshark.h>

typedef struct {
    char *name;
    unsigned count;
} entry;

static int by_count(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count) - (x->count > y->count)
                                : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
    static const char *const fields[] = { "dns.qry.name" };
    cshark_capture *cap;
    cshark_packet *pkt;
    entry *table = NULL;
    size_t n = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK ||
        cshark_capture_set_display_filter(cap, "dns.flags.response == 0") != CSHARK_OK ||
        cshark_capture_set_fields(cap, fields, 1) != CSHARK_OK) {
        fprintf(stderr, "%s\n", cshark_last_error());
        return 1;
    }
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        const cshark_item *const *names;
        size_t count;
        cshark_packet_fields(pkt, "dns.qry.name", &names, &count);
        for (size_t i = 0; i < count; i++) {
            const char *q = cshark_item_show(names[i]);
            size_t k = 0;
            while (k < n && strcmp(table[k].name, q) != 0)
                k++;
            if (k == n) {
                table = realloc(table, (n + 1) * sizeof *table);
                table[n++] = (entry){ strdup(q), 0 };
            }
            table[k].count++;
        }
    }
    if (rc != CSHARK_DONE)
        fprintf(stderr, "%s\n", cshark_last_error());
    cshark_capture_close(cap);
    qsort(table, n, sizeof *table, by_count);
    for (size_t k = 0; k < n; k++) {
        printf("%6u  %s\n", table[k].count, table[k].name);
        free(table[k].name);
    }
    free(table);
    return rc == CSHARK_DONE ? 0 : 1;
}
