/* Print ip.src of every packet of a capture: the smallest cshark program.
 * Build: cc ip_src.c $(pkg-config --cflags --libs cshark) -o ip_src
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include <cshark/cshark.h>

int main(int argc, char **argv)
{
    cshark_capture *cap;
    cshark_packet *pkt;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 1;
    }
    if (cshark_capture_open(&cap, argv[1]) != CSHARK_OK) {
        fprintf(stderr, "%s\n", cshark_last_error());
        return 1;
    }
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        const cshark_item *src;
        if (cshark_packet_field(pkt, "ip.src", &src) == CSHARK_OK)
            printf("%u %s\n", cshark_packet_number(pkt), cshark_item_show(src));
    }
    if (rc != CSHARK_DONE)
        fprintf(stderr, "%s\n", cshark_last_error());
    cshark_capture_close(cap);
    return rc == CSHARK_DONE ? 0 : 1;
}
