/* The capture thread of a live source: it empties libpcap's ring buffers as
 * fast as the kernel fills them and keeps the frames in memory until the
 * reader (dissection, in the caller's thread) takes them, as dumpcap does
 * for tshark with a file. Without it, a burst faster than dissection
 * overflows the kernel's 2 MiB ring within milliseconds.
 *
 * Frames are copied into blocks of 1 MiB (mmap'ed, so memory goes back to
 * the system once the reader has passed a block; a few are kept for reuse,
 * sparing page faults and unmapping's TLB shootdowns), up to a limit:
 * CSHARK_LIVE_QUEUE_MB (default 128); beyond it a frame is dropped and
 * counted with the kernel's drops. CSHARK_LIVE_QUEUE_MB=0: no thread (the
 * reader takes frames from libpcap itself, as before).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/mman.h>

#include "internal.h"
#include "live_queue.h"

#define BLOCK_SIZE ((size_t)1 << 20)
#define SPARE_BLOCKS 8
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

typedef struct block {
    struct block *next;
    size_t size, used; /* bytes of the mapping; written by the capture thread */
    unsigned char data[];
} block;

typedef struct {
    guint32 iface, caplen, len, pad;
    gint64 sec, frac;
} entry;

struct cs_live_queue {
    pcap_t **pcap;
    size_t n;
    int wake_fd;                    /* the source's stop pipe (read end)      */
    volatile sig_atomic_t *stopped; /* the source's stop flag                 */
    int ready;                      /* eventfd: frames queued for a waiter    */
    GThread *thread;
    GMutex lock;                    /* everything below                       */
    GMutex pcap_lock;               /* a handle's dispatch against its stats  */
    block *head, *tail;             /* reader at head, writer at tail         */
    block *spare;                   /* passed blocks kept for reuse           */
    unsigned nspare;
    size_t read_off;                /* reader's offset in head                */
    size_t bytes, limit;            /* mapped, allowed                        */
    guint64 dropped;                /* frames beyond the limit                */
    int waiting;                    /* the reader sleeps on ready             */
    int quit;
    int error;                      /* pcap_dispatch failed: after the frames */
    size_t error_iface;
    char error_msg[PCAP_ERRBUF_SIZE];
    size_t next;                    /* round robin over the handles           */
};

static block *block_new(size_t need)
{
    size_t size = MAX(BLOCK_SIZE, ALIGN8(sizeof(block) + need));
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    block *b = p;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void block_free(block *b)
{
    munmap(b, b->size);
}

typedef struct {
    cs_live_queue *q;
    guint32 iface;
} dispatch_ctx;

/* One frame, in the capture thread. */
static void enqueue(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    dispatch_ctx *ctx = (dispatch_ctx *)user;
    cs_live_queue *q = ctx->q;
    size_t need = ALIGN8(sizeof(entry) + h->caplen);
    g_mutex_lock(&q->lock);
    block *b = q->tail;
    if (!b || b->size - sizeof(block) - b->used < need) {
        size_t size = MAX(BLOCK_SIZE, ALIGN8(sizeof(block) + need));
        block *nb = NULL;
        if (size == BLOCK_SIZE && q->spare) {
            nb = q->spare;
            q->spare = nb->next;
            q->nspare--;
            nb->next = NULL;
            nb->used = 0;
        } else if (q->bytes + size <= q->limit && (nb = block_new(need))) {
            q->bytes += nb->size;
        }
        if (!nb) {
            q->dropped++;
            g_mutex_unlock(&q->lock);
            return;
        }
        /* Written outside the lock below: only the capture thread writes. */
        if (b)
            b->next = nb;
        else
            q->head = nb, q->read_off = 0;
        q->tail = b = nb;
    }
    size_t off = b->used;
    g_mutex_unlock(&q->lock);

    entry *e = (entry *)(b->data + off);
    e->iface = ctx->iface;
    e->caplen = h->caplen;
    e->len = h->len;
    e->sec = h->ts.tv_sec;
    e->frac = h->ts.tv_usec;
    memcpy(e + 1, data, h->caplen);

    g_mutex_lock(&q->lock);
    b->used = off + need; /* published: the reader may take it */
    g_mutex_unlock(&q->lock);
}

static void wake_reader(cs_live_queue *q)
{
    g_mutex_lock(&q->lock);
    int waiting = q->waiting;
    q->waiting = 0;
    g_mutex_unlock(&q->lock);
    if (waiting) {
        guint64 one = 1;
        ssize_t r = write(q->ready, &one, sizeof one);
        (void)r;
    }
}

static gpointer capture_thread(gpointer data)
{
    cs_live_queue *q = data;
    struct pollfd fds[q->n + 1];
    fds[0] = (struct pollfd){ .fd = q->wake_fd, .events = POLLIN };
    for (size_t i = 0; i < q->n; i++)
        fds[i + 1] = (struct pollfd){ .fd = pcap_get_selectable_fd(q->pcap[i]), .events = POLLIN };
    for (;;) {
        g_mutex_lock(&q->lock);
        int quit = q->quit;
        g_mutex_unlock(&q->lock);
        if (quit || __atomic_load_n(q->stopped, __ATOMIC_RELAXED))
            break;
        int got = 0, failed = 0;
        for (size_t k = 0; k < q->n && !failed; k++) {
            size_t i = (q->next + k) % q->n;
            dispatch_ctx ctx = { q, (guint32)i };
            g_mutex_lock(&q->pcap_lock);
            int rc = pcap_dispatch(q->pcap[i], -1, enqueue, (u_char *)&ctx);
            if (rc < 0) {
                g_mutex_lock(&q->lock);
                q->error = rc;
                q->error_iface = i;
                g_strlcpy(q->error_msg, rc == PCAP_ERROR_BREAK ? "interrupted"
                                                                : pcap_geterr(q->pcap[i]),
                          sizeof q->error_msg);
                g_mutex_unlock(&q->lock);
                failed = 1;
            }
            g_mutex_unlock(&q->pcap_lock);
            if (rc > 0)
                got += rc;
        }
        q->next = (q->next + 1) % q->n;
        if (got || failed)
            wake_reader(q);
        if (failed)
            break;
        if (got)
            continue;
        /* Capped: some devices' descriptors do not wake poll for buffered
         * packets (libpcap's "timeout" semantics). */
        if (poll(fds, (nfds_t)(q->n + 1), 100) < 0 && errno != EINTR) {
            g_mutex_lock(&q->lock);
            q->error = PCAP_ERROR;
            q->error_iface = 0;
            g_strlcpy(q->error_msg, g_strerror(errno), sizeof q->error_msg);
            g_mutex_unlock(&q->lock);
            wake_reader(q);
            break;
        }
    }
    return NULL;
}

static size_t queue_limit(void)
{
    const char *env = getenv("CSHARK_LIVE_QUEUE_MB");
    char *end;
    unsigned long mb = env ? strtoul(env, &end, 10) : 0;
    if (!env || *end || !*env)
        mb = 128;
    return (size_t)mb << 20;
}

cs_live_queue *cs_live_queue_start(pcap_t **pcap, size_t n, int wake_fd,
                                   volatile sig_atomic_t *stopped)
{
    size_t limit = queue_limit();
    if (!limit) /* CSHARK_LIVE_QUEUE_MB=0: no thread, read as dissected */
        return NULL;
    cs_live_queue *q = g_new0(cs_live_queue, 1);
    q->pcap = pcap;
    q->n = n;
    q->wake_fd = wake_fd;
    q->stopped = stopped;
    q->limit = limit;
    q->ready = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    g_mutex_init(&q->lock);
    g_mutex_init(&q->pcap_lock);
    if (q->ready < 0) {
        cs_live_queue_free(q);
        return NULL;
    }
    q->thread = g_thread_try_new("cshark-capture", capture_thread, q, NULL);
    if (!q->thread) {
        cs_live_queue_free(q);
        return NULL;
    }
    return q;
}

int cs_live_queue_fd(cs_live_queue *q)
{
    return q->ready;
}

int cs_live_queue_pop(cs_live_queue *q, cs_live_frame *f, char *msg, size_t msg_len)
{
    g_mutex_lock(&q->lock);
    block *b = q->head;
    /* Past the end of a full block the writer has left: the next one. */
    while (b && q->read_off >= b->used && b->next) {
        q->head = b->next;
        q->read_off = 0;
        if (b->size == BLOCK_SIZE && q->nspare < SPARE_BLOCKS) {
            b->next = q->spare;
            q->spare = b;
            q->nspare++;
        } else {
            q->bytes -= b->size;
            block_free(b);
        }
        b = q->head;
    }
    if (b && q->read_off < b->used) {
        entry *e = (entry *)(b->data + q->read_off);
        q->read_off += ALIGN8(sizeof(entry) + e->caplen);
        g_mutex_unlock(&q->lock);
        f->iface = e->iface;
        f->caplen = e->caplen;
        f->len = e->len;
        f->sec = e->sec;
        f->frac = e->frac;
        f->data = (const guint8 *)(e + 1);
        return 1;
    }
    int rc = 0;
    if (q->error) {
        rc = q->error;
        f->iface = (guint32)q->error_iface;
        g_strlcpy(msg, q->error_msg, msg_len);
    } else {
        q->waiting = 1;
        guint64 v;
        ssize_t r = read(q->ready, &v, sizeof v); /* consumed: poll sleeps */
        (void)r;
    }
    g_mutex_unlock(&q->lock);
    return rc;
}

guint64 cs_live_queue_stats(cs_live_queue *q, pcap_t *p, struct pcap_stat *ps, int *ok)
{
    g_mutex_lock(&q->pcap_lock);
    *ok = pcap_stats(p, ps) == 0;
    g_mutex_unlock(&q->pcap_lock);
    g_mutex_lock(&q->lock);
    guint64 dropped = q->dropped;
    g_mutex_unlock(&q->lock);
    return dropped;
}

void cs_live_queue_free(cs_live_queue *q)
{
    if (!q)
        return;
    if (q->thread) {
        g_mutex_lock(&q->lock);
        q->quit = 1;
        g_mutex_unlock(&q->lock);
        /* It wakes within its 100 ms poll. */
        g_thread_join(q->thread);
    }
    for (block *b = q->head, *next; b; b = next) {
        next = b->next;
        block_free(b);
    }
    for (block *b = q->spare, *next; b; b = next) {
        next = b->next;
        block_free(b);
    }
    if (q->ready >= 0)
        close(q->ready);
    g_mutex_clear(&q->lock);
    g_mutex_clear(&q->pcap_lock);
    g_free(q);
}
