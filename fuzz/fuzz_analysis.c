/* fuzz_analysis: the input is up to four -z specs, one a line, attached to
 * a capture of fuzz/data/small.pcap (cshark_capture_analyze); the capture is
 * run (cshark_capture_run) or read packet by packet, then each analysis's
 * text and every cell of its rows are read, with out-of-range and
 * wrong-type cells too.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum { MAX_SPECS = 4 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    const char *const *names;
    size_t count;
    cshark_analysis_list(&names, &count);
    return 0;
}

static void read_rows(cshark_analysis *a)
{
    (void)strlen(cshark_analysis_text(a));
    size_t rows = 0;
    if (cshark_analysis_rows(a, &rows) != CSHARK_OK)
        return;
    size_t cols = cshark_analysis_column_count(a);
    for (size_t c = 0; c <= cols; c++) {
        (void)cshark_analysis_column_name(a, c);
        (void)cshark_analysis_column_type(a, c);
    }
    for (size_t r = 0; r <= rows; r++)
        for (size_t c = 0; c <= cols; c++) {
            uint64_t u;
            double d;
            const char *s;
            const uint8_t *b;
            size_t n;
            cshark_analysis_uint(a, r, c, &u);
            cshark_analysis_double(a, r, c, &d);
            if (cshark_analysis_string(a, r, c, &s) == CSHARK_OK)
                (void)strlen(s);
            if (cshark_analysis_bytes(a, r, c, &b, &n) == CSHARK_OK && n)
                (void)(b[0] + b[n - 1]);
        }
    /* The text again, after the snapshot. */
    (void)strlen(cshark_analysis_text(a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char *whole = fuzz_string(data, size); /* text is cut into specs */
    char *specs[MAX_SPECS];
    size_t nspecs = 0;
    char *save = NULL;
    for (char *spec = strtok_r(text, "\n", &save); spec && nspecs < MAX_SPECS;
         spec = strtok_r(NULL, "\n", &save))
        if (!fuzz_spec_refused(spec)) /* a bad filter: the engine leaks (common.h) */
            specs[nspecs++] = spec;
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK)
        abort();
    cshark_analysis *attached[MAX_SPECS];
    size_t n = 0;
    for (size_t k = 0; k < nspecs; k++)
        if (cshark_capture_analyze(cap, specs[k], &attached[n]) == CSHARK_OK)
            n++;
        else
            (void)strlen(cshark_last_error());
    if (n) {
        /* The analyses start with the first read. */
        int let_off = fuzz_engine_leaks_begin(whole);
        /* Running totals while reading, then the rest read at once. */
        cshark_packet *pkt;
        if (size & 1) {
            cshark_capture_next(cap, &pkt);
            fuzz_engine_leaks_end(let_off);
            let_off = 0;
            for (size_t i = 0; i < n; i++)
                read_rows(attached[i]);
        }
        cshark_capture_run(cap);
        fuzz_engine_leaks_end(let_off);
        for (size_t i = 0; i < n; i++)
            read_rows(attached[i]);
    }
    cshark_capture_close(cap);
    free(whole);
    free(text);
    return 0;
}
