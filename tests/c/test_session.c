/* Display filters, limits, two passes, fields of interest and dissection
 * options, with the scoping of options to their capture. Expected frame
 * numbers come from tshark 4.0.17 with the same flags.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "tests.h"

#define HTTP "ndpi__http_auth.pcap"
#define TLS "rtshark__test_tls.pcap"

/* Frame numbers delivered by tcap (already configured), as a string. */
static const char *numbers(void)
{
    static char buf[512];
    cshark_packet *pkt;
    size_t n = 0;
    buf[0] = '\0';
    while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%u", n ? " " : "",
                              cshark_packet_number(pkt));
    return buf;
}

static cshark_capture *open_data(const char *name)
{
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(name)), CSHARK_OK);
    return tcap;
}

/* How many packets of NAME have FIELD, with OPTION (a preference) or none. */
static size_t count_with(const char *name, const char *field, const char *pref)
{
    cshark_capture *cap = open_data(name);
    if (pref)
        ck_assert_int_eq(cshark_capture_set_preference(cap, pref), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, field), CSHARK_OK);
    size_t n = 0;
    cshark_packet *pkt;
    while (cshark_capture_next(cap, &pkt) == CSHARK_PACKET)
        n++;
    close_tcap();
    return n;
}

START_TEST(filter_keeps_original_numbers)
{
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "tcp.len > 1000"), CSHARK_OK);
    ck_assert_str_eq(numbers(), "6 13 14 16 17 19 20 22 23 25 26");
}
END_TEST

START_TEST(limits_count_differently)
{
    /* Records read, as tshark -c 10: only frame 6 of the first ten passes. */
    cshark_capture *cap = open_data(HTTP);
    cshark_capture_set_display_filter(cap, "tcp.len > 1000");
    ck_assert_int_eq(cshark_capture_set_record_limit(cap, 10), CSHARK_OK);
    ck_assert_str_eq(numbers(), "6");
    close_tcap();
    /* Delivered packets: the first three that pass. */
    cap = open_data(HTTP);
    cshark_capture_set_display_filter(cap, "tcp.len > 1000");
    ck_assert_int_eq(cshark_capture_set_packet_limit(cap, 3), CSHARK_OK);
    ck_assert_str_eq(numbers(), "6 13 14");
}
END_TEST

START_TEST(displayed_set_deltas)
{
    /* frame.time_delta_displayed follows the filtered set (tshark -Y http). */
    cshark_capture *cap = open_data(HTTP);
    cshark_capture_set_display_filter(cap, "http");
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(show_of(pkt, "frame.time_delta_displayed"), "0.000000000");
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 28);
    ck_assert_str_eq(show_of(pkt, "frame.time_delta_displayed"), "0.601057000");
}
END_TEST

START_TEST(two_pass_looks_forward)
{
    cshark_capture *cap = open_data(HTTP);
    cshark_capture_set_display_filter(cap, "http.response_in");
    ck_assert_str_eq(numbers(), ""); /* one pass: the response is not seen yet */
    close_tcap();
    cap = open_data(HTTP);
    cshark_capture_set_display_filter(cap, "http.response_in");
    ck_assert_int_eq(cshark_capture_set_two_pass(cap, 1), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 4);
    ck_assert_str_eq(show_of(pkt, "http.response_in"), "28");
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_DONE);
}
END_TEST

START_TEST(invalid_filter_fails_at_once)
{
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "tcp.port == 80 && foo"),
                     CSHARK_EFILTER);
    /* tshark's text: message, the filter, a caret under the fault. */
    ck_assert_str_eq(cshark_last_error(), "foo is neither a field nor a protocol name.\n"
                                          "    tcp.port == 80 && foo\n"
                                          "                      ^~~");
    ck_assert_int_eq(cshark_filter_check("ip.src == 1.2.3", NULL), CSHARK_EFILTER);
    const char *warning = (const char *)1;
    ck_assert_int_eq(cshark_filter_check("tcp.port == 80", &warning), CSHARK_OK);
    ck_assert_ptr_null(warning);
    ck_assert_int_eq(cshark_filter_check("ip.addr ~= 10.0.0.1", &warning), CSHARK_OK);
    ck_assert_ptr_nonnull(warning);
    ck_assert_ptr_nonnull(strstr(warning, "deprecated"));
    ck_assert_int_eq(cshark_filter_check("ssl", &warning), CSHARK_OK);
    ck_assert_str_eq(warning, "\"ssl\" is deprecated in favour of \"tls\"");
}
END_TEST

START_TEST(fields_of_interest)
{
    /* Only the asked fields are built, with the values of the full tree. */
    static const char *const want[] = { "ip.src", "tcp.dstport", "http.host", "ip.addr" };
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_fields(cap, want, 4), CSHARK_OK);
    cshark_packet *pkt;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(show_of(pkt, "ip.src"), "192.168.0.4");
    ck_assert_str_eq(show_of(pkt, "tcp.dstport"), "80");
    ck_assert_str_eq(show_of(pkt, "http.host"), "browserspy.dk");
    size_t n;
    ck_assert_int_eq(cshark_packet_field_count(pkt, "ip.addr", &n), CSHARK_OK);
    ck_assert_uint_eq(n, 2);
    /* Not asked for: not built, and said so (not "absent"). */
    ck_assert_int_eq(cshark_packet_field_count(pkt, "ip.ttl", &n), CSHARK_ENOTPRIMED);
    ck_assert_uint_eq(n, 0);
    close_tcap();

    static const char *const bad[] = { "ip.src", "no.such.field" };
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_fields(cap, bad, 2), CSHARK_EUNKNOWN_FIELD);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "no.such.field"));
}
END_TEST

START_TEST(summary_columns)
{
    /* Off by default: no columns. */
    cshark_packet *pkt = read_frame(HTTP, 1);
    ck_assert_uint_eq(cshark_packet_column_count(pkt), 0);
    ck_assert_uint_eq(cshark_capture_column_count(tcap), 0);
    ck_assert_ptr_null(cshark_packet_column(pkt, 0));
    close_tcap();

    /* tshark -n -T psml, frames 3 and 4 (delta columns read the previous
     * frame: checked through a column preference). */
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_columns(cap, 3), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_preference(cap, "gui.column.format:"
                                             "\"No.\",\"%m\",\"Delta\",\"%Tt\","
                                             "\"TTL\",\"%Cus:ip.ttl:0:U\","
                                             "\"Info\",\"%i\""), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_preference(cap, "gui.column.hidden:%Cus:ip.ttl:0:U"),
                     CSHARK_OK);
    /* The titles are the capture's once reading has started. */
    ck_assert_uint_eq(cshark_capture_column_count(cap), 0);
    ck_assert_ptr_null(cshark_capture_column_title(cap, 0));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
    cshark_packet *third = pkt;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_capture_column_count(cap), 3);
    ck_assert_str_eq(cshark_capture_column_title(cap, 1), "Delta");
    ck_assert_ptr_null(cshark_capture_column_title(cap, 3));
    /* Formats: every column, the hidden custom one included. */
    bool shown;
    ck_assert_uint_eq(cshark_capture_column_format_count(cap), 4);
    ck_assert_str_eq(cshark_capture_column_format(cap, 1, &shown), "%Tt");
    ck_assert(shown);
    ck_assert_str_eq(cshark_capture_column_format(cap, 2, &shown), "%Cus:ip.ttl:0:U");
    ck_assert(!shown);
    ck_assert_str_eq(cshark_capture_column_format(cap, 3, NULL), "%i");
    ck_assert_ptr_null(cshark_capture_column_format(cap, 4, &shown));
    ck_assert_uint_eq(cshark_packet_column_count(pkt), 3);
    ck_assert_str_eq(cshark_packet_column_title(pkt, 1), "Delta");
    ck_assert_str_eq(cshark_packet_column(pkt, 0), "4");
    ck_assert_str_eq(cshark_packet_column(pkt, 1), "0.000139");
    ck_assert_str_eq(cshark_packet_column(pkt, 2), "GET /password-ok.php HTTP/1.1 ");
    ck_assert_ptr_null(cshark_packet_column(pkt, 3));
    /* The full tree is there too. */
    ck_assert_str_eq(show_of(pkt, "http.request.method"), "GET");
    close_tcap();
    /* A kept packet keeps its own copy, beyond the capture. */
    ck_assert_str_eq(cshark_packet_column(third, 0), "3");
    ck_assert_str_eq(cshark_packet_column_title(third, 2), "Info");
    ck_assert_str_eq(cshark_packet_column(third, 2),
                     "54337 → 80 [ACK] Seq=1 Ack=1 Win=131760 Len=0 TSval=528421993 "
                     "TSecr=818787831");
    cshark_packet_free(third);

    /* Columns only: no tree (tshark -T psml), and options freeze as usual. */
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_columns(cap, CSHARK_COLUMNS_ONLY), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_column_count(pkt), 7);
    ck_assert_str_eq(cshark_packet_column_title(pkt, 6), "Info");
    ck_assert_str_eq(cshark_packet_column(pkt, 4), "TCP");
    ck_assert_uint_eq(cshark_packet_layer_count(pkt), 0);
    ck_assert_int_eq(cshark_capture_set_columns(cap, CSHARK_COLUMNS_OFF), CSHARK_ESTATE);
}
END_TEST

START_TEST(options_are_scoped_to_their_capture)
{
    /* TLS key log: 13 HTTP/2 frames decrypted, none without the key. */
    ck_assert_uint_eq(count_with(TLS, "http2", "tls.keylog_file:" "tests/data/" TLS), 0);
    char pref[4200];
    snprintf(pref, sizeof pref, "tls.keylog_file:%s", data_file("rtshark__test_tls.keylog"));
    ck_assert_uint_eq(count_with(TLS, "http2", pref), 13);
    ck_assert_uint_eq(count_with(TLS, "http2", NULL), 0);
    /* Under names the engine still takes (tshark -o says "converted"): a
     * protocol's alias, "ssl" for tls, and a legacy module name, "bxxp" for
     * beep (tshark -o bxxp.tcp.port:80 -Y beep: 16 frames). */
    snprintf(pref, sizeof pref, "ssl.keylog_file:%s", data_file("rtshark__test_tls.keylog"));
    ck_assert_uint_eq(count_with(TLS, "http2", pref), 13);
    ck_assert_uint_eq(count_with(TLS, "http2", NULL), 0);
    ck_assert_uint_eq(count_with(HTTP, "beep", "bxxp.tcp.port:80"), 16);
    ck_assert_uint_eq(count_with(HTTP, "beep", NULL), 0);
    ck_assert_uint_eq(count_with(HTTP, "http", NULL), 2);
    /* Port preferences give their ports back (4.0's own re-setting does
     * not): tshark -o acap.tcp.port:80 -Y acap, 15 frames. */
    ck_assert_uint_eq(count_with(HTTP, "acap", "acap.tcp.port:80"), 15);
    ck_assert_uint_eq(count_with(HTTP, "acap", NULL), 0);
    ck_assert_uint_eq(count_with(HTTP, "beep", "beep.tcp.port:80-81"), 16);
    ck_assert_uint_eq(count_with(HTTP, "beep", NULL), 0);
    ck_assert_uint_eq(count_with(HTTP, "http", NULL), 2);

    /* Reassembly off shows HTTP in 16 frames; back on, in 2. */
    ck_assert_uint_eq(count_with(HTTP, "http", "tcp.desegment_tcp_streams:FALSE"), 16);
    ck_assert_uint_eq(count_with(HTTP, "http", NULL), 2);

    /* Decode-as and disabled protocols undo themselves too. */
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_decode_as(cap, "tcp.port==80,telnet"), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "telnet"), CSHARK_OK);
    ck_assert_uint_eq(strlen(numbers()) > 0, 1);
    close_tcap();
    ck_assert_uint_eq(count_with(HTTP, "telnet", NULL), 0);
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_protocol(cap, "http", 0), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "http"), CSHARK_OK);
    ck_assert_str_eq(numbers(), "");
    close_tcap();
    ck_assert_uint_eq(count_with(HTTP, "http", NULL), 2);
}
END_TEST

/* showname of the first FIELD of PKT. */
static const char *showname_of(cshark_packet *pkt, const char *field)
{
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, field, &it), CSHARK_OK);
    return cshark_item_showname(it);
}

START_TEST(name_resolution_letters)
{
    /* tshark -n -N mt -T pdml on frame 1: vendor and port names. */
    cshark_capture *cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_name_resolution(cap, "mt"), CSHARK_OK);
    cshark_packet *kept;
    ck_assert_int_eq(cshark_capture_next(cap, &kept), CSHARK_PACKET);
    ck_assert_str_eq(showname_of(kept, "eth.src"), "Source: Apple_21:3c:2b (28:cf:e9:21:3c:2b)");
    ck_assert_int_eq(cshark_packet_keep(kept), CSHARK_OK);
    close_tcap();

    /* The next capture, without names (tshark -n), then the kept packet's
     * strings, read after it: each keeps its own capture's names. */
    cshark_packet *pkt = read_frame(HTTP, 1);
    const char *other_port = showname_of(pkt, "tcp.dstport");
    ck_assert_str_eq(other_port, "Destination Port: 80");
    ck_assert_str_eq(showname_of(pkt, "eth.src"), "Source: 28:cf:e9:21:3c:2b");
    ck_assert_str_eq(showname_of(kept, "tcp.dstport"), "Destination Port: http (80)");
    close_tcap();
    cshark_packet_free(kept);

    /* NULL: as the preferences say (MAC names on by default); "": none. */
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_name_resolution(cap, NULL), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(showname_of(pkt, "eth.src"), "Source: Apple_21:3c:2b (28:cf:e9:21:3c:2b)");
    ck_assert_str_eq(showname_of(pkt, "tcp.dstport"), "Destination Port: 80");
    close_tcap();
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_name_resolution(cap, "m"), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_name_resolution(cap, ""), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(showname_of(pkt, "eth.src"), "Source: 28:cf:e9:21:3c:2b");

    /* A letter tshark does not know is named, in tshark's words. */
    close_tcap();
    cap = open_data(HTTP);
    ck_assert_int_eq(cshark_capture_set_name_resolution(cap, "mq"), CSHARK_EOPTION);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "unknown resolving option 'q'"));
}
END_TEST

START_TEST(wlan_decryption)
{
    /* WPA2 passphrase "wireshark", SSID "ikeriri-5g": frame 12 decrypts to IP. */
    cshark_capture *cap = open_data("libpcap__wpa2linkuppassphraseiswireshark.pcap");
    ck_assert_int_eq(cshark_capture_set_wlan_key(cap, "wpa-pwd", "wireshark:ikeriri-5g"),
                     CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "ip"), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 12);
    ck_assert_str_eq(show_of(pkt, "ip.src"), "192.168.100.3");
    close_tcap();
    ck_assert_uint_eq(count_with("libpcap__wpa2linkuppassphraseiswireshark.pcap", "ip", NULL), 0);
    cap = open_data("libpcap__wpa2linkuppassphraseiswireshark.pcap");
    ck_assert_int_eq(cshark_capture_set_wlan_key(cap, "rot13", "x"), CSHARK_EOPTION);
}
END_TEST

/* RC is a refusal of a bad option, whose message names WORDS (if any). */
static void refused(int rc, const char *words)
{
    ck_assert_int_eq(rc, CSHARK_EOPTION);
    if (words)
        ck_assert_ptr_nonnull(strstr(cshark_last_error(), words));
}

START_TEST(bad_options_name_themselves)
{
    cshark_capture *cap = open_data(HTTP);
    refused(cshark_capture_set_preference(cap, "no.such.pref:1"), "no.such.pref");
    refused(cshark_capture_set_preference(cap, "http.tls.port:abc"), "http.tls.port");
    refused(cshark_capture_set_preference(cap, "nocolon"), NULL);
    refused(cshark_capture_set_decode_as(cap, "tcp.port==80,nosuchproto"), "nosuchproto");
    refused(cshark_capture_set_decode_as(cap, "nosuchtable==1,http"), "nosuchtable");
    refused(cshark_capture_set_decode_as(cap, "tcp.port==eighty,http"), NULL);
    /* A port that cannot be, and a range that would take hours (tshark
     * takes both: the second never ends). */
    refused(cshark_capture_set_decode_as(cap, "udp.port==70000,dns"), "0 to 65535");
    refused(cshark_capture_set_decode_as(cap, "udp.port==0-4294967295,rtp"), NULL);
    refused(cshark_capture_set_decode_as(cap, "ip.proto==6:300,tcp"), "0 to 255");
    refused(cshark_capture_set_decode_as(cap, "sctp.ppi==0:70000,m3ua"), "70000 values");
    refused(cshark_capture_set_protocol(cap, "nosuchproto", 0), "nosuchproto");

    /* After the first packet, options are frozen. */
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_int_eq(cshark_capture_set_display_filter(cap, "ip"), CSHARK_ESTATE);
    ck_assert_int_eq(cshark_capture_set_preference(cap, "ip.defragment:FALSE"), CSHARK_ESTATE);
}
END_TEST

Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("filters and options");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, filter_keeps_original_numbers);
    tcase_add_test(tc, limits_count_differently);
    tcase_add_test(tc, displayed_set_deltas);
    tcase_add_test(tc, two_pass_looks_forward);
    tcase_add_test(tc, invalid_filter_fails_at_once);
    tcase_add_test(tc, fields_of_interest);
    tcase_add_test(tc, summary_columns);
    tcase_add_test(tc, options_are_scoped_to_their_capture);
    tcase_add_test(tc, name_resolution_letters);
    tcase_add_test(tc, wlan_decryption);
    tcase_add_test(tc, bad_options_name_themselves);
    suite_add_tcase(s, tc);
    return s;
}
