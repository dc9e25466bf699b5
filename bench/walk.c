/* bench_walk: dissect every packet of each file and read `show` of every item
 * of its whole tree, through the public API only. The figure of merit is
 * packets/s for the dissect-and-read loop; engine start-up is reported apart
 * because it is paid once per process, not per packet.
 *
 * Usage: bench_walk FILE...
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cshark/cshark.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Totals, summed into the output so the compiler cannot drop the reads. */
struct totals {
    uint64_t packets, items, show_bytes;
};

/* Read `show` of ROOT and of every item below it, depth-first. Iterative
 * (child, else next sibling, else climb until a parent has one) so a deep tree
 * cannot overflow the stack; the climb stops at ROOT. */
static void walk(const cshark_item *root, struct totals *t)
{
    const cshark_item *item = root;
    while (item) {
        t->items++;
        /* NULL where PDML has no show attribute (protocols, wrappers). */
        const char *show = cshark_item_show(item);
        if (show)
            t->show_bytes += strlen(show);
        const cshark_item *next = cshark_item_child(item);
        while (!next && item != root) {
            next = cshark_item_next(item);
            if (!next)
                item = cshark_item_parent(item);
        }
        item = next;
    }
}

static int walk_file(const char *path, struct totals *t)
{
    cshark_capture *cap;
    if (cshark_capture_open(&cap, path) != CSHARK_OK) {
        fprintf(stderr, "bench_walk: %s\n", cshark_last_error());
        return -1;
    }
    cshark_packet *pkt;
    int rc;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        t->packets++;
        size_t n = cshark_packet_layer_count(pkt);
        for (size_t i = 0; i < n; i++)
            walk(cshark_packet_layer(pkt, i), t);
    }
    if (rc != CSHARK_DONE)
        fprintf(stderr, "bench_walk: %s\n", cshark_last_error());
    cshark_capture_close(cap);
    return rc == CSHARK_DONE ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("Usage: bench_walk FILE...\n", stderr);
        return 1;
    }
    double t0 = now();
    if (cshark_init(CSHARK_INIT_NO_PERSONAL_CONFIG) != CSHARK_OK) {
        fprintf(stderr, "bench_walk: %s\n", cshark_last_error());
        return 2;
    }
    double t1 = now();

    struct totals t = { 0 };
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (walk_file(argv[i], &t) != 0)
            status = 2;
    double t2 = now();

    double secs = t2 - t1;
    printf("init_s\t%.3f\n", t1 - t0);
    printf("packets\t%llu\n", (unsigned long long)t.packets);
    printf("items\t%llu\n", (unsigned long long)t.items);
    printf("show_bytes\t%llu\n", (unsigned long long)t.show_bytes);
    printf("seconds\t%.3f\n", secs);
    printf("packets_per_s\t%.0f\n", secs > 0 ? (double)t.packets / secs : 0.0);
    cshark_shutdown();
    return status;
}
