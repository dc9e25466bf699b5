/* Following a stream (tshark -z follow,PROTO,MODE,FILTER[,RANGE]): the
 * engine's followers (tcp, udp, tls, http, http2, quic, …) fill a
 * follow_info_t from their tap; the argument is read and the text written
 * to the rules of tshark's ui/cli (Wireshark 4.0).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#include <epan/addr_resolv.h>
#include <epan/charsets.h>
#include <epan/follow.h>

enum mode { HEX, ASCII, EBCDIC, RAW, YAML };
static const char *const mode_names[] = { "hex", "ascii", "ebcdic", "raw", "yaml" };

typedef struct {
    follow_info_t *info;        /* the tapdata */
    register_follow_t *follower;
    enum mode mode;
    guint32 chunk_min, chunk_max;
} follow_state;

typedef struct {
    const char *name;
    register_follow_t *found;
} find_arg;

static gboolean find_follower(const void *key _U_, void *value, void *data)
{
    find_arg *f = data;
    if (strcmp(proto_get_protocol_filter_name(get_follow_proto_id(value)), f->name) == 0)
        f->found = value;
    return f->found != NULL;
}

static gboolean add_follower(const void *key _U_, void *value, void *data)
{
    GString *names = data;
    g_string_append_printf(names, "%s%s", names->len ? ", " : "",
                           proto_get_protocol_filter_name(get_follow_proto_id(value)));
    return FALSE;
}

/* One end, "ADDR:PORT" or "[V6]:PORT", after a comma; into ADDR (with its
 * storage BUF). Moves *P past it; 0 when it is not one. */
static int parse_end(const char **p, address *addr, void *buf, int *port, const char **why)
{
    char host[81];
    int n = 0, v6 = 0;
    if (sscanf(*p, ",[%80[^]]]:%d%n", host, port, &n) == 2)
        v6 = 1;
    else if (sscanf(*p, ",%80[^:]:%d%n", host, port, &n) != 2)
        return *why = "Invalid address.", 0;
    if (*port <= 0 || *port > G_MAXUINT16)
        return *why = "Invalid port.", 0;
    if (v6 ? !get_host_ipaddr6(host, buf) : !get_host_ipaddr(host, buf))
        return *why = v6 ? "Can't get IPv6 address" : "Can't get IPv4 address", 0;
    set_address(addr, v6 ? AT_IPv6 : AT_IPv4, v6 ? 16 : 4, buf);
    *p += n;
    return 1;
}

/* ARGS after "follow,": PROTO,MODE,(INDEX[,SUB]|END,END)[,RANGE], read as
 * tshark reads it. The filter (allocated) or NULL with *WHY set. */
static char *parse(follow_state *st, const char *args, const char **why)
{
    size_t n = strcspn(args, ",");
    char *proto = g_strndup(args, n);
    find_arg f = { proto, NULL };
    follow_iterate_followers(find_follower, &f);
    /* tshark reads a sub-stream index for these two only. */
    int substreams = strcmp(proto, "http2") == 0 || strcmp(proto, "quic") == 0;
    g_free(proto);
    if (!(st->follower = f.found))
        return *why = NULL, NULL;
    const char *p = args + n;
    size_t m;
    for (m = 0; m < G_N_ELEMENTS(mode_names); m++) {
        size_t len = strlen(mode_names[m]);
        if (p[0] == ',' && strncmp(p + 1, mode_names[m], len) == 0) {
            p += len + 1;
            break;
        }
    }
    if (m == G_N_ELEMENTS(mode_names))
        return *why = "Invalid display mode.", NULL;
    st->mode = (enum mode)m;

    int index = -1, sub = substreams ? -1 : 0, len = 0;
    char *filter;
    if (sscanf(p, ",%d%n", &index, &len) == 1 && (p[len] == '\0' || p[len] == ',')) {
        p += len;
        if (sub == -1 && sscanf(p, ",%d%n", &sub, &len) == 1 && (p[len] == '\0' || p[len] == ',')) {
            p += len;
            st->info->substream_id = (guint64)sub;
        }
        filter = get_follow_index_func(st->follower)((guint)index, (guint)sub);
        if (!filter || sub < 0) {
            g_free(filter);
            return *why = "Error creating filter for this stream.", NULL;
        }
    } else {
        address addr[2];
        ws_in6_addr buf[2];
        int port[2];
        for (int i = 0; i < 2; i++)
            if (!parse_end(&p, &addr[i], &buf[i], &port[i], why))
                return NULL;
        if (addr[0].type != addr[1].type)
            return *why = "Mismatched IP address types.", NULL;
        filter = get_follow_address_func(st->follower)(&addr[0], &addr[1], port[0], port[1]);
        if (!filter)
            return *why = "Error creating filter for this address/port pair.\n", NULL;
    }
    st->chunk_min = 1;
    st->chunk_max = G_MAXUINT32;
    if (*p) {
        if (sscanf(p, ",%u-%u%n", &st->chunk_min, &st->chunk_max, &len) == 2) {
            p += len;
        } else if (sscanf(p, ",%u%n", &st->chunk_min, &len) == 1) {
            st->chunk_max = st->chunk_min;
            p += len;
        } else {
            g_free(filter);
            return *why = "Invalid range.", NULL;
        }
        if (st->chunk_min < 1 || st->chunk_min > st->chunk_max) {
            g_free(filter);
            return *why = "Invalid range value.", NULL;
        }
    }
    if (*p) {
        g_free(filter);
        return *why = "Invalid parameter.", NULL;
    }
    return filter;
}

static int attach(cshark_analysis *a, const char *args)
{
    follow_state *st = g_new0(follow_state, 1);
    st->info = g_new0(follow_info_t, 1);
    /* Not 0: HTTP/2 and QUIC followers would keep sub-stream 0 only. */
    st->info->substream_id = SUBSTREAM_UNUSED;
    const char *why = NULL;
    char *filter = args ? parse(st, args, &why) : NULL;
    int rc;
    if (!filter && !st->follower) {
        GString *names = g_string_new(NULL);
        follow_iterate_followers(add_follower, names);
        rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": no stream follower of that name "
                      "(followers: %s)", a->spec, names->str);
        g_string_free(names, TRUE);
    } else if (!filter) {
        rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": follow - %s", a->spec, why);
    } else {
        st->info->filter_out_filter = filter;
        rc = cs_analysis_listen(a, get_follow_tap_string(st->follower), st->info, filter, 0,
                                NULL, get_follow_tap_handler(st->follower));
    }
    if (rc != CSHARK_OK) {
        follow_info_free(st->info);
        g_free(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

static void detach(cshark_analysis *a)
{
    follow_state *st = a->state;
    remove_tap_listener(st->info);
    follow_info_free(st->info);
    g_free(st);
}

static const char hexdigits[] = "0123456789abcdef";

/* tshark's hex dump: offset, 16 bytes in hex with a gap after 8, then the
 * printable ones, each line after PREFIX. */
static void put_hex(GString *out, const char *prefix, guint32 offset, const guint8 *data,
                    guint len)
{
    char line[8 + 2 + 48 + 2 + 17 + 1];
    int hex = 0, text = 0;
    for (guint i = 0; i < len;) {
        if (i % 16 == 0) {
            snprintf(line, sizeof line, "%08X", offset);
            memset(line + 8, ' ', 2 + 48 + 2);
            hex = 10;
            text = 10 + 48 + 2;
        }
        guint8 v = data[i];
        line[hex++] = hexdigits[v >> 4];
        line[hex++] = hexdigits[v & 0xf];
        hex++;
        line[text++] = v >= ' ' && v < 0x7f ? (char)v : '.';
        if (++i % 16 == 8) {
            line[hex++] = ' ';
            line[text++] = ' ';
        }
        if (i % 16 == 0 || i == len) {
            if (line[text - 1] == ' ')
                text--;
            line[text] = '\0';
            g_string_append_printf(out, "%s%s\n", prefix, line);
            offset += 16;
        }
    }
}

static void put_peer(GString *out, int node, const address *ip, guint port)
{
    char buf[WS_INET6_ADDRSTRLEN];
    address_to_str_buf(ip, buf, sizeof buf);
    if (ip->type == AT_IPv6)
        g_string_append_printf(out, "Node %d: [%s]:%u\n", node, buf, port);
    else
        g_string_append_printf(out, "Node %d: %s:%u\n", node, buf, port);
}

static void text(cshark_analysis *a, GString *out)
{
    static const char separator[] =
        "===================================================================\n";
    follow_state *st = a->state;
    follow_info_t *fi = st->info;
    char buf[WS_INET6_ADDRSTRLEN];
    if (st->mode == YAML) {
        address_to_str_buf(&fi->client_ip, buf, sizeof buf);
        g_string_append_printf(out, "peers:\n  - peer: 0\n    host: %s\n    port: %d\n", buf,
                               (int)fi->client_port);
        address_to_str_buf(&fi->server_ip, buf, sizeof buf);
        g_string_append_printf(out, "  - peer: 1\n    host: %s\n    port: %d\npackets:\n", buf,
                               (int)fi->server_port);
    } else {
        g_string_append_printf(out, "\n%sFollow: %s,%s\nFilter: %s\n", separator,
                               proto_get_protocol_filter_name(get_follow_proto_id(st->follower)),
                               mode_names[st->mode], fi->filter_out_filter);
        put_peer(out, 0, &fi->client_ip, fi->client_port);
        put_peer(out, 1, &fi->server_ip, fi->server_port);
    }
    guint32 pos[2] = { 0, 0 };
    guint chunk = 1;
    /* The payload list is newest first. */
    for (GList *cur = g_list_last(fi->payload); cur; cur = cur->prev, chunk++) {
        const follow_record_t *r = cur->data;
        const guint8 *data = r->data->data;
        guint len = r->data->len;
        guint32 *at = &pos[r->is_server ? 1 : 0];
        if (chunk < st->chunk_min || chunk > st->chunk_max) {
            *at += len;
            continue;
        }
        const char *indent = r->is_server ? "\t" : "";
        switch (st->mode) {
        case HEX:
            put_hex(out, indent, *at, data, len);
            *at += len;
            break;
        case ASCII:
        case EBCDIC: {
            g_string_append_printf(out, "%s%u\n", indent, len);
            guint8 *text = g_malloc(len + 1);
            for (guint i = 0; i < len; i++)
                text[i] = data[i] == '\r' || data[i] == '\n' || g_ascii_isprint(data[i])
                              ? data[i] : '.';
            text[len] = '\n';
            /* tshark converts after replacing, the newline included. */
            if (st->mode == EBCDIC)
                EBCDIC_to_ASCII(text, len + 1);
            g_string_append_len(out, (const char *)text, len + 1);
            g_free(text);
            break;
        }
        case RAW:
            g_string_append(out, indent);
            for (guint i = 0; i < len; i++) {
                g_string_append_c(out, hexdigits[data[i] >> 4]);
                g_string_append_c(out, hexdigits[data[i] & 0xf]);
            }
            g_string_append_c(out, '\n');
            break;
        case YAML:
            g_string_append_printf(out, "  - packet: %d\n    peer: %d\n    timestamp: %.9f\n"
                                   "    data: !!binary |\n", (int)r->packet_num,
                                   r->is_server ? 1 : 0, nstime_to_sec(&r->abs_ts));
            for (guint i = 0; i < len;) {
                guint n = len - i < 57 ? len - i : 57; /* 76 characters a line */
                gchar *b64 = g_base64_encode(data + i, n);
                g_string_append_printf(out, "      %s\n", b64);
                g_free(b64);
                i += n;
            }
            break;
        }
    }
    if (st->mode != YAML)
        g_string_append(out, separator);
}

static const cs_column columns[] = {
    { "frame", CSHARK_TYPE_UINT },  { "peer", CSHARK_TYPE_UINT },
    { "host", CSHARK_TYPE_STRING }, { "port", CSHARK_TYPE_UINT },
    { "time", CSHARK_TYPE_DOUBLE }, { "data", CSHARK_TYPE_BYTES },
};

/* Every chunk in order (the range limits the text only). */
static void rows(cshark_analysis *a)
{
    follow_info_t *fi = ((follow_state *)a->state)->info;
    char buf[WS_INET6_ADDRSTRLEN];
    for (GList *cur = g_list_last(fi->payload); cur; cur = cur->prev) {
        const follow_record_t *r = cur->data;
        cs_cell *c = cs_analysis_add_row(a);
        c[0].u = r->packet_num;
        c[1].u = r->is_server ? 1 : 0;
        address_to_str_buf(r->is_server ? &fi->server_ip : &fi->client_ip, buf, sizeof buf);
        c[2].s = cs_analysis_keep(a, buf);
        c[3].u = r->is_server ? fi->server_port : fi->client_port;
        c[4].d = nstime_to_sec(&r->abs_ts);
        c[5].b.data = r->data->data;
        c[5].b.length = r->data->len;
    }
}

const cs_analysis_kind cs_analysis_follow = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, NULL,
};
