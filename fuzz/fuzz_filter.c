/* fuzz_filter: the input is a display filter: checked
 * (cshark_filter_check), looked up as a field name, and when valid compiled
 * on a capture of fuzz/data/small.pcap and applied to every packet, with the
 * summary columns as tshark computes them. Leaks are not checked in the
 * check itself: the engine's compiler leaks on some refused filters
 * (common.h); a valid filter's compilation on the capture is checked.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *filter = fuzz_string(data, size);
    const char *warning = NULL;
    int let_off = fuzz_engine_leaks_begin("dfilter:");
    int valid = cshark_filter_check(filter, &warning) == CSHARK_OK;
    fuzz_engine_leaks_end(let_off);
    if (warning)
        (void)strlen(warning);
    (void)strlen(cshark_last_error());
    cshark_type type;
    if (cshark_field_check(filter) == CSHARK_OK)
        cshark_field_type(filter, &type);
    if (valid) {
        cshark_capture *cap;
        if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK)
            abort();
        cshark_capture_set_columns(cap, CSHARK_COLUMNS_ONLY);
        if (strstr(filter, "_in")) /* http.response_in and the like look forward */
            cshark_capture_set_two_pass(cap, true);
        if (cshark_capture_set_display_filter(cap, filter) != CSHARK_OK) {
            /* cshark_filter_check() accepted it: the capture must too. */
            fprintf(stderr, "fuzz: filter check accepted what the capture refused: %s\n",
                    cshark_last_error());
            abort();
        }
        cshark_packet *pkt;
        while (cshark_capture_next(cap, &pkt) == CSHARK_PACKET)
            for (size_t i = 0; i < cshark_packet_column_count(pkt); i++)
                (void)cshark_packet_column(pkt, i);
        cshark_capture_close(cap);
    }
    free(filter);
    return 0;
}
