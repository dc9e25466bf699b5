/* Analyses across packets: conversations, endpoints, protocol hierarchy and
 * expert info as rows and as text. Values from tshark 4.0.17 (-n -q -z) on
 * the same captures.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

#define DNS_TCP "tcpdump__dns_tcp.pcap"
#define HTTP "ndpi__http_auth.pcap"

static cshark_analysis *attach(const char *name, const char *spec)
{
    cshark_analysis *a = NULL;
    if (!tcap)
        ck_assert_int_eq(cshark_capture_open(&tcap, data_file(name)), CSHARK_OK);
    ck_assert_msg(cshark_capture_analyze(tcap, spec, &a) == CSHARK_OK, "%s: %s", spec,
                  cshark_last_error());
    return a;
}

/* The index of COLUMN in A (the test fails when there is none). */
static size_t col(cshark_analysis *a, const char *column)
{
    size_t c = 0;
    ck_assert_msg(cshark_analysis_column_index(a, column, &c) == CSHARK_OK, "%s",
                  cshark_last_error());
    return c;
}

static uint64_t u(cshark_analysis *a, size_t row, const char *column)
{
    uint64_t v;
    ck_assert_int_eq(cshark_analysis_uint(a, row, col(a, column), &v), CSHARK_OK);
    return v;
}

static const char *s(cshark_analysis *a, size_t row, const char *column)
{
    const char *v;
    ck_assert_int_eq(cshark_analysis_string(a, row, col(a, column), &v), CSHARK_OK);
    return v;
}

static double d(cshark_analysis *a, size_t row, const char *column)
{
    double v;
    ck_assert_int_eq(cshark_analysis_double(a, row, col(a, column), &v), CSHARK_OK);
    return v;
}

START_TEST(conversations_and_endpoints)
{
    cshark_analysis *conv = attach(DNS_TCP, "conv,tcp");
    cshark_analysis *ends = attach(DNS_TCP, "endpoints,tcp");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(conv, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    /* 192.168.1.11:33779 <-> 209.87.249.18:53: <- 5 520 bytes, -> 6 402 bytes */
    ck_assert_str_eq(s(conv, 0, "address_a"), "192.168.1.11");
    ck_assert_uint_eq(u(conv, 0, "port_a"), 33779);
    ck_assert_str_eq(s(conv, 0, "address_b"), "209.87.249.18");
    ck_assert_uint_eq(u(conv, 0, "port_b"), 53);
    ck_assert_uint_eq(u(conv, 0, "frames_a_to_b"), 6);
    ck_assert_uint_eq(u(conv, 0, "bytes_a_to_b"), 402);
    ck_assert_uint_eq(u(conv, 0, "frames_b_to_a"), 5);
    ck_assert_uint_eq(u(conv, 0, "bytes_b_to_a"), 520);
    ck_assert_uint_eq(u(conv, 0, "frames"), 11);
    ck_assert_uint_eq(u(conv, 0, "bytes"), 922);
    ck_assert_uint_eq(u(conv, 0, "stream"), 0); /* tcp.stream */
    ck_assert_double_eq_tol(d(conv, 0, "start"), 0.0, 1e-9);
    ck_assert_double_eq_tol(d(conv, 0, "duration"), 0.3810, 5e-5);

    ck_assert_int_eq(cshark_analysis_rows(ends, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(s(ends, 1, "address"), "209.87.249.18");
    ck_assert_uint_eq(u(ends, 1, "port"), 53);
    ck_assert_uint_eq(u(ends, 1, "tx_frames"), 5);
    ck_assert_uint_eq(u(ends, 1, "tx_bytes"), 520);
    ck_assert_uint_eq(u(ends, 1, "rx_frames"), 6);
    ck_assert_uint_eq(u(ends, 1, "rx_bytes"), 402);

    const char *text = cshark_analysis_text(conv);
    ck_assert_ptr_nonnull(strstr(text, "TCP Conversations\nFilter:<No Filter>\n"));
    ck_assert_ptr_nonnull(strstr(text, "192.168.1.11:33779         <-> 209.87.249.18:53      "
                                       "           5 520 bytes       6 402 bytes      11 922 "
                                       "bytes     0.000000000         0.3810\n"));
}
END_TEST

START_TEST(hierarchy_and_expert)
{
    cshark_analysis *phs = attach(HTTP, "io,phs");
    cshark_analysis *expert = attach(HTTP, "expert");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(phs, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 6);
    static const char *const names[] = { "eth", "ip", "tcp", "http", "data-text-lines",
                                         "tcp.segments" };
    static const uint64_t frames[] = { 33, 33, 33, 2, 1, 1 };
    static const uint64_t bytes[] = { 20574, 20574, 20574, 1794, 989, 989 };
    for (size_t i = 0; i < 6; i++) {
        ck_assert_uint_eq(u(phs, i, "depth"), i);
        ck_assert_str_eq(s(phs, i, "protocol"), names[i]);
        ck_assert_uint_eq(u(phs, i, "frames"), frames[i]);
        ck_assert_uint_eq(u(phs, i, "bytes"), bytes[i]);
    }
    ck_assert_ptr_nonnull(strstr(cshark_analysis_text(phs),
                                 "      http                               frames:2 bytes:1794\n"));

    /* 2 notes and 6 chats, as tshark -q counts them (no tree). */
    ck_assert_int_eq(cshark_analysis_rows(expert, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 8);
    size_t chats = 0, http = 0;
    for (size_t i = 0; i < n; i++) {
        chats += strcmp(s(expert, i, "severity"), "Chat") == 0;
        http += strcmp(s(expert, i, "protocol"), "HTTP") == 0;
        ck_assert_str_eq(s(expert, i, "group"), "Sequence");
    }
    ck_assert_uint_eq(chats, 6);
    ck_assert_uint_eq(http, 2);
    ck_assert_ptr_nonnull(strstr(cshark_analysis_text(expert),
                                 "\nChats (6)\n=============\n   Frequency      Group           "
                                 "Protocol  Summary\n"));
}
END_TEST

/* Analyses count every packet read, not only those the filter passes, and
 * show running totals while the capture is read. */
START_TEST(display_filter_and_running_totals)
{
    cshark_analysis *conv = attach(DNS_TCP, "conv,tcp");
    ck_assert_int_eq(cshark_capture_set_display_filter(tcap, "frame.number == 1"), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(conv, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(u(conv, 0, "frames"), 1);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    ck_assert_int_eq(cshark_analysis_rows(conv, &n), CSHARK_OK);
    ck_assert_uint_eq(u(conv, 0, "frames"), 11);
}
END_TEST

/* A second capture's analyses contain nothing of the first's. */
START_TEST(captures_in_sequence)
{
    cshark_analysis *first = attach(HTTP, "conv,tcp");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(first, &n), CSHARK_OK);
    ck_assert_uint_eq(u(first, 0, "frames"), 33);
    close_tcap();
    cshark_analysis *second = attach(DNS_TCP, "conv,tcp");
    cshark_analysis *ip = attach(DNS_TCP, "conv,ip");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    ck_assert_int_eq(cshark_analysis_rows(second, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(u(second, 0, "frames"), 11);
    ck_assert_uint_eq(u(second, 0, "port_b"), 53);
    ck_assert_int_eq(cshark_analysis_rows(ip, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(u(ip, 0, "port_a"), 0); /* no ports in an IP table */
}
END_TEST

START_TEST(bad_analyses)
{
    cshark_analysis *a = (cshark_analysis *)1;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(DNS_TCP)), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv,nope", &a), CSHARK_EOPTION);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "\"nope\""));
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "tcp"));
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conversations", &a), CSHARK_EOPTION);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "conversations"));
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv", &a), CSHARK_EOPTION);
    ck_assert_int_eq(cshark_capture_analyze(tcap, "io,phs,tcp.port ==", &a), CSHARK_EFILTER);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "io,phs,tcp.port =="));
    /* A statistics tree with a bad filter is freed whole (its root's name
     * leaked: found by fuzz_analysis). */
    ck_assert_int_eq(cshark_capture_analyze(tcap, "dns,tree,dns.flags ==", &a), CSHARK_EFILTER);
    /* The engine's MPTCP endpoint table aborts (4.0): refused. */
    ck_assert_int_eq(cshark_capture_analyze(tcap, "endpoints,mptcp", &a), CSHARK_EOPTION);
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv,udp", &a), CSHARK_OK);
    size_t n = 99;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
    uint64_t v;
    const char *str;
    ck_assert_int_eq(cshark_analysis_uint(a, 0, 0, &v), CSHARK_EINVAL);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    /* After the first packet: taken, but waiting for a retap. */
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv,tcp", &a), CSHARK_OK);
    ck_assert_ptr_null(cshark_analysis_text(a));
    cshark_analysis *conv = NULL;
    close_tcap();
    conv = attach(DNS_TCP, "conv,tcp");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    ck_assert_int_eq(cshark_analysis_rows(conv, &n), CSHARK_OK);
    ck_assert_int_eq(cshark_analysis_string(conv, 0, 1, &str), CSHARK_ETYPE); /* port_a */
    ck_assert_ptr_null(str);
    ck_assert_int_eq(cshark_analysis_uint(conv, 0, 99, &v), CSHARK_EINVAL);
    ck_assert_ptr_null(cshark_analysis_column_name(conv, 99));
}
END_TEST

/* A TCP stream, both ways: frames 4 (client, 58 bytes) and 6 (server). */
START_TEST(follow_a_stream)
{
    cshark_analysis *a = attach(DNS_TCP, "follow,tcp,yaml,0");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(u(a, 0, "frame"), 4);
    ck_assert_uint_eq(u(a, 0, "peer"), 0);
    ck_assert_str_eq(s(a, 0, "host"), "192.168.1.11");
    ck_assert_uint_eq(u(a, 0, "port"), 33779);
    ck_assert_uint_eq(u(a, 1, "frame"), 6);
    ck_assert_uint_eq(u(a, 1, "peer"), 1);
    ck_assert_uint_eq(u(a, 1, "port"), 53);
    ck_assert_double_eq_tol(d(a, 1, "time"), 1591780863.973180056, 1e-6);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(cshark_analysis_bytes(a, 0, 5, &data, &len), CSHARK_OK);
    /* ADhDGQEg...: the DNS length prefix 0x0038, then the id 0x4319. */
    ck_assert_uint_eq(len, 58);
    static const uint8_t head[] = { 0x00, 0x38, 0x43, 0x19, 0x01, 0x20 };
    ck_assert_mem_eq(data, head, sizeof head);
    ck_assert_ptr_nonnull(strstr(cshark_analysis_text(a), "  - packet: 4\n    peer: 0\n    "
                                 "timestamp: 1591780863.847322941\n    data: !!binary |\n      "
                                 "ADhDGQEgAAEAAAAAAAEDd3d3B3RjcGR1bXADb3JnAAABAAEAACkQAAAAAAAADAAKAAiPBr59aRRC\n"
                                 "      8A==\n"));
    cshark_analysis *bad = (cshark_analysis *)1;
    close_tcap();
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(DNS_TCP)), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_analyze(tcap, "follow,tcp,bin,0", &bad), CSHARK_EOPTION);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "Invalid display mode"));
    ck_assert_int_eq(cshark_capture_analyze(tcap, "follow,nope,ascii,0", &bad), CSHARK_EOPTION);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "followers: "));
    ck_assert_int_eq(cshark_capture_analyze(tcap, "follow,tcp,ascii,0,3-2", &bad), CSHARK_EOPTION);
    ck_assert_int_eq(cshark_capture_analyze(tcap, "follow,tcp,ascii,1.2.3.4:1,[::1]:2", &bad),
                     CSHARK_EOPTION);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "Mismatched"));
}
END_TEST

static off_t file_size(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Six HTTP objects, three names twice or more: tshark's files, numbered. */
START_TEST(export_objects)
{
    cshark_analysis *a = attach("ndpi__conncheck.pcap", "objects,http");
    cshark_analysis *creds = attach("ndpi__conncheck.pcap", "credentials");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 6);
    ck_assert_uint_eq(u(a, 0, "frame"), 8);
    ck_assert_str_eq(s(a, 0, "content_type"), "text/html");
    ck_assert_uint_eq(u(a, 0, "size"), 553);
    ck_assert_str_eq(cshark_analysis_text(a), "");
    char dir[] = "/tmp/cshark-objects-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[sizeof dir + 16];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    ck_assert_int_eq(cshark_analysis_save(a, sub), CSHARK_OK);
    ck_assert_int_eq(file_size(sub, "generate204"), 553);
    ck_assert_int_eq(file_size(sub, "generate204(1)"), 553);
    ck_assert_int_eq(file_size(sub, "generate_204(3)"), 553);
    ck_assert_int_eq(file_size(sub, "generate_204(4)"), -1);
    /* A folder that cannot be made: named. */
    char blocked[sizeof dir + 16];
    snprintf(blocked, sizeof blocked, "%s/a/b/generate204/x", dir);
    ck_assert_int_eq(cshark_analysis_save(a, blocked), CSHARK_EOPEN);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), blocked));
    ck_assert_int_eq(cshark_analysis_save(creds, dir), CSHARK_ETYPE);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(cshark_analysis_rows(creds, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* HTTP basic auth in frame 4: user "test", the password in its field. */
START_TEST(credentials_and_stats_tree)
{
    cshark_analysis *creds = attach(HTTP, "credentials");
    cshark_analysis *plen = attach(HTTP, "plen,tree");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(creds, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(u(creds, 0, "frame"), 4);
    ck_assert_str_eq(s(creds, 0, "protocol"), "HTTP basic auth");
    ck_assert_str_eq(s(creds, 0, "username"), "test");
    ck_assert_str_eq(s(creds, 0, "password_field"), "http.authbasic");
    ck_assert_str_eq(cshark_analysis_text(creds),
                     "===================================================================\n"
                     "Packet     Protocol         Username         Info            \n"
                     "------     --------         --------         --------\n"
                     "4          HTTP basic auth  test                             \n"
                     "===================================================================\n");
    /* Packet Lengths: 33 packets, 17 of them 40-79 bytes (tshark -z plen,tree). */
    ck_assert_int_eq(cshark_analysis_rows(plen, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert_str_eq(s(plen, 0, "name"), "Packet Lengths");
    ck_assert_uint_eq(u(plen, 0, "count"), 33);
    ck_assert_uint_eq(u(plen, 1, "depth"), 1);
    ck_assert_str_eq(s(plen, 3, "name"), "40-79");
    ck_assert_uint_eq(u(plen, 3, "count"), 17);
    ck_assert_str_eq(s(plen, 3, "percent"), "51.52%");
}
END_TEST

/* Values by name and value labels, from tshark -V / -T fields on frame 6:
 * "Reply code: No error (0)", "Protocol: TCP (6)", "Syn: Not set". */
START_TEST(values_by_name)
{
    cshark_packet *pkt = read_frame(DNS_TCP, 6);
    uint64_t v;
    int64_t i;
    double sec;
    const char *str;
    ck_assert_int_eq(cshark_packet_field_uint(pkt, "tcp.srcport", &v), CSHARK_OK);
    ck_assert_uint_eq(v, 53);
    ck_assert_int_eq(cshark_packet_field_int(pkt, "tcp.window_size_scalefactor", &i), CSHARK_OK);
    ck_assert_int_eq(i, -2);
    ck_assert_int_eq(cshark_packet_field_string(pkt, "dns.qry.name", &str), CSHARK_OK);
    ck_assert_str_eq(str, "www.tcpdump.org");
    ck_assert_int_eq(cshark_packet_field_seconds(pkt, "frame.time_relative", &sec), CSHARK_OK);
    ck_assert_double_eq_tol(sec, 0.252891, 1e-9);
    ck_assert_int_eq(cshark_packet_field_uint(pkt, "dns.qry.name", &v), CSHARK_ETYPE);
    ck_assert_int_eq(cshark_packet_field_uint(pkt, "http.host", &v), CSHARK_ENOTFOUND);
    ck_assert_int_eq(cshark_packet_field_uint(pkt, "no.such.field", &v), CSHARK_EUNKNOWN_FIELD);
    ck_assert_int_eq(cshark_packet_field_double(pkt, "ip.ttl", &sec), CSHARK_ETYPE);

    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(pkt, "dns.flags.rcode", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_value_label(it), "No error");
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.proto", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_value_label(it), "TCP");
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.flags.syn", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_value_label(it), "Not set");
    /* Its "(no window scaling used)" is the dissector's text, not a value string. */
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.window_size_scalefactor", &it), CSHARK_OK);
    ck_assert_ptr_null(cshark_item_value_label(it));
    ck_assert_int_eq(cshark_packet_field(pkt, "tcp.srcport", &it), CSHARK_OK);
    ck_assert_ptr_null(cshark_item_value_label(it)); /* no value strings */
    ck_assert_int_eq(cshark_packet_field(pkt, "dns.qry.name", &it), CSHARK_OK);
    ck_assert_ptr_null(cshark_item_value_label(it));
    ck_assert_int_eq(cshark_item_seconds(it, &sec), CSHARK_ETYPE);
    /* A frame number's strings say what it points at (FT_FRAMENUM_RESPONSE…),
     * no table: reading one as a table crashed (found by fuzz_capture). */
    ck_assert_int_eq(cshark_packet_field(pkt, "dns.response_to", &it), CSHARK_OK);
    ck_assert_ptr_null(cshark_item_value_label(it));
}
END_TEST

START_TEST(the_list)
{
    const char *const *names;
    size_t n;
    ck_assert_int_eq(cshark_analysis_list(&names, &n), CSHARK_OK);
    const char *want[] = { "conv,tcp", "endpoints,ip", "follow,quic", "objects,http", "plen,tree",
                           "dns,tree", "io,phs", "expert", "credentials" };
    for (size_t w = 0; w < sizeof want / sizeof *want; w++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], want[w]) != 0)
            i++;
        ck_assert_msg(i < n, "%s not listed", want[w]);
    }
    for (size_t i = 1; i < n; i++)
        ck_assert_int_lt(strcmp(names[i - 1], names[i]), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_ne(names[i], "endpoints,mptcp");
}
END_TEST

START_TEST(retap_after_reading)
{
    /* The reference: attached before the first packet, the whole file. */
    cshark_analysis *ref = attach(DNS_TCP, "conv,tcp");
    cshark_analysis *ref_io = attach(DNS_TCP, "io,stat,0.5,tcp");
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    char *want = strdup(cshark_analysis_text(ref));
    char *want_io = strdup(cshark_analysis_text(ref_io));
    close_tcap();

    cshark_analysis *before = attach(DNS_TCP, "conv,tcp");
    cshark_packet *pkt;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    cshark_analysis *late = attach(DNS_TCP, "conv,tcp");
    cshark_analysis *late_io = attach(DNS_TCP, "io,stat,0.5,tcp");
    ck_assert_ptr_null(cshark_analysis_text(late));
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "cshark_capture_retap()"));
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(late, &n), CSHARK_ESTATE);
    cshark_analysis *bad;
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv,nope", &bad), CSHARK_EOPTION);
    size_t c;
    ck_assert_int_eq(cshark_analysis_column_index(late, "no_such", &c), CSHARK_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "\"no_such\""));
    /* Both over the whole file, once: the earlier one is not doubled. */
    for (int pass = 0; pass < 2; pass++) {
        ck_assert_msg(cshark_capture_retap(tcap) == CSHARK_OK, "%s", cshark_last_error());
        ck_assert_str_eq(cshark_analysis_text(late), want);
        ck_assert_str_eq(cshark_analysis_text(before), want);
        ck_assert_str_eq(cshark_analysis_text(late_io), want_io);
        ck_assert_int_eq(cshark_analysis_rows(late, &n), CSHARK_OK);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    }
    free(want);
    free(want_io);
}
END_TEST

START_TEST(retap_refused_on_pipe)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    FILE *f = fopen(data_file(DNS_TCP), "rb");
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_int_eq(write(fds[1], buf, len), (ssize_t)len);
    close(fds[1]);
    char path[32];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    ck_assert_int_eq(cshark_capture_open(&tcap, path), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    cshark_analysis *a;
    ck_assert_int_eq(cshark_capture_analyze(tcap, "conv,tcp", &a), CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "is a pipe"));
    ck_assert_int_eq(cshark_capture_retap(tcap), CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "cannot be read again"));
    close_tcap();
    close(fds[0]);
}
END_TEST

Suite *analysis_suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("analyses");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, conversations_and_endpoints);
    tcase_add_test(tc, hierarchy_and_expert);
    tcase_add_test(tc, display_filter_and_running_totals);
    tcase_add_test(tc, captures_in_sequence);
    tcase_add_test(tc, bad_analyses);
    tcase_add_test(tc, follow_a_stream);
    tcase_add_test(tc, export_objects);
    tcase_add_test(tc, credentials_and_stats_tree);
    tcase_add_test(tc, values_by_name);
    tcase_add_test(tc, the_list);
    tcase_add_test(tc, retap_after_reading);
    tcase_add_test(tc, retap_refused_on_pipe);
    suite_add_tcase(s, tc);
    return s;
}
