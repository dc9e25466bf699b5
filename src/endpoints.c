/* A packet's endpoints in one call, read off its layers: the last transport
 * layer and the network layer before it. Layers are the tree's top-level
 * items, so the headers an ICMP error quotes (its children) never count,
 * while a tunnel's or VXLAN's inner headers (later layers) win. Public calls
 * and the packet view, and item.c's word on a pruned tree: nothing here
 * depends on the engine's version.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Each transport, its port fields and its conversation index. */
static const struct {
    const char *name, *src_port, *dst_port, *stream;
} transports[] = {
    { "tcp", "tcp.srcport", "tcp.dstport", "tcp.stream" },
    { "udp", "udp.srcport", "udp.dstport", "udp.stream" },
    { "sctp", "sctp.srcport", "sctp.dstport", "sctp.assoc_index" },
    { "dccp", "dccp.srcport", "dccp.dstport", "dccp.stream" },
    { "icmp", NULL, NULL, NULL },
    { "icmpv6", NULL, NULL, NULL },
};

static const char *const networks[] = { "ip", "ipv6" };

/* What the above read: primed, they make a pruned tree hold the layers
 * (an ICMP error's quoted headers stay under icmp, as icmp is kept). */
static const char *const needed[] = {
    "ip", "ip.src", "ip.dst", "ipv6", "ipv6.src", "ipv6.dst",
    "tcp", "tcp.srcport", "tcp.dstport", "tcp.stream",
    "udp", "udp.srcport", "udp.dstport", "udp.stream",
    "sctp", "sctp.srcport", "sctp.dstport", "sctp.assoc_index",
    "dccp", "dccp.srcport", "dccp.dstport", "dccp.stream",
    "icmp", "icmpv6",
};

void cshark_endpoint_fields(const char *const **names, size_t *count)
{
    if (names)
        *names = needed;
    if (count)
        *count = G_N_ELEMENTS(needed);
}

/* CSHARK_OK when P's tree holds every layer and field endpoints read. */
static int check_primed(cshark_packet *p)
{
    if (!p->edt->tree)
        return cs_error(CSHARK_ENOTPRIMED, "cshark_packet_endpoints: frame %u was read without "
                        "a tree", p->fd->num);
    if (!cs_field_not_primed(p, NULL))
        return CSHARK_OK;
    for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
        header_field_info *hf;
        if (cs_registry_find(needed[i], &hf) != CSHARK_OK)
            return CSHARK_EUNKNOWN_FIELD; /* set: a protocol disabled? */
        if (cs_field_not_primed(p, hf))
            return cs_error(CSHARK_ENOTPRIMED, "cshark_packet_endpoints: \"%s\" is not among "
                            "the capture's fields of interest: add cshark_endpoint_fields() "
                            "to them", needed[i]);
    }
    return CSHARK_OK;
}

static const char *layer_name(const cshark_item *layer)
{
    return cshark_item_kind(layer) == CSHARK_ITEM_PROTO ? cshark_item_name(layer) : NULL;
}

static uint32_t port(const cshark_item *layer, const char *name)
{
    const cshark_item *it;
    uint64_t v = 0;
    if (name && cshark_item_field(layer, name, &it) == CSHARK_OK)
        cshark_item_uint(it, &v);
    return (uint32_t)v;
}

static const char *net_address(const cshark_item *layer, const char *name, const char *field)
{
    char full[16];
    snprintf(full, sizeof full, "%s.%s", name, field);
    const cshark_item *it;
    return cshark_item_field(layer, full, &it) == CSHARK_OK ? cshark_item_show(it) : NULL;
}

int cshark_packet_endpoints(cshark_packet *p, cshark_endpoints *e)
{
    CS_ENTER();
    CS_CHECK_ARG(e, "endpoints");
    if (e->version != CSHARK_ENDPOINTS_VERSION)
        return cs_error(CSHARK_EINVAL, "cshark_packet_endpoints: version %u is not %u (use "
                        "CSHARK_ENDPOINTS_INIT)", e->version, CSHARK_ENDPOINTS_VERSION);
    *e = (cshark_endpoints)CSHARK_ENDPOINTS_INIT;
    CS_CHECK_ARG(p, "packet");
    int rc = check_primed(p);
    if (rc != CSHARK_OK)
        return rc;
    const cshark_item *network = NULL, *net_for_transport = NULL, *transport = NULL;
    size_t which = 0;
    size_t n = cshark_packet_layer_count(p);
    for (size_t i = 0; i < n; i++) {
        const cshark_item *layer = cshark_packet_layer(p, i);
        const char *name = layer_name(layer);
        if (!name)
            continue;
        for (size_t k = 0; k < G_N_ELEMENTS(networks); k++)
            if (strcmp(name, networks[k]) == 0)
                network = layer;
        for (size_t k = 0; k < G_N_ELEMENTS(transports); k++) {
            if (strcmp(name, transports[k].name) == 0) {
                transport = layer;
                net_for_transport = network;
                which = k;
            }
        }
    }
    /* A transport's own network layer; without a transport, the last one. */
    if (transport)
        network = net_for_transport;
    if (!network && !transport)
        return cs_error(CSHARK_ENOTFOUND, "frame %u has neither a network (ip, ipv6) nor a "
                        "transport layer", p->fd->num);
    if (network) {
        e->network = layer_name(network);
        e->src = net_address(network, e->network, "src");
        e->dst = net_address(network, e->network, "dst");
    }
    if (transport) {
        e->transport = transports[which].name;
        e->src_port = port(transport, transports[which].src_port);
        e->dst_port = port(transport, transports[which].dst_port);
        const cshark_item *it;
        uint64_t v;
        if (transports[which].stream &&
            cshark_item_field(transport, transports[which].stream, &it) == CSHARK_OK &&
            cshark_item_uint(it, &v) == CSHARK_OK)
            e->stream = (int64_t)v;
    }
    return CSHARK_OK;
}
