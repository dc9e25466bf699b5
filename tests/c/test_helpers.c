/* Helpers for analyzers: endpoints in one call, lookups under an item,
 * siblings and layers, data sources, and the distinct error for a field the
 * tree cannot hold. Values from tshark 4.0.17 (-n -T fields, -x).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tests.h"

static cshark_endpoints endpoints_of(const char *name, uint32_t frame)
{
    cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
    close_tcap(); /* the previous call's: its strings were its packet's */
    cshark_packet *pkt = read_frame(name, frame);
    ck_assert_msg(cshark_packet_endpoints(pkt, &e) == CSHARK_OK, "%s", cshark_last_error());
    return e;
}

START_TEST(endpoints_tcp)
{
    /* tshark: 192.254.189.169 80 -> 192.168.0.4 54337, tcp.stream 0 */
    cshark_endpoints e = endpoints_of("ndpi__http_auth.pcap", 5);
    ck_assert_str_eq(e.network, "ip");
    ck_assert_str_eq(e.src, "192.254.189.169");
    ck_assert_str_eq(e.dst, "192.168.0.4");
    ck_assert_str_eq(e.transport, "tcp");
    ck_assert_uint_eq(e.src_port, 80);
    ck_assert_uint_eq(e.dst_port, 54337);
    ck_assert_int_eq(e.stream, 0);
}
END_TEST

START_TEST(endpoints_vxlan_inner)
{
    /* ip.src 192.168.203.1,192.168.203.3: the inner ICMP's header wins. */
    cshark_endpoints e = endpoints_of("tcpdump__vxlan.pcap", 1);
    ck_assert_str_eq(e.src, "192.168.203.3");
    ck_assert_str_eq(e.dst, "192.168.203.5");
    ck_assert_str_eq(e.transport, "icmp");
    ck_assert_uint_eq(e.src_port, 0);
    ck_assert_int_eq(e.stream, -1);
    /* ARP inside: the outer UDP carries it (42710 -> 4789, udp.stream 1). */
    e = endpoints_of("tcpdump__vxlan.pcap", 2);
    ck_assert_str_eq(e.src, "192.168.202.1");
    ck_assert_str_eq(e.dst, "192.168.203.1");
    ck_assert_str_eq(e.transport, "udp");
    ck_assert_uint_eq(e.src_port, 42710);
    ck_assert_uint_eq(e.dst_port, 4789);
    ck_assert_int_eq(e.stream, 1);
}
END_TEST

START_TEST(endpoints_icmp_error)
{
    /* ip.src 10.40.1.1,10.40.2.3: the error's own header, not the quoted. */
    cshark_endpoints e = endpoints_of("tcpdump__dhcp-rfc4388.pcap", 6);
    ck_assert_str_eq(e.src, "10.40.1.1");
    ck_assert_str_eq(e.dst, "10.40.2.3");
    ck_assert_str_eq(e.transport, "icmp");
    /* IPv6 with hop-by-hop options before ICMPv6. */
    e = endpoints_of("tcpdump__icmpv6.pcap", 2);
    ck_assert_str_eq(e.network, "ipv6");
    ck_assert_str_eq(e.src, "fe80::215:17ff:fecc:e546");
    ck_assert_str_eq(e.dst, "ff02::16");
    ck_assert_str_eq(e.transport, "icmpv6");
}
END_TEST

START_TEST(endpoints_none)
{
    cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
    cshark_packet *pkt = read_frame("libpcap__rarp_req_reply.pcapng", 1);
    ck_assert_int_eq(cshark_packet_endpoints(pkt, &e), CSHARK_ENOTFOUND);
    ck_assert_ptr_null(e.src);
    ck_assert_int_eq(e.stream, -1);
    ck_assert_ptr_null(strstr(cshark_last_error(), "frame 1") ? NULL : "no frame in message");
    cshark_endpoints old = { 0 };
    ck_assert_int_eq(cshark_packet_endpoints(pkt, &old), CSHARK_EINVAL);
}
END_TEST

START_TEST(under_item_prev_and_layer)
{
    cshark_packet *pkt = read_frame("tcpdump__vxlan.pcap", 1);
    /* Layers: frame eth ip udp vxlan eth ip icmp (+ data). */
    const cshark_item *inner = cshark_packet_layer(pkt, 6);
    ck_assert_str_eq(cshark_item_name(inner), "ip");
    const cshark_item *it;
    ck_assert_int_eq(cshark_item_field(inner, "ip.src", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "192.168.203.3");
    ck_assert_ptr_eq(cshark_item_layer(it), inner);
    ck_assert_ptr_eq(cshark_item_layer(inner), inner);
    ck_assert_ptr_eq(cshark_item_prev(inner), cshark_packet_layer(pkt, 5));
    ck_assert_ptr_null(cshark_item_prev(cshark_packet_layer(pkt, 0)));
    ck_assert_ptr_null(cshark_item_prev(cshark_item_child(inner)));
    const cshark_item *second = cshark_item_next(cshark_item_child(inner));
    ck_assert_ptr_eq(cshark_item_prev(second), cshark_item_child(inner));
    /* The outer header's: the first under the first ip layer. */
    ck_assert_int_eq(cshark_item_field(cshark_packet_layer(pkt, 2), "ip.src", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "192.168.203.1");
    /* Not below the udp layer: a clear miss, not the next layer's. */
    ck_assert_int_eq(cshark_item_field(cshark_packet_layer(pkt, 3), "vxlan.vni", &it),
                     CSHARK_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "not under \"udp\""));
    ck_assert_int_eq(cshark_item_field(inner, "no.such.field", &it), CSHARK_EUNKNOWN_FIELD);
}
END_TEST

START_TEST(field_time)
{
    /* frame.time_epoch 1381844050.402547000 */
    cshark_packet *pkt = read_frame("ndpi__http_auth.pcap", 2);
    int64_t s;
    int32_t ns;
    ck_assert_int_eq(cshark_packet_field_time(pkt, "frame.time", &s, &ns), CSHARK_OK);
    ck_assert_int_eq(s, 1381844050);
    ck_assert_int_eq(ns, 402547000);
    ck_assert_int_eq(cshark_packet_field_time(pkt, "ip.src", &s, &ns), CSHARK_ETYPE);
    const char *show;
    ck_assert_int_eq(cshark_packet_field_show(pkt, "ip.src", &show), CSHARK_OK);
    ck_assert_str_eq(show, "192.254.189.169");
    ck_assert_int_eq(cshark_packet_field_show(pkt, "tcp.srcport", &show), CSHARK_OK);
    ck_assert_str_eq(show, "80");
    ck_assert_int_eq(cshark_packet_field_show(pkt, "udp.srcport", &show), CSHARK_ENOTFOUND);
    ck_assert_ptr_null(show);
}
END_TEST

START_TEST(not_primed)
{
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    const char *const fields[] = { "ip.src", "udp.srcport" };
    ck_assert_int_eq(cshark_capture_set_fields(tcap, fields, 2), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", &it), CSHARK_OK);
    /* In the frame, but not among the fields of interest. */
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.dst", &it), CSHARK_ENOTPRIMED);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "\"ip.dst\" is not among"));
    size_t n;
    ck_assert_int_eq(cshark_packet_field_count(pkt, "tcp.srcport", &n), CSHARK_ENOTPRIMED);
    const cshark_item *const *all;
    ck_assert_int_eq(cshark_packet_fields(pkt, "tcp.srcport", &all, &n), CSHARK_ENOTPRIMED);
    /* Primed but absent (a TCP packet): really not in the frame. */
    ck_assert_int_eq(cshark_packet_field(pkt, "udp.srcport", &it), CSHARK_ENOTFOUND);
    ck_assert_int_eq(cshark_packet_field_count(pkt, "udp.srcport", &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
    cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
    ck_assert_int_eq(cshark_packet_endpoints(pkt, &e), CSHARK_ENOTPRIMED);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "cshark_endpoint_fields()"));
    close_tcap();

    /* Summary columns only: no tree at all. */
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_columns(tcap, CSHARK_COLUMNS_ONLY), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", &it), CSHARK_ENOTPRIMED);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "without a tree"));
}
END_TEST

START_TEST(endpoints_fast_path)
{
    /* With only the endpoint fields of interest, the same answers: the
     * VXLAN inner header and the ICMP error's own. */
    static const struct {
        const char *file;
        uint32_t frame;
        const char *src, *transport;
        int64_t stream;
    } want[] = {
        { "tcpdump__vxlan.pcap", 1, "192.168.203.3", "icmp", -1 },
        { "tcpdump__dhcp-rfc4388.pcap", 6, "10.40.1.1", "icmp", -1 },
        { "ndpi__http_auth.pcap", 5, "192.254.189.169", "tcp", 0 },
    };
    const char *const *names;
    size_t n;
    cshark_endpoint_fields(&names, &n);
    ck_assert_uint_gt(n, 20);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        ck_assert_int_eq(cshark_capture_open(&tcap, data_file(want[i].file)), CSHARK_OK);
        ck_assert_int_eq(cshark_capture_set_fields(tcap, names, n), CSHARK_OK);
        cshark_packet *pkt = NULL;
        for (uint32_t k = 0; k < want[i].frame; k++)
            ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
        ck_assert_msg(cshark_packet_endpoints(pkt, &e) == CSHARK_OK, "%s", cshark_last_error());
        ck_assert_str_eq(e.src, want[i].src);
        ck_assert_str_eq(e.transport, want[i].transport);
        ck_assert_int_eq(e.stream, want[i].stream);
        close_tcap();
    }
}
END_TEST

static void check_sources(cshark_packet *pkt)
{
    const cshark_item *it;
    const char *name;
    const uint8_t *data;
    size_t len;
    /* tshark -x: "Frame (604 bytes)", "Reassembled TCP (1880 bytes)". */
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_source(it, &name, &data, &len), CSHARK_OK);
    ck_assert_str_eq(name, "Frame (604 bytes)");
    ck_assert_uint_eq(len, 604);
    size_t flen;
    const uint8_t *frame = cshark_packet_data(pkt, &flen);
    ck_assert_uint_eq(flen, 604);
    ck_assert_int_eq(memcmp(data, frame, len), 0);
    ck_assert_int_eq(cshark_packet_field(pkt, "tls.record", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_source(it, &name, &data, &len), CSHARK_OK);
    ck_assert_str_eq(name, "Reassembled TCP (1880 bytes)");
    ck_assert_uint_eq(len, 1880);
    /* The record's own bytes are where its position says. */
    const uint8_t *own;
    size_t own_len;
    ck_assert_int_eq(cshark_item_data(it, &own, &own_len), CSHARK_OK);
    ck_assert_ptr_eq(own, data + cshark_item_pos(it));
}

START_TEST(data_sources)
{
    cshark_packet *pkt = read_frame("ndpi__tls_2_reasms.pcapng", 6);
    check_sources(pkt);
    /* Kept past its capture: the copies made when the session ended. */
    ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
    close_tcap();
    check_sources(pkt);
    cshark_packet_free(pkt);
}
END_TEST

Suite *helpers_suite(void)
{
    Suite *s = suite_create("helpers");
    TCase *tc = tcase_create("helpers");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, endpoints_tcp);
    tcase_add_test(tc, endpoints_vxlan_inner);
    tcase_add_test(tc, endpoints_icmp_error);
    tcase_add_test(tc, endpoints_none);
    tcase_add_test(tc, endpoints_fast_path);
    tcase_add_test(tc, under_item_prev_and_layer);
    tcase_add_test(tc, field_time);
    tcase_add_test(tc, not_primed);
    tcase_add_test(tc, data_sources);
    suite_add_tcase(s, tc);
    return s;
}
