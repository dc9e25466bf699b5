/* -T brief: one PyShark-style line per packet (its conversation header),
 * the default output before tshark's columns were.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cli.h"

/* Every field the line reads: the CLI primes exactly these. */
const char *const brief_fields[] = {
    "frame.protocols", "udp.srcport", "udp.dstport", "tcp.srcport",
    "tcp.dstport", "ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src", "wlan.sa",
    "sll.src.eth", "ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst", "wlan.da",
};
const size_t brief_field_count = sizeof brief_fields / sizeof *brief_fields;

/* The line's fields, resolved once on first use (the CLI prints from one
 * thread): a lookup by name per field and packet cost more than the lookup
 * in the packet. Address lists are in PyShark's order of preference. */
enum { SRC, DST };
static struct {
    int ready;
    const cshark_field *protocols;
    const cshark_field *addrs[2][7];  /* NULL-terminated */
    const cshark_field *ports[2][2];  /* [udp, tcp][SRC, DST] */
} sf;

static const cshark_field *resolve(const char *name)
{
    const cshark_field *f = NULL;
    cshark_field_lookup(name, &f); /* primed by name already: known */
    return f;
}

static void resolve_all(void)
{
    static const char *const srcs[] = { "ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src",
                                        "wlan.sa", "sll.src.eth", NULL };
    static const char *const dsts[] = { "ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst",
                                        "wlan.da", NULL };
    sf.protocols = resolve("frame.protocols");
    for (size_t i = 0; srcs[i]; i++)
        sf.addrs[SRC][i] = resolve(srcs[i]);
    for (size_t i = 0; dsts[i]; i++)
        sf.addrs[DST][i] = resolve(dsts[i]);
    sf.ports[0][SRC] = resolve("udp.srcport");
    sf.ports[0][DST] = resolve("udp.dstport");
    sf.ports[1][SRC] = resolve("tcp.srcport");
    sf.ports[1][DST] = resolve("tcp.dstport");
    sf.ready = 1;
}

static const char *show_of(cshark_packet *pkt, const cshark_field *f)
{
    const cshark_item *const *items;
    size_t n = 0;
    if (!f || cshark_packet_fields_of(pkt, f, &items, &n) != CSHARK_OK || n == 0)
        return NULL;
    return cshark_item_show(items[0]);
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

/* The transport layer as PyShark picks it: UDP before TCP (index into
 * sf.ports), or -1. frame.protocols lists every protocol layer of the
 * packet, so the protocols themselves need not be built. */
static int transport(const char *protos)
{
    if (has_protocol(protos, "udp"))
        return 0;
    return has_protocol(protos, "tcp") ? 1 : -1;
}

/* The last protocol of frame.protocols ("eth:ethertype:ip:udp:dns"). */
static const char *highest_layer(const char *protos)
{
    if (!*protos)
        return "?";
    const char *last = strrchr(protos, ':');
    return last ? last + 1 : protos;
}

static void endpoint(FILE *out, cshark_packet *pkt, int side, int tp)
{
    const char *addr = NULL;
    for (const cshark_field *const *f = sf.addrs[side]; *f && !addr; f++)
        addr = show_of(pkt, *f);
    fputs_unlocked(addr ? addr : "-", out);
    const char *port = tp >= 0 ? show_of(pkt, sf.ports[tp][side]) : NULL;
    if (port) {
        putc_unlocked(':', out);
        fputs_unlocked(port, out);
    }
}

/* "2011-01-25 18:57:18" in local time; packets come many to a second, so the
 * last second's text is kept. */
static const char *local_date(int64_t secs)
{
    static int64_t last = INT64_MIN;
    static char date[64];
    if (secs != last) {
        time_t t = (time_t)secs;
        struct tm tm;
        if (!localtime_r(&t, &tm) || !strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm))
            strcpy(date, "?");
        last = secs;
    }
    return date;
}

/* "UDP  10.0.0.1:53 --> 10.0.0.2:5353  2011-01-25 18:57:18.356677  1295981838.356677000" */
void print_brief(FILE *out, cshark_packet *pkt)
{
    if (!sf.ready)
        resolve_all();
    const char *protos = show_of(pkt, sf.protocols);
    if (!protos)
        protos = "";
    int tp = transport(protos);
    const char *proto = tp == 0 ? "udp" : tp == 1 ? "tcp" : highest_layer(protos);
    for (const char *c = proto; *c; c++)
        putc_unlocked(g_ascii_toupper(*c), out);
    fputs_unlocked("  ", out);
    endpoint(out, pkt, SRC, tp);
    fputs_unlocked(" --> ", out);
    endpoint(out, pkt, DST, tp);

    int64_t secs;
    int32_t nsecs;
    cshark_packet_time(pkt, &secs, &nsecs);
    char micros[16];
    if (nsecs >= 0 && nsecs < 1000000000) {
        for (int i = 5, us = nsecs / 1000; i >= 0; i--, us /= 10)
            micros[i] = (char)('0' + us % 10);
        micros[6] = '\0';
    } else { /* a capture's invalid time stamp, printed as it is */
        snprintf(micros, sizeof micros, "%06d", nsecs / 1000);
    }
    fputs_unlocked("  ", out);
    fputs_unlocked(local_date(secs), out);
    putc_unlocked('.', out);
    fputs_unlocked(micros, out);
    fputs_unlocked("  ", out);
    fputs_unlocked(cshark_packet_timestamp(pkt), out);
    putc_unlocked('\n', out);
}
