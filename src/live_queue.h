/* The capture thread of a live source and the frames it queues (live_queue.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_LIVE_QUEUE_H
#define CSHARK_LIVE_QUEUE_H

#include <signal.h>

#include <glib.h>
#include <pcap/pcap.h>

typedef struct cs_live_queue cs_live_queue;

typedef struct {
    guint32 iface, caplen, len;
    gint64 sec, frac;      /* as libpcap's header: frac in its precision  */
    const guint8 *data;    /* valid until the next pop                    */
} cs_live_frame;

/* Starts the thread reading the N activated, non-blocking handles until
 * *STOPPED is set (WAKE_FD, the stop pipe's read end, wakes it) or the
 * queue is freed; NULL if it cannot start or CSHARK_LIVE_QUEUE_MB is 0. */
cs_live_queue *cs_live_queue_start(pcap_t **pcap, size_t n, int wake_fd,
                                   volatile sig_atomic_t *stopped);
/* 1: a frame in F; 0: none now (poll cs_live_queue_fd() for more); negative:
 * the capture thread's libpcap error (in MSG, for handle F->iface), once every
 * frame before it has been taken. */
int cs_live_queue_pop(cs_live_queue *q, cs_live_frame *f, char *msg, size_t msg_len);
int cs_live_queue_fd(cs_live_queue *q);
/* pcap_stats(P) safely against the thread (*OK: it succeeded); returns the
 * frames dropped for want of queue memory. */
guint64 cs_live_queue_stats(cs_live_queue *q, pcap_t *p, struct pcap_stat *ps, int *ok);
void cs_live_queue_free(cs_live_queue *q);

#endif
