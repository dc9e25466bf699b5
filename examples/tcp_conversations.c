/* A TCP conversation report: one line per TCP stream (tcp.stream) with its
 * two ends, packets and bytes each way, duration and retransmissions.
 *
 *   usage: tcp_conversations CAPTURE
 *
 *   stream  A                  B                     A>B pkts  A>B bytes  B>A pkts  B>A bytes  duration_s  retrans
 *   6       10.1.0.60:38024    92.123.101.121:80            9       2198         1         74    7.082615        6
 *
 * A is the end that sent the stream's first packet. Bytes are whole frames,
 * as tshark -z conv,tcp counts them; IPv6 ends are written [address]:port.
 *
 * Two tools work together. The engine's conversation table
 * (cshark_capture_analyze "conv,tcp", tshark's -z conv,tcp) sees every
 * packet read and gives its result as rows of typed cells. The packets the
 * loop gets are only those the display filter passes: the ones the
 * engine's TCP analysis marks as retransmissions, counted per stream.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cshark/cshark.h>

static void die(void)
{
    fprintf(stderr, "tcp_conversations: %s\n", cshark_last_error());
    exit(1);
}

/* The index of the analysis's column NAME (docs/API.md lists them). */
static size_t column(const cshark_analysis *a, const char *name)
{
    size_t c;
    if (cshark_analysis_column_index(a, name, &c) != CSHARK_OK)
        die();
    return c;
}

static uint64_t cell_uint(const cshark_analysis *a, size_t row, const char *name)
{
    uint64_t value;
    if (cshark_analysis_uint(a, row, column(a, name), &value) != CSHARK_OK)
        die();
    return value;
}

/* One end as "address:port", or "[address]:port" for IPv6. */
static void end(char *out, size_t size, const cshark_analysis *a, size_t row, const char *which)
{
    char name[16];
    const char *address;
    snprintf(name, sizeof name, "address_%s", which);
    if (cshark_analysis_string(a, row, column(a, name), &address) != CSHARK_OK)
        die();
    snprintf(name, sizeof name, "port_%s", which);
    snprintf(out, size, strchr(address, ':') ? "[%s]:%" PRIu64 : "%s:%" PRIu64, address,
             cell_uint(a, row, name));
}

typedef struct {
    uint64_t stream;
    size_t row;
} by_stream;

static int stream_order(const void *x, const void *y)
{
    const by_stream *a = x, *b = y;
    return (a->stream > b->stream) - (a->stream < b->stream);
}

int main(int argc, char **argv)
{
    static const char *const fields[] = { "tcp.stream" };
    cshark_capture *cap;
    cshark_analysis *conv;
    cshark_packet *pkt;
    uint64_t *retrans = NULL;           /* retransmissions by tcp.stream */
    size_t nstreams = 0, nrows;
    by_stream *order;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK ||
        cshark_capture_analyze(cap, "conv,tcp", &conv) != CSHARK_OK ||
        cshark_capture_set_display_filter(cap, "tcp.analysis.retransmission") != CSHARK_OK ||
        cshark_capture_set_fields(cap, fields, 1) != CSHARK_OK)
        die();

    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        uint64_t stream;
        if (cshark_packet_field_uint(pkt, "tcp.stream", &stream) != CSHARK_OK)
            die();
        if (stream >= nstreams) {
            uint64_t *grown = realloc(retrans, (stream + 1) * sizeof *retrans);
            if (!grown)
                return perror("tcp_conversations"), 1;
            memset(grown + nstreams, 0, (stream + 1 - nstreams) * sizeof *grown);
            retrans = grown;
            nstreams = stream + 1;
        }
        retrans[stream]++;
    }
    if (rc != CSHARK_DONE || cshark_analysis_rows(conv, &nrows) != CSHARK_OK)
        die();

    /* The table's rows come in the engine's order: sort them by stream. */
    order = malloc((nrows ? nrows : 1) * sizeof *order);
    if (!order)
        return perror("tcp_conversations"), 1;
    for (size_t r = 0; r < nrows; r++)
        order[r] = (by_stream){ cell_uint(conv, r, "stream"), r };
    qsort(order, nrows, sizeof *order, stream_order);

    printf("stream  %-21s %-21s A>B pkts  A>B bytes  B>A pkts  B>A bytes  duration_s  retrans\n",
           "A", "B");
    for (size_t i = 0; i < nrows; i++) {
        size_t r = order[i].row;
        uint64_t s = order[i].stream;
        char a[64], b[64];
        double duration;
        end(a, sizeof a, conv, r, "a");
        end(b, sizeof b, conv, r, "b");
        if (cshark_analysis_double(conv, r, column(conv, "duration"), &duration) != CSHARK_OK)
            die();
        printf("%-7" PRIu64 " %-21s %-21s %8" PRIu64 " %10" PRIu64 " %9" PRIu64 " %10" PRIu64
               " %11.6f %8" PRIu64 "\n", s, a, b, cell_uint(conv, r, "frames_a_to_b"),
               cell_uint(conv, r, "bytes_a_to_b"), cell_uint(conv, r, "frames_b_to_a"),
               cell_uint(conv, r, "bytes_b_to_a"), duration, s < nstreams ? retrans[s] : 0);
    }
    free(order);
    free(retrans);
    cshark_capture_close(cap);
    return 0;
}
