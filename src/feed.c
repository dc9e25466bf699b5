/* Fed captures: frames the caller hands over one by one (PyShark's
 * InMemCapture), dissected in one continuous session, as if read from a pcap
 * file of that link type.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <wiretap/pcap-encap.h>

#include "internal.h"

typedef struct {
    int64_t secs;
    int32_t nsecs;
    uint32_t caplen, len;
    uint8_t data[];
} fed_frame;

struct cs_feed {
    cs_source base;  /* first: a cs_source * is a cs_feed * */
    int encap;
    int nanos;
    GQueue frames;   /* fed_frame *, oldest first */
    int ended;
    char *iface;     /* cshark_capture_set_feed_interface(), or NULL */
};

static const cs_source_ops feed_ops;

/* Link types whose pcap records start with a pseudo-header that wiretap
 * takes off and decodes (pcap_get_phdr_size): a frame of one could not be
 * given to the engine as a pcap file would. */
int cs_inline_pseudo_header(int encap)
{
    switch (encap) {
    case WTAP_ENCAP_ATM_PDUS:
    case WTAP_ENCAP_IRDA:
    case WTAP_ENCAP_MTP2_WITH_PHDR:
    case WTAP_ENCAP_LINUX_LAPD:
    case WTAP_ENCAP_SITA:
    case WTAP_ENCAP_BLUETOOTH_H4_WITH_PHDR:
    case WTAP_ENCAP_BLUETOOTH_LINUX_MONITOR:
    case WTAP_ENCAP_NFC_LLCP:
    case WTAP_ENCAP_PPP_WITH_PHDR:
    case WTAP_ENCAP_ERF:
        return 1;
    default:
        return 0;
    }
}

int cshark_capture_open_feed(cshark_capture **capture, int linktype, int nanoseconds)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_ENTER();
    int erc = cs_engine_check();
    if (erc != CSHARK_OK)
        return erc;
    int encap = wtap_pcap_encap_to_wtap_encap(linktype);
    if (encap == WTAP_ENCAP_UNKNOWN)
        return cs_error(CSHARK_EINVAL, "cshark_capture_open_feed: %d is not a pcap link type Wireshark "
                        "knows", linktype);
    if (cs_inline_pseudo_header(encap))
        return cs_error(CSHARK_EINVAL, "cshark_capture_open_feed: link type %d (%s) carries a "
                        "pseudo-header that only wiretap's file readers decode; write such "
                        "frames to a pcap file instead", linktype, wtap_encap_name(encap));
    cs_feed *f = g_new0(cs_feed, 1);
    f->base.ops = &feed_ops;
    f->base.file_type = nanoseconds ? wtap_pcap_nsec_file_type_subtype()
                                    : wtap_pcap_file_type_subtype();
    f->encap = encap;
    f->nanos = !!nanoseconds;
    g_queue_init(&f->frames);
    char *path = g_strdup_printf("feed:%s", wtap_encap_name(encap));
    int rc = cs_capture_new(capture, path, &f->base);
    g_free(path);
    return rc;
}

cs_feed *cs_source_feed(cs_source *s)
{
    return s && s->ops == &feed_ops ? (cs_feed *)s : NULL;
}

static void feed_free(cs_source *s)
{
    cs_feed *f = (cs_feed *)s;
    g_queue_clear_full(&f->frames, g_free);
    g_free(f->iface);
    g_free(f);
}

static int not_fed(const cshark_capture *cap)
{
    return cs_error(CSHARK_ESTATE, "%s: only a capture from cshark_capture_open_feed() takes frames",
                    cap->path);
}

int cshark_capture_feed(cshark_capture *cap, const void *data, size_t length, int64_t seconds,
                       int32_t nanoseconds)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    CS_CHECK_ARG(data || !length, "data");
    cs_feed *f = cs_source_feed(cap->src);
    if (!f)
        return not_fed(cap);
    if (f->ended)
        return cs_error(CSHARK_ESTATE, "%s: cshark_capture_feed_end() was called", cap->path);
    if (length > WTAP_MAX_PACKET_SIZE_STANDARD)
        return cs_error(CSHARK_EINVAL, "%s: a frame of %zu bytes is larger than wiretap's "
                        "limit (%u)", cap->path, length, WTAP_MAX_PACKET_SIZE_STANDARD);
    if (nanoseconds < 0 || nanoseconds >= 1000000000)
        return cs_error(CSHARK_EINVAL, "%s: %d nanoseconds is not within a second", cap->path,
                        nanoseconds);
    fed_frame *fr = g_malloc(sizeof *fr + length);
    fr->secs = seconds;
    /* As a microsecond pcap would hold it. */
    fr->nsecs = f->nanos ? nanoseconds : nanoseconds / 1000 * 1000;
    fr->caplen = fr->len = (uint32_t)length;
    if (length)
        memcpy(fr->data, data, length);
    g_queue_push_tail(&f->frames, fr);
    return CSHARK_OK;
}

int cshark_capture_set_feed_interface(cshark_capture *cap, const char *name)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    CS_CHECK_ARG(name, "interface name");
    cs_feed *f = cs_source_feed(cap->src);
    if (!f)
        return not_fed(cap);
    int rc = cs_capture_settable(cap);
    if (rc != CSHARK_OK)
        return rc;
    g_free(f->iface);
    f->iface = g_strdup(name);
    return CSHARK_OK;
}

int cshark_capture_feed_end(cshark_capture *cap)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    cs_feed *f = cs_source_feed(cap->src);
    if (!f)
        return not_fed(cap);
    f->ended = 1;
    return CSHARK_OK;
}

/* 1: a record; 0: fed frames done and the feed ended; CSHARK_AGAIN: none
 * queued yet. */
static int feed_read(cs_source *s, wtap_rec *rec, Buffer *buf, gint64 *offset, int timeout_ms)
{
    (void)timeout_ms; /* frames are there or not: nothing to wait for */
    cs_feed *f = (cs_feed *)s;
    *offset = 0;
    fed_frame *fr = g_queue_pop_head(&f->frames);
    if (!fr)
        return f->ended ? 0 : CSHARK_AGAIN;
    wtap_rec_reset(rec);
    /* What wiretap's pcap reader gives. */
    rec->rec_type = REC_TYPE_PACKET;
    rec->block = wtap_block_create(WTAP_BLOCK_PACKET);
    rec->presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    if (f->iface) { /* as dumpcap's pcapng of one interface */
        rec->presence_flags |= WTAP_HAS_INTERFACE_ID | WTAP_HAS_SECTION_NUMBER;
        rec->rec_header.packet_header.interface_id = 0;
        rec->section_number = 0;
    }
    rec->ts.secs = (time_t)fr->secs;
    rec->ts.nsecs = fr->nsecs;
    rec->tsprec = f->nanos ? WTAP_TSPREC_NSEC : WTAP_TSPREC_USEC;
    rec->rec_header.packet_header.caplen = fr->caplen;
    rec->rec_header.packet_header.len = fr->len;
    rec->rec_header.packet_header.pkt_encap = f->encap;
    cs_pseudo_header(rec, f->encap);
    ws_buffer_assure_space(buf, fr->caplen);
    memcpy(ws_buffer_start_ptr(buf), fr->data, fr->caplen);
    g_free(fr);
    s->count++;
    return 1;
}

/* The one interface of cshark_capture_set_feed_interface(), else none (as
 * from a pcap file). */
static const char *feed_interface_name(cs_source *s, guint32 id)
{
    (void)id;
    return ((cs_feed *)s)->iface;
}

static const cs_source_ops feed_ops = {
    feed_read, NULL, feed_interface_name, NULL, NULL, feed_free,
};
