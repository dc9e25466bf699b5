/* Follow a stream: every chunk of payload of one TCP, UDP, TLS or HTTP
 * stream, both ways, as tshark -z follow,PROTO,MODE,INDEX sees it.
 *
 *   usage: follow_stream CAPTURE PROTOCOL INDEX [TLS_KEYLOG]
 *
 *   tcp stream 0
 *   frame 4  client>server  739 bytes  192.168.0.4:54337
 *     GET /password-ok.php HTTP/1.1\r\nHost: browserspy.dk\r\n...
 *   frame 6  server>client  1448 bytes  192.254.189.169:80
 *     HTTP/1.1 401 Authorization Required\r\n...
 *
 * PROTOCOL is tcp, udp, tls, http (also http2, quic); INDEX the stream's
 * tcp.stream or udp.stream. Each chunk: its frame, its direction (the
 * client is the end tshark's follow calls peer 0), its length and its
 * sender as the follower gives it ("-" when it does not), then the bytes
 * on one line, printable ASCII as is and the rest
 * escaped as in C (\r, \n, \t, \\, \xNN). TLS_KEYLOG is an SSLKEYLOGFILE
 * (the preference tls.keylog_file) to decrypt TLS with.
 *
 * The follow analysis does the work: attached before the first packet,
 * cshark_capture_run() reads the capture without handing packets out, and
 * its rows are the chunks, one typed row each.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cshark/cshark.h>

static void die(void)
{
    fprintf(stderr, "follow_stream: %s\n", cshark_last_error());
    exit(1);
}

/* The index of the analysis's column NAME (docs/API.md lists them). */
static size_t column(const cshark_analysis *a, const char *name)
{
    size_t c;
    if (cshark_analysis_column_index(a, name, &c) != CSHARK_OK)
        die();
    return c;
}

static uint64_t cell_uint(const cshark_analysis *a, size_t row, const char *name)
{
    uint64_t value;
    if (cshark_analysis_uint(a, row, column(a, name), &value) != CSHARK_OK)
        die();
    return value;
}

static void print_escaped(const uint8_t *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        uint8_t c = data[i];
        if (c == '\r' || c == '\n' || c == '\t' || c == '\\')
            printf("\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
        else if (c >= 0x20 && c < 0x7f)
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

int main(int argc, char **argv)
{
    cshark_capture *cap;
    cshark_analysis *follow;
    char spec[128], keylog[4200], *end;
    size_t nrows;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s CAPTURE PROTOCOL INDEX [TLS_KEYLOG]\n", argv[0]);
        return 1;
    }
    unsigned long index = strtoul(argv[3], &end, 10);
    if (argv[3][0] < '0' || argv[3][0] > '9' || *end != '\0') {
        fprintf(stderr, "follow_stream: the stream index must be a number, not %s\n", argv[3]);
        return 1;
    }
    /* The text form (raw here) is what cshark_analysis_text() would print;
     * the rows are the same whatever it is. */
    snprintf(spec, sizeof spec, "follow,%s,raw,%lu", argv[2], index);
    snprintf(keylog, sizeof keylog, "tls.keylog_file:%s", argc == 5 ? argv[4] : "");
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK)
        die();
    if ((argc == 5 && cshark_capture_set_preference(cap, keylog) != CSHARK_OK) ||
        cshark_capture_analyze(cap, spec, &follow) != CSHARK_OK ||
        cshark_capture_run(cap) != CSHARK_OK ||
        cshark_analysis_rows(follow, &nrows) != CSHARK_OK)
        die();

    printf("%s stream %lu\n", argv[2], index);
    for (size_t r = 0; r < nrows; r++) {
        const char *host;
        const uint8_t *data;
        size_t length;
        if (cshark_analysis_string(follow, r, column(follow, "host"), &host) != CSHARK_OK ||
            cshark_analysis_bytes(follow, r, column(follow, "data"), &data, &length) != CSHARK_OK)
            die();
        printf("frame %" PRIu64 "  %s  %zu bytes  ", cell_uint(follow, r, "frame"),
               cell_uint(follow, r, "peer") == 0 ? "client>server" : "server>client", length);
        if (host[0] == '\0')
            printf("-\n  ");              /* the follower did not say */
        else
            printf(strchr(host, ':') ? "[%s]:%" PRIu64 "\n  " : "%s:%" PRIu64 "\n  ", host,
                   cell_uint(follow, r, "port"));
        print_escaped(data, length);
        printf("\n");
    }
    cshark_capture_close(cap);
    return 0;
}
