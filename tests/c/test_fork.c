/* Workers forked after cshark_init(): each child reads its own capture with
 * the engine it inherited (the CLI's -j N), and the parent's stays usable.
 * Expected values from tshark 4.0.17 (`tshark -n -T fields`). Its own
 * runner: children must not run inside the other suites' process state.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

const char *data_file(const char *name)
{
    static char path[4096];
    const char *dir = getenv("CSHARK_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return path;
}

/* Frames of NAME and the show of FIELD in frame NUMBER: what a child
 * checks. */
typedef struct {
    const char *name;
    uint32_t frames, number;
    const char *field, *show;
} expect;

static const expect captures[] = {
    { "tcpdump__ntp.pcap", 8, 8, "ip.src", "192.168.100.1" },
    { "ndpi__http_auth.pcap", 33, 4, "http.request.method", "GET" },
};

/* 0 when the capture reads as tshark reads it, else a message on stderr. */
static int read_as_expected(const expect *e)
{
    cshark_capture *cap;
    cshark_packet *pkt;
    if (cshark_capture_open(&cap, data_file(e->name)) != CSHARK_OK) {
        fprintf(stderr, "%s\n", cshark_last_error());
        return 1;
    }
    uint32_t frames = 0;
    int rc, bad = 0;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        frames++;
        const cshark_item *it;
        if (cshark_packet_number(pkt) == e->number &&
            (cshark_packet_field(pkt, e->field, &it) != CSHARK_OK ||
             strcmp(cshark_item_show(it), e->show) != 0)) {
            fprintf(stderr, "%s frame %u: %s is not %s\n", e->name, e->number, e->field, e->show);
            bad = 1;
        }
    }
    if (rc != CSHARK_DONE || frames != e->frames) {
        fprintf(stderr, "%s: %u frames (%d), not %u\n", e->name, frames, rc, e->frames);
        bad = 1;
    }
    cshark_capture_close(cap);
    return bad;
}

START_TEST(no_other_thread_after_init)
{
    /* fork() copies only the calling thread: the engine must have no other. */
    FILE *f = fopen("/proc/self/status", "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    int threads = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &threads) == 1)
            break;
    fclose(f);
    ck_assert_int_eq(threads, 1);
}
END_TEST

START_TEST(not_while_a_capture_is_open)
{
    cshark_capture *cap;
    ck_assert_int_eq(cshark_capture_open(&cap, data_file("tcpdump__ntp.pcap")), CSHARK_OK);
    ck_assert_int_eq(cshark_fork_check(), CSHARK_ESTATE);
    ck_assert_ptr_nonnull(strstr(cshark_last_error(), "tcpdump__ntp.pcap"));
    cshark_capture_close(cap);
    ck_assert_int_eq(cshark_fork_check(), CSHARK_OK);
}
END_TEST

START_TEST(two_workers_read_their_own_captures)
{
    ck_assert_int_eq(cshark_fork_check(), CSHARK_OK);
    size_t n = sizeof captures / sizeof *captures;
    pid_t pids[sizeof captures / sizeof *captures];
    fflush(NULL);
    for (size_t i = 0; i < n; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            _exit(read_as_expected(&captures[i]));
    }
    for (size_t i = 0; i < n; i++) {
        int status;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "the worker reading %s failed (status %d)", captures[i].name, status);
    }
    /* The parent's engine is untouched: it reads as well after them. */
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(read_as_expected(&captures[i]), 0);
}
END_TEST

int main(void)
{
    if (cshark_init(CSHARK_INIT_NO_PERSONAL_CONFIG) != CSHARK_OK) {
        fprintf(stderr, "cshark_init: %s\n", cshark_last_error());
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("fork");
    TCase *tc = tcase_create("fork");
    tcase_add_test(tc, no_other_thread_after_init);
    tcase_add_test(tc, not_while_a_capture_is_open);
    tcase_add_test(tc, two_workers_read_their_own_captures);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
