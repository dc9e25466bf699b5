/* -T json: one JSON object per packet (JSON Lines); items carry exactly the
 * attributes PDML writes for them.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "cli.h"

static void item(jbuf *b, const cshark_item *it)
{
    cshark_pdml a = CSHARK_PDML_INIT;
    cshark_item_pdml(it, &a);
    /* "name" is always present, so every other key can lead with a comma. */
    PLAIN_ATTR(b, "{\"name\":", a.name, a.name_len);
    JSON_ATTR(b, ",\"showname\":", a.showname, a.showname_len);
    JSON_ATTR(b, ",\"show\":", a.show, a.show_len);
    PLAIN_ATTR(b, ",\"value\":", a.value, a.value_len);
    PLAIN_ATTR(b, ",\"unmaskedvalue\":", a.unmaskedvalue, a.unmaskedvalue_len);
    if (a.pos >= 0) {
        LIT(b, ",\"pos\":");
        jb_uint(b, (unsigned long)a.pos);
    }
    if (a.size >= 0) {
        LIT(b, ",\"size\":");
        jb_uint(b, (unsigned long)a.size);
    }
    if (a.hidden)
        LIT(b, ",\"hide\":true");
    const cshark_item *c = cshark_item_child(it);
    if (c) {
        LIT(b, ",\"fields\":[");
        for (; c; c = cshark_item_next(c)) {
            item(b, c);
            if (cshark_item_next(c))
                LIT(b, ",");
        }
        LIT(b, "]");
    }
    LIT(b, "}");
}

void print_json(FILE *out, cshark_packet *pkt, const char *file)
{
    static jbuf b;
    /* With several files, each packet names its own. */
    JSON_ATTR(&b, "{\"file\":", file, file ? strlen(file) : 0);
    if (file)
        LIT(&b, ",\"number\":");
    else
        LIT(&b, "{\"number\":");
    jb_uint(&b, cshark_packet_number(pkt));
    LIT(&b, ",\"timestamp\":\"");
    const char *ts = cshark_packet_timestamp(pkt);
    jb_put(&b, ts, strlen(ts));
    LIT(&b, "\",\"length\":");
    jb_uint(&b, cshark_packet_length(pkt));
    LIT(&b, ",\"captured_length\":");
    jb_uint(&b, cshark_packet_captured_length(pkt));
    LIT(&b, ",\"layers\":[");
    size_t n = cshark_packet_layer_count(pkt);
    for (size_t i = 0; i < n; i++) {
        if (i)
            LIT(&b, ",");
        item(&b, cshark_packet_layer(pkt, i));
    }
    LIT(&b, "]}\n");
    jb_flush(&b, out);
}
