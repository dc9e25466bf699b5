/* Packets: one dissected frame, its record and its lazily built view.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

cshark_packet *cs_packet_new(cs_session *s, int tree, int visible, cshark_packet **owner)
{
    cshark_packet *p = g_new0(cshark_packet, 1);
    p->owner = owner;
    p->session = s;
    s->refs++;
    /* A visible tree: PDML needs every item and its label, as tshark -T pdml;
     * with fields of interest, an invisible one that holds only those; for
     * summary columns alone, none unless a filter needs it (tshark -T psml). */
    p->edt = epan_dissect_new(s->epan, tree, visible);
    wtap_rec_init(&p->rec);
    ws_buffer_init(&p->buf, 1514);
    p->pool = wmem_allocator_new(WMEM_ALLOCATOR_BLOCK_FAST);
    return p;
}

void cs_packet_release(cshark_packet *p)
{
    if (p->live) {
        epan_dissect_reset(p->edt);
        if (p->fd == &p->own_fd)
            frame_data_destroy(&p->own_fd);
        p->live = 0;
    }
    wtap_rec_reset(&p->rec);
    cs_view_reset(&p->view);
    wmem_free_all(p->pool);
    p->iface_name = NULL;
    p->timestamp[0] = '\0';
    p->columns = NULL;
    p->col_copy = NULL;
    p->ncols = 0;
    p->frozen_src = NULL; /* in the pool */
}

static void kept_unlink(cshark_packet *p)
{
    if (p->kept_prev)
        p->kept_prev->kept_next = p->kept_next;
    else if (p->session->kept == p)
        p->session->kept = p->kept_next;
    if (p->kept_next)
        p->kept_next->kept_prev = p->kept_prev;
    p->kept_prev = p->kept_next = NULL;
}

void cs_packet_destroy(cshark_packet *p)
{
    cs_packet_release(p);
    if (p->kept)
        kept_unlink(p);
    epan_dissect_free(p->edt);
    wtap_rec_cleanup(&p->rec);
    ws_buffer_free(&p->buf);
    cs_view_free(&p->view);
    wmem_destroy_allocator(p->pool);
    cs_session_unref(p->session);
    g_free(p);
}

/* The kept packets alive, by address: freeing one twice, or keeping a
 * packet gone with its capture, is found here without reading it. Touched
 * under the guard only; no allocation per packet (a hash set grows to the
 * most packets kept at once). */
static GHashTable *kept_set;

static int is_kept(const cshark_packet *p)
{
    return kept_set && g_hash_table_contains(kept_set, p);
}

void cs_packets_forget(void)
{
    if (kept_set && !g_hash_table_size(kept_set))
        g_clear_pointer(&kept_set, g_hash_table_destroy);
}

int cshark_packet_keep(cshark_packet *p)
{
    CS_ENTER();
    CS_CHECK_ARG(p, "packet");
    if (is_kept(p))
        return CSHARK_OK;
    if (!cs_capture_owns(p))
        return cs_error(CSHARK_EINVAL, "cshark_packet_keep: %p is neither a kept packet nor the "
                        "open capture's (freed already, or its capture read on or closed)",
                        (void *)p);
    if (!kept_set)
        kept_set = g_hash_table_new(NULL, NULL);
    g_hash_table_add(kept_set, p);
    /* The capture's file (and its interface table) may go before we do. */
    cshark_packet_interface_name(p);
    cs_columns_detach(p);
    p->kept = 1;
    /* The capture lets go of it: it will read into a fresh packet. */
    if (p->owner && *p->owner == p)
        *p->owner = NULL;
    p->owner = NULL;
    p->kept_next = p->session->kept;
    if (p->kept_next)
        p->kept_next->kept_prev = p;
    p->session->kept = p;
    return CSHARK_OK;
}

/* Freed kept packets parked for reuse: as many as a reader keeps at once
 * (the binding's read-ahead holds 8 and the one Python reads). */
#define SPARES 16

int cshark_packet_free(cshark_packet *p)
{
    if (!p)
        return CSHARK_OK;
    CS_ENTER();
    if (!is_kept(p)) {
        if (cs_capture_owns(p))
            return CSHARK_OK; /* its capture's: left alone */
        return cs_error(CSHARK_EINVAL, "cshark_packet_free: %p is not a kept packet (freed "
                        "already?)", (void *)p);
    }
    g_hash_table_remove(kept_set, p);
    cs_session *s = p->session;
    if (s->reading && s->nspare < SPARES) {
        /* Keep-then-free per packet (the Python binding's way) would build
         * and tear down a dissection context each time: park it instead. */
        kept_unlink(p);
        p->kept = 0;
        cs_packet_release(p);
        p->kept_next = s->spare;
        s->spare = p;
        s->nspare++;
        return CSHARK_OK;
    }
    cs_packet_destroy(p);
    return CSHARK_OK;
}

cshark_packet *cs_packet_take_spare(cs_session *s, cshark_packet **owner)
{
    cshark_packet *p = s->spare;
    if (p) {
        s->spare = p->kept_next;
        s->nspare--;
        p->kept_next = NULL;
        p->owner = owner;
    }
    return p;
}

void cs_packets_freeze(cs_session *s)
{
    for (cshark_packet *p = s->kept; p; p = p->kept_next)
        cs_view_freeze(p);
}

/* ---- accessors ----------------------------------------------------------- */

uint32_t cshark_packet_number(const cshark_packet *p)
{
    return p ? p->fd->num : 0;
}

void cshark_packet_time(const cshark_packet *p, int64_t *seconds, int32_t *nanoseconds)
{
    int has = p && p->fd->has_ts;
    if (seconds)
        *seconds = has ? (int64_t)p->fd->abs_ts.secs : 0;
    if (nanoseconds)
        *nanoseconds = has ? p->fd->abs_ts.nsecs : 0;
}

int cshark_packet_relative_time(const cshark_packet *p, int64_t *seconds, int32_t *nanoseconds)
{
    /* pinfo's, which the frame dissector puts in the tree (packet-frame.c:
     * both times only with PINFO_HAS_TS, set from the record's time stamp). */
    int has = p && (p->edt->pi.presence_flags & PINFO_HAS_TS);
    if (seconds)
        *seconds = has ? (int64_t)p->edt->pi.rel_ts.secs : 0;
    if (nanoseconds)
        *nanoseconds = has ? p->edt->pi.rel_ts.nsecs : 0;
    return has;
}

const char *cshark_packet_timestamp(cshark_packet *p)
{
    if (!p)
        return NULL;
    if (!p->timestamp[0]) {
        int64_t secs;
        int32_t nsecs;
        cshark_packet_time(p, &secs, &nsecs);
        snprintf(p->timestamp, sizeof p->timestamp, "%" PRId64 ".%09d", secs, nsecs);
    }
    return p->timestamp;
}

uint32_t cshark_packet_length(const cshark_packet *p)
{
    return p ? p->fd->pkt_len : 0;
}

uint32_t cshark_packet_captured_length(const cshark_packet *p)
{
    return p ? p->fd->cap_len : 0;
}

static int is_packet_record(const cshark_packet *p)
{
    return p && p->rec.rec_type == REC_TYPE_PACKET;
}

uint32_t cshark_packet_interface_id(const cshark_packet *p)
{
    if (!is_packet_record(p) || !(p->rec.presence_flags & WTAP_HAS_INTERFACE_ID))
        return CSHARK_NO_INTERFACE;
    return p->rec.rec_header.packet_header.interface_id;
}

const char *cshark_packet_interface_name(const cshark_packet *cp)
{
    cshark_packet *p = (cshark_packet *)cp; /* caches the name */
    uint32_t id = cshark_packet_interface_id(p);
    if (id == CSHARK_NO_INTERFACE)
        return NULL;
    if (__atomic_load_n(&p->iface_name, __ATOMIC_ACQUIRE))
        return p->iface_name;
    CS_ENTER_OR(NULL); /* asks the capture's source */
    if (!p->iface_name)
        __atomic_store_n(&p->iface_name, cs_session_interface_name(p->session, id),
                         __ATOMIC_RELEASE);
    return p->iface_name;
}

unsigned cshark_packet_encap(const cshark_packet *p)
{
    int encap = is_packet_record(p) ? p->rec.rec_header.packet_header.pkt_encap : WTAP_ENCAP_UNKNOWN;
    return encap > 0 ? (unsigned)encap : WTAP_ENCAP_UNKNOWN;
}

const char *cshark_packet_encap_name(const cshark_packet *p)
{
    return p ? wtap_encap_name((int)cshark_packet_encap(p)) : NULL;
}

const uint8_t *cshark_packet_data(const cshark_packet *p, size_t *length)
{
    if (length)
        *length = p ? p->fd->cap_len : 0;
    return p ? ws_buffer_start_ptr(&p->buf) : NULL;
}
