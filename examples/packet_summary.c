/* A summary line per packet, what a PyShark script usually prints first:
 * number, time, highest protocol, network source and destination,
 * transport and ports.
 *
 *   usage: packet_summary CAPTURE
 *
 *   no    time                  protocol  network  src          dst              transport sport  dport  stream
 *   4     1381844050.402794000  http      ip       192.168.0.4  192.254.189.169  tcp       54337  80     0
 *
 * One word per column, "-" where the packet has none (ARP has no network
 * in this sense, ICMP no ports). The time is PDML's (seconds since the
 * epoch); the highest protocol the last of frame.protocols. The endpoints
 * come from cshark_packet_endpoints(): the headers that carry the
 * transport, so a VXLAN or IP-in-IP packet shows its inner addresses and an
 * ICMP error its own, not those of the packet it quotes; stream is the
 * tcp.stream or udp.stream that follow_stream takes.
 *
 * cshark_packet_endpoints() reads the whole tree, so this program sets no
 * fields of interest: each packet is dissected in full.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cshark/cshark.h>

static void die(void)
{
    fprintf(stderr, "packet_summary: %s\n", cshark_last_error());
    exit(1);
}

int main(int argc, char **argv)
{
    cshark_capture *cap;
    cshark_packet *pkt;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK)
        die();

    printf("%-5s %-21s %-9s %-8s %-15s %-15s %-9s %-6s %-6s %s\n", "no", "time", "protocol",
           "network", "src", "dst", "transport", "sport", "dport", "stream");
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
        const char *protocols, *highest;
        char sport[8] = "-", dport[8] = "-", stream[24] = "-";

        if (cshark_packet_field_string(pkt, "frame.protocols", &protocols) != CSHARK_OK)
            die();
        highest = strrchr(protocols, ':') ? strrchr(protocols, ':') + 1 : protocols;

        /* CSHARK_ENOTFOUND: neither network nor transport; e is empty. */
        int found = cshark_packet_endpoints(pkt, &e);
        if (found != CSHARK_OK && found != CSHARK_ENOTFOUND)
            die();
        if (e.transport && strncmp(e.transport, "icmp", 4) != 0) {
            snprintf(sport, sizeof sport, "%" PRIu32, e.src_port);
            snprintf(dport, sizeof dport, "%" PRIu32, e.dst_port);
        }
        if (e.stream >= 0)
            snprintf(stream, sizeof stream, "%" PRId64, e.stream);

        printf("%-5" PRIu32 " %-21s %-9s %-8s %-15s %-15s %-9s %-6s %-6s %s\n",
               cshark_packet_number(pkt), cshark_packet_timestamp(pkt), highest,
               e.network ? e.network : "-", e.src ? e.src : "-", e.dst ? e.dst : "-",
               e.transport ? e.transport : "-", sport, dport, stream);
    }
    if (rc != CSHARK_DONE)
        die();
    cshark_capture_close(cap);
    return 0;
}
