/* Reading ahead (cshark.h, Threads): one thread inside cshark_capture_next()
 * while another reads the structure, and the formatted strings, of packets
 * it kept. The reader must see what a read in turn gives.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"

#define CAPTURE "ndpi__smb_deletefile.pcap"
#define QUEUE 4

/* What the reader sees of one packet, as text. */
static void describe(cshark_packet *pkt, const cshark_field *const *fields, size_t nfields,
                     char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "%u:", cshark_packet_number(pkt));
    for (size_t i = 0; i < cshark_packet_layer_count(pkt) && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, " %s",
                              cshark_item_name(cshark_packet_layer(pkt, i)));
    for (size_t f = 0; f < nfields && n < len; f++) {
        const cshark_item *const *items;
        size_t count;
        ck_assert_int_eq(cshark_packet_fields_of(pkt, fields[f], &items, &count), CSHARK_OK);
        for (size_t i = 0; i < count && n < len; i++) {
            ck_assert_int_eq(cshark_item_formatted(items[i]), 1);
            n += (size_t)snprintf(out + n, len - n, " [%s=%s|%s|%d]", cshark_item_name(items[i]),
                                  cshark_item_show(items[i]), cshark_item_showname(items[i]),
                                  cshark_item_pos(cshark_item_parent(items[i])));
        }
    }
}

/* The producer's side: everything but the structure reads holds ENGINE. */
static struct {
    pthread_mutex_t engine, mu;
    pthread_cond_t cv;
    cshark_capture *cap;
    const cshark_field *fields[2];
    cshark_packet *queue[QUEUE];
    int head, count, done;
} q = { .engine = PTHREAD_MUTEX_INITIALIZER, .mu = PTHREAD_MUTEX_INITIALIZER,
        .cv = PTHREAD_COND_INITIALIZER };

static void *producer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&q.mu);
        while (q.count == QUEUE)
            pthread_cond_wait(&q.cv, &q.mu);
        pthread_mutex_unlock(&q.mu);
        cshark_packet *pkt;
        pthread_mutex_lock(&q.engine);
        int rc = cshark_capture_next(q.cap, &pkt);
        if (rc == CSHARK_PACKET) {
            cshark_packet_keep(pkt);
            cshark_packet_format_fields(pkt, q.fields, 2);
        }
        pthread_mutex_unlock(&q.engine);
        pthread_mutex_lock(&q.mu);
        if (rc == CSHARK_PACKET)
            q.queue[(q.head + q.count++) % QUEUE] = pkt;
        else
            q.done = 1;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);
        if (rc != CSHARK_PACKET)
            return NULL;
    }
}

START_TEST(structure_beside_dissection)
{
    static char expected[128][512], got[512];
    const cshark_field *fields[2];
    ck_assert_int_eq(cshark_field_lookup("ip.src", &fields[0]), CSHARK_OK);
    ck_assert_int_eq(cshark_field_lookup("smb.cmd", &fields[1]), CSHARK_OK);

    /* In turn. */
    size_t n = 0;
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(CAPTURE)), CSHARK_OK);
    while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET) {
        ck_assert_uint_lt(n, 128);
        ck_assert_int_eq(cshark_packet_format_fields(pkt, fields, 2), CSHARK_OK);
        describe(pkt, fields, 2, expected[n++], sizeof expected[0]);
    }
    close_tcap();
    ck_assert_uint_eq(n, 101); /* capinfos */

    /* Ahead: the reader takes no lock for what it reads. */
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(CAPTURE)), CSHARK_OK);
    q.cap = tcap;
    q.fields[0] = fields[0];
    q.fields[1] = fields[1];
    q.head = q.count = q.done = 0;
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, producer, NULL), 0);
    size_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&q.mu);
        while (!q.count && !q.done)
            pthread_cond_wait(&q.cv, &q.mu);
        if (!q.count) {
            pthread_mutex_unlock(&q.mu);
            break;
        }
        pkt = q.queue[q.head];
        q.head = (q.head + 1) % QUEUE;
        q.count--;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);

        describe(pkt, fields, 2, got, sizeof got);
        ck_assert_uint_lt(seen, n);
        ck_assert_str_eq(got, expected[seen]);
        seen++;
        pthread_mutex_lock(&q.engine); /* freeing is not a structure read */
        cshark_packet_free(pkt);
        pthread_mutex_unlock(&q.engine);
    }
    pthread_join(thread, NULL);
    ck_assert_uint_eq(seen, n);
}
END_TEST

Suite *ahead_suite(void)
{
    Suite *s = suite_create("ahead");
    TCase *tc = tcase_create("ahead");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, structure_beside_dissection);
    suite_add_tcase(s, tc);
    return s;
}
