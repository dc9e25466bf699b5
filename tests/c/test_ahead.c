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
            ck_assert_int_eq(cshark_item_formatted(items[i], CSHARK_STR_PDML), 1);
            n += (size_t)snprintf(out + n, len - n, " [%s=%s|%s|%lld]", cshark_item_name(items[i]),
                                  cshark_item_show(items[i]), cshark_item_showname(items[i]),
                                  (long long)cshark_item_pos(cshark_item_parent(items[i])));
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
            cshark_packet_format_fields(pkt, q.fields, 2, CSHARK_STR_PDML);
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
        ck_assert_int_eq(cshark_packet_format_fields(pkt, fields, 2, CSHARK_STR_PDML), CSHARK_OK);
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

/* ---- kept packets when their session ends ------------------------------ */

#define KEPT_MAX 1024

/* The structure of a kept packet as one number: layer names, every item's
 * name and kind in tree order, and how many ip.src it has. */
static unsigned long signature(cshark_packet *pkt, const cshark_field *ip_src)
{
    unsigned long h = 5381;
    const cshark_item *stack[512];
    size_t depth = 0;
    for (size_t i = cshark_packet_layer_count(pkt); i-- > 0;)
        stack[depth++] = cshark_packet_layer(pkt, i);
    while (depth) {
        const cshark_item *it = stack[--depth];
        for (const char *c = cshark_item_name(it); *c; c++)
            h = h * 33 + (unsigned char)*c;
        h = h * 33 + (unsigned)cshark_item_kind(it);
        const cshark_item *kids[256];
        size_t k = 0;
        for (const cshark_item *c = cshark_item_child(it); c && k < 256; c = cshark_item_next(c))
            kids[k++] = c;
        while (k && depth < 512)
            stack[depth++] = kids[--k];
    }
    const cshark_item *const *items;
    size_t count;
    ck_assert_int_eq(cshark_packet_fields_of(pkt, ip_src, &items, &count), CSHARK_OK);
    return h * 33 + count;
}

static struct {
    cshark_packet **kept;
    size_t n;
    const cshark_field *ip_src;
    unsigned long sig[KEPT_MAX];
    pthread_barrier_t start;
} ended;

static void *read_kept(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&ended.start);
    for (size_t i = ended.n; i-- > 0;)
        ended.sig[i] = signature(ended.kept[i], ended.ip_src);
    return NULL;
}

/* The first next() of a later capture ends the session of the packets kept
 * from the one before and formats their strings: a thread reading their
 * structure meanwhile (the header's exception) must see the same trees as a
 * read after. Each round starts with views not built, on both sides. */
START_TEST(structure_beside_session_end)
{
    static cshark_packet *kept[KEPT_MAX];
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_field_lookup("ip.src", &ended.ip_src), CSHARK_OK);
    for (int round = 0; round < 4; round++) {
        size_t n = 0;
        ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__fuzz-2006-06-26-2594.pcap")),
                         CSHARK_OK);
        while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET) {
            ck_assert_uint_lt(n, KEPT_MAX);
            ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
            kept[n++] = pkt;
        }
        close_tcap();
        ck_assert_uint_eq(n, 691); /* capinfos */
        ended.kept = kept;
        ended.n = n;
        pthread_barrier_init(&ended.start, NULL, 2);
        pthread_t thread;
        ck_assert_int_eq(pthread_create(&thread, NULL, read_kept, NULL), 0);
        ck_assert_int_eq(cshark_capture_open(&tcap, data_file(CAPTURE)), CSHARK_OK);
        pthread_barrier_wait(&ended.start);
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET); /* freezes them */
        pthread_join(thread, NULL);
        pthread_barrier_destroy(&ended.start);
        close_tcap();
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(signature(kept[i], ended.ip_src) == ended.sig[i],
                          "round %d: frame %u read beside the session's end differs", round,
                          cshark_packet_number(kept[i]));
            cshark_packet_free(kept[i]);
        }
    }
}
END_TEST

/* A kept item's bytes in a decrypted (or reassembled) source stay the
 * packet's after the session that made the source ends: the values are
 * tshark's unmaskedvalue of every http2.streamid, decrypted with the key log. */
START_TEST(kept_bytes_after_session_end)
{
    static const char *const want[] = {
        "00000000", "00000000", "00000003", "00000005", "00000007", "00000009", "0000000b",
        "0000000d", "0000000f", "0000000f", "00000000", "00000000", "00000000", "00000000",
        "0000000f", "0000000f", "0000000f", "0000000f", "0000000f", "0000000f", "00000000",
        "00000000", "00000000",
    };
    static cshark_packet *kept[64];
    size_t n = 0;
    char pref[4200];
    cshark_packet *pkt;
    snprintf(pref, sizeof pref, "tls.keylog_file:%s", data_file("rtshark__test_tls.keylog"));
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("rtshark__test_tls.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_preference(tcap, pref), CSHARK_OK);
    while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET) {
        ck_assert_uint_lt(n, 64);
        ck_assert_int_eq(cshark_packet_keep(pkt), CSHARK_OK);
        kept[n++] = pkt;
    }
    close_tcap();
    /* Two later sessions: the first frees the decrypted data, the second
     * reuses that memory. */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(cshark_capture_open(&tcap, data_file(CAPTURE)), CSHARK_OK);
        while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET)
            ;
        close_tcap();
    }
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        const cshark_item *const *items;
        size_t count;
        ck_assert_int_eq(cshark_packet_fields(kept[i], "http2.streamid", &items, &count),
                         CSHARK_OK);
        for (size_t k = 0; k < count; k++, seen++) {
            const uint8_t *d;
            size_t len;
            char hex[64] = "";
            ck_assert_int_eq(cshark_item_data(items[k], &d, &len), CSHARK_OK);
            ck_assert_uint_eq(len, 4);
            for (size_t b = 0; b < len; b++)
                snprintf(hex + 2 * b, 3, "%02x", d[b]);
            ck_assert_uint_lt(seen, sizeof want / sizeof *want);
            ck_assert_str_eq(hex, want[seen]);
        }
        cshark_packet_free(kept[i]);
    }
    ck_assert_uint_eq(seen, sizeof want / sizeof *want);
}
END_TEST

Suite *ahead_suite(void)
{
    Suite *s = suite_create("ahead");
    TCase *tc = tcase_create("ahead");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, structure_beside_dissection);
    tcase_add_test(tc, structure_beside_session_end);
    tcase_add_test(tc, kept_bytes_after_session_end);
    suite_add_tcase(s, tc);
    return s;
}
