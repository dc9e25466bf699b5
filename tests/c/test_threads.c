/* Threads (cshark.h, "Threads"): what the header allows from many threads
 * gives the same packets as one thread reading the same file; what it
 * forbids (a second thread's call while one is inside cshark, a second
 * capture, close during a read, a packet freed twice, a closed capture used
 * again) gives its documented error, never a crash or a wait. Run in the
 * plain, ASan, Valgrind and ThreadSanitizer builds (scripts/tsan.sh).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "tests.h"

#define NTHREADS 8
static const char *const files[] = { "tcpdump__ntp.pcap", "ndpi__http_auth.pcap",
                                     "tcpdump__dns_tcp.pcap", "tcpdump__icmpv6.pcap" };
#define NFILES (sizeof files / sizeof files[0])
static const unsigned file_packets[NFILES] = { 8, 33, 11, 5 }; /* capinfos */

/* Check's assertions jump back to the test (no fork): not from another
 * thread. Code that runs in the test's threads fails this way instead. */
#define T_ASSERT(cond, ...)                                                    \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)
#define T_EQ(a, b) T_ASSERT((a) == (b), "%lld != %lld", (long long)(a), (long long)(b))

/* Refusals seen (CSHARK_EBUSY), each checked for its message. */
static unsigned long busy_count;

static void busy_seen(void)
{
    const char *msg = cshark_last_error();
    T_ASSERT(strstr(msg, "another thread is inside cshark") != NULL, "EBUSY says \"%s\"", msg);
    __atomic_add_fetch(&busy_count, 1, __ATOMIC_RELAXED);
}

/* EXPR again while another thread is inside cshark. */
#define RETRY(expr)                                                            \
    ({                                                                         \
        int rc_;                                                               \
        while ((rc_ = (expr)) == CSHARK_EBUSY) {                               \
            busy_seen();                                                       \
            sched_yield();                                                     \
        }                                                                      \
        rc_;                                                                   \
    })

/* One line a packet: number, frame.len (a typed value), the layers (the
 * structure), ip.src's show (a formatted string) and the Info column. */
static void describe_packet(cshark_packet *pkt, GString *out)
{
    uint64_t len = 0;
    T_EQ(RETRY(cshark_packet_field_uint(pkt, "frame.len", &len)), CSHARK_OK);
    g_string_append_printf(out, "%u %" G_GUINT64_FORMAT, cshark_packet_number(pkt), len);
    for (size_t i = 0; i < cshark_packet_layer_count(pkt); i++)
        g_string_append_printf(out, " %s", cshark_item_name(cshark_packet_layer(pkt, i)));
    const char *src = "-";
    int rc = RETRY(cshark_packet_field_show(pkt, "ip.src", &src));
    T_ASSERT(rc == CSHARK_OK || rc == CSHARK_ENOTFOUND, "ip.src: %d", rc);
    const char *info = cshark_packet_column(pkt, cshark_packet_column_count(pkt) - 1);
    g_string_append_printf(out, " | %s | %s\n", rc == CSHARK_OK ? src : "-", info ? info : "?");
}

/* The whole of CAP (just opened, with its columns on): every call retried
 * while another thread is inside cshark. */
static void describe_capture(cshark_capture *cap, GString *out)
{
    T_EQ(RETRY(cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON)), CSHARK_OK);
    cshark_packet *pkt;
    int rc;
    while ((rc = RETRY(cshark_capture_next(cap, &pkt))) == CSHARK_PACKET)
        describe_packet(pkt, out);
    T_EQ(rc, CSHARK_DONE);
}

/* The reference: each file read by this thread alone. Paths are made
 * here: data_file()'s buffer is one for every thread. */
static GString *reference[NFILES];
static char *paths[NFILES];

static void make_references(void)
{
    for (size_t f = 0; f < NFILES; f++) {
        if (reference[f])
            continue;
        reference[f] = g_string_new(NULL);
        paths[f] = g_strdup(data_file(files[f]));
        cshark_capture *cap;
        ck_assert_int_eq(cshark_capture_open(&cap, data_file(files[f])), CSHARK_OK);
        describe_capture(cap, reference[f]);
        ck_assert_int_eq(cshark_capture_close(cap), CSHARK_OK);
        unsigned lines = 0;
        for (const char *c = reference[f]->str; *c; c++)
            lines += *c == '\n';
        ck_assert_uint_eq(lines, file_packets[f]);
    }
}

/* ---- allowed: many threads in turn ------------------------------------- */

static struct {
    pthread_mutex_t mu;
    cshark_capture *cap; /* shared, read a packet at a time */
    GString *shared;
    int done;
    GString *own[NTHREADS]; /* each thread's own file, read whole */
} turn = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *in_turn(void *arg)
{
    size_t me = (size_t)arg;
    /* The shared capture: one packet per turn, in whichever thread. */
    for (;;) {
        pthread_mutex_lock(&turn.mu);
        cshark_packet *pkt = NULL;
        int rc = turn.done ? CSHARK_DONE : cshark_capture_next(turn.cap, &pkt);
        if (rc == CSHARK_PACKET) {
            describe_packet(pkt, turn.shared);
        } else if (!turn.done) {
            /* The first to see the end closes it, in its turn. */
            T_EQ(cshark_capture_close(turn.cap), CSHARK_OK);
            turn.done = 1;
        }
        pthread_mutex_unlock(&turn.mu);
        if (rc != CSHARK_PACKET) {
            T_EQ(rc, CSHARK_DONE);
            break;
        }
        sched_yield();
    }
    /* Then a capture of its own: open, read and close in one turn. */
    pthread_mutex_lock(&turn.mu);
    cshark_capture *cap;
    T_EQ(cshark_capture_open(&cap, paths[me % NFILES]), CSHARK_OK);
    turn.own[me] = g_string_new(NULL);
    describe_capture(cap, turn.own[me]);
    T_EQ(cshark_capture_close(cap), CSHARK_OK);
    pthread_mutex_unlock(&turn.mu);
    return NULL;
}

START_TEST(threads_in_turn_read_as_one)
{
    make_references();
    unsigned long busy_before = busy_count;
    ck_assert_int_eq(cshark_capture_open(&turn.cap, data_file(files[1])), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_set_columns(turn.cap, CSHARK_COLUMNS_ON), CSHARK_OK);
    turn.shared = g_string_new(NULL);
    turn.done = 0;
    pthread_t t[NTHREADS];
    for (size_t i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, in_turn, (void *)i), 0);
    for (size_t i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    ck_assert_str_eq(turn.shared->str, reference[1]->str);
    for (size_t i = 0; i < NTHREADS; i++) {
        ck_assert_str_eq(turn.own[i]->str, reference[i % NFILES]->str);
        g_string_free(turn.own[i], TRUE);
    }
    g_string_free(turn.shared, TRUE);
    /* Used in turn, the guard never refuses. */
    ck_assert_uint_eq(busy_count, busy_before);
}
END_TEST

/* ---- forbidden, arbitrated: every thread wants its own capture at once -- */

static unsigned refused_once; /* threads refused at least once */

static void *contend(void *arg)
{
    size_t me = (size_t)arg;
    int refused = 0;
    cshark_capture *cap;
    for (;;) {
        int rc = cshark_capture_open(&cap, paths[me % NFILES]);
        if (rc == CSHARK_OK)
            break;
        if (rc == CSHARK_EBUSY)
            busy_seen();
        else
            T_ASSERT(rc == CSHARK_ESTATE && strstr(cshark_last_error(), "is still open"),
                          "open: %d \"%s\"", rc, cshark_last_error());
        T_ASSERT(cap == NULL, "cap set on refusal");
        if (!refused++)
            __atomic_add_fetch(&refused_once, 1, __ATOMIC_RELEASE);
        usleep(200); /* the holder reads meanwhile (fewer tries under Valgrind) */
    }
    T_ASSERT(refused >= 1, "never refused"); /* the test's own capture was open at first */
    GString *got = g_string_new(NULL);
    describe_capture(cap, got);
    T_EQ(RETRY(cshark_capture_close(cap)), CSHARK_OK);
    T_ASSERT(!strcmp(got->str, reference[me % NFILES]->str), "%s", got->str);
    g_string_free(got, TRUE);
    return NULL;
}

START_TEST(threads_contend_for_the_engine)
{
    make_references();
    unsigned long busy_before = busy_count;
    /* Open first: every thread's first try is refused. */
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(files[0])), CSHARK_OK);
    refused_once = 0;
    pthread_t t[NTHREADS];
    for (size_t i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, contend, (void *)i), 0);
    while (__atomic_load_n(&refused_once, __ATOMIC_ACQUIRE) < NTHREADS)
        sched_yield();
    /* Closing competes with their tries: EBUSY, then done. */
    ck_assert_int_eq(RETRY(cshark_capture_close(tcap)), CSHARK_OK);
    tcap = NULL;
    for (size_t i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    fprintf(stderr, "threads_contend_for_the_engine: %lu calls refused busy, retried\n",
            busy_count - busy_before);
}
END_TEST

/* ---- forbidden, deterministic: calls while a thread is inside next ----- */

/* A classic pcap cut into its header and records. */
typedef struct {
    guint8 *bytes;
    size_t len, header, rec_end[64];
    size_t nrec;
} pcap_parts;

static void pcap_split(const char *name, pcap_parts *pp)
{
    gsize len;
    ck_assert(g_file_get_contents(data_file(name), (gchar **)&pp->bytes, &len, NULL));
    pp->len = len;
    pp->header = 24;
    pp->nrec = 0;
    for (size_t off = 24; off + 16 <= len && pp->nrec < 64;) {
        guint32 incl;
        memcpy(&incl, pp->bytes + off + 8, 4); /* little-endian file, host */
        off += 16 + incl;
        pp->rec_end[pp->nrec++] = off;
    }
}

static struct {
    cshark_capture *cap;
    int entering;
    int rc;
    uint32_t number;
} blocked;

static void *read_one(void *arg)
{
    (void)arg;
    __atomic_store_n(&blocked.entering, 1, __ATOMIC_RELEASE);
    cshark_packet *pkt;
    /* The test thread's probes may hold the guard as this one enters. */
    blocked.rc = RETRY(cshark_capture_next(blocked.cap, &pkt));
    blocked.number = blocked.rc == CSHARK_PACKET ? cshark_packet_number(pkt) : 0;
    return NULL;
}

static void expect_busy(int rc, const char *call)
{
    ck_assert_msg(rc == CSHARK_EBUSY, "%s: %d \"%s\"", call, rc, cshark_last_error());
    const char *msg = cshark_last_error();
    ck_assert_msg(g_str_has_prefix(msg, call), "\"%s\" does not start with %s", msg, call);
    ck_assert_msg(strstr(msg, "another thread is inside cshark (cshark_capture_next)") != NULL,
                  "\"%s\"", msg);
}

START_TEST(calls_refused_while_a_thread_is_inside_next)
{
    pcap_parts pp;
    pcap_split("tcpdump__ntp.pcap", &pp);
    ck_assert_uint_eq(pp.nrec, 8);
    ck_assert_uint_eq(pp.rec_end[7], pp.len);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    /* The header and the first record; the second comes later. */
    ck_assert_int_eq(write(fds[1], pp.bytes, pp.rec_end[0]), (ssize_t)pp.rec_end[0]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    ck_assert_int_eq(cshark_capture_open(&tcap, path), CSHARK_OK);
    cshark_packet *first;
    ck_assert_int_eq(cshark_capture_next(tcap, &first), CSHARK_PACKET);
    ck_assert_int_eq(cshark_packet_keep(first), CSHARK_OK);
    const cshark_field *ip_src;
    ck_assert_int_eq(cshark_field_lookup("ip.src", &ip_src), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_format_fields(first, &ip_src, 1, CSHARK_STR_PDML), CSHARK_OK);
    const cshark_item *frame = cshark_packet_layer(first, 0);
    ck_assert_str_eq(cshark_item_name(frame), "frame");
    ck_assert(!cshark_item_formatted(frame, CSHARK_STR_SHOW));

    /* A reader blocks inside cshark_capture_next() on the empty pipe. */
    blocked.cap = tcap;
    blocked.entering = 0;
    pthread_t reader;
    ck_assert_int_eq(pthread_create(&reader, NULL, read_one, NULL), 0);
    while (!__atomic_load_n(&blocked.entering, __ATOMIC_ACQUIRE))
        sched_yield();
    while (cshark_field_check("ip.src") != CSHARK_EBUSY)
        sched_yield();

    /* Refused, each naming itself and the holder; nothing done. */
    cshark_capture *other = (cshark_capture *)&other;
    expect_busy(cshark_capture_open(&other, data_file("tcpdump__icmpv6.pcap")),
                "cshark_capture_open");
    ck_assert_ptr_null(other);
    expect_busy(cshark_capture_open_feed(&other, 1, 0), "cshark_capture_open_feed");
    cshark_packet *pkt = NULL;
    expect_busy(cshark_capture_next(tcap, &pkt), "cshark_capture_next");
    ck_assert_ptr_null(pkt);
    expect_busy(cshark_capture_set_display_filter(tcap, "udp"),
                "cshark_capture_set_display_filter");
    cshark_stats st = CSHARK_STATS_INIT;
    expect_busy(cshark_capture_stats(tcap, &st), "cshark_capture_stats");
    expect_busy(cshark_capture_close(tcap), "cshark_capture_close");
    expect_busy(cshark_packet_free(first), "cshark_packet_free");
    expect_busy(cshark_packet_keep(first), "cshark_packet_keep");
    const cshark_item *it;
    expect_busy(cshark_packet_field(first, "ip.dst", &it), "cshark_packet_field");
    uint64_t u;
    expect_busy(cshark_packet_field_uint(first, "frame.len", &u), "cshark_packet_field_uint");
    /* A string that needs the engine: NULL, and the error says why. */
    ck_assert_ptr_null(cshark_item_showname(frame));
    expect_busy(CSHARK_EBUSY, "cshark_item_* (a string not formatted yet)");
    expect_busy(cshark_field_check("ip.src"), "cshark_field_check");
    expect_busy(cshark_filter_check("ip", NULL), "cshark_filter_check");
    expect_busy(cshark_fork_check(), "cshark_fork_check");
    const char *const *names;
    size_t n;
    expect_busy(cshark_analysis_list(&names, &n), "cshark_analysis_list");

    /* Allowed meanwhile: the structure and formatted strings of a kept
     * packet, and stopping the capture. */
    ck_assert_uint_eq(cshark_packet_number(first), 1);
    ck_assert_uint_eq(cshark_packet_length(first), 114);
    ck_assert_uint_eq(cshark_packet_layer_count(first), 5);
    ck_assert_str_eq(cshark_item_name(cshark_packet_layer(first, 4)), "ntp");
    const cshark_item *const *items;
    ck_assert_int_eq(cshark_packet_fields_of(first, ip_src, &items, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(cshark_item_formatted(items[0], CSHARK_STR_PDML));
    ck_assert_str_eq(cshark_item_show(items[0]), "192.168.100.2");
    ck_assert_int_eq(cshark_capture_stop(tcap), CSHARK_OK);

    /* The second record: the reader gets it, the capture then ends (stop). */
    ck_assert_int_eq(write(fds[1], pp.bytes + pp.rec_end[0], pp.rec_end[1] - pp.rec_end[0]),
                     (ssize_t)(pp.rec_end[1] - pp.rec_end[0]));
    pthread_join(reader, NULL);
    ck_assert_int_eq(blocked.rc, CSHARK_PACKET);
    ck_assert_uint_eq(blocked.number, 2);
    ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_DONE);

    /* Nothing was harmed: the same calls now work. */
    ck_assert_int_eq(cshark_capture_stats(tcap, &st), CSHARK_OK);
    ck_assert_uint_eq(st.delivered, 2);
    ck_assert_str_eq(cshark_item_showname(frame),
                     "Frame 1: 114 bytes on wire (912 bits), 114 bytes captured (912 bits)");
    ck_assert_int_eq(cshark_packet_field(first, "ip.dst", &it), CSHARK_OK);
    ck_assert_str_eq(cshark_item_show(it), "192.168.100.1");
    ck_assert_int_eq(cshark_field_check("ip.src"), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_close(tcap), CSHARK_OK);
    tcap = NULL;
    ck_assert_int_eq(cshark_packet_free(first), CSHARK_OK);
    ck_assert_int_eq(cshark_fork_check(), CSHARK_OK);
    close(fds[1]);
    close(fds[0]);
    g_free(pp.bytes);
}
END_TEST

/* ---- forbidden, one thread: freed packets and closed captures ---------- */

static void expect_invalid(int rc, const char *what)
{
    ck_assert_msg(rc == CSHARK_EINVAL, "%d \"%s\"", rc, cshark_last_error());
    ck_assert_msg(strstr(cshark_last_error(), what) != NULL, "\"%s\" lacks \"%s\"",
                  cshark_last_error(), what);
}

START_TEST(freed_packets_and_closed_captures_are_refused)
{
    cshark_packet *p1, *p2, *p3, *cur;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__http_auth.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &p1), CSHARK_PACKET);
    ck_assert_int_eq(cshark_packet_free(p1), CSHARK_OK); /* not kept: left alone */
    ck_assert_int_eq(cshark_packet_keep(p1), CSHARK_OK);
    ck_assert_int_eq(cshark_packet_keep(p1), CSHARK_OK); /* idempotent */
    ck_assert_int_eq(cshark_packet_free(p1), CSHARK_OK); /* parked as the spare */
    expect_invalid(cshark_packet_free(p1), "cshark_packet_free: ");
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "not a kept packet (freed already?)"));
    expect_invalid(cshark_packet_keep(p1), "neither a kept packet nor the open capture's");
    ck_assert_int_eq(cshark_capture_next(tcap, &p2), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(p2), 2);
    ck_assert_int_eq(cshark_packet_keep(p2), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &p3), CSHARK_PACKET);
    ck_assert_int_eq(cshark_packet_keep(p3), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_next(tcap, &cur), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(cur), 4);
    ck_assert_int_eq(cshark_packet_free(p2), CSHARK_OK); /* the spare again */
    expect_invalid(cshark_packet_free(p2), "not a kept packet (freed already?)");
    /* Closed: the handle is refused, kept packets live on. */
    ck_assert_int_eq(cshark_capture_close(tcap), CSHARK_OK);
    cshark_capture *closed = tcap;
    tcap = NULL;
    expect_invalid(cshark_capture_close(closed), "not an open capture (closed already?)");
    cshark_packet *none = cur;
    expect_invalid(cshark_capture_next(closed, &none), "not an open capture");
    ck_assert_ptr_null(none);
    cshark_stats st = CSHARK_STATS_INIT;
    expect_invalid(cshark_capture_stats(closed, &st), "not an open capture");
    expect_invalid(cshark_capture_set_display_filter(closed, "ip"), "not an open capture");
    expect_invalid(cshark_capture_run(closed), "not an open capture");
    expect_invalid(cshark_packet_free(cur), "not a kept packet"); /* went with its capture */
    ck_assert_uint_eq(cshark_packet_number(p3), 3);
    ck_assert_str_eq(show_of(p3, "ip.src"), "192.168.0.4");
    ck_assert_int_eq(cshark_packet_free(p3), CSHARK_OK);
    expect_invalid(cshark_packet_free(p3), "not a kept packet");
    ck_assert_int_eq(cshark_packet_free(NULL), CSHARK_OK);
    ck_assert_int_eq(cshark_capture_close(NULL), CSHARK_OK);
}
END_TEST

/* ---- allowed: many readers of kept packets beside one inside next ------ */

#define NREADERS 4
#define MAXPKT 128

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cshark_capture *cap;
    const cshark_field *fields[2];
    cshark_packet *pkts[MAXPKT];
    unsigned count; /* published */
    int done;
    char expected[MAXPKT][512];
} ahead = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Structure calls and formatted strings only. */
static void structure_of(cshark_packet *pkt, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "%u:", cshark_packet_number(pkt));
    for (size_t i = 0; i < cshark_packet_layer_count(pkt) && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, " %s",
                              cshark_item_name(cshark_packet_layer(pkt, i)));
    for (size_t f = 0; f < 2 && n < len; f++) {
        const cshark_item *const *items;
        size_t count;
        T_EQ(cshark_packet_fields_of(pkt, ahead.fields[f], &items, &count), CSHARK_OK);
        for (size_t i = 0; i < count && n < len; i++) {
            T_ASSERT(cshark_item_formatted(items[i], CSHARK_STR_PDML), "not formatted");
            n += (size_t)snprintf(out + n, len - n, " [%s=%s|%s|%lld]", cshark_item_name(items[i]),
                                  cshark_item_show(items[i]), cshark_item_raw_value(items[i]),
                                  (long long)cshark_item_pos(items[i]));
        }
    }
}

static void *produce(void *arg)
{
    (void)arg;
    for (;;) {
        cshark_packet *pkt;
        int rc = RETRY(cshark_capture_next(ahead.cap, &pkt));
        if (rc == CSHARK_PACKET) {
            T_EQ(RETRY(cshark_packet_keep(pkt)), CSHARK_OK);
            T_EQ(RETRY(cshark_packet_format_fields(pkt, ahead.fields, 2, CSHARK_STR_PDML)), CSHARK_OK);
        }
        pthread_mutex_lock(&ahead.mu);
        if (rc == CSHARK_PACKET && ahead.count < MAXPKT)
            ahead.pkts[ahead.count++] = pkt;
        else
            ahead.done = 1;
        pthread_cond_broadcast(&ahead.cv);
        pthread_mutex_unlock(&ahead.mu);
        if (rc != CSHARK_PACKET) {
            T_EQ(rc, CSHARK_DONE);
            return NULL;
        }
    }
}

static void *consume(void *arg)
{
    size_t me = (size_t)arg;
    char got[512];
    for (unsigned i = 0;; i++) {
        pthread_mutex_lock(&ahead.mu);
        while (i >= ahead.count && !ahead.done)
            pthread_cond_wait(&ahead.cv, &ahead.mu);
        cshark_packet *pkt = i < ahead.count ? ahead.pkts[i] : NULL;
        pthread_mutex_unlock(&ahead.mu);
        if (!pkt)
            break;
        structure_of(pkt, got, sizeof got);
        T_ASSERT(!strcmp(got, ahead.expected[i]), "%s != %s", got, ahead.expected[i]);
        /* A call that needs the engine: done in turn, or refused. */
        if ((i + me) % 4 == 0) {
            int rc = cshark_field_check("smb.cmd");
            if (rc == CSHARK_EBUSY)
                busy_seen();
            else
                T_EQ(rc, CSHARK_OK);
        }
    }
    return NULL;
}

START_TEST(readers_of_kept_packets_beside_next)
{
    ck_assert_int_eq(cshark_field_lookup("ip.src", &ahead.fields[0]), CSHARK_OK);
    ck_assert_int_eq(cshark_field_lookup("smb.cmd", &ahead.fields[1]), CSHARK_OK);
    /* In turn, one thread. */
    unsigned n = 0;
    cshark_packet *pkt;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__smb_deletefile.pcap")),
                     CSHARK_OK);
    while (cshark_capture_next(tcap, &pkt) == CSHARK_PACKET) {
        ck_assert_uint_lt(n, MAXPKT);
        ck_assert_int_eq(cshark_packet_format_fields(pkt, ahead.fields, 2, CSHARK_STR_PDML), CSHARK_OK);
        structure_of(pkt, ahead.expected[n++], sizeof ahead.expected[0]);
    }
    close_tcap();
    ck_assert_uint_eq(n, 101);

    /* One thread inside next, NREADERS reading what it kept. */
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("ndpi__smb_deletefile.pcap")),
                     CSHARK_OK);
    ahead.cap = tcap;
    ahead.count = 0;
    ahead.done = 0;
    pthread_t producer, readers[NREADERS];
    ck_assert_int_eq(pthread_create(&producer, NULL, produce, NULL), 0);
    for (size_t i = 0; i < NREADERS; i++)
        ck_assert_int_eq(pthread_create(&readers[i], NULL, consume, (void *)i), 0);
    pthread_join(producer, NULL);
    for (size_t i = 0; i < NREADERS; i++)
        pthread_join(readers[i], NULL);
    ck_assert_uint_eq(ahead.count, n);
    close_tcap();
    for (unsigned i = 0; i < ahead.count; i++)
        ck_assert_int_eq(cshark_packet_free(ahead.pkts[i]), CSHARK_OK);
}
END_TEST

static void teardown(void)
{
    close_tcap();
}

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 0); /* no fork: the runner's timeout stands */
    tcase_add_test(tc, calls_refused_while_a_thread_is_inside_next);
    tcase_add_test(tc, freed_packets_and_closed_captures_are_refused);
    tcase_add_test(tc, threads_in_turn_read_as_one);
    tcase_add_test(tc, threads_contend_for_the_engine);
    tcase_add_test(tc, readers_of_kept_packets_beside_next);
    suite_add_tcase(s, tc);
    return s;
}
