/* Bad input and lifetimes: clear errors naming what is at fault, never a
 * crash; packets that outlive their capture.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

static char tmpdir[] = "/tmp/cshark-test-XXXXXX";

static const char *tmp_file(const char *name, const void *content, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (len)
        ck_assert_uint_eq(fwrite(content, 1, len, f), len);
    fclose(f);
    return path;
}

static void expect_open_error(const char *path, int code, const char *words)
{
    cshark_capture *cap = (cshark_capture *)1;
    ck_assert_int_eq(cshark_capture_open(&cap, path), code);
    ck_assert_ptr_null(cap);
    ck_assert_msg(strstr(cshark_last_error(), path), "error does not name %s: %s", path,
                  cshark_last_error());
    ck_assert_msg(strstr(cshark_last_error(), words), "error does not say \"%s\": %s", words,
                  cshark_last_error());
}

START_TEST(missing_file)
{
    expect_open_error("/nonexistent/dir/trace.pcap", CSHARK_EOPEN, "doesn't exist");
}
END_TEST

START_TEST(directory)
{
    expect_open_error(tmpdir, CSHARK_EOPEN, "directory");
}
END_TEST

START_TEST(empty_file)
{
    expect_open_error(tmp_file("empty.pcap", "", 0), CSHARK_EFORMAT, "empty");
}
END_TEST

START_TEST(not_a_capture)
{
    static const char text[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\nnot a capture file\n";
    expect_open_error(tmp_file("notes.txt", text, sizeof text - 1), CSHARK_EFORMAT,
                      "isn't a capture file");
}
END_TEST

START_TEST(unreadable_file)
{
    if (geteuid() == 0)
        return; /* root reads a mode-000 file: nothing to test */
    const char *path = tmp_file("secret.pcap", "x", 1);
    chmod(path, 0);
    expect_open_error(path, CSHARK_EOPEN, "permission denied");
}
END_TEST

START_TEST(truncated_mid_record)
{
    /* tshark prints frame 1, then says the file was cut short. */
    cshark_capture *cap;
    cshark_packet *pkt;
    const char *path = data_file("bad/ndpi__fuzz-2021-10-13.pcap");
    ck_assert_int_eq(cshark_capture_open(&cap, path), CSHARK_OK);
    tcap = cap;
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 1);
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_EREAD);
    ck_assert_ptr_null(pkt);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), path));
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "cut short"));
    /* The error sticks. */
    ck_assert_int_eq(cshark_capture_next(cap, &pkt), CSHARK_EREAD);
}
END_TEST

/* A copy of tcpdump__dns_tcp.pcap (pcap, little endian) with the 4 bytes at
 * OFFSET of record 1's header (0 seconds, 12 original length) changed. */
static const char *changed_copy(const char *name, size_t offset, uint32_t value)
{
    static unsigned char content[4096];
    FILE *f = fopen(data_file("tcpdump__dns_tcp.pcap"), "rb");
    ck_assert_ptr_nonnull(f);
    size_t len = fread(content, 1, sizeof content, f);
    fclose(f);
    ck_assert_uint_gt(len, 40);
    ck_assert_uint_lt(len, sizeof content);
    for (int i = 0; i < 4; i++)
        content[24 + offset + (size_t)i] = (unsigned char)(value >> (8 * i));
    return tmp_file(name, content, len);
}

START_TEST(record_longer_than_2gib)
{
    /* A damaged length field: frame 1 claims 2 GiB, more than a tvb's int
     * holds. tshark clips it and dissects (tshark -T fields -e frame.len:
     * 2147483647); the library used to abort the process on it. */
    const char *path = changed_copy("huge-length.pcap", 12, 0x80000000u);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, path), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(show_of(pkt, "frame.len"), "2147483647");
    ck_assert_str_eq(show_of(pkt, "frame.cap_len"), "74");
    ck_assert_str_eq(show_of(pkt, "tcp.dstport"), "53");
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_str_eq(show_of(pkt, "frame.len"), "60");
}
END_TEST

START_TEST(time_after_2038)
{
    /* Frame 1 at 0xFFC32A0F seconds, in 2105: tshark's PDML geninfo writes
     * "-3986929.720289000" (a C int); the packet's time stays the true one,
     * frame.time_epoch's "4290980367.720289000". */
    const char *path = changed_copy("y2105.pcap", 0, 0xFFC32A0Fu);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, path), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    int64_t secs;
    int32_t nsecs;
    cshark_packet_time(pkt, &secs, &nsecs);
    ck_assert_int_eq(secs, 4290980367);
    ck_assert_int_eq(nsecs, 720289000);
    ck_assert_str_eq(cshark_packet_timestamp(pkt), "4290980367.720289000");
    ck_assert_str_eq(show_of(pkt, "frame.time_epoch"), "4290980367.720289000");
}
END_TEST

START_TEST(protocol_without_bytes_compared)
{
    /* The engine 4.0 strcmp()s a NULL on ==/!=/</in with a protocol item that
     * has no bytes (the expert infos): tshark -Y '_ws.expert == "x"' dies of
     * SIGSEGV. We compare such items as no bytes. Frames with expert info in
     * ndpi__http_auth.pcap (tshark -Y _ws.expert): 1 2 4 28 30 32. */
    static const uint32_t expert[] = { 1, 2, 4, 28, 30, 32 };
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(tcap, "_ws.expert != \"x\""), CSHARK_OK);
    for (size_t i = 0; i < sizeof expert / sizeof *expert; i++) {
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        ck_assert_uint_eq(cshark_packet_number(pkt), expert[i]);
    }
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    close_tcap();
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(tcap, "_ws.expert == \"x\""), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
}
END_TEST

START_TEST(null_arguments)
{
    cshark_capture *cap;
    cshark_packet *pkt;
    const cshark_item *it;
    size_t n;
    ck_assert_int_eq(cshark_capture_open(NULL, "x"), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_open(&cap, NULL), CSHARK_EINVAL);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "path"));
    ck_assert_int_eq(cshark_capture_next(NULL, &pkt), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_packet_field(NULL, "ip.src", &it), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_packet_field_count(NULL, "ip.src", &n), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_field_check(NULL), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_packet_keep(NULL), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_set_name_resolution(NULL, NULL), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_set_name_resolution(NULL, "m"), CSHARK_EINVAL);
    cshark_capture_close(NULL);
    cshark_packet_free(NULL);
    ck_assert_ptr_null(cshark_item_show(NULL));
    ck_assert_ptr_null(cshark_item_child(NULL));
    ck_assert_int_eq(cshark_item_pos(NULL), -1);
    ck_assert_uint_eq(cshark_packet_layer_count(NULL), 0);
    ck_assert_ptr_null(cshark_packet_layer(NULL, 0));
    uint64_t u;
    ck_assert_int_eq(cshark_item_uint(NULL, &u), CSHARK_EINVAL);

    cshark_type type;
    ck_assert_int_eq(cshark_field_type("no.such.field", &type), CSHARK_EUNKNOWN_FIELD);
    ck_assert_int_eq(type, CSHARK_TYPE_NONE);
    ck_assert_int_eq(cshark_field_type("ip", &type), CSHARK_OK);
    ck_assert_int_eq(type, CSHARK_TYPE_PROTOCOL);

    pkt = read_frame("ndpi__http_auth.pcap", 1);
    /* Caller-allocated structs carry their version: an unset one is refused. */
    cshark_stats st = { 0 };
    ck_assert_int_eq(cshark_capture_stats(tcap, &st), CSHARK_EINVAL);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "CSHARK_STATS_INIT"));
    st = (cshark_stats)CSHARK_STATS_INIT;
    ck_assert_int_eq(cshark_capture_stats(tcap, &st), CSHARK_OK);
    ck_assert_uint_eq(st.read, 1);
    cshark_pdml pd = { 0 };
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", &it), CSHARK_OK);
    ck_assert_int_eq(cshark_item_pdml(it, &pd), CSHARK_EINVAL);
    pd = (cshark_pdml)CSHARK_PDML_INIT;
    ck_assert_int_eq(cshark_item_pdml(it, &pd), CSHARK_OK);
    ck_assert_str_eq(pd.show, cshark_item_show(it));
    ck_assert_int_eq(cshark_packet_field(pkt, NULL, &it), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_packet_field(pkt, "ip.src", NULL), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_next(tcap, NULL), CSHARK_EINVAL);
}
END_TEST

START_TEST(options_after_start)
{
    read_frame("ndpi__http_auth.pcap", 1);
    ck_assert_int_eq(cshark_capture_set_name_resolution(tcap, NULL), CSHARK_ESTATE);
    ck_assert_int_eq(cshark_capture_set_name_resolution(tcap, "m"), CSHARK_ESTATE);
}
END_TEST

START_TEST(one_capture_at_a_time)
{
    read_frame("ndpi__http_auth.pcap", 1);
    cshark_capture *second;
    ck_assert_int_eq(cshark_capture_open(&second, data_file("tcpdump__dns_tcp.pcap")),
                     CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "ndpi__http_auth.pcap"));
}
END_TEST

START_TEST(kept_packets_outlive_next_and_close)
{
    cshark_packet *first = read_frame("ndpi__http_auth.pcap", 4);
    ck_assert_int_eq(cshark_packet_keep(first), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_keep(first), CSHARK_OK); /* twice is harmless */
    const char *host = show_of(first, "http.host");

    /* Reading on does not disturb the kept packet... */
    cshark_packet *pkt;
    while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET)
        ck_assert_ptr_ne(pkt, first);
    ck_assert_str_eq(host, "browserspy.dk");
    ck_assert_uint_eq(cshark_packet_number(first), 4);
    /* ...nor does closing the capture; lazily built parts still work. */
    close_tcap();
    ck_assert_str_eq(show_of(first, "http.host"), "browserspy.dk");
    ck_assert_str_eq(show_of(first, "tcp.flags"), "0x0018");
    const cshark_item *full;
    ck_assert_int_eq(cshark_packet_field(first, "http.request.full_uri", &full), CSHARK_OK);
    ck_assert_str_eq(cshark_item_showname(cshark_packet_layer(first, 1)),
                     "Ethernet II, Src: 28:cf:e9:21:3c:2b, Dst: 4c:17:eb:ba:24:e1");
    ck_assert_str_eq(cshark_packet_timestamp(first), "1381844050.402794000");

    /* A new capture resets the engine's state: the old packet stays readable. */
    cshark_packet *other = read_frame("ndpi__rtp.pcapng", 16);
    ck_assert_int_eq(cshark_packet_keep(other), CSHARK_OK);
    ck_assert_str_eq(cshark_packet_interface_name(other), "em1");
    const cshark_item *it;
    ck_assert_int_eq(cshark_packet_field(first, "ip.src", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_raw_value(it), "c0a80004");
    ck_assert_str_eq(cshark_item_showname(it), "Source Address: 192.168.0.4");
    close_tcap();
    ck_assert_str_eq(cshark_packet_interface_name(other), "em1");
    cshark_packet_free(first);
    cshark_packet_free(other);
}
END_TEST

START_TEST(kept_packets_dissect_like_reused_ones)
{
    /* test202's frame 10 has no time stamp: the engine takes the previous
     * record's, so frame 11's delta is 0.003 s (tshark), kept or not. */
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("gopacket__pcapng-test-le-test202.pcapng")),
                     CSHARK_OK);
    cshark_packet *kept[11];
    for (int i = 0; i < 11; i++) {
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
        kept[i] = pkt;
    }
    ck_assert_str_eq(show_of(kept[10], "frame.time_delta"), "0.003000000");
    for (int i = 0; i < 11; i++)
        cshark_packet_free(kept[i]);
}
END_TEST

START_TEST(unkept_packet_is_reused)
{
    cshark_packet *a = read_frame("ndpi__http_auth.pcap", 1);
    cshark_packet *b;
    ck_assert_int_eq(cshark_capture_next(tcap, &b), CSHARK_PACKET);
    ck_assert_ptr_eq(a, b); /* no per-packet allocation */
    ck_assert_uint_eq(cshark_packet_number(b), 2);
    cshark_packet_free(b);  /* not kept: left alone */
    ck_assert_uint_eq(cshark_packet_number(b), 2);
}
END_TEST

/* A reader that keeps packets a few at a time and frees them in batches (the
 * binding's read-ahead holds nine) gets the freed ones back: after the first
 * batch no packet is new, and each reads as tshark shows it. */
START_TEST(freed_kept_packets_are_reused)
{
    static const char *const src[2] = { "192.168.0.4", "192.254.189.169" };
    /* tshark -T fields -e ip.src, frames 1-33: 0 for .0.4, 1 for .189.169 */
    static const char who[] = "010011101010110110110110110101001";
    cshark_packet *batch[9], *first[9];
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    uint32_t n = 0;
    int more = 1;
    for (int round = 0; more; round++) {
        size_t k = 0;
        while (k < 9 && (more = cshark_capture_next(tcap, &pkt) == CSHARK_PACKET)) {
            ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
            batch[k++] = pkt;
        }
        for (size_t i = 0; i < k; i++) {
            ck_assert_uint_eq(cshark_packet_number(batch[i]), ++n);
            ck_assert_str_eq(show_of(batch[i], "ip.src"), src[who[n - 1] - '0']);
            if (round == 0) {
                first[i] = batch[i];
                continue;
            }
            int reused = 0;
            for (size_t j = 0; j < 9; j++)
                reused |= batch[i] == first[j];
            ck_assert_msg(reused, "frame %u: a new packet, not a freed one", n);
        }
        for (size_t i = 0; i < k; i++)
            ck_assert_int_eq(cshark_packet_free(batch[i]), CSHARK_OK);
    }
    ck_assert_uint_eq(n, 33); /* capinfos */
}
END_TEST

static void make_tmpdir(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    strcpy(tmpdir, "/tmp/cshark-test-XXXXXX");
    close_tcap();
}

Suite *errors_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("bad input");
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, directory);
    tcase_add_test(tc, empty_file);
    tcase_add_test(tc, not_a_capture);
    tcase_add_test(tc, unreadable_file);
    tcase_add_test(tc, truncated_mid_record);
    tcase_add_test(tc, record_longer_than_2gib);
    tcase_add_test(tc, time_after_2038);
    tcase_add_test(tc, protocol_without_bytes_compared);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, options_after_start);
    tcase_add_test(tc, one_capture_at_a_time);
    suite_add_tcase(s, tc);
    TCase *life = tcase_create("lifetimes");
    tcase_add_checked_fixture(life, NULL, close_tcap);
    tcase_add_test(life, kept_packets_outlive_next_and_close);
    tcase_add_test(life, unkept_packet_is_reused);
    tcase_add_test(life, kept_packets_dissect_like_reused_ones);
    tcase_add_test(life, freed_kept_packets_are_reused);
    suite_add_tcase(s, life);
    return s;
}
