/* Runs every Check suite; the runner prints Check's own summary line.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "tests.h"

const char *data_file(const char *name)
{
    static char path[4096];
    const char *dir = getenv("CSHARK_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return path;
}

cshark_capture *tcap;

void close_tcap(void)
{
    cshark_capture_close(tcap);
    tcap = NULL;
}

cshark_packet *read_frame(const char *name, uint32_t number)
{
    cshark_packet *pkt = NULL;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(name)), CSHARK_OK);
    for (uint32_t i = 0; i < number; i++)
        ck_assert_int_eq(cshark_capture_next(tcap, &pkt), CSHARK_PACKET);
    ck_assert_uint_eq(cshark_packet_number(pkt), number);
    return pkt;
}

const char *show_of(cshark_packet *pkt, const char *field)
{
    const cshark_item *it;
    return cshark_packet_field(pkt, field, &it) == CSHARK_OK ? cshark_item_show(it) : NULL;
}

int main(void)
{
    /* The engine is process-global and initialised once: no fork per test. */
    if (cshark_init(CSHARK_INIT_NO_PERSONAL_CONFIG) != CSHARK_OK) {
        fprintf(stderr, "cshark_init: %s\n", cshark_last_error());
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(api_suite());
    srunner_add_suite(sr, tree_suite());
    srunner_add_suite(sr, errors_suite());
    srunner_add_suite(sr, session_suite());
    srunner_add_suite(sr, sources_suite());
    srunner_add_suite(sr, ahead_suite());
    srunner_add_suite(sr, analysis_suite());
    srunner_add_suite(sr, helpers_suite());
    srunner_add_suite(sr, iostat_suite());
    srunner_add_suite(sr, live_suite());
    srunner_add_suite(sr, threads_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cshark_shutdown();
    /* After shutdown, every call that needs the engine says so: ESTATE. */
    cshark_capture *cap = NULL;
    int rcs[] = { cshark_capture_open(&cap, data_file("tcpdump__ntp.pcap")),
                  cshark_capture_open_feed(&cap, 1, 0), cshark_field_check("ip.src"),
                  cshark_filter_check("ip", NULL) };
    for (size_t i = 0; i < sizeof rcs / sizeof *rcs; i++)
        if (rcs[i] != CSHARK_ESTATE || !strstr(cshark_last_error(), "shut down")) {
            fprintf(stderr, "call %zu after cshark_shutdown(): %d, \"%s\"\n", i, rcs[i],
                    cshark_last_error());
            failed++;
        }
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
