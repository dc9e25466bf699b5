/* Sources other than a capture file on disk: fed frames (cshark_capture_open_feed)
 * and pipes. Expected values from tshark 4.0.17 on the same frames read from
 * the file.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

#define HTTP "ndpi__http_auth.pcap" /* Ethernet, 33 frames, microseconds */
#define NFRAMES 33

typedef struct {
    uint8_t *data;
    size_t len;
    int64_t secs;
    int32_t nsecs;
} frame;

/* Every frame of HTTP, copied out (the engine has one capture at a time). */
static frame *frames_of_http(void)
{
    frame *f = calloc(NFRAMES, sizeof *f);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(HTTP)), CSHARK_OK);
    for (int i = 0; i < NFRAMES; i++) {
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        const uint8_t *d = cshark_packet_data(pkt, &f[i].len);
        f[i].data = malloc(f[i].len);
        memcpy(f[i].data, d, f[i].len);
        cshark_packet_time(pkt, &f[i].secs, &f[i].nsecs);
    }
    close_tcap();
    return f;
}

static void frames_free(frame *f)
{
    for (int i = 0; i < NFRAMES; i++)
        free(f[i].data);
    free(f);
}

START_TEST(fed_frames_are_one_session)
{
    frame *f = frames_of_http();
    ck_assert_int_eq(cshark_capture_open_feed(&tcap, 1, 0), CSHARK_OK);
    ck_assert_str_eq(cshark_capture_path(tcap), "feed:ether");
    ck_assert_int_eq(cshark_capture_set_two_pass(tcap, 1), CSHARK_ESTATE);
    cshark_packet *pkt;
    /* Nothing fed yet: "not yet", not the end. */
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_AGAIN);
    for (int i = 0; i < NFRAMES; i++) {
        ck_assert_int_eq(cshark_capture_feed(tcap, f[i].data, f[i].len, f[i].secs, f[i].nsecs),
                         CSHARK_OK);
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        ck_assert_uint_eq(cshark_packet_number(pkt), (uint32_t)i + 1);
        if (i == 3) {
            /* As tshark -r: the request of frame 4, time relative to frame 1. */
            ck_assert_str_eq(show_of(pkt, "http.request.full_uri"),
                             "http://browserspy.dk/password-ok.php");
            ck_assert_str_eq(show_of(pkt, "frame.time_relative"), "0.180279000");
            ck_assert_str_eq(cshark_packet_timestamp(pkt), "1381844050.402794000");
            ck_assert_uint_eq(cshark_packet_interface_id(pkt), CSHARK_NO_INTERFACE);
        }
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_AGAIN);
    }
    ck_assert_int_eq(cshark_capture_feed_end(tcap), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    ck_assert_int_eq(cshark_capture_feed(tcap, f[0].data, f[0].len, 0, 0), CSHARK_ESTATE);
    close_tcap();

    /* Queued frames, a display filter: only frames 4 and 28, tshark -Y http. */
    ck_assert_int_eq(cshark_capture_open_feed(&tcap, 1, 0), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_display_filter(tcap, "http"), CSHARK_OK);
    for (int i = 0; i < NFRAMES; i++)
        ck_assert_int_eq(cshark_capture_feed(tcap, f[i].data, f[i].len, f[i].secs, f[i].nsecs),
                         CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 4);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 28);
    /* The response points back at its request: one session throughout. */
    ck_assert_str_eq(show_of(pkt, "http.request_in"), "4");
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_AGAIN);
    close_tcap(); /* with nothing ended: frees what is queued */
    frames_free(f);
}
END_TEST

START_TEST(feed_errors)
{
    ck_assert_int_eq(cshark_capture_open_feed(NULL, 1, 0), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_open_feed(&tcap, 99999, 0), CSHARK_EINVAL);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "99999"));
    /* SunATM: its records carry a pseudo-header only wiretap decodes. */
    ck_assert_int_eq(cshark_capture_open_feed(&tcap, 123, 0), CSHARK_EINVAL);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "pseudo-header"));
    ck_assert_ptr_null(tcap);

    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(HTTP)), CSHARK_OK);
    static const uint8_t byte = 0;
    ck_assert_int_eq(cshark_capture_feed(tcap, &byte, 1, 0, 0), CSHARK_ESTATE);
    ck_assert_int_eq(cshark_capture_feed_end(tcap), CSHARK_ESTATE);
    /* One capture at a time, fed or not. */
    cshark_capture *other;
    ck_assert_int_eq(cshark_capture_open_feed(&other, 1, 0), CSHARK_ESTATE);
    close_tcap();

    ck_assert_int_eq(cshark_capture_open_feed(&tcap, 101, 1), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_feed(tcap, NULL, 10, 0, 0), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_feed(tcap, &byte, 1, 0, 1000000000), CSHARK_EINVAL);
    ck_assert_int_eq(cshark_capture_set_feed_interface(tcap, NULL), CSHARK_EINVAL);
}
END_TEST

/* Fed frames as from dumpcap's pcapng of a pipe (tshark -i -, which PyShark's
 * InMemCapture feeds): tshark -n -i - -T pdml < HTTP shows frame 1 with
 * section number 1, interface id 0 and name "-". Without the call, as a pcap
 * file: no interface. */
START_TEST(fed_frames_on_a_named_interface)
{
    frame *f = frames_of_http();
    const cshark_item *it;
    cshark_packet *pkt;
    for (int named = 0; named < 2; named++) {
        ck_assert_int_eq(cshark_capture_open_feed(&tcap, 1, 0), CSHARK_OK);
        if (named)
            ck_assert_int_eq(cshark_capture_set_feed_interface(tcap, "-"), CSHARK_OK);
        ck_assert_int_eq(cshark_capture_feed(tcap, f[0].data, f[0].len, f[0].secs, f[0].nsecs),
                         CSHARK_OK);
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
        ck_assert_int_eq(cshark_capture_set_feed_interface(tcap, "x"), CSHARK_ESTATE);
        if (named) {
            ck_assert_int_eq(cshark_packet_interface_id(pkt), 0);
            ck_assert_str_eq(cshark_packet_interface_name(pkt), "-");
            ck_assert_str_eq(show_of(pkt, "frame.section_number"), "1");
            ck_assert_int_eq(cshark_packet_field(pkt, "frame.interface_id", &it), CSHARK_OK);
            ck_assert_str_eq(cshark_item_showname(it), "Interface id: 0 (-)");
            ck_assert_str_eq(show_of(pkt, "frame.interface_name"), "-");
        } else {
            ck_assert_uint_eq(cshark_packet_interface_id(pkt), CSHARK_NO_INTERFACE);
            ck_assert_ptr_null(show_of(pkt, "frame.interface_id"));
        }
        close_tcap();
    }
    frames_free(f);
}
END_TEST

typedef struct {
    int fd;
    const char *path;
} writer_args;

static void *write_file(void *arg)
{
    writer_args *w = arg;
    FILE *in = fopen(w->path, "rb");
    char buf[4096];
    size_t n;
    while (in && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (write(w->fd, buf, n) != (ssize_t)n)
            break;
    if (in)
        fclose(in);
    close(w->fd);
    return NULL;
}

START_TEST(pipe_is_read_as_it_comes)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    writer_args w = { fds[1], strdup(data_file(HTTP)) };
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, write_file, &w), 0);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    ck_assert_int_eq(cshark_capture_open(&tcap, path), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_two_pass(tcap, 1), CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "pipe"));
    ck_assert_int_eq(cshark_capture_set_display_filter(tcap, "http"), CSHARK_OK);
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 4);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), 28);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);
    close_tcap();
    pthread_join(t, NULL);
    close(fds[0]);
    free((char *)w.path);
}
END_TEST

Suite *sources_suite(void)
{
    Suite *s = suite_create("sources");
    TCase *tc = tcase_create("sources");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, fed_frames_are_one_session);
    tcase_add_test(tc, feed_errors);
    tcase_add_test(tc, fed_frames_on_a_named_interface);
    tcase_add_test(tc, pipe_is_read_as_it_comes);
    suite_add_tcase(s, tc);
    return s;
}
