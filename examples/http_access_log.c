/* An HTTP access log: one line per request, with the status of its response.
 *
 *   usage: http_access_log CAPTURE
 *
 *   2013-10-15T13:34:10.402794Z 192.168.0.4 GET browserspy.dk /password-ok.php 401
 *
 * Fields: the request's time (UTC, microseconds), the client's address, the
 * method, the Host header, the URI and the response's status code. As a web
 * server's log, a line is written when the response comes; requests never
 * answered are written at the end with status "-", and a response whose
 * request is not in the capture gets its own line with "-" for the method,
 * host and URI (its time and client are the response's).
 *
 * The engine links the two: a response's http.request_in names its
 * request's frame. (A request's http.response_in looks forward, so it needs
 * two passes; linking back from the response works in one pass and on a
 * pipe.) Requests wait with cshark_packet_keep(): a kept packet stays valid,
 * fields and all, after later reads, until cshark_packet_free().
 *
 * A packet holding several HTTP messages (pipelining) is read by its first.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cshark/cshark.h>

static void die(void)
{
    fprintf(stderr, "http_access_log: %s\n", cshark_last_error());
    exit(1);
}

/* A field lookup's status: true when found, false when absent from this
 * packet, and any other error (a misspelt name...) ends the program. */
static bool found(int rc)
{
    if (rc != CSHARK_OK && rc != CSHARK_ENOTFOUND)
        die();
    return rc == CSHARK_OK;
}

/* A field's text as tshark shows it, or "-" when the packet has none. */
static const char *text(cshark_packet *pkt, const char *name)
{
    const cshark_item *item;
    return found(cshark_packet_field(pkt, name, &item)) ? cshark_item_show(item) : "-";
}

/* The client's address: the request's source, the response's destination. */
static const char *client(cshark_packet *pkt, bool request)
{
    const char *ip = text(pkt, request ? "ip.src" : "ip.dst");
    return ip[0] != '-' ? ip : text(pkt, request ? "ipv6.src" : "ipv6.dst");
}

/* One line: REQ (the request, or NULL) and its response's STATUS ("-"). */
static void log_line(cshark_packet *req, cshark_packet *resp, const char *status)
{
    cshark_packet *when = req ? req : resp;
    int64_t sec;
    int32_t nsec;
    char date[32];
    struct tm tm;
    time_t t;

    cshark_packet_time(when, &sec, &nsec);
    t = (time_t)sec;
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
    printf("%s.%06" PRId32 "Z %s %s %s %s %s\n", date, nsec / 1000, client(when, req != NULL),
           req ? text(req, "http.request.method") : "-", req ? text(req, "http.host") : "-",
           req ? text(req, "http.request.uri") : "-", status);
}

int main(int argc, char **argv)
{
    static const char *const fields[] = {
        "http.request", "http.response", "http.request.method", "http.host",
        "http.request.uri", "http.response.code", "http.request_in",
        "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    };
    cshark_capture *cap;
    cshark_packet *pkt;
    cshark_packet **waiting = NULL;     /* kept requests, in frame order */
    size_t nwaiting = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK ||
        cshark_capture_set_display_filter(cap, "http.request || http.response") != CSHARK_OK ||
        cshark_capture_set_fields(cap, fields, sizeof fields / sizeof *fields) != CSHARK_OK)
        die();

    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        const cshark_item *item;
        uint64_t request_in = 0;
        size_t i = 0;

        if (found(cshark_packet_field(pkt, "http.request", &item))) {
            cshark_packet **grown = realloc(waiting, (nwaiting + 1) * sizeof *waiting);
            if (!grown)
                return perror("http_access_log"), 1;
            waiting = grown;
            if (cshark_packet_keep(pkt) != CSHARK_OK)
                die();
            waiting[nwaiting++] = pkt;
            continue;
        }
        /* A response: find its request among the waiting ones. */
        found(cshark_packet_field_uint(pkt, "http.request_in", &request_in));
        while (i < nwaiting && cshark_packet_number(waiting[i]) != request_in)
            i++;
        if (i == nwaiting) {
            log_line(NULL, pkt, text(pkt, "http.response.code"));
        } else {
            log_line(waiting[i], pkt, text(pkt, "http.response.code"));
            cshark_packet_free(waiting[i]);
            for (nwaiting--; i < nwaiting; i++)
                waiting[i] = waiting[i + 1];
        }
    }
    if (rc != CSHARK_DONE)
        die();
    for (size_t i = 0; i < nwaiting; i++) {
        log_line(waiting[i], NULL, "-");
        cshark_packet_free(waiting[i]);
    }
    free(waiting);
    cshark_capture_close(cap);
    return 0;
}
