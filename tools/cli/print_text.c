/* Text output: the default one-line summary, and -V's tree (as tshark -V).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cli.h"

/* Every field the summary reads: the CLI primes exactly these. */
const char *const summary_fields[] = {
    "frame.protocols", "udp.srcport", "udp.dstport", "tcp.srcport",
    "tcp.dstport", "ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src", "wlan.sa",
    "sll.src.eth", "ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst", "wlan.da",
};
const size_t summary_field_count = sizeof summary_fields / sizeof *summary_fields;

static const char *first_show(cshark_packet *pkt, const char *const *names)
{
    for (; *names; names++) {
        const cshark_item *it;
        if (cshark_packet_field(pkt, *names, &it) == CSHARK_OK && cshark_item_show(it))
            return cshark_item_show(it);
    }
    return NULL;
}

/* Whether PROTO is one of the colon-separated names of PROTOS. */
static int has_protocol(const char *protos, const char *proto)
{
    size_t n = strlen(proto);
    for (const char *p = protos; (p = strstr(p, proto)); p += n)
        if ((p == protos || p[-1] == ':') && (p[n] == ':' || p[n] == '\0'))
            return 1;
    return 0;
}

/* The transport layer as PyShark picks it: UDP before TCP. frame.protocols
 * lists every protocol layer of the packet, so the protocols themselves need
 * not be built. */
static const char *transport(const char *protos)
{
    if (has_protocol(protos, "udp"))
        return "udp";
    return has_protocol(protos, "tcp") ? "tcp" : NULL;
}

/* The last protocol of frame.protocols ("eth:ethertype:ip:udp:dns"). */
static const char *highest_layer(const char *protos)
{
    if (!*protos)
        return "?";
    const char *last = strrchr(protos, ':');
    return last ? last + 1 : protos;
}

static void endpoint(FILE *out, cshark_packet *pkt, const char *const *addrs, const char *tp,
                     const char *port_suffix)
{
    const char *addr = first_show(pkt, addrs);
    fputs(addr ? addr : "-", out);
    if (tp) {
        char name[32];
        snprintf(name, sizeof name, "%s.%s", tp, port_suffix);
        const char *const ports[] = { name, NULL };
        const char *port = first_show(pkt, ports);
        if (port)
            fprintf(out, ":%s", port);
    }
}

/* "UDP  10.0.0.1:53 --> 10.0.0.2:5353  2011-01-25 18:57:18.356677  1295981838.356677000" */
void print_summary(FILE *out, cshark_packet *pkt)
{
    static const char *const srcs[] = { "ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src",
                                        "wlan.sa", "sll.src.eth", NULL };
    static const char *const dsts[] = { "ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst",
                                        "wlan.da", NULL };
    static const char *const protocols[] = { "frame.protocols", NULL };
    const char *protos = first_show(pkt, protocols);
    if (!protos)
        protos = "";
    const char *tp = transport(protos);
    const char *proto = tp ? tp : highest_layer(protos);
    for (const char *c = proto; *c; c++)
        putc(g_ascii_toupper(*c), out);
    fputs("  ", out);
    endpoint(out, pkt, srcs, tp, "srcport");
    fputs(" --> ", out);
    endpoint(out, pkt, dsts, tp, "dstport");

    int64_t secs;
    int32_t nsecs;
    cshark_packet_time(pkt, &secs, &nsecs);
    time_t t = (time_t)secs;
    struct tm tm;
    char date[64] = "?";
    if (localtime_r(&t, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(out, "  %s.%06d  %s\n", date, nsecs / 1000, cshark_packet_timestamp(pkt));
}

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
    if (cshark_item_kind_of(it) == CSHARK_ITEM_WRAPPER) {
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
