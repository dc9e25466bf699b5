/* -V: each packet's protocol tree as tshark -V prints it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <string.h>

#include "cli.h"

/* tshark -V dumps the bytes of the "data" protocol under its line. */
static void hex_dump(FILE *out, const uint8_t *d, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int digits = 4;
    while (digits < 8 && ((len - 1) >> (digits * 4)) != 0)
        digits++;
    putc('\n', out);
    for (size_t off = 0; off < len; off += 16) {
        char line[128];
        size_t n = len - off < 16 ? len - off : 16;
        int j = snprintf(line, sizeof line, "%0*zx  ", digits, off);
        memset(line + j, ' ', 16 * 3 + 2 + 16);
        int k = j + 16 * 3 + 2;
        for (size_t i = 0; i < n; i++) {
            uint8_t c = d[off + i];
            line[j + 3 * i] = hex[c >> 4];
            line[j + 3 * i + 1] = hex[c & 15];
            line[k++] = c >= ' ' && c < 0x7f ? (char)c : '.';
        }
        line[k] = '\0';
        fprintf(out, "%s\n", line);
    }
}

static void tree_node(FILE *out, const cshark_item *it, int level)
{
    if (cshark_item_kind(it) == CSHARK_ITEM_WRAPPER) {
        for (const cshark_item *c = cshark_item_child(it); c; c = cshark_item_next(c))
            tree_node(out, c, level);
        return;
    }
    unsigned flags = cshark_item_flags(it);
    if (flags & CSHARK_FLAG_HIDDEN)
        return;
    int indent = level * 4 > 160 ? 160 : level * 4;
    if (flags & CSHARK_FLAG_GENERATED)
        fprintf(out, "%*s[%s]\n", indent, "", cshark_item_label(it));
    else
        fprintf(out, "%*s%s\n", indent, "", cshark_item_label(it));
    if (strcmp(cshark_item_name(it), "data") == 0) {
        const uint8_t *d;
        size_t len;
        if (cshark_item_data(it, &d, &len) == CSHARK_OK && d)
            hex_dump(out, d, len);
    }
    for (const cshark_item *c = cshark_item_child(it); c; c = cshark_item_next(c))
        tree_node(out, c, level + 1);
}

void print_tree(FILE *out, cshark_packet *pkt)
{
    size_t n = cshark_packet_layer_count(pkt);
    for (size_t i = 0; i < n; i++)
        tree_node(out, cshark_packet_layer(pkt, i), 0);
    putc('\n', out);
}
