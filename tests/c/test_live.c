/* Live capture on loopback: the stop call from another thread, timeouts that
 * return "no packet yet", and options that only live captures take. Needs
 * root or CAP_NET_RAW; skipped (with the reason printed) otherwise.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

static const char *const LO[] = { "lo" };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Under Valgrind everything is slower: upper time bounds stretch by the
 * factor the memcheck test sets. */
static double slack(void)
{
    const char *f = getenv("CSHARK_TIME_FACTOR");
    return f ? atof(f) : 1.0;
}

static int can_capture(void)
{
    cshark_capture *cap;
    if (cshark_capture_open_live(&cap, LO, 1) != CSHARK_OK) {
        fprintf(stderr, "live tests skipped: %s\n", cshark_last_error());
        return 0;
    }
    cshark_capture_close(cap);
    return 1;
}

static void *stop_later(void *arg)
{
    usleep(300 * 1000);
    cshark_capture_stop(arg);
    return NULL;
}

START_TEST(stop_from_another_thread)
{
    if (!can_capture())
        return;
    ck_assert_int_eq(cshark_capture_open_live(&tcap, LO, 1), CSHARK_OK);
    /* A port nobody uses: the capture idles until stopped. */
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "udp port 9"), CSHARK_OK);
    pthread_t t;
    double t0 = now();
    pthread_create(&t, NULL, stop_later, tcap);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    double waited = now() - t0;
    pthread_join(t, NULL);
    ck_assert_msg(waited >= 0.29 && waited < 0.6 * slack(), "stopped after %.3f s", waited);
}
END_TEST

START_TEST(timeout_says_no_packet_yet)
{
    if (!can_capture())
        return;
    ck_assert_int_eq(cshark_capture_open_live(&tcap, LO, 1), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "udp port 9"), CSHARK_OK);
    cshark_packet *pkt;
    double t0 = now();
    ck_assert_int_eq(cshark_capture_next_timeout(tcap, &pkt, 200), CSHARK_AGAIN);
    ck_assert_ptr_null(pkt);
    double waited = now() - t0;
    ck_assert_msg(waited >= 0.19 && waited < 0.5 * slack(), "waited %.3f s", waited);
    /* The capture goes on: a packet sent now is delivered. */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ck_assert_int_eq(sendto(s, "ping", 4, 0, (struct sockaddr *)&to, sizeof to), 4);
    close(s);
    ck_assert_int_eq(cshark_capture_next_timeout(tcap, &pkt, 2000), CSHARK_PACKET);
    ck_assert_str_eq(show_of(pkt, "udp.dstport"), "9");
    ck_assert_str_eq(show_of(pkt, "data.data"), "70:69:6e:67");
    ck_assert_int_eq(cshark_packet_interface_id(pkt), 0);
    ck_assert_str_eq(cshark_packet_interface_name(pkt), "lo");
    cshark_stats st = CSHARK_STATS_INIT;
    ck_assert_int_eq(cshark_capture_stats(tcap, &st), CSHARK_OK);
    ck_assert_uint_eq(st.delivered, 1);
    ck_assert_uint_ge(st.received, 1);
}
END_TEST

START_TEST(live_errors)
{
    static const char *const bad[] = { "nosuch0" };
    ck_assert_int_eq(cshark_capture_open_live(&tcap, bad, 1), CSHARK_EOPEN);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "nosuch0"));
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "lo"));  /* the valid ones are listed */
    ck_assert_int_eq(cshark_capture_open_live(&tcap, LO, 0), CSHARK_EINVAL);
    if (!can_capture())
        return;
    /* COUNT names are read, not up to a NULL: the capture is "live:lo". */
    static const char *const lo_and_more[] = { "lo", "past-the-count", NULL };
    ck_assert_int_eq(cshark_capture_open_live(&tcap, lo_and_more, 1), CSHARK_OK);
    cshark_capture *other;
    ck_assert_int_eq(cshark_capture_open(&other, data_file("ndpi__http_auth.pcap")),
                     CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "\"live:lo\""));
    close_tcap();
    /* A filter is checked against the interface's own link type: "any" is
     * Linux cooked capture, no broadcast link (Ethernet would take it). */
    static const char *const any[] = { "any" };
    ck_assert_int_eq(cshark_capture_open_live(&tcap, any, 1), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "ether broadcast"), CSHARK_EFILTER);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "for any: not a broadcast link"));
    close_tcap();
    ck_assert_int_eq(cshark_capture_open_live(&tcap, LO, 1), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "ether broadcast"), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "udp prot 9"), CSHARK_EFILTER);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "udp prot 9"));
    ck_assert_int_eq(cshark_capture_set_two_pass(tcap, 1), CSHARK_ESTATE);
    close_tcap();
    /* Live options on a file. */
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_capture_filter(tcap, "udp"), CSHARK_ESTATE);
    ck_assert_int_eq(cshark_capture_set_duration(tcap, 1), CSHARK_ESTATE);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next_timeout(tcap, &pkt, 0), CSHARK_PACKET);
}
END_TEST

START_TEST(interfaces_include_loopback)
{
    cshark_interface **list;
    size_t n;
    ck_assert_int_eq(cshark_interfaces(&list, &n), CSHARK_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->name, "lo") == 0) {
            found = 1;
            ck_assert_uint_eq(list[i]->flags & CSHARK_IF_LOOPBACK, CSHARK_IF_LOOPBACK);
            ck_assert_uint_ge(list[i]->naddresses, 1);
        }
    cshark_interfaces_free(list, n);
    ck_assert_int_eq(found, 1);
}
END_TEST

Suite *live_suite(void)
{
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, stop_from_another_thread);
    tcase_add_test(tc, timeout_says_no_packet_yet);
    tcase_add_test(tc, live_errors);
    tcase_add_test(tc, interfaces_include_loopback);
    suite_add_tcase(s, tc);
    return s;
}
