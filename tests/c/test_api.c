/* Packets and fields: metadata, lookup by name, typed values.
 * Values from tshark 4.0.17 on the same frames.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tests.h"

#define HTTP "ndpi__http_auth.pcap"

START_TEST(packet_metadata)
{
    cshark_packet *pkt = read_frame(HTTP, 4);
    int64_t s;
    int32_t ns;
    cshark_packet_time(pkt, &s, &ns);
    ck_assert_int_eq(s, 1381844050);
    ck_assert_int_eq(ns, 402794000);
    ck_assert_str_eq(cshark_packet_timestamp(pkt), "1381844050.402794000");
    /* frame.time_relative 0.180279000 */
    ck_assert_int_eq(cshark_packet_relative_time(pkt, &s, &ns), 1);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(ns, 180279000);
    ck_assert_int_eq(cshark_packet_relative_time(NULL, &s, &ns), 0);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(ns, 0);
    ck_assert_uint_eq(cshark_packet_length(pkt), 805);
    ck_assert_uint_eq(cshark_packet_captured_length(pkt), 805);
    ck_assert_uint_eq(cshark_packet_interface_id(pkt), CSHARK_NO_INTERFACE); /* pcap: no IDB id */
    ck_assert_ptr_null(cshark_packet_interface_name(pkt));
    ck_assert_int_eq(cshark_packet_encap(pkt), 1);
    ck_assert_str_eq(cshark_packet_encap_name(pkt), "ether");
    size_t len;
    const uint8_t *d = cshark_packet_data(pkt, &len);
    ck_assert_uint_eq(len, 805);
    /* eth.src 28:cf:e9:21:3c:2b at offset 6 */
    static const uint8_t src[] = { 0x28, 0xcf, 0xe9, 0x21, 0x3c, 0x2b };
    ck_assert_mem_eq(d + 6, src, 6);
    ck_assert_str_eq(cshark_capture_format(tcap), "pcap");
}
END_TEST

START_TEST(nanosecond_pcap)
{
    cshark_packet *pkt = read_frame("tcpdump__tcp-handshake-nano.pcap", 1);
    ck_assert_str_eq(cshark_packet_timestamp(pkt), "1418145369.924505488");
    ck_assert_str_eq(cshark_capture_format(tcap), "nsecpcap");
    ck_assert_str_eq(cshark_packet_encap_name(pkt), "linux-sll");
    ck_assert_str_eq(show_of(pkt, "sll.pkttype"), "4");
}
END_TEST

START_TEST(pcapng_interfaces)
{
    /* ndpi__rtp.pcapng: frame 1 on interface 0 (no name: "Unknown"... the
     * IDB has none, so frame.interface_name is absent), frame 16 on em1. */
    cshark_packet *pkt = read_frame("ndpi__rtp.pcapng", 16);
    ck_assert_int_eq(cshark_packet_interface_id(pkt), 1);
    ck_assert_str_eq(cshark_packet_interface_name(pkt), "em1");
    ck_assert_str_eq(show_of(pkt, "frame.interface_name"), "em1");
    ck_assert_str_eq(cshark_capture_format(tcap), "pcapng");
}
END_TEST

START_TEST(gzip_capture)
{
    cshark_packet *pkt = read_frame("libpcap__gateway_or_not.pcap.gz", 14);
    ck_assert_ptr_nonnull(pkt);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    ck_assert_ptr_null(pkt);
    /* After the end, next keeps saying so. */
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
}
END_TEST

START_TEST(field_first_all_count)
{
    cshark_packet *pkt = read_frame(HTTP, 4);
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_name(it), "ip.src");
    ck_assert_str_eq(cshark_item_show(it), "192.168.0.4");
    ck_assert_str_eq(cshark_item_showname(it), "Source Address: 192.168.0.4");
    ck_assert_str_eq(cshark_item_raw_value(it), "c0a80004");
    ck_assert_ptr_null(cshark_item_unmaskedvalue(it));
    ck_assert_int_eq(cshark_item_pos(it), 26);
    ck_assert_int_eq(cshark_item_size(it), 4);
    ck_assert_int_eq(cshark_item_hidden(it), 0);

    /* ip.addr: twice, hidden, in tree order. */
    const cshark_item *const *all;
    size_t n;
    ck_assert_int_eq(cshark_packet_fields(pkt, "ip.addr", &all, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(cshark_item_show(all[0]), "192.168.0.4");
    ck_assert_str_eq(cshark_item_show(all[1]), "192.254.189.169");
    ck_assert_int_eq(cshark_item_pos(all[1]), 30);
    ck_assert_int_eq(cshark_item_hidden(all[0]), 1);
    ck_assert_uint_eq(cshark_item_flags(all[0]) & CSHARK_FLAG_HIDDEN, CSHARK_FLAG_HIDDEN);
    ck_assert_int_eq(cshark_packet_field_count(pkt, "ip.addr", &n), CSHARK_OK);
    ck_assert_uint_eq(n, 2);

    ck_assert_int_eq(cshark_packet_field(pkt, "http.host", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "browserspy.dk");
    ck_assert_str_eq(cshark_item_showname(it), "Host: browserspy.dk\\r\\n");
    ck_assert_str_eq(show_of(pkt, "http.request.full_uri"), "http://browserspy.dk/password-ok.php");
}
END_TEST

START_TEST(field_absent_vs_unknown)
{
    cshark_packet *pkt = read_frame(HTTP, 3);
    const cshark_item *it = (const cshark_item *)1;
    /* Registered but not in frame 3 (a bare ACK). */
    ck_assert_int_eq(cshark_packet_field(pkt, "http.host", &it), CSHARK_ENOTFOUND);
    ck_assert_ptr_null(it);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "http.host"));
    size_t n = 99;
    ck_assert_int_eq(cshark_packet_field_count(pkt, "http.host", &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
    const cshark_item *const *all = (const cshark_item *const *)1;
    ck_assert_int_eq(cshark_packet_fields(pkt, "dns.qry.name", &all, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(all);

    /* Never registered. */
    ck_assert_int_eq(cshark_packet_field(pkt, "no.such.field", &it), CSHARK_EUNKNOWN_FIELD);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "no.such.field"));
    ck_assert_int_eq(cshark_packet_field_count(pkt, "no.such.field", &n), CSHARK_EUNKNOWN_FIELD);
    ck_assert_int_eq(cshark_packet_fields(pkt, "ip.srcx", &all, &n), CSHARK_EUNKNOWN_FIELD);
    ck_assert_int_eq(cshark_field_check("no.such.field"), CSHARK_EUNKNOWN_FIELD);
    ck_assert_int_eq(cshark_field_check("dns.qry.name"), CSHARK_OK);
    ck_assert_int_eq(cshark_field_check("tcp"), CSHARK_OK);
    const cshark_field *f = (const cshark_field *)1;
    ck_assert_int_eq(cshark_field_lookup("ip.srcx", &f), CSHARK_EUNKNOWN_FIELD);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "ip.srcx"));
    ck_assert_int_eq(cshark_field_lookup(NULL, &f), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_field_lookup("dns.qry.name", &f), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_fields_of(pkt, f, &all, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(cshark_packet_fields_of(pkt, NULL, &all, &n), CSHARK_EINVAL);
}
END_TEST

START_TEST(multiple_occurrences)
{
    /* ndpi__dns_fragmented.pcap frame 9: three A records. */
    cshark_packet *pkt = read_frame("ndpi__dns_fragmented.pcap", 9);
    const cshark_item *const *all;
    size_t n;
    ck_assert_int_eq(cshark_packet_fields(pkt, "dns.a", &all, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(cshark_item_show(all[0]), "194.247.4.10");
    ck_assert_str_eq(cshark_item_show(all[1]), "193.24.227.238");
    ck_assert_str_eq(cshark_item_show(all[2]), "194.247.5.14");
    /* The same through a resolved field: the same items. */
    const cshark_field *f;
    const cshark_item *const *again;
    size_t m;
    ck_assert_int_eq(cshark_field_lookup("dns.a", &f), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_fields_of(pkt, f, &again, &m), CSHARK_OK);
    ck_assert_uint_eq(m, 3);
    ck_assert_ptr_eq(again[0], all[0]);
    ck_assert_ptr_eq(again[2], all[2]);
    /* Strings are formatted once: on demand, or all at once for a field. */
    ck_assert_int_eq(cshark_item_formatted(all[0], CSHARK_STR_SHOW), 1); /* read above */
    ck_assert_int_eq(cshark_item_formatted(all[0], CSHARK_STR_PDML), 0);
    const cshark_field *qry;
    ck_assert_int_eq(cshark_field_lookup("dns.qry.name", &qry), CSHARK_OK);
    const cshark_field *two[] = { f, qry };
    /* Only the strings asked for. */
    ck_assert_int_eq(cshark_packet_format_fields(pkt, two, 2, CSHARK_STR_SHOWNAME), CSHARK_OK);
    ck_assert_int_eq(cshark_item_formatted(all[2], CSHARK_STR_SHOWNAME), 1);
    ck_assert_int_eq(cshark_item_formatted(all[2], CSHARK_STR_RAW_VALUE), 0);
    ck_assert_int_eq(cshark_item_formatted(all[2], CSHARK_STR_UNMASKED), 0);
    ck_assert_int_eq(cshark_packet_format_fields(pkt, two, 2, CSHARK_STR_PDML), CSHARK_OK);
    ck_assert_int_eq(cshark_item_formatted(all[0], CSHARK_STR_PDML), 1);
    ck_assert_int_eq(cshark_item_formatted(all[2], CSHARK_STR_PDML), 1);
    ck_assert_str_eq(cshark_item_showname(all[2]), "Address: 194.247.5.14");
    ck_assert_str_eq(cshark_item_raw_value(all[2]), "c2f7050e");
    ck_assert_int_eq(cshark_item_formatted(NULL, CSHARK_STR_SHOW), 0);
    ck_assert_int_eq(cshark_packet_format_fields(pkt, NULL, 0, CSHARK_STR_PDML), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_format_fields(pkt, NULL, 1, CSHARK_STR_PDML), CSHARK_EINVAL);
    ck_assert_str_eq(show_of(pkt, "dns.qry.name"), "fg2.weberlab.de");
    uint8_t a[4];
    ck_assert_int_eq(cshark_item_ipv4(all[2], a), CSHARK_OK);
    static const uint8_t want[] = { 194, 247, 5, 14 };
    ck_assert_mem_eq(a, want, 4);
}
END_TEST

START_TEST(typed_values)
{
    cshark_packet *pkt = read_frame(HTTP, 4);
    const cshark_item *it;
    uint64_t u;
    int64_t i;

    ck_assert_int_eq(cshark_packet_field(pkt, "ip.ttl", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_UINT);
    ck_assert_str_eq(cshark_item_type_name(it), "FT_UINT8");
    ck_assert_str_eq(cshark_item_display_name(it), "Time to Live");
    ck_assert_int_eq(cshark_item_uint(it, &u), CSHARK_OK);
    ck_assert_uint_eq(u, 64);
    ck_assert_int_eq(cshark_item_int(it, &i), CSHARK_OK);
    ck_assert_int_eq(i, 64);
    uint8_t a4[4];
    ck_assert_int_eq(cshark_item_ipv4(it, a4), CSHARK_ETYPE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "ip.ttl"));

    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.srcport", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_uint(it, &u), CSHARK_OK);
    ck_assert_uint_eq(u, 54337);

    /* A bit field: masked value and unmasked bytes, as PDML. */
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.flags.push", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_BOOLEAN);
    ck_assert_int_eq(cshark_item_uint(it, &u), CSHARK_OK);
    ck_assert_uint_eq(u, 1);
    ck_assert_str_eq(cshark_item_raw_value(it), "1");
    ck_assert_str_eq(cshark_item_unmaskedvalue(it), "18");
    ck_assert_str_eq(cshark_item_showname(it), ".... .... 1... = Push: Set");
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.flags", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "0x0018");
    ck_assert_str_eq(cshark_item_raw_value(it), "18");
    ck_assert_str_eq(cshark_item_unmaskedvalue(it), "8018");

    ck_assert_int_eq(cshark_packet_field(pkt, "eth.src", &it), CSHARK_OK);
    const uint8_t *b;
    size_t len;
    ck_assert_int_eq(cshark_item_bytes(it, &b, &len), CSHARK_OK);
    ck_assert_uint_eq(len, 6);
    ck_assert_uint_eq(b[0], 0x28);
    ck_assert_uint_eq(b[5], 0x2b);
    ck_assert_int_eq(cshark_item_data(it, &b, &len), CSHARK_OK);
    ck_assert_uint_eq(len, 6);
    ck_assert_uint_eq(b[1], 0xcf);

    ck_assert_int_eq(cshark_packet_field(pkt, "frame.time_delta", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_RELATIVE_TIME);
    int64_t s;
    int32_t ns;
    ck_assert_int_eq(cshark_item_time(it, &s, &ns), CSHARK_OK);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(ns, 139000);
    ck_assert_str_eq(cshark_item_show(it), "0.000139000");
    ck_assert_int_eq(cshark_packet_field(pkt, "frame.time", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_ABSOLUTE_TIME);
    ck_assert_int_eq(cshark_item_time(it, &s, &ns), CSHARK_OK);
    ck_assert_int_eq(s, 1381844050);
    ck_assert_int_eq(ns, 402794000);

    ck_assert_int_eq(cshark_packet_field(pkt, "http.host", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_STRING);
    const char *str;
    ck_assert_int_eq(cshark_item_string(it, &str), CSHARK_OK);
    ck_assert_str_eq(str, "browserspy.dk");
    double dbl;
    ck_assert_int_eq(cshark_item_double(it, &dbl), CSHARK_ETYPE);

    ck_assert_int_eq(cshark_packet_field(pkt, "http", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_type(it), CSHARK_TYPE_PROTOCOL);
    ck_assert_int_eq(cshark_item_uint(it, &u), CSHARK_ETYPE);
}
END_TEST

START_TEST(ipv6_values)
{
    cshark_packet *pkt = read_frame("tcpdump__icmpv6.pcap", 1);
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, "ipv6.src", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "fe80::b299:28ff:fec8:d66c");
    uint8_t a[16];
    ck_assert_int_eq(cshark_item_ipv6(it, a), CSHARK_OK);
    ck_assert_uint_eq(a[0], 0xfe);
    ck_assert_uint_eq(a[1], 0x80);
    ck_assert_uint_eq(a[15], 0x6c);
    ck_assert_str_eq(show_of(pkt, "ipv6.dst"), "ff02::1");
    ck_assert_str_eq(show_of(pkt, "icmpv6.type"), "134");
}
END_TEST

START_TEST(fields_value_like_tshark_fields)
{
    /* What -T fields prints: hex for bytes, "1" for FT_NONE, label for a
     * protocol. */
    cshark_packet *pkt = read_frame(HTTP, 4);
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.flags", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_fields_text(it), "0x0018");
    ck_assert_int_eq(cshark_packet_field(pkt, "ip", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_fields_text(it),
                     "Internet Protocol Version 4, Src: 192.168.0.4, Dst: 192.254.189.169");
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("packets and fields");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, packet_metadata);
    tcase_add_test(tc, nanosecond_pcap);
    tcase_add_test(tc, pcapng_interfaces);
    tcase_add_test(tc, gzip_capture);
    tcase_add_test(tc, field_first_all_count);
    tcase_add_test(tc, field_absent_vs_unknown);
    tcase_add_test(tc, multiple_occurrences);
    tcase_add_test(tc, typed_values);
    tcase_add_test(tc, ipv6_values);
    tcase_add_test(tc, fields_value_like_tshark_fields);
    suite_add_tcase(s, tc);
    return s;
}
