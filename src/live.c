/* Live sources: libpcap handles (one per interface), polled together, their
 * frames turned into wiretap records the engine dissects like a file's.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <pcap/pcap.h>
#include <wiretap/pcap-encap.h>

#include "internal.h"
#include "live_queue.h"

struct cs_live {
    cs_source base;        /* first: a cs_source * is a cs_live *                */
    size_t n;
    pcap_t **pcap;
    char **names;
    int *encap;
    int *dlt;              /* link type the interface had when probed           */
    int *rfmon;            /* it can be put in monitor mode                      */
    int *nanos;            /* handle delivers nanosecond time stamps            */
    size_t next;           /* round robin, so no interface starves the others   */
    int wake[2];           /* self-pipe: cshark_capture_stop() writes to it     */
    volatile sig_atomic_t stopped;
    /* settings, applied when the handles are activated */
    char *bpf;
    int snaplen, promisc, monitor, buffer_size, immediate;
    double duration;
    gint64 deadline_ns;    /* 0: none */
    cs_dump *dump;         /* -w output, or NULL                                 */
    cs_live_queue *queue;  /* the capture thread, once started (live_queue.c)   */
};

static gint64 now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "a, b, c": the interfaces libpcap can capture on, for error messages. */
static char *interface_list(void)
{
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    GString *s = g_string_new(NULL);
    if (pcap_findalldevs(&all, err) == 0)
        for (pcap_if_t *d = all; d; d = d->next)
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", d->name);
    pcap_freealldevs(all);
    return g_string_free(s, FALSE);
}

/* NAME as libpcap names it: an interface's name, else, as tshark -i takes
 * them, its number in the list (-D's numbering) or its description
 * ("Loopback" for the loopback interface, as tshark -D calls it). */
static char *resolve_name(const char *name)
{
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    char *found = NULL;
    if (pcap_findalldevs(&all, err) != 0)
        return g_strdup(name);
    char *end;
    unsigned long index = strtoul(name, &end, 10);
    int number = *name >= '0' && *name <= '9' && !*end;
    for (pcap_if_t *d = all; d && !found; d = d->next)
        if (strcmp(d->name, name) == 0)
            found = g_strdup(d->name);
    unsigned long i = 1;
    for (pcap_if_t *d = all; d && !found; d = d->next, i++)
        if ((number && i == index) || (d->description && strcmp(d->description, name) == 0) ||
            ((d->flags & PCAP_IF_LOOPBACK) && strcmp(name, "Loopback") == 0))
            found = g_strdup(d->name);
    pcap_freealldevs(all);
    return found ? found : g_strdup(name);
}

static cs_live *live_new(const char *const *names, size_t n)
{
    cs_live *l = g_new0(cs_live, 1);
    l->n = n;
    l->pcap = g_new0(pcap_t *, n);
    l->names = g_new0(char *, n + 1);
    l->encap = g_new0(int, n);
    l->dlt = g_new0(int, n);
    l->rfmon = g_new0(int, n);
    l->nanos = g_new0(int, n);
    for (size_t i = 0; i < n; i++)
        l->names[i] = resolve_name(names[i]);
    l->snaplen = 262144;
    l->promisc = 1;
    /* Not immediate by default: on Linux, immediate mode gives each packet a
     * snaplen-sized slot, so the default buffer holds a few dozen packets and
     * a burst is dropped. Batches arrive within the 100 ms read timeout. */
    l->immediate = 0;
    l->wake[0] = l->wake[1] = -1;
    return l;
}

static void live_free(cs_live *l)
{
    cs_live_queue_free(l->queue); /* before the handles it reads */
    cs_dump_free(l->dump);
    for (size_t i = 0; i < l->n; i++)
        if (l->pcap[i])
            pcap_close(l->pcap[i]);
    if (l->wake[0] >= 0) {
        close(l->wake[0]);
        close(l->wake[1]);
    }
    g_strfreev(l->names);
    g_free(l->pcap);
    g_free(l->encap);
    g_free(l->dlt);
    g_free(l->rfmon);
    g_free(l->nanos);
    g_free(l->bpf);
    g_free(l);
}

static const char *live_interface_name(cs_source *s, guint32 id)
{
    cs_live *l = (cs_live *)s;
    return id < l->n ? l->names[id] : NULL;
}

int cs_live_set(cs_live *l, const char *what, int value)
{
    if (strcmp(what, "snaplen") == 0)
        l->snaplen = value > 0 ? value : 262144;
    else if (strcmp(what, "promisc") == 0)
        l->promisc = value;
    else if (strcmp(what, "monitor") == 0)
        l->monitor = value;
    else if (strcmp(what, "buffer") == 0)
        l->buffer_size = value;
    else if (strcmp(what, "immediate") == 0)
        l->immediate = value;
    return CSHARK_OK;
}

void cs_live_set_duration(cs_live *l, double seconds)
{
    l->duration = seconds;
}

/* 1 when BPF compiles for link type DLT; else 0 with libpcap's message. */
static int compiles(const char *bpf, int dlt, char *msg, size_t len)
{
    pcap_t *dead = pcap_open_dead(dlt, 262144);
    struct bpf_program prog;
    int ok = pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (ok)
        pcap_freecode(&prog);
    else
        g_strlcpy(msg, pcap_geterr(dead), len);
    pcap_close(dead);
    return ok;
}

int cs_live_set_filter(cs_live *l, const char *bpf)
{
    /* Compile now against each interface's link type, so a bad filter fails
     * at once with libpcap's message; it is compiled again on activation.
     * Monitor mode may turn an interface that can have it into 802.11 with
     * radiotap, where "type mgt" and "wlan addr1" are valid: on such an
     * interface those wait for activation. */
    for (size_t i = 0; i < l->n; i++) {
        char msg[PCAP_ERRBUF_SIZE + 64] = "", other[sizeof msg];
        if (!compiles(bpf, l->dlt[i], msg, sizeof msg) &&
            !(l->rfmon[i] && compiles(bpf, DLT_IEEE802_11_RADIO, other, sizeof other)))
            return cs_error(CSHARK_EFILTER, "invalid capture filter \"%s\" for %s: %s", bpf,
                            l->names[i], msg);
    }
    g_free(l->bpf);
    l->bpf = g_strdup(bpf);
    return CSHARK_OK;
}

static int activate_error(const char *name, int status, pcap_t *p)
{
    const char *detail = pcap_geterr(p);
    switch (status) {
    case PCAP_ERROR_PERM_DENIED:
        return cs_error(CSHARK_EPERM, "capturing on %s needs root or CAP_NET_RAW (%s)", name,
                        detail);
    case PCAP_ERROR_NO_SUCH_DEVICE: {
        char *all = interface_list();
        int rc = cs_error(CSHARK_EOPEN, "no such interface \"%s\"; valid interfaces: %s", name,
                          all);
        g_free(all);
        return rc;
    }
    case PCAP_ERROR_RFMON_NOTSUP:
        return cs_error(CSHARK_EOPEN, "interface %s does not support monitor mode", name);
    case PCAP_ERROR_IFACE_NOT_UP:
        return cs_error(CSHARK_EOPEN, "interface %s is not up", name);
    default:
        return cs_error(CSHARK_EOPEN, "cannot capture on %s: %s", name,
                        *detail ? detail : pcap_statustostr(status));
    }
}

static int open_one(cs_live *l, size_t i)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    const char *name = l->names[i];
    pcap_t *p = pcap_create(name, err);
    if (!p)
        return cs_error(CSHARK_EOPEN, "cannot capture on %s: %s", name, err);
    l->pcap[i] = p;
    pcap_set_snaplen(p, l->snaplen);
    pcap_set_promisc(p, l->promisc);
    if (l->monitor && pcap_can_set_rfmon(p) != 1)
        return cs_error(CSHARK_EOPEN, "interface %s does not support monitor mode", name);
    pcap_set_rfmon(p, l->monitor);
    pcap_set_immediate_mode(p, l->immediate);
    if (l->buffer_size > 0)
        pcap_set_buffer_size(p, l->buffer_size);
    pcap_set_timeout(p, 100);
    /* Nanosecond stamps where the platform has them, as dumpcap asks. */
    if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0)
        l->nanos[i] = 1;
    int status = pcap_activate(p);
    if (status < 0)
        return activate_error(name, status, p);
    l->nanos[i] = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    l->encap[i] = wtap_pcap_encap_to_wtap_encap(pcap_datalink(p));
    if (l->bpf) {
        struct bpf_program prog;
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        pcap_lookupnet(name, &net, &mask, err);
        if (pcap_compile(p, &prog, l->bpf, 1, mask) != 0)
            return cs_error(CSHARK_EFILTER, "invalid capture filter \"%s\" for %s: %s", l->bpf,
                            name, pcap_geterr(p));
        int rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0)
            return cs_error(CSHARK_EFILTER, "cannot set capture filter \"%s\" on %s: %s",
                            l->bpf, name, pcap_geterr(p));
    }
    if (pcap_setnonblock(p, 1, err) != 0)
        return cs_error(CSHARK_EOPEN, "cannot capture on %s: %s", name, err);
    return CSHARK_OK;
}

static int activate(cs_live *l)
{
    if (pipe(l->wake) != 0)
        return cs_error(CSHARK_EOPEN, "cannot create a pipe: %s", g_strerror(errno));
    fcntl(l->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(l->wake[1], F_SETFL, O_NONBLOCK);
    for (size_t i = 0; i < l->n; i++) {
        int rc = open_one(l, i);
        if (rc != CSHARK_OK)
            return rc;
    }
    if (l->duration > 0)
        l->deadline_ns = now_ns() + (gint64)(l->duration * 1e9);
    return CSHARK_OK;
}

/* Open and close each interface once, so that open fails on an unknown one
 * or missing privileges instead of the first read. */
static int probe(cs_live *l)
{
    for (size_t i = 0; i < l->n; i++) {
        char err[PCAP_ERRBUF_SIZE] = "";
        pcap_t *p = pcap_create(l->names[i], err);
        if (!p)
            return cs_error(CSHARK_EOPEN, "cannot capture on %s: %s", l->names[i], err);
        l->rfmon[i] = pcap_can_set_rfmon(p) == 1;
        int status = pcap_activate(p);
        int rc = status < 0 ? activate_error(l->names[i], status, p) : CSHARK_OK;
        if (rc == CSHARK_OK) {
            l->dlt[i] = pcap_datalink(p);
            int encap = wtap_pcap_encap_to_wtap_encap(l->dlt[i]);
            /* dumpcap writes such frames to a file whose reader decodes the
             * pseudo-header; live, they would be dissected as raw bytes. */
            if (cs_inline_pseudo_header(encap))
                rc = cs_error(CSHARK_EOPEN, "cannot capture on %s: its link type %d (%s) "
                              "starts each frame with a pseudo-header that only wiretap's "
                              "file readers decode; capture it with dumpcap and read the file",
                              l->names[i], l->dlt[i], wtap_encap_name(encap));
        }
        pcap_close(p);
        if (rc != CSHARK_OK)
            return rc;
    }
    return CSHARK_OK;
}

/* Async-signal-safe: one flag (atomic: the capture thread reads it) and
 * one write(). */
void cs_live_stop(cs_live *l)
{
    __atomic_store_n(&l->stopped, 1, __ATOMIC_RELAXED);
    if (l->wake[1] >= 0) {
        ssize_t r = write(l->wake[1], "x", 1);
        (void)r;
    }
}

/* The pseudo-header wiretap's pcap reader would fill for this link type
 * (pcap_process_pseudo_header): "FCS unknown" for Ethernet and 802.11. */
void cs_pseudo_header(wtap_rec *rec, int encap)
{
    union wtap_pseudo_header *ph = &rec->rec_header.packet_header.pseudo_header;
    memset(ph, 0, sizeof *ph);
    switch (encap) {
    case WTAP_ENCAP_ETHERNET:
        ph->eth.fcs_len = -1;
        break;
    case WTAP_ENCAP_IEEE_802_11:
    case WTAP_ENCAP_IEEE_802_11_PRISM:
    case WTAP_ENCAP_IEEE_802_11_RADIOTAP:
    case WTAP_ENCAP_IEEE_802_11_AVS:
        ph->ieee_802_11.fcs_len = -1;
        break;
    default:
        break;
    }
}

/* libpcap's words when the interface is deleted or brought down under it
 * (pcap-linux.c, ENXIO and ENETDOWN); said as dumpcap says it. */
static int read_error_text(const cs_live *l, size_t i, const char *detail)
{
    if (!strcmp(detail, "The interface disappeared") || !strcmp(detail, "The interface went down"))
        return cs_error(CSHARK_EREAD,
                        "the network adapter \"%s\" is no longer attached; the capture has "
                        "stopped (%s)", l->names[i], detail);
    return cs_error(CSHARK_EREAD, "capturing on %s failed: %s", l->names[i], detail);
}

static int read_error(const cs_live *l, size_t i, int rc)
{
    return read_error_text(l, i, rc == PCAP_ERROR_BREAK ? "interrupted" : pcap_geterr(l->pcap[i]));
}

static void fill_record(cs_live *l, size_t i, const struct pcap_pkthdr *h, const u_char *data,
                        wtap_rec *rec, Buffer *buf);

/* Try each handle once, starting after the last one that gave a packet; or,
 * with the capture thread, take the next frame it queued. */
static int try_read(cs_live *l, wtap_rec *rec, Buffer *buf)
{
    if (l->queue) {
        cs_live_frame f;
        char msg[PCAP_ERRBUF_SIZE];
        int rc = cs_live_queue_pop(l->queue, &f, msg, sizeof msg);
        if (rc < 0)
            return read_error_text(l, f.iface, msg);
        if (rc == 0)
            return 0;
        struct pcap_pkthdr h = { .caplen = f.caplen, .len = f.len };
        h.ts.tv_sec = f.sec;
        h.ts.tv_usec = f.frac;
        fill_record(l, f.iface, &h, f.data, rec, buf);
        return 1;
    }
    for (size_t k = 0; k < l->n; k++) {
        size_t i = (l->next + k) % l->n;
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(l->pcap[i], &h, &data);
        if (rc == 0)
            continue;
        if (rc < 0)
            return read_error(l, i, rc);
        l->next = i + 1;
        fill_record(l, i, h, data, rec, buf);
        return 1;
    }
    return 0;
}

/* The wiretap record of frame DATA, of handle I. */
static void fill_record(cs_live *l, size_t i, const struct pcap_pkthdr *h, const u_char *data,
                        wtap_rec *rec, Buffer *buf)
{
    wtap_rec_reset(rec);
    rec->rec_type = REC_TYPE_PACKET;
    rec->block = wtap_block_create(WTAP_BLOCK_PACKET);
    /* As read back from dumpcap's pcapng: one section, numbered 0. */
    rec->presence_flags =
        WTAP_HAS_TS | WTAP_HAS_CAP_LEN | WTAP_HAS_INTERFACE_ID | WTAP_HAS_SECTION_NUMBER;
    rec->section_number = 0;
    rec->ts.secs = h->ts.tv_sec;
    rec->ts.nsecs = (int)(l->nanos[i] ? h->ts.tv_usec : h->ts.tv_usec * 1000);
    rec->tsprec = l->nanos[i] ? WTAP_TSPREC_NSEC : WTAP_TSPREC_USEC;
    rec->rec_header.packet_header.caplen = h->caplen;
    rec->rec_header.packet_header.len = h->len;
    rec->rec_header.packet_header.pkt_encap = l->encap[i];
    rec->rec_header.packet_header.interface_id = (guint32)i;
    cs_pseudo_header(rec, l->encap[i]);
    /* The data is libpcap's until the next call: copy it. */
    ws_buffer_assure_space(buf, h->caplen);
    memcpy(ws_buffer_start_ptr(buf), data, h->caplen);
}

/* 1: a record; 0: the capture is over (stopped, duration reached);
 * CSHARK_AGAIN: nothing within timeout_ms (-1: wait); negative: error. */
static int wait_read(cs_live *l, wtap_rec *rec, Buffer *buf, int timeout_ms)
{
    gint64 until = timeout_ms >= 0 ? now_ns() + (gint64)timeout_ms * 1000000 : 0;
    for (;;) {
        if (__atomic_load_n(&l->stopped, __ATOMIC_RELAXED))
            return 0;
        gint64 now = now_ns();
        if (l->deadline_ns && now >= l->deadline_ns)
            return 0;
        int rc = try_read(l, rec, buf);
        if (rc != 0)
            return rc;
        /* Sleep until a handle is readable, the stop pipe is written, the
         * duration ends or the caller's timeout does. */
        gint64 wait = -1;
        if (l->deadline_ns)
            wait = l->deadline_ns - now;
        if (until) {
            if (now >= until)
                return CSHARK_AGAIN;
            if (wait < 0 || until - now < wait)
                wait = until - now;
        }
        struct pollfd fds[l->n + 1];
        fds[0] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
        for (size_t i = 0; i < l->n; i++)
            fds[i + 1] = (struct pollfd){ .fd = pcap_get_selectable_fd(l->pcap[i]),
                                          .events = POLLIN };
        nfds_t nfds = (nfds_t)(l->n + 1);
        if (l->queue) { /* the capture thread says when it queued frames */
            fds[1] = (struct pollfd){ .fd = cs_live_queue_fd(l->queue), .events = POLLIN };
            nfds = 2;
        }
        /* Cap each sleep: some devices' descriptors do not wake poll for
         * buffered packets (libpcap's "timeout" semantics). */
        int ms = wait < 0 ? 100 : (int)MIN((wait + 999999) / 1000000, 100);
        if (poll(fds, nfds, ms) < 0 && errno != EINTR)
            return cs_error(CSHARK_EREAD, "waiting for packets failed: %s", g_strerror(errno));
    }
}

void cs_live_stats(cs_live *l, cshark_stats *st)
{
    for (size_t i = 0; i < l->n; i++) {
        struct pcap_stat ps;
        int ok = 0;
        if (l->queue && i == 0)
            st->dropped += cs_live_queue_stats(l->queue, l->pcap[i], &ps, &ok);
        else if (l->queue)
            cs_live_queue_stats(l->queue, l->pcap[i], &ps, &ok);
        else
            ok = l->pcap[i] && pcap_stats(l->pcap[i], &ps) == 0;
        if (ok) {
            st->received += ps.ps_recv;
            st->dropped += ps.ps_drop;
            st->if_dropped += ps.ps_ifdrop;
        }
    }
}

/* ---- the packet source ----------------------------------------------------- */

static int live_start(cs_source *s)
{
    cs_live *l = (cs_live *)s;
    int rc = activate(l);
    if (rc == CSHARK_OK && l->dump) {
        for (size_t i = 0; i < l->n; i++)
            cs_dump_add_interface(l->dump, l->names[i], l->encap[i], l->nanos[i], l->snaplen);
        /* The output file now, as dumpcap: a path that cannot be written
         * fails here, and a capture of no packets still leaves its file. */
        rc = cs_dump_start(l->dump);
    }
    /* Frames are taken from the kernel by a thread of their own from now
     * on; if it cannot start, this thread reads them as it dissects. */
    if (rc == CSHARK_OK)
        l->queue = cs_live_queue_start(l->pcap, l->n, l->wake[0], &l->stopped);
    return rc;
}

static int live_read(cs_source *s, wtap_rec *rec, Buffer *buf, gint64 *offset, int timeout_ms)
{
    cs_live *l = (cs_live *)s;
    *offset = 0;
    int rc = wait_read(l, rec, buf, timeout_ms);
    if (rc != 1)
        return rc;
    s->count++;
    if (l->dump) {
        rc = cs_dump_write(l->dump, rec, ws_buffer_start_ptr(buf));
        if (rc != CSHARK_OK)
            return rc;
    }
    return 1;
}

static void live_source_free(cs_source *s)
{
    live_free((cs_live *)s);
}

static const cs_source_ops live_ops = {
    live_read, NULL, live_interface_name, NULL, live_start, live_source_free,
};

cs_live *cs_source_live(cs_source *s)
{
    return s && s->ops == &live_ops ? (cs_live *)s : NULL;
}

int cs_live_open(const char *const *names, size_t n, cs_source **out)
{
    cs_live *l = live_new(names, n);
    int rc = probe(l);
    if (rc != CSHARK_OK) {
        live_free(l);
        return rc;
    }
    l->base.ops = &live_ops;
    /* Frames are dissected as dumpcap's pcapng would present them. */
    l->base.file_type = wtap_pcapng_file_type_subtype();
    *out = &l->base;
    return CSHARK_OK;
}

void cs_live_set_output(cs_live *l, const char *path, guint64 file_kb, unsigned files)
{
    cs_dump_free(l->dump);
    l->dump = cs_dump_new(path, file_kb, files);
}

/* ---- interfaces ----------------------------------------------------------- */

int cshark_interfaces(cshark_interface ***list, size_t *count)
{
    CS_CHECK_ARG(list, "list");
    CS_CHECK_ARG(count, "count");
    *list = NULL;
    *count = 0;
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    if (pcap_findalldevs(&all, err) != 0)
        return cs_error(CSHARK_EOPEN, "cannot list interfaces: %s", err);
    size_t n = 0;
    for (pcap_if_t *d = all; d; d = d->next)
        n++;
    cshark_interface **out = g_new0(cshark_interface *, n ? n : 1);
    size_t i = 0;
    for (pcap_if_t *d = all; d; d = d->next, i++) {
        cshark_interface *ifc = out[i] = g_new0(cshark_interface, 1);
        ifc->name = g_strdup(d->name);
        ifc->description = g_strdup(d->description);
        ifc->flags = (d->flags & PCAP_IF_LOOPBACK ? CSHARK_IF_LOOPBACK : 0) |
                       (d->flags & PCAP_IF_UP ? CSHARK_IF_UP : 0) |
                       (d->flags & PCAP_IF_RUNNING ? CSHARK_IF_RUNNING : 0) |
                       (d->flags & PCAP_IF_WIRELESS ? CSHARK_IF_WIRELESS : 0);
        GPtrArray *addrs = g_ptr_array_new();
        for (pcap_addr_t *a = d->addresses; a; a = a->next) {
            char host[64];
            if (!a->addr)
                continue;
            if (a->addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)a->addr)->sin_addr, host, sizeof host);
            else if (a->addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->addr)->sin6_addr, host,
                          sizeof host);
            else
                continue;
            g_ptr_array_add(addrs, g_strdup(host));
        }
        ifc->naddresses = addrs->len;
        g_ptr_array_add(addrs, NULL);
        ifc->addresses = (const char *const *)g_ptr_array_free(addrs, FALSE);
    }
    pcap_freealldevs(all);
    *list = out;
    *count = n;
    return CSHARK_OK;
}

void cshark_interfaces_free(cshark_interface **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        g_free((char *)list[i]->name);
        g_free((char *)list[i]->description);
        g_strfreev((char **)list[i]->addresses);
        g_free(list[i]);
    }
    g_free(list);
}
