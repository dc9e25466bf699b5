/* Conversations and endpoints (tshark -z conv,TABLE and -z endpoints,TABLE):
 * the engine's conversation tables fill a conv_hash_t; this file attaches
 * them and prints them as tshark's ui/cli does (Wireshark 4.0).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#include <epan/conversation_table.h>
#include <epan/timestamp.h>
#include <wsutil/str_util.h>

typedef struct {
    conv_hash_t hash;  /* the tapdata: the engine's packet functions fill it */
    const char *type;  /* the table's protocol short name: "TCP", "IPv4"     */
    char *filter;
    int ports;         /* tshark shows ports for TCP, UDP and SCTP only       */
} conv_state;

static gboolean add_name(const void *key _U_, void *value, void *user_data)
{
    GString *names = user_data;
    const char *name = proto_get_protocol_filter_name(get_conversation_proto_id(value));
    g_string_append_printf(names, "%s%s", names->len ? ", " : "", name);
    return FALSE; /* go on */
}

static int attach(cshark_analysis *a, const char *args, int endpoints)
{
    const char *what = endpoints ? "endpoints" : "conv";
    if (!args || !*args)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": name a table (%s,TABLE[,FILTER])",
                        a->spec, what);
    const char *comma = strchr(args, ',');
    char *table = g_strndup(args, comma ? (size_t)(comma - args) : strlen(args));
    int proto = proto_get_id_by_filter_name(table);
    register_ct_t *ct = proto >= 0 ? get_conversation_by_proto_id(proto) : NULL;
    if (!ct) {
        GString *names = g_string_new(NULL);
        conversation_table_iterate_tables(add_name, names);
        int rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": no conversation table \"%s\" "
                          "(tables: %s)", a->spec, table, names->str);
        g_string_free(names, TRUE);
        g_free(table);
        return rc;
    }
    g_free(table);
    /* 4.0's MPTCP endpoint table reads the MPTCP tap's data as a TCP header
     * and aborts the process (tshark too): refuse it. */
    if (endpoints && strcmp(proto_get_protocol_filter_name(proto), "mptcp") == 0)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": the MPTCP endpoint table of "
                        "Wireshark 4.0 misreads its tap and aborts; use endpoints,tcp", a->spec);
    conv_state *st = g_new0(conv_state, 1);
    st->type = proto_get_protocol_short_name(find_protocol_by_id(proto));
    st->filter = comma ? g_strdup(comma + 1) : NULL;
    st->ports = !strncmp(st->type, "TCP", 3) || !strncmp(st->type, "UDP", 3) ||
                !strncmp(st->type, "SCTP", 4);
    int rc = cs_analysis_listen(a, proto_get_protocol_filter_name(proto), &st->hash, st->filter,
                                0, NULL,
                                endpoints ? get_endpoint_packet_func(ct)
                                          : get_conversation_packet_func(ct));
    if (rc != CSHARK_OK) {
        g_free(st->filter);
        g_free(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

static int attach_conv(cshark_analysis *a, const char *args)
{
    return attach(a, args, 0);
}

static int attach_endpoints(cshark_analysis *a, const char *args)
{
    return attach(a, args, 1);
}

static void detach(cshark_analysis *a, int endpoints)
{
    conv_state *st = a->state;
    remove_tap_listener(&st->hash);
    if (endpoints)
        reset_endpoint_table_data(&st->hash);
    else
        reset_conversation_table_data(&st->hash);
    g_free(st->filter);
    g_free(st);
}

static void detach_conv(cshark_analysis *a)
{
    detach(a, 0);
}

static void detach_endpoints(cshark_analysis *a)
{
    detach(a, 1);
}

/* tshark's order: by total frames, most first; equal totals in the order
 * first seen; rows of no frames (or UINT_MAX and more) are not printed. */
typedef struct {
    guint64 total;
    guint index;
} order;

static int by_total(const void *x, const void *y)
{
    const order *a = x, *b = y;
    if (a->total != b->total)
        return a->total < b->total ? 1 : -1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The rows to print, in order: N of them, freed by the caller. */
static order *printed(GArray *items, size_t size, size_t *n)
{
    guint len = items ? items->len : 0;
    order *o = g_new(order, len + 1);
    *n = 0;
    for (guint i = 0; i < len; i++) {
        /* rx_frames and tx_frames lead both item types. */
        const char *item = items->data + (size_t)i * size;
        guint64 total;
        if (size == sizeof(conv_item_t)) {
            const conv_item_t *c = (const conv_item_t *)item;
            total = c->rx_frames + c->tx_frames;
        } else {
            const endpoint_item_t *e = (const endpoint_item_t *)item;
            total = e->rx_frames + e->tx_frames;
        }
        if (total > 0 && total < UINT_MAX)
            o[(*n)++] = (order){ total, i };
    }
    qsort(o, *n, sizeof *o, by_total);
    return o;
}

static void put_start(GString *out, const conv_item_t *c)
{
    ts_type type = timestamp_get_type();
    int utc = type == TS_UTC || type == TS_UTC_WITH_YMD || type == TS_UTC_WITH_YDOY;
    time_t secs = c->start_abs_time.secs;
    struct tm *tm = utc ? gmtime(&secs) : localtime(&secs);
    switch (type) {
    case TS_ABSOLUTE:
    case TS_UTC:
        if (tm)
            g_string_append_printf(out, "%02d:%02d:%02d", tm->tm_hour, tm->tm_min, tm->tm_sec);
        else
            g_string_append(out, "XX:XX:XX");
        break;
    case TS_ABSOLUTE_WITH_YMD:
    case TS_UTC_WITH_YMD:
        if (tm)
            g_string_append_printf(out, "%04d-%02d-%02d %02d:%02d:%02d", tm->tm_year + 1900,
                                   tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
                                   tm->tm_sec);
        else
            g_string_append(out, "XXXX-XX-XX XX:XX:XX");
        break;
    case TS_ABSOLUTE_WITH_YDOY:
    case TS_UTC_WITH_YDOY:
        if (tm)
            g_string_append_printf(out, "%04d/%03d %02d:%02d:%02d", tm->tm_year + 1900,
                                   tm->tm_yday + 1, tm->tm_hour, tm->tm_min, tm->tm_sec);
        else
            g_string_append(out, "XXXX/XXX XX:XX:XX");
        break;
    case TS_EPOCH:
        g_string_append_printf(out, "%20.9f", nstime_to_sec(&c->start_abs_time));
        break;
    default:
        g_string_append_printf(out, "%14.9f", nstime_to_sec(&c->start_time));
        break;
    }
}

static void conv_heading(GString *out, const conv_state *st)
{
    const char *pad = st->ports ? "            " : "";
    const char *mid1, *mid2, *size;
    switch (timestamp_get_type()) {
    case TS_ABSOLUTE:
    case TS_UTC:
        mid1 = " Absolute Time  ", mid2 = "      Start     ", size = "Size ";
        break;
    case TS_ABSOLUTE_WITH_YMD:
    case TS_ABSOLUTE_WITH_YDOY:
    case TS_UTC_WITH_YMD:
    case TS_UTC_WITH_YDOY:
        mid1 = " Absolute Date  ", mid2 = "     Start      ", size = "Size ";
        break;
    case TS_EPOCH:
        mid1 = "       Relative       ", mid2 = "         Start        ", size = "Bytes";
        break;
    default:
        mid1 = "    Relative    ", mid2 = "      Start     ", size = "Bytes";
        break;
    }
    g_string_append_printf(out, "%s                                               |       <-      "
                           "| |       ->      | |     Total     |%s|   Duration   |\n", pad, mid1);
    g_string_append_printf(out, "%s                                               | Frames  %s | "
                           "| Frames  %s | | Frames  %s |%s|              |\n",
                           pad, size, size, size, mid2);
}

static void text_conv(cshark_analysis *a, GString *out)
{
    conv_state *st = a->state;
    g_string_append(out, "================================================================"
                         "================\n");
    g_string_append_printf(out, "%s Conversations\nFilter:%s\n", st->type,
                           st->filter ? st->filter : "<No Filter>");
    conv_heading(out, st);
    size_t n;
    order *o = printed(st->hash.conv_array, sizeof(conv_item_t), &n);
    for (size_t i = 0; i < n; i++) {
        conv_item_t *c = &g_array_index(st->hash.conv_array, conv_item_t, o[i].index);
        char *rx = format_size(c->rx_bytes, FORMAT_SIZE_UNIT_BYTES, 0);
        char *tx = format_size(c->tx_bytes, FORMAT_SIZE_UNIT_BYTES, 0);
        char *total = format_size(c->tx_bytes + c->rx_bytes, FORMAT_SIZE_UNIT_BYTES, 0);
        char *src = get_conversation_address(NULL, &c->src_address, TRUE);
        char *dst = get_conversation_address(NULL, &c->dst_address, TRUE);
        if (st->ports) {
            char *sp = get_conversation_port(NULL, c->src_port, c->ctype, TRUE);
            char *dp = get_conversation_port(NULL, c->dst_port, c->ctype, TRUE);
            char *s = g_strconcat(src, ":", sp, NULL), *d = g_strconcat(dst, ":", dp, NULL);
            g_string_append_printf(out, "%-26s <-> %-26s", s, d);
            g_free(s);
            g_free(d);
            wmem_free(NULL, sp);
            wmem_free(NULL, dp);
        } else {
            g_string_append_printf(out, "%-20s <-> %-20s", src, dst);
        }
        g_string_append_printf(out, "  %6" PRIu64 " %-9s  %6" PRIu64 " %-9s  %6" PRIu64 " %-9s  ",
                               c->rx_frames, rx, c->tx_frames, tx, c->tx_frames + c->rx_frames,
                               total);
        put_start(out, c);
        g_string_append_printf(out, "   %12.4f\n",
                               nstime_to_sec(&c->stop_time) - nstime_to_sec(&c->start_time));
        wmem_free(NULL, src);
        wmem_free(NULL, dst);
        wmem_free(NULL, rx);
        wmem_free(NULL, tx);
        wmem_free(NULL, total);
    }
    g_free(o);
    g_string_append(out, "================================================================"
                         "================\n");
}

static void text_endpoints(cshark_analysis *a, GString *out)
{
    conv_state *st = a->state;
    g_string_append(out, "================================================================"
                         "================\n");
    g_string_append_printf(out, "%s Endpoints\nFilter:%s\n", st->type,
                           st->filter ? st->filter : "<No Filter>");
    g_string_append_printf(out, "                       |  %sPackets  | |  Bytes  | | Tx Packets "
                           "| | Tx Bytes | | Rx Packets | | Rx Bytes |\n",
                           st->ports ? "Port  ||  " : "");
    size_t n;
    order *o = printed(st->hash.conv_array, sizeof(endpoint_item_t), &n);
    for (size_t i = 0; i < n; i++) {
        endpoint_item_t *e = &g_array_index(st->hash.conv_array, endpoint_item_t, o[i].index);
        char *addr = get_conversation_address(NULL, &e->myaddress, TRUE);
        g_string_append_printf(out, "%-20s      ", addr);
        if (st->ports) {
            char *port = get_endpoint_port(NULL, e, TRUE);
            g_string_append_printf(out, "%5s     ", port);
            wmem_free(NULL, port);
        }
        g_string_append_printf(out, "%6" PRIu64 "     %9" PRIu64 "     %6" PRIu64 "       %9" PRIu64
                               "      %6" PRIu64 "       %9" PRIu64 "   \n",
                               e->tx_frames + e->rx_frames, e->tx_bytes + e->rx_bytes,
                               e->tx_frames, e->tx_bytes, e->rx_frames, e->rx_bytes);
        wmem_free(NULL, addr);
    }
    g_free(o);
    g_string_append(out, "================================================================"
                         "================\n");
}

/* ---- rows ---------------------------------------------------------------- */

static const cs_column conv_columns[] = {
    { "address_a", CSHARK_TYPE_STRING },   { "port_a", CSHARK_TYPE_UINT },
    { "address_b", CSHARK_TYPE_STRING },   { "port_b", CSHARK_TYPE_UINT },
    { "frames_a_to_b", CSHARK_TYPE_UINT }, { "bytes_a_to_b", CSHARK_TYPE_UINT },
    { "frames_b_to_a", CSHARK_TYPE_UINT }, { "bytes_b_to_a", CSHARK_TYPE_UINT },
    { "frames", CSHARK_TYPE_UINT },        { "bytes", CSHARK_TYPE_UINT },
    { "start", CSHARK_TYPE_DOUBLE },       { "duration", CSHARK_TYPE_DOUBLE },
    { "abs_start", CSHARK_TYPE_DOUBLE },   { "stream", CSHARK_TYPE_UINT },
};

static const char *addr_text(cshark_analysis *a, address *addr)
{
    char *s = get_conversation_address(NULL, addr, TRUE);
    const char *kept = cs_analysis_keep(a, s);
    wmem_free(NULL, s);
    return kept;
}

static void rows_conv(cshark_analysis *a)
{
    conv_state *st = a->state;
    GArray *items = st->hash.conv_array;
    for (guint i = 0; items && i < items->len; i++) {
        conv_item_t *c = &g_array_index(items, conv_item_t, i);
        cs_cell *r = cs_analysis_add_row(a);
        r[0].s = addr_text(a, &c->src_address);
        r[1].u = st->ports ? c->src_port : 0;
        r[2].s = addr_text(a, &c->dst_address);
        r[3].u = st->ports ? c->dst_port : 0;
        r[4].u = c->tx_frames;
        r[5].u = c->tx_bytes;
        r[6].u = c->rx_frames;
        r[7].u = c->rx_bytes;
        r[8].u = c->tx_frames + c->rx_frames;
        r[9].u = c->tx_bytes + c->rx_bytes;
        r[10].d = nstime_to_sec(&c->start_time);
        r[11].d = nstime_to_sec(&c->stop_time) - nstime_to_sec(&c->start_time);
        r[12].d = nstime_to_sec(&c->start_abs_time);
        r[13].u = c->conv_id;
    }
}

static const cs_column endpoint_columns[] = {
    { "address", CSHARK_TYPE_STRING },  { "port", CSHARK_TYPE_UINT },
    { "frames", CSHARK_TYPE_UINT },     { "bytes", CSHARK_TYPE_UINT },
    { "tx_frames", CSHARK_TYPE_UINT },  { "tx_bytes", CSHARK_TYPE_UINT },
    { "rx_frames", CSHARK_TYPE_UINT },  { "rx_bytes", CSHARK_TYPE_UINT },
};

static void rows_endpoints(cshark_analysis *a)
{
    conv_state *st = a->state;
    GArray *items = st->hash.conv_array;
    for (guint i = 0; items && i < items->len; i++) {
        endpoint_item_t *e = &g_array_index(items, endpoint_item_t, i);
        cs_cell *r = cs_analysis_add_row(a);
        r[0].s = addr_text(a, &e->myaddress);
        r[1].u = st->ports ? e->port : 0;
        r[2].u = e->tx_frames + e->rx_frames;
        r[3].u = e->tx_bytes + e->rx_bytes;
        r[4].u = e->tx_frames;
        r[5].u = e->tx_bytes;
        r[6].u = e->rx_frames;
        r[7].u = e->rx_bytes;
    }
}

const cs_analysis_kind cs_analysis_conv = {
    conv_columns, G_N_ELEMENTS(conv_columns), attach_conv, text_conv, rows_conv, detach_conv,
    NULL,
};

const cs_analysis_kind cs_analysis_endpoints = {
    endpoint_columns, G_N_ELEMENTS(endpoint_columns), attach_endpoints, text_endpoints,
    rows_endpoints, detach_endpoints, NULL,
};
