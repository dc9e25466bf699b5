/* The tree: layers, wrappers, text items, walking, reassembled data.
 * Values from tshark 4.0.17 `-T pdml` on the same frames.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tests.h"

START_TEST(layers_in_order)
{
    cshark_packet *pkt = read_frame("ndpi__http_auth.pcap", 4);
    static const char *const names[] = { "frame", "eth", "ip", "tcp", "http" };
    ck_assert_uint_eq(cshark_packet_layer_count(pkt), 5);
    for (size_t i = 0; i < 5; i++) {
        const cshark_item *l = cshark_packet_layer(pkt, i);
        ck_assert_str_eq(cshark_item_name(l), names[i]);
        ck_assert_int_eq(cshark_item_kind(l), CSHARK_ITEM_PROTO);
        ck_assert_ptr_null(cshark_item_parent(l));
        ck_assert_ptr_null(cshark_item_show(l)); /* PDML writes no show on a proto */
        ck_assert_ptr_null(cshark_item_raw_value(l));
    }
    ck_assert_ptr_null(cshark_packet_layer(pkt, 5));
    const cshark_item *ip = cshark_packet_layer(pkt, 2);
    ck_assert_str_eq(cshark_item_showname(ip),
                     "Internet Protocol Version 4, Src: 192.168.0.4, Dst: 192.254.189.169");
    ck_assert_int_eq(cshark_item_pos(ip), 14);
    ck_assert_int_eq(cshark_item_size(ip), 20);
    ck_assert_ptr_eq(cshark_item_next(ip), cshark_packet_layer(pkt, 3));

    /* The http layer starts with a text item (PDML name=""). */
    const cshark_item *t = cshark_item_child(cshark_packet_layer(pkt, 4));
    ck_assert_int_eq(cshark_item_kind(t), CSHARK_ITEM_TEXT);
    ck_assert_str_eq(cshark_item_name(t), "");
    ck_assert_str_eq(cshark_item_show(t), "GET /password-ok.php HTTP/1.1\\r\\n");
    ck_assert_ptr_null(cshark_item_showname(t));
    ck_assert_int_eq(cshark_item_pos(t), 66);
    ck_assert_int_eq(cshark_item_size(t), 31);
    ck_assert_str_eq(cshark_item_raw_value(t),
                     "474554202f70617373776f72642d6f6b2e70687020485454502f312e310d0a");
    ck_assert_int_eq(cshark_item_type(t), CSHARK_TYPE_NONE);
}
END_TEST

START_TEST(walk_and_parents)
{
    cshark_packet *pkt = read_frame("ndpi__http_auth.pcap", 4);
    const cshark_item *flags;
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.flags.syn", &flags), CSHARK_OK);
    const cshark_item *parent = cshark_item_parent(flags);
    ck_assert_str_eq(cshark_item_name(parent), "tcp.flags");
    ck_assert_str_eq(cshark_item_name(cshark_item_parent(parent)), "tcp");
    /* tcp.flags has 11 children in PDML: res, ae, cwr, ece, urg, ack, push,
     * reset, syn, fin and the flags string. */
    size_t n = 0;
    for (const cshark_item *c = cshark_item_child(parent); c; c = cshark_item_next(c)) {
        ck_assert_ptr_eq(cshark_item_parent(c), parent);
        n++;
    }
    ck_assert_uint_eq(n, cshark_item_child_count(parent));
    ck_assert_uint_eq(n, 11);
    ck_assert_ptr_null(cshark_item_child(flags));
    ck_assert_uint_eq(cshark_item_child_count(flags), 0);

    /* Every item reached by walking is the one lookup returns. */
    const cshark_item *host;
    ck_assert_int_eq(cshark_packet_field(pkt, "http.host", &host), CSHARK_OK);
    const cshark_item *c = cshark_item_child(cshark_packet_layer(pkt, 4));
    while (c && strcmp(cshark_item_name(c), "http.host") != 0)
        c = cshark_item_next(c);
    ck_assert_ptr_eq(c, host);
    /* Strings are cached: the same pointer twice. */
    ck_assert_ptr_eq(cshark_item_show(host), cshark_item_show(host));
}
END_TEST

START_TEST(fake_field_wrapper)
{
    cshark_packet *pkt = read_frame("libpcap__ipv6_ext_headers.pcap", 1);
    ck_assert_uint_eq(cshark_packet_layer_count(pkt), 5);
    const cshark_item *w = cshark_packet_layer(pkt, 4);
    ck_assert_int_eq(cshark_item_kind(w), CSHARK_ITEM_WRAPPER);
    ck_assert_str_eq(cshark_item_name(w), "fake-field-wrapper");
    ck_assert_ptr_null(cshark_item_showname(w));
    ck_assert_int_eq(cshark_item_pos(w), -1);
    ck_assert_int_eq(cshark_item_size(w), -1);
    const cshark_item *data = cshark_item_child(w);
    ck_assert_str_eq(cshark_item_name(data), "data");
    ck_assert_str_eq(cshark_item_raw_value(data), "546573745061636b6574");
    ck_assert_ptr_null(cshark_item_showname(data)); /* PDML: name and value only */
    ck_assert_int_eq(cshark_item_pos(data), -1);
    ck_assert_str_eq(cshark_item_label(data), "Data (10 bytes)");
    const cshark_item *dd;
    ck_assert_int_eq(cshark_packet_field(pkt, "data.data", &dd), CSHARK_OK);
    ck_assert_ptr_eq(cshark_item_parent(dd), data);
    ck_assert_str_eq(cshark_item_show(dd), "54:65:73:74:50:61:63:6b:65:74");
    ck_assert_str_eq(cshark_item_fields_text(dd), "546573745061636b6574");
}
END_TEST

START_TEST(reassembled_data_source)
{
    /* Frame 28 ends a 15-segment HTTP response: tcp.segments is wrapped, and
     * http lives in the reassembled buffer (pos 0). */
    cshark_packet *pkt = read_frame("ndpi__http_auth.pcap", 28);
    const cshark_item *w = cshark_packet_layer(pkt, 4);
    ck_assert_int_eq(cshark_item_kind(w), CSHARK_ITEM_WRAPPER);
    ck_assert_str_eq(cshark_item_name(cshark_item_child(w)), "tcp.segments");
    ck_assert_int_eq(cshark_item_size(cshark_item_child(w)), 17637);
    const cshark_item *http = cshark_packet_layer(pkt, 5);
    ck_assert_str_eq(cshark_item_name(http), "http");
    ck_assert_int_eq(cshark_item_pos(http), 0);
    ck_assert_int_eq(cshark_item_size(http), 405);
    const uint8_t *d;
    size_t len;
    ck_assert_int_eq(cshark_item_data(http, &d, &len), CSHARK_OK);
    ck_assert_uint_eq(len, 405);
    ck_assert_mem_eq(d, "HTTP/1.1 401", 12);
    ck_assert_str_eq(cshark_item_name(cshark_packet_layer(pkt, 6)), "data-text-lines");
}
END_TEST

START_TEST(generated_flag)
{
    cshark_packet *pkt = read_frame("ndpi__http_auth.pcap", 4);
    const cshark_item *it;
    /* "Arrival Time: …" is read from the record; "[Time delta …]" is not. */
    ck_assert_int_eq(cshark_packet_field(pkt, "frame.time", &it), CSHARK_OK);
    ck_assert_uint_eq(cshark_item_flags(it), 0);
    ck_assert_int_eq(cshark_packet_field(pkt, "frame.time_delta", &it), CSHARK_OK);
    ck_assert_uint_eq(cshark_item_flags(it), CSHARK_FLAG_GENERATED);
    ck_assert_int_eq(cshark_packet_field(pkt, "http.request.full_uri", &it), CSHARK_OK);
    ck_assert_uint_eq(cshark_item_flags(it), CSHARK_FLAG_GENERATED);
    ck_assert_str_eq(cshark_item_label(it), "Full request URI: http://browserspy.dk/password-ok.php");
}
END_TEST

Suite *tree_suite(void)
{
    Suite *s = suite_create("tree");
    TCase *tc = tcase_create("tree");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, layers_in_order);
    tcase_add_test(tc, walk_and_parents);
    tcase_add_test(tc, fake_field_wrapper);
    tcase_add_test(tc, reassembled_data_source);
    tcase_add_test(tc, generated_flag);
    suite_add_tcase(s, tc);
    return s;
}
