/* The read loop: records from wiretap, dissected one at a time, filtered as
 * tshark -Y does (one pass) or tshark -2 -Y (two passes).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <epan/packet.h>

#include "internal.h"

static int read_error(cshark_capture *cap, int err, char *info)
{
    const char *what;
    switch (err) {
    case WTAP_ERR_SHORT_READ:
        what = "appears to have been cut short in the middle of a packet";
        break;
    case WTAP_ERR_BAD_FILE:
        what = "appears to be damaged or corrupt";
        break;
    case WTAP_ERR_UNSUPPORTED:
        what = "has a packet with a network type that Wireshark doesn't support";
        break;
    default:
        what = err > 0 ? g_strerror(err) : wtap_strerror(err);
        break;
    }
    cap->failed = cs_error(CSHARK_EREAD, "the file \"%s\" %s (after frame %u)%s%s%s", cap->path,
                           what, cap->count, info ? " (" : "", info ? info : "", info ? ")" : "");
    g_free(info);
    return cap->failed;
}

static void prime(cshark_capture *cap, epan_dissect_t *edt)
{
    /* Priming is per packet: epan_dissect_reset forgets it. */
    if (cap->dfcode)
        epan_dissect_prime_with_dfilter(edt, cap->dfcode);
    if (cap->fields)
        epan_dissect_prime_with_hfid_array(edt, cap->fields);
    prime_epan_dissect_with_postdissector_wanted_hfids(edt);
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
     * the packet is released. */
    tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(buf), fd->cap_len, fd->pkt_len);
    if (with_taps)
        epan_dissect_run_with_taps(edt, cap->file_type, rec, tvb, fd, NULL);
    else
        epan_dissect_run(edt, cap->file_type, rec, tvb, fd, NULL);
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
    int err = 0, rc = CSHARK_OK;
    char *info = NULL;
    gint64 offset;
    while ((!cap->record_limit || cap->count < cap->record_limit) &&
           wtap_read(cap->wth, &rec, &buf, &err, &info, &offset)) {
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
    if (err)
        rc = read_error(cap, err, info);
    epan_dissect_free(edt);
    wtap_sequential_close(cap->wth);
    postseq_cleanup_all_protocols();
    s->prov.prev_dis = s->prov.prev_cap = NULL;
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    return rc;
}

static int start(cshark_capture *cap)
{
    cap->started = 1;
    /* Preferences first, then the session, as tshark applies -o before it
     * opens the file: some preferences shape the session's tables. */
    cs_options_apply(&cap->options);
    cs_engine_set_resolve_names(cap->resolve_names);
    cap->session = cs_session_new(cap->wth);
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

/* The next record into p: 1 read, 0 end, or an error. */
static int read_record(cshark_capture *cap, cshark_packet *p)
{
    int err = 0;
    char *info = NULL;
    if (cap->two_pass) {
        frame_data *fd = frame_data_sequence_find(cap->session->prov.frames, cap->second + 1);
        if (!fd)
            return 0;
        if (!wtap_seek_read(cap->wth, fd->file_off, &p->rec, &p->buf, &err, &info))
            return read_error(cap, err, info);
        cap->second++;
        p->fd = fd;
        return 1;
    }
    if (cap->record_limit && cap->count >= cap->record_limit)
        return 0;
    gint64 offset;
    if (!wtap_read(cap->wth, &p->rec, &p->buf, &err, &info, &offset))
        return err ? read_error(cap, err, info) : 0;
    cap->count++;
    frame_data_init(&p->own_fd, cap->count, &p->rec, offset, cap->cum_bytes);
    p->fd = &p->own_fd;
    return 1;
}

int cshark_capture_next(cshark_capture *cap, cshark_packet **packet)
{
    CS_CHECK_ARG(packet, "packet");
    *packet = NULL;
    CS_CHECK_ARG(cap, "capture");
    if (cap->failed)
        return cs_error(cap->failed, "the file \"%s\" already failed to read", cap->path);
    if (!cap->started)
        start(cap);
    if (cap->packet_limit && cap->delivered >= cap->packet_limit)
        return CSHARK_DONE;
    cs_engine_set_resolve_names(cap->resolve_names);

    cs_session *s = cap->session;
    for (;;) {
        cshark_packet *p = cap->current;
        if (p && p->kept)
            p = NULL;
        if (p)
            cs_packet_release(p);
        else
            p = cap->current = cs_packet_new(s, cap, cap->fields == NULL);

        int rc = read_record(cap, p);
        if (rc <= 0) {
            if (rc == 0 && cap->deferred)
                return cap->failed = cs_error(cap->deferred, "%s", cap->deferred_msg);
            return rc;
        }
        prime(cap, p->edt);
        dissect(cap, p->edt, &p->rec, &p->buf, p->fd, 1);
        p->live = 1;

        int passed = !cap->dfcode || dfilter_apply_edt(cap->dfcode, p->edt);
        if (passed) {
            frame_data_set_after_dissect(p->fd, &cap->cum_bytes);
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
