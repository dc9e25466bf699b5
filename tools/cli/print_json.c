/* -T json: one JSON object per packet (JSON Lines); items carry exactly the
 * attributes PDML writes for them.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"

static void attr(FILE *out, const char *key, const char *value, int *first)
{
    if (!value)
        return;
    fputs(*first ? "\"" : ",\"", out);
    fputs(key, out);
    fputs("\":", out);
    json_string(out, value);
    *first = 0;
}

static void item(FILE *out, const cshark_item *it)
{
    int first = 1;
    putc('{', out);
    attr(out, "name", cshark_item_name(it), &first);
    attr(out, "showname", cshark_item_showname(it), &first);
    attr(out, "show", cshark_item_show(it), &first);
    attr(out, "value", cshark_item_value(it), &first);
    attr(out, "unmaskedvalue", cshark_item_unmaskedvalue(it), &first);
    int pos = cshark_item_pos(it), size = cshark_item_size(it);
    if (pos >= 0)
        fprintf(out, ",\"pos\":%d", pos);
    if (size >= 0)
        fprintf(out, ",\"size\":%d", size);
    if (cshark_item_hidden(it))
        fputs(",\"hide\":true", out);
    const cshark_item *c = cshark_item_child(it);
    if (c) {
        fputs(",\"fields\":[", out);
        for (; c; c = cshark_item_next(c)) {
            item(out, c);
            if (cshark_item_next(c))
                putc(',', out);
        }
        putc(']', out);
    }
    putc('}', out);
}

void print_json(FILE *out, cshark_packet *pkt)
{
    fprintf(out, "{\"number\":%u,\"timestamp\":\"%s\",\"length\":%u,\"captured_length\":%u,"
                 "\"layers\":[",
            cshark_packet_number(pkt), cshark_packet_timestamp(pkt), cshark_packet_length(pkt),
            cshark_packet_captured_length(pkt));
    size_t n = cshark_packet_layer_count(pkt);
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc(',', out);
        item(out, cshark_packet_layer(pkt, i));
    }
    fputs("]}\n", out);
}
