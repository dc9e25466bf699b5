/* The read loop: records from wiretap, dissected one at a time, filtered as
 * tshark -Y does (one pass) or tshark -2 -Y (two passes).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <malloc.h>

#include <epan/packet.h>

#include "internal.h"

static void prime(cshark_capture *cap, epan_dissect_t *edt)
{
    /* Priming is per packet: epan_dissect_reset forgets it. */
    if (cap->dfcode)
        epan_dissect_prime_with_dfilter(edt, cap->dfcode);
    if (cap->fields)
        epan_dissect_prime_with_hfid_array(edt, cap->fields);
    prime_epan_dissect_with_postdissector_wanted_hfids(edt);
    cs_columns_prime(cap->columns, edt);
}

static void dissect(cshark_capture *cap, epan_dissect_t *edt, wtap_rec *rec, Buffer *buf,
                    frame_data *fd, int with_taps)
{
    cs_session *s = cap->session;
    frame_data_set_before_dissect(fd, &cap->elapsed, &s->prov.ref, s->prov.prev_dis);
    if (s->prov.ref == fd) {
        s->ref_frame = *fd;
        s->prov.ref = &s->ref_frame;
    }
    /* Zero-copy: the tvb reads the record buffer, which stays untouched until
     * the packet is released. A damaged record can claim a length above
     * G_MAXINT, which tvb_new_real_data throws on outside any handler (an
     * abort): clip it as tshark's frame tvbuff does. */
    gint reported = fd->pkt_len > G_MAXINT ? G_MAXINT : (gint)fd->pkt_len;
    tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(buf), fd->cap_len, reported);
    if (with_taps)
        epan_dissect_run_with_taps(edt, cap->src->file_type, rec, tvb, fd,
                                   cs_columns_info(cap->columns));
    else
        epan_dissect_run(edt, cap->src->file_type, rec, tvb, fd, NULL);
}

/* Two-pass mode, first pass (tshark's process_cap_file_first_pass): every
 * record is dissected once, without a visible tree, so that dissectors learn
 * what later frames say (responses, retransmissions); frames are kept. */
static int first_pass(cshark_capture *cap)
{
    cs_session *s = cap->session;
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    s->prov.frames = new_frame_data_sequence();
    epan_dissect_t *edt = epan_dissect_new(s->epan, TRUE, FALSE);
    int rc = 0;
    gint64 offset;
    while ((!cap->record_limit || cap->count < cap->record_limit) &&
           (rc = cap->src->ops->read(cap->src, &rec, &buf, &offset, -1)) == 1) {
        frame_data fd;
        frame_data_init(&fd, cap->count + 1, &rec, offset, cap->cum_bytes);
        if (cap->dfcode)
            epan_dissect_prime_with_dfilter(edt, cap->dfcode);
        prime_epan_dissect_with_postdissector_wanted_hfids(edt);
        dissect(cap, edt, &rec, &buf, &fd, 0);
        frame_data_set_after_dissect(&fd, &cap->cum_bytes);
        s->prov.prev_cap = s->prov.prev_dis = frame_data_sequence_add(s->prov.frames, &fd);
        cap->count++;
        epan_dissect_reset(edt);
        wtap_rec_reset(&rec);
    }
    epan_dissect_free(edt);
    postseq_cleanup_all_protocols();
    s->prov.prev_dis = s->prov.prev_cap = NULL;
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    return rc < 0 ? rc : CSHARK_OK;
}

static int begin(cshark_capture *cap);

static int start(cshark_capture *cap)
{
    cap->started = 1;
    /* Packets kept from the session before this one are formatted under
     * that capture's settings, not this one's. */
    cs_session_retire_live();
    /* Preferences first, then the session, as tshark applies -o before it
     * opens the file: some preferences shape the session's tables. */
    cs_prefs_apply(&cap->prefs);
    if (cap->columns_mode != CSHARK_COLUMNS_OFF)
        cap->columns = cs_columns_new();
    return begin(cap);
}

/* The session, the source's start and two-pass's first pass. */
static int begin(cshark_capture *cap)
{
    cap->session = cs_session_new(cap->src, cap->resolve);
    cap->session->fields = cap->fields ? g_array_ref(cap->fields) : NULL;
    cs_analyses_start(cap);
    if (cap->src->ops->start) {
        int rc = cap->src->ops->start(cap->src);
        if (rc != CSHARK_OK)
            return cap->failed = rc;
    }
    if (cap->two_pass) {
        int rc = first_pass(cap);
        /* A read error in the first pass: tshark still runs the second over
         * what was read, then reports it. */
        if (rc != CSHARK_OK) {
            cap->failed = 0;
            cap->deferred = rc;
            cap->deferred_msg = g_strdup(cshark_last_error());
        }
    }
    return CSHARK_OK;
}

/* The next record into p: 1 read, 0 end, CSHARK_AGAIN (nothing yet within
 * timeout_ms), or an error. */
static int read_record(cshark_capture *cap, cshark_packet *p, int timeout_ms)
{
    if (cap->two_pass) {
        frame_data *fd = frame_data_sequence_find(cap->session->prov.frames, cap->second + 1);
        if (!fd)
            return 0;
        int rc = cap->src->ops->reread(cap->src, fd->file_off, &p->rec, &p->buf);
        if (rc != 1)
            return cap->failed = rc;
        cap->second++;
        p->fd = fd;
        return 1;
    }
    if (cap->record_limit && cap->count >= cap->record_limit)
        return 0;
    gint64 offset;
    int rc = cap->src->ops->read(cap->src, &p->rec, &p->buf, &offset, timeout_ms);
    if (rc != 1)
        return rc < 0 && rc != CSHARK_AGAIN ? (cap->failed = rc) : rc;
    cap->count++;
    frame_data_init(&p->own_fd, cap->count, &p->rec, offset, cap->cum_bytes);
    p->fd = &p->own_fd;
    return 1;
}

/* A new dissection session for the rest of the capture, as tshark -M: the
 * old one's conversations and reassemblies go (kept packets are frozen
 * first); time references carry over. */
static void reset_session(cshark_capture *cap)
{
    if (cap->current)
        cs_packet_destroy(cap->current);
    cap->current = NULL;
    cap->session = cs_session_renew(cap->session);
    cap->since_reset = 0;
    /* Give the freed dissection state back to the system: without it glibc
     * keeps most of it, and a long capture's RSS only grows. */
    malloc_trim(0);
}

/* cshark_capture_run() when nothing would see the dissection (no analysis,
 * no display filter, one pass): the records are read, counted and, live,
 * written (-q -w), not dissected, as tshark -w leaves them to dumpcap.
 * 1 when the capture needs dissecting; else the run's status. */
int cs_capture_skim(cshark_capture *cap)
{
    if (cap->analyses || cap->dfcode || cap->two_pass || cap->failed || cap->current)
        return 1;
    if (!cap->started && start(cap) != CSHARK_OK)
        return cap->failed;
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    int rc = CSHARK_DONE;
    while (!cap->stop && !(cap->packet_limit && cap->delivered >= cap->packet_limit) &&
           !(cap->record_limit && cap->count >= cap->record_limit)) {
        gint64 offset;
        int r = cap->src->ops->read(cap->src, &rec, &buf, &offset, -1);
        if (r != 1) {
            rc = r < 0 ? (cap->failed = r) : r;
            break;
        }
        cap->count++;
        cap->delivered++;
        wtap_rec_reset(&rec);
    }
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    return rc;
}

int cshark_capture_next(cshark_capture *cap, cshark_packet **packet)
{
    if (packet)
        *packet = NULL;
    CS_ENTER(); /* under its own name */
    return cshark_capture_next_timeout(cap, packet, -1);
}

int cshark_capture_next_timeout(cshark_capture *cap, cshark_packet **packet, int timeout_ms)
{
    CS_CHECK_ARG(packet, "packet");
    *packet = NULL;
    CS_ENTER();
    CS_CHECK_CAP(cap);
    if (cap->failed)
        return cs_error(cap->failed, "\"%s\" already failed: %s", cap->path,
                        cap->deferred_msg ? cap->deferred_msg : "see the first error");
    if (!cap->started && start(cap) != CSHARK_OK)
        return cap->failed;
    if (cap->packet_limit && cap->delivered >= cap->packet_limit)
        return CSHARK_DONE;
    cs_engine_use_resolution(cap->resolve);

    for (;;) {
        /* cshark_capture_stop(), maybe from another thread: as at the end
         * of the file. */
        if (__atomic_load_n(&cap->stop, __ATOMIC_RELAXED))
            return CSHARK_DONE;
        /* Not under analyses: they count across the whole capture, and
         * some keep state in the session's memory. */
        if (cap->reset_every && !cap->two_pass && !cap->analyses &&
            cap->since_reset >= cap->reset_every)
            reset_session(cap);
        cs_session *s = cap->session;
        cshark_packet *p = cap->current;
        if (p)
            cs_packet_release(p);
        else if ((p = cs_packet_take_spare(s, &cap->current)))
            cap->current = p;
        else if (cap->columns_mode == CSHARK_COLUMNS_ONLY || cap->quiet)
            p = cap->current = cs_packet_new(s, cap->dfcode || cap->fields ||
                                                    cs_columns_need_tree(cap->columns) ||
                                                    cap->taps_need_tree,
                                             FALSE, &cap->current);
        else
            p = cap->current = cs_packet_new(s, TRUE,
                                             cap->fields == NULL || cap->full_tree_fields ||
                                                 cap->full_tree_filter,
                                             &cap->current);

        /* A record without a time stamp leaves rec->ts as it was, and the
         * engine then uses it (tshark reuses one record): a fresh packet must
         * start from the previous record's time too. */
        p->rec.ts = cap->last_ts;
        int rc = read_record(cap, p, timeout_ms);
        if (rc == CSHARK_AGAIN)
            return CSHARK_AGAIN;
        if (rc <= 0) {
            if (rc == 0 && cap->deferred)
                return cap->failed = cs_error(cap->deferred, "%s", cap->deferred_msg);
            return rc;
        }
        cap->since_reset++;
        cap->last_ts = p->rec.ts;
        prime(cap, p->edt);
        dissect(cap, p->edt, &p->rec, &p->buf, p->fd, 1);
        p->live = 1;

        int passed = 1;
        if (cap->dfcode) {
            cs_filter_guard(p->edt, cap->filter_protocols);
            passed = dfilter_apply_edt(cap->dfcode, p->edt);
        }
        if (passed) {
            frame_data_set_after_dissect(p->fd, &cap->cum_bytes);
            /* Before the previous frames move on: the delta columns read
             * them (tshark, bug 8160). */
            cs_columns_fill(cap->columns, p);
            /* Copies, as tshark keeps them: the packet's own frame data is
             * released with it. */
            if (cap->two_pass) {
                s->prov.prev_dis = s->prov.prev_cap = p->fd;
            } else {
                s->prev_dis_frame = *p->fd;
                s->prov.prev_dis = &s->prev_dis_frame;
            }
        }
        if (!cap->two_pass) {
            s->prev_cap_frame = *p->fd;
            s->prov.prev_cap = &s->prev_cap_frame;
        } else {
            s->prov.prev_cap = p->fd;
        }
        if (passed) {
            cap->delivered++;
            *packet = p;
            return CSHARK_PACKET;
        }
    }
}

int cs_capture_rereadable(const cshark_capture *cap, const char *what)
{
    if (cap->src->ops->reread)
        return CSHARK_OK;
    const char *kind = cs_source_is_pipe(cap->src) ? "a pipe"
                       : cs_source_live(cap->src) ? "a live capture" : "fed frames";
    return cs_error(CSHARK_ESTATE, "%s: \"%s\" is %s, whose packets cannot be read again: attach "
                    "analyses before its first packet", what, cap->path, kind);
}

/* sharkd's retap: every analysis, fresh, over the whole file in a session
 * of its own (the reading's session ends: its kept packets are frozen). */
int cshark_capture_retap(cshark_capture *cap)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    int rc = cs_capture_rereadable(cap, "cshark_capture_retap");
    if (rc != CSHARK_OK || !cap->started)
        return rc; /* not started: the analyses run with the first read */
    cs_source *src;
    rc = cs_source_file_open(cap->path, &src);
    if (rc != CSHARK_OK)
        return rc;
    if (cap->current)
        cs_packet_destroy(cap->current);
    cap->current = NULL;
    cs_analyses_detach(cap);
    cs_session_stop_reading(cap->session);
    cs_session_unref(cap->session);
    cap->session = NULL;
    cap->src->ops->free(cap->src);
    cap->src = src;
    cap->count = cap->second = 0;
    cap->delivered = cap->since_reset = 0;
    cap->cum_bytes = 0;
    nstime_set_zero(&cap->elapsed);
    nstime_set_zero(&cap->last_ts);
    cap->failed = cap->deferred = 0;
    cap->stop = 0; /* an earlier stop ended the first reading, not this one */
    g_free(cap->deferred_msg);
    cap->deferred_msg = NULL;
    rc = cs_analyses_attach(cap);
    if (rc == CSHARK_OK)
        rc = begin(cap);
    if (rc != CSHARK_OK)
        return cap->failed = rc;
    cap->quiet = 1; /* as cshark_capture_run: the tree only where needed */
    return cshark_capture_run(cap);
}
