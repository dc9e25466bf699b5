/* fuzz_capture: the input is a capture file (any format wiretap reads) and,
 * again, frames fed to cshark_capture_open_feed() with the link type of its
 * first byte. Every packet is read, every item walked with every attribute
 * and typed value read (common.c), and the CLI's -T json, -T pdml, -V,
 * -T fields, -T psml and summary printers run on it into /dev/null.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "common.h"

static const char *field_names[] = { "frame.number", "ip.src", "tcp.stream", "dns.qry.name",
                                     "http.host", "_ws.col.Info", "eth.addr", "udp.length" };
static cli_fields fields;
static columns_layout *layout;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fields = (cli_fields){ .names = field_names,
                           .count = sizeof field_names / sizeof *field_names,
                           .separator = '\t', .aggregator = ',', .occurrence = 'a', .quote = '"' };
    if (resolve_fields(&fields) != 0)
        abort();
    layout = columns_layout_new(' ');
    return 0;
}

/* Everything a reader of this packet can do, then every printer. */
static void consume(const cshark_capture *cap, cshark_packet *pkt)
{
    FILE *out = fuzz_null();
    fuzz_walk_packet(pkt);
    print_json(out, pkt, NULL);
    print_pdml(out, pkt);
    print_tree(out, pkt);
    print_fields(out, pkt, &fields);
    print_psml(out, pkt);
    print_columns(out, cap, pkt, layout);
    print_brief(out, pkt);
}

static void read_packets(cshark_capture *cap)
{
    cshark_packet *pkt, *kept = NULL;
    int rc;
    cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON);
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        consume(cap, pkt);
        if (!kept && cshark_packet_keep(pkt) == CSHARK_OK) /* outlives the reads */
            kept = pkt;
    }
    for (size_t i = 0; i <= cshark_capture_column_format_count(cap); i++) {
        bool shown;
        (void)cshark_capture_column_format(cap, i, &shown);
    }
    cshark_stats stats = CSHARK_STATS_INIT;
    cshark_capture_stats(cap, &stats);
    cshark_capture_close(cap);
    if (kept) { /* still readable after its capture's close */
        fuzz_walk_packet(kept);
        cshark_packet_free(kept);
    }
}

/* Frames: a little-endian 16-bit length, then that many bytes (the rest, if
 * fewer are left). */
static void feed(const uint8_t *data, size_t size)
{
    cshark_capture *cap;
    if (size < 2 || cshark_capture_open_feed(&cap, data[0], data[1] & 1) != CSHARK_OK)
        return;
    if (data[1] & 2)
        cshark_capture_set_feed_interface(cap, "fuzz0");
    data += 2;
    size -= 2;
    int64_t seconds = 1700000000;
    for (int frames = 0; size >= 2 && frames < 64; frames++) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        cshark_capture_feed(cap, data, len, seconds++, (int32_t)(len * 1000));
        data += len;
        size -= len;
    }
    cshark_capture_feed_end(cap);
    read_packets(cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_file(data, size)) == CSHARK_OK) {
        (void)cshark_capture_format(cap);
        read_packets(cap);
    }
    feed(data, size);
    return 0;
}
