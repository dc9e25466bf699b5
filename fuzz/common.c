/* What the fuzz targets share (common.h).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE 1
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <sanitizer/lsan_interface.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR is set by fuzz/meson.build"
#endif

void fuzz_init(void)
{
    /* Dissector complaints (malformed packets are the point) would bury
     * libFuzzer's own lines; a real fault still reaches stderr. */
    setenv("WIRESHARK_LOG_LEVEL", "critical", 0);
    if (cshark_init(CSHARK_INIT_NO_PERSONAL_CONFIG) != CSHARK_OK) {
        fprintf(stderr, "fuzz: cshark_init: %s\n", cshark_last_error());
        abort();
    }
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK) {
        fprintf(stderr, "fuzz: %s\n", cshark_last_error());
        abort();
    }
    cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON);
    fuzz_read_all(cap, 1);
    cshark_capture_close(cap);
}

const char *fuzz_small_capture(void)
{
    const char *env = getenv("CSHARK_FUZZ_CAPTURE");
    return env && *env ? env : FUZZ_DATA_DIR "/small.pcap";
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("cshark-fuzz", 0);
        if (fd < 0) {
            perror("fuzz: memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz: memfd");
        abort();
    }
    return path;
}

char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int fuzz_engine_leaks_begin(const char *text)
{
    if (!strstr(text, "plen") && !strstr(text, "uat:") && strcmp(text, "dfilter:") != 0)
        return 0;
    __lsan_disable();
    return 1;
}

void fuzz_engine_leaks_end(int begun)
{
    if (begun)
        __lsan_enable();
}

int fuzz_filter_refused(const char *filter)
{
    int let_off = fuzz_engine_leaks_begin("dfilter:");
    int rc = cshark_filter_check(filter, NULL);
    fuzz_engine_leaks_end(let_off);
    return rc != CSHARK_OK;
}

int fuzz_spec_refused(const char *spec)
{
    cshark_capture *cap;
    if (cshark_capture_open(&cap, fuzz_small_capture()) != CSHARK_OK)
        abort();
    cshark_analysis *a;
    int let_off = fuzz_engine_leaks_begin("dfilter:");
    int rc = cshark_capture_analyze(cap, spec, &a);
    cshark_capture_close(cap);
    fuzz_engine_leaks_end(let_off);
    return rc == CSHARK_EFILTER;
}

FILE *fuzz_null(void)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    return null;
}

/* Keep the compiler from dropping what is read. */
static volatile uintptr_t sink;
#define USE(x) (sink += (uintptr_t)(x))

/* By-name look-ups left for this packet (each one searches the tree). */
static int lookups;

static void walk_item(cshark_packet *pkt, const cshark_item *item, int depth)
{
    for (; item; item = cshark_item_next(item)) {
        USE(cshark_item_kind(item));
        const char *name = cshark_item_name(item);
        USE(cshark_item_showname(item));
        USE(cshark_item_show(item));
        USE(cshark_item_raw_value(item));
        USE(cshark_item_unmaskedvalue(item));
        USE(cshark_item_pos(item));
        USE(cshark_item_size(item));
        USE(cshark_item_hidden(item));
        USE(cshark_item_formatted(item, CSHARK_STR_PDML));
        cshark_pdml pdml = CSHARK_PDML_INIT;
        if (cshark_item_pdml(item, &pdml) == CSHARK_OK) {
            /* The lengths must match the strings. */
            if ((pdml.show && strlen(pdml.show) != pdml.show_len) ||
                (pdml.showname && strlen(pdml.showname) != pdml.showname_len) ||
                (pdml.value && strlen(pdml.value) != pdml.value_len)) {
                fprintf(stderr, "fuzz: cshark_item_pdml lengths disagree with the strings\n");
                abort();
            }
        }
        USE(cshark_item_label(item));
        USE(cshark_item_fields_text(item));
        USE(cshark_item_flags(item));
        const uint8_t *bytes;
        size_t len;
        if (cshark_item_data(item, &bytes, &len) == CSHARK_OK && len)
            USE(bytes[0] + bytes[len - 1]); /* ASan checks the range's ends */
        USE(cshark_item_type(item));
        USE(cshark_item_type_name(item));
        USE(cshark_item_display_name(item));
        uint64_t u;
        int64_t i;
        double d;
        uint8_t a4[4], a6[16];
        int32_t ns;
        const char *s;
        if (cshark_item_uint(item, &u) == CSHARK_OK)
            USE(u);
        if (cshark_item_int(item, &i) == CSHARK_OK)
            USE(i);
        if (cshark_item_double(item, &d) == CSHARK_OK)
            USE((uintptr_t)(d != d));
        if (cshark_item_bytes(item, &bytes, &len) == CSHARK_OK && len)
            USE(bytes[0] + bytes[len - 1]);
        if (cshark_item_ipv4(item, a4) == CSHARK_OK)
            USE(a4[3]);
        if (cshark_item_ipv6(item, a6) == CSHARK_OK)
            USE(a6[15]);
        if (cshark_item_time(item, &i, &ns) == CSHARK_OK)
            USE(i + ns);
        if (cshark_item_string(item, &s) == CSHARK_OK)
            USE(strlen(s));
        if (cshark_item_seconds(item, &d) == CSHARK_OK)
            USE((uintptr_t)(d != d));
        USE(cshark_item_value_label(item));
        USE(cshark_item_child_count(item));
        if (cshark_item_parent(item) == item) {
            fprintf(stderr, "fuzz: an item is its own parent\n");
            abort();
        }
        /* The by-name calls, on the first names this packet has. */
        if (name && *name && depth < 2 && lookups-- > 0) {
            const cshark_item *first;
            const cshark_item *const *all;
            size_t n;
            USE(cshark_packet_field(pkt, name, &first));
            USE(cshark_packet_fields(pkt, name, &all, &n));
            USE(cshark_packet_field_count(pkt, name, &n));
            USE(cshark_packet_field_uint(pkt, name, &u));
            USE(cshark_packet_field_int(pkt, name, &i));
            USE(cshark_packet_field_double(pkt, name, &d));
            USE(cshark_packet_field_string(pkt, name, &s));
            USE(cshark_packet_field_seconds(pkt, name, &d));
            const cshark_field *field;
            if (cshark_field_lookup(name, &field) == CSHARK_OK) {
                USE(cshark_packet_fields_of(pkt, field, &all, &n));
                USE(cshark_packet_format_fields(pkt, &field, 1, CSHARK_STR_SHOW | CSHARK_STR_RAW_VALUE));
            }
        }
        walk_item(pkt, cshark_item_child(item), depth + 1);
    }
}

void fuzz_walk_packet(cshark_packet *pkt)
{
    int64_t sec;
    int32_t nsec;
    size_t len;
    USE(cshark_packet_number(pkt));
    cshark_packet_time(pkt, &sec, &nsec);
    USE(sec + nsec);
    USE(strlen(cshark_packet_timestamp(pkt)));
    USE(cshark_packet_length(pkt));
    USE(cshark_packet_captured_length(pkt));
    USE(cshark_packet_interface_id(pkt));
    USE(cshark_packet_interface_name(pkt));
    USE(cshark_packet_encap(pkt));
    USE(cshark_packet_encap_name(pkt));
    const uint8_t *data = cshark_packet_data(pkt, &len);
    if (data && len)
        USE(data[0] + data[len - 1]);
    size_t ncol = cshark_packet_column_count(pkt);
    for (size_t i = 0; i <= ncol; i++) {
        USE(cshark_packet_column_title(pkt, i));
        USE(cshark_packet_column(pkt, i));
    }
    size_t nlayers = cshark_packet_layer_count(pkt);
    for (size_t i = 0; i <= nlayers; i++) /* past the last: NULL */
        USE(cshark_packet_layer(pkt, i));
    lookups = 12;
    walk_item(pkt, cshark_packet_layer(pkt, 0), 0); /* the layers are siblings */
}

int fuzz_read_all(cshark_capture *cap, int walk)
{
    cshark_packet *pkt;
    int rc;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET)
        if (walk)
            fuzz_walk_packet(pkt);
    return rc;
}
