/* fuzz_options: the input is lines, each an option for one capture of
 * fuzz/data/small.pcap, its first character saying which:
 *   o NAME:VALUE      cshark_capture_set_preference (tshark -o)
 *   d RULE            cshark_capture_set_decode_as (tshark -d)
 *   + PROTO / - PROTO cshark_capture_set_protocol
 *   N LETTERS         cshark_capture_set_name_resolution (tshark -N)
 *   w TYPE,KEY        cshark_capture_set_wlan_key
 *   e NAME            one more name for cshark_capture_set_fields
 *   Y FILTER          cshark_capture_set_display_filter
 *   c DIGIT           cshark_capture_set_columns
 *   M NUMBER          cshark_capture_set_session_reset
 *   2                 cshark_capture_set_two_pass
 * The capture is read with every packet walked and closed; then a capture
 * opened without options must read as the first, option-free one did (the
 * header's rule: options are undone at close).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* A digest of the small capture as read with no option: its summary
 * columns and layer counts. */
static uint64_t digest_plain(void)
{
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK)
        abort();
    cshark_capture_set_columns(cap, CSHARK_COLUMNS_ONLY);
    uint64_t h = 1469598103934665603u;
    cshark_packet *pkt;
    while (cshark_capture_next(cap, &pkt) == CSHARK_PACKET) {
        for (size_t i = 0; i < cshark_packet_column_count(pkt); i++)
            for (const char *s = cshark_packet_column(pkt, i); *s; s++)
                h = (h ^ (uint8_t)*s) * 1099511628211u;
        h = (h ^ cshark_packet_layer_count(pkt)) * 1099511628211u;
    }
    cshark_capture_close(cap);
    return h;
}

static uint64_t baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    baseline = digest_plain();
    return 0;
}

/* Options the fuzzer must not reach: files the engine would write
 * (*.debug_file), devices and /proc it would read forever, and external
 * DNS look-ups (-N N) that leave the machine. */
static int unsafe(const char *line)
{
    return strstr(line, "debug_file") || strstr(line, "/dev/") || strstr(line, "/proc/") ||
           strstr(line, "/sys/") || (line[0] == 'N' && strchr(line + 1, 'N'));
}

static void apply(cshark_capture *cap, char *line, const char **fields, size_t *nfields)
{
    char *arg = line + 1;
    switch (line[0]) {
    case 'o': {
        int let_off = fuzz_engine_leaks_begin(arg);
        cshark_capture_set_preference(cap, arg);
        fuzz_engine_leaks_end(let_off);
        break;
    }
    case 'd': cshark_capture_set_decode_as(cap, arg); break;
    case '+': case '-': cshark_capture_set_protocol(cap, arg, line[0] == '+'); break;
    case 'N': cshark_capture_set_name_resolution(cap, arg); break;
    case 'w': {
        char *comma = strchr(arg, ',');
        if (comma)
            *comma = '\0';
        int let_off = fuzz_engine_leaks_begin("uat:"); /* keys are user-table records */
        cshark_capture_set_wlan_key(cap, arg, comma ? comma + 1 : NULL);
        fuzz_engine_leaks_end(let_off);
        break;
    }
    case 'e': fields[(*nfields)++] = arg; break;
    case 'Y': cshark_capture_set_display_filter(cap, arg); break;
    case 'c': cshark_capture_set_columns(cap, (cshark_columns_mode)(arg[0] - '0')); break;
    case 'M': cshark_capture_set_session_reset(cap, strtoull(arg, NULL, 10) % 64); break;
    case '2': cshark_capture_set_two_pass(cap, true); break;
    default: break;
    }
    (void)strlen(cshark_last_error());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    size_t nlines = 1;
    for (const char *p = text; *p; p++)
        nlines += *p == '\n';
    const char **fields = calloc(nlines, sizeof *fields);
    char **lines = calloc(nlines, sizeof *lines);
    size_t nfields = 0, n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!unsafe(line) && !(line[0] == 'Y' && fuzz_filter_refused(line + 1)))
            lines[n++] = line; /* a bad filter: the engine leaks (common.h) */
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK)
        abort();
    for (size_t i = 0; i < n; i++)
        apply(cap, lines[i], fields, &nfields);
    if (nfields)
        cshark_capture_set_fields(cap, fields, nfields);
    cshark_packet *pkt;
    while (cshark_capture_next(cap, &pkt) == CSHARK_PACKET)
        fuzz_walk_packet(pkt);
    cshark_capture_close(cap);
    free(lines);
    free(fields);
    free(text);
    if (digest_plain() != baseline) {
        fprintf(stderr, "fuzz: an option outlived its capture: a later capture reads "
                        "differently\n");
        abort();
    }
    return 0;
}
