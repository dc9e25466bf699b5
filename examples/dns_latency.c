/* DNS latency: pairs each DNS query with its response and prints the time
 * between them, then the count, the median (p50) and the 99th percentile.
 *
 *   usage: dns_latency CAPTURE
 *
 *   query  response  latency_s    name
 *   1      3         0.000589000  weberlab.de
 *   36     -         -            weberlab.de
 *   answered 21  unanswered 1  unmatched responses 0
 *   latency_s  p50 0.011339000  p99 0.029597000
 *
 * A line is printed when the response comes; a query never answered gets
 * "-" when it is sent again, or at the end. A response answers the query with the same dns.id,
 * transport, and client and server addresses and ports (its source is the
 * query's destination). A query the engine marks as a retransmission
 * (dns.retransmission: sent again within dns.retransmission_timer) leaves
 * the first one waiting, any other query with the same key replaces it: so
 * the latency is the engine's own dns.time, which the tests compare with.
 *
 * Percentiles use the nearest-rank rule: pP is the smallest latency that at
 * least P % of the latencies are less than or equal to, i.e. the value at
 * position ceil(P/100 * n) (from 1) of the sorted latencies.
 *
 * Shows the fast path (a display filter and fields of interest: the engine
 * builds only the fields read) and the per-field typed getters.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cshark/cshark.h>

typedef struct {
    char key[160];      /* transport, client, server, id */
    char *name;         /* dns.qry.name of the query     */
    uint32_t frame;
    int64_t ns;         /* capture time in nanoseconds   */
} query;

static void die(void)
{
    fprintf(stderr, "dns_latency: %s\n", cshark_last_error());
    exit(1);
}

/* A field lookup's status: true when found, false when absent from this
 * packet, and any other error (a misspelt name...) ends the program. */
static bool found(int rc)
{
    if (rc != CSHARK_OK && rc != CSHARK_ENOTFOUND)
        die();
    return rc == CSHARK_OK;
}

/* The packet's IPv4 or IPv6 address NAME ("src" or "dst"), as tshark shows it. */
static const char *address(cshark_packet *pkt, const char *name)
{
    char v4[16], v6[16];
    const cshark_item *item;
    snprintf(v4, sizeof v4, "ip.%s", name);
    snprintf(v6, sizeof v6, "ipv6.%s", name);
    if (found(cshark_packet_field(pkt, v4, &item)) || found(cshark_packet_field(pkt, v6, &item)))
        return cshark_item_show(item);
    return "-";
}

/* PORT ("srcport" or "dstport") of the UDP or TCP header; *transport says which. */
static uint64_t port(cshark_packet *pkt, const char *name, const char **transport)
{
    char field[32];
    uint64_t value = 0;
    *transport = "udp";
    snprintf(field, sizeof field, "udp.%s", name);
    if (found(cshark_packet_field_uint(pkt, field, &value)))
        return value;
    *transport = "tcp";
    snprintf(field, sizeof field, "tcp.%s", name);
    found(cshark_packet_field_uint(pkt, field, &value));
    return value;
}

static void print_seconds(int64_t ns)
{
    int64_t abs = ns < 0 ? -ns : ns;
    printf("%s%" PRId64 ".%09" PRId64, ns < 0 ? "-" : "", abs / 1000000000, abs % 1000000000);
}

/* A query never answered: its line, and it is forgotten. */
static void print_unanswered(query *q)
{
    printf("%-6" PRIu32 " -         -            %s\n", q->frame, q->name);
    free(q->name);
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the value at position ceil(P * n / 100), counted from 1. */
static int64_t percentile(const int64_t *sorted, size_t n, unsigned p)
{
    size_t rank = (p * n + 99) / 100;
    return sorted[rank > 0 ? rank - 1 : 0];
}

int main(int argc, char **argv)
{
    static const char *const fields[] = {
        "dns.id", "dns.flags.response", "dns.retransmission", "dns.qry.name",
        "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
        "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
    };
    cshark_capture *cap;
    cshark_packet *pkt;
    query *pending = NULL;      /* queries waiting for their answer */
    size_t npending = 0, nlost = 0, unmatched = 0, nlat = 0;
    int64_t *latencies = NULL;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    /* DNS quoted inside an ICMP error is neither a query nor an answer. */
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK ||
        cshark_capture_set_display_filter(cap, "dns && !icmp && !icmpv6") != CSHARK_OK ||
        cshark_capture_set_fields(cap, fields, sizeof fields / sizeof *fields) != CSHARK_OK)
        die();

    printf("query  response  latency_s    name\n");
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        uint64_t id, response, retransmission = 0, sport, dport;
        const char *name = "-", *transport, *src, *dst;
        char key[sizeof pending->key];
        int64_t sec;
        int32_t nsec;

        if (!found(cshark_packet_field_uint(pkt, "dns.id", &id)) ||
            !found(cshark_packet_field_uint(pkt, "dns.flags.response", &response)))
            continue;   /* too short to hold a DNS header */
        found(cshark_packet_field_uint(pkt, "dns.retransmission", &retransmission));
        found(cshark_packet_field_string(pkt, "dns.qry.name", &name));
        src = address(pkt, "src");
        dst = address(pkt, "dst");
        sport = port(pkt, "srcport", &transport);
        dport = port(pkt, "dstport", &transport);
        cshark_packet_time(pkt, &sec, &nsec);

        /* The key, client first: a response's client is its destination. */
        snprintf(key, sizeof key, "%s %s %" PRIu64 " %s %" PRIu64 " %" PRIu64, transport,
                 response ? dst : src, response ? dport : sport,
                 response ? src : dst, response ? sport : dport, id);
        size_t i = 0;
        while (i < npending && strcmp(pending[i].key, key) != 0)
            i++;

        if (!response && retransmission && i < npending) {
            continue;                          /* the first one still waits */
        } else if (!response) {                /* a query: (re)place it */
            if (i == npending) {
                query *grown = realloc(pending, (npending + 1) * sizeof *pending);
                if (!grown)
                    return perror("dns_latency"), 1;
                pending = grown;
                npending++;
            } else {                           /* sent again: unanswered */
                print_unanswered(&pending[i]);
                nlost++;
            }
            memcpy(pending[i].key, key, sizeof key);
            pending[i].name = strdup(name);
            pending[i].frame = cshark_packet_number(pkt);
            pending[i].ns = sec * 1000000000 + nsec;
            if (!pending[i].name)
                return perror("dns_latency"), 1;
        } else if (i == npending) {            /* an answer to nothing seen */
            unmatched++;
        } else {                               /* the answer: print, forget */
            int64_t *grown = realloc(latencies, (nlat + 1) * sizeof *latencies);
            if (!grown)
                return perror("dns_latency"), 1;
            latencies = grown;
            latencies[nlat] = sec * 1000000000 + nsec - pending[i].ns;
            printf("%-6" PRIu32 " %-9" PRIu32 " ", pending[i].frame, cshark_packet_number(pkt));
            print_seconds(latencies[nlat++]);
            printf("  %s\n", pending[i].name);
            free(pending[i].name);
            memmove(&pending[i], &pending[i + 1], (--npending - i) * sizeof *pending);
        }
    }
    if (rc != CSHARK_DONE)
        die();
    cshark_capture_close(cap);

    for (size_t i = 0; i < npending; i++)
        print_unanswered(&pending[i]);
    printf("answered %zu  unanswered %zu  unmatched responses %zu\n", nlat, nlost + npending,
           unmatched);
    if (nlat > 0) {
        qsort(latencies, nlat, sizeof *latencies, by_value);
        printf("latency_s  p50 ");
        print_seconds(percentile(latencies, nlat, 50));
        printf("  p99 ");
        print_seconds(percentile(latencies, nlat, 99));
        printf("\n");
    }
    free(pending);
    free(latencies);
    return 0;
}
