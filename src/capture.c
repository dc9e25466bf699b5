/* Capture files: a wiretap source and its dissection session, read SQLite-style.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <epan/addr_resolv.h>
#include <epan/packet.h>
#include <epan/secrets.h>

#include "internal.h"

struct cshark_capture {
    char *path;
    wtap *wth;
    int file_type;
    cs_session *session;
    cshark_packet *current;      /* the packet being read into; reused        */
    nstime_t elapsed;
    guint32 cum_bytes;
    guint32 count;               /* records read                              */
    int started;                 /* options are frozen once a packet is read  */
    int resolve_names;
    int failed;                  /* sticky read error                         */
};

/* The engine keeps dissection state (conversations, reassembly) in globals:
 * one epan session exists at a time. */
static cs_session *live_session;
static cshark_capture *open_capture;

/* ---- packet provider: what epan asks the application for ---------------- */

static const nstime_t *provider_frame_ts(struct packet_provider_data *prov, guint32 num)
{
    if (prov->ref && prov->ref->num == num)
        return &prov->ref->abs_ts;
    if (prov->prev_dis && prov->prev_dis->num == num)
        return &prov->prev_dis->abs_ts;
    if (prov->prev_cap && prov->prev_cap->num == num)
        return &prov->prev_cap->abs_ts;
    return NULL;
}

static wtap_block_t provider_idb(struct packet_provider_data *prov, guint32 id)
{
    if (!prov->wth)
        return NULL;
    wtapng_iface_descriptions_t *idb = wtap_file_get_idb_info(prov->wth);
    wtap_block_t block = NULL;
    if (id < idb->interface_data->len)
        block = g_array_index(idb->interface_data, wtap_block_t, id);
    g_free(idb);
    return block;
}

/* As frame.interface_name: name, else description, else hardware. */
static const char *provider_interface_name(struct packet_provider_data *prov, guint32 id)
{
    static const guint opts[] = { OPT_IDB_NAME, OPT_IDB_DESCRIPTION, OPT_IDB_HARDWARE };
    wtap_block_t block = provider_idb(prov, id);
    char *s;
    for (size_t i = 0; block && i < G_N_ELEMENTS(opts); i++)
        if (wtap_block_get_string_option_value(block, opts[i], &s) == WTAP_OPTTYPE_SUCCESS)
            return s;
    return "unknown";
}

static const char *provider_interface_description(struct packet_provider_data *prov, guint32 id)
{
    wtap_block_t block = provider_idb(prov, id);
    char *s;
    if (block && wtap_block_get_string_option_value(block, OPT_IDB_DESCRIPTION, &s)
                     == WTAP_OPTTYPE_SUCCESS)
        return s;
    return NULL;
}

static const struct packet_provider_funcs provider_funcs = {
    provider_frame_ts, provider_interface_name, provider_interface_description, NULL,
};

const char *cs_capture_interface_name(cshark_packet *p, guint32 id)
{
    return provider_interface_name(&p->session->prov, id);
}

/* ---- sessions ------------------------------------------------------------ */

static void session_end_epan(cs_session *s)
{
    if (s->epan) {
        epan_free(s->epan);
        s->epan = NULL;
    }
    if (live_session == s)
        live_session = NULL;
}

void cs_session_unref(cs_session *s)
{
    if (--s->refs > 0)
        return;
    session_end_epan(s);
    g_free(s);
}

static cs_session *session_new(wtap *wth)
{
    if (live_session) {
        /* Packets kept from an earlier capture: make them independent of its
         * dissection state before the engine's globals are reset. */
        cs_packets_freeze(live_session);
        session_end_epan(live_session);
    }
    cs_session *s = g_new0(cs_session, 1);
    s->refs = 1;
    s->prov.wth = wth;
    s->epan = epan_new(&s->prov, &provider_funcs);
    live_session = s;
    return s;
}

/* ---- open / close -------------------------------------------------------- */

static int open_error(const char *path, int err, char *info)
{
    int code = CSHARK_EFORMAT;
    const char *what;
    struct stat st;

    switch (err) {
    case ENOENT:
        code = CSHARK_EOPEN, what = "it doesn't exist";
        break;
    case EACCES:
    case EPERM:
        code = CSHARK_EOPEN, what = "permission denied";
        break;
    case WTAP_ERR_NOT_REGULAR_FILE:
        code = CSHARK_EOPEN;
        what = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "it is a directory, not a file"
                                                             : "it is not a regular file";
        break;
    case WTAP_ERR_FILE_UNKNOWN_FORMAT:
        what = "it isn't a capture file in a format Wireshark understands";
        break;
    case WTAP_ERR_UNSUPPORTED:
        what = "its capture format is not supported";
        break;
    case WTAP_ERR_SHORT_READ:
        what = "it appears to have been cut short in the middle of a packet or other data";
        break;
    case WTAP_ERR_BAD_FILE:
        what = "it appears to be damaged or corrupt";
        break;
    default:
        code = err > 0 ? CSHARK_EOPEN : CSHARK_EFORMAT;
        what = err > 0 ? g_strerror(err) : wtap_strerror(err);
        break;
    }
    cs_error(code, "cannot open \"%s\": %s%s%s%s", path, what, info ? " (" : "",
             info ? info : "", info ? ")" : "");
    g_free(info);
    return code;
}

int cshark_capture_open(cshark_capture **capture, const char *path)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_CHECK_ARG(path, "path");
    if (!cs_engine_ready())
        return CSHARK_EINIT;
    if (open_capture)
        return cs_error(CSHARK_ESTATE,
                        "cannot open \"%s\": capture \"%s\" is still open, and the engine "
                        "dissects one capture at a time; close it first",
                        path, open_capture->path);

    /* wiretap happily "opens" an empty file as ERF with no records: a silent
     * empty result is worse than an error here. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return cs_error(CSHARK_EFORMAT, "cannot open \"%s\": the file is empty (0 bytes), "
                        "not a capture", path);

    int err = 0;
    char *info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &info, FALSE);
    if (!wth)
        return open_error(path, err, info);

    cshark_capture *cap = g_new0(cshark_capture, 1);
    cap->path = g_strdup(path);
    cap->wth = wth;
    cap->file_type = wtap_file_type_subtype(wth);
    cap->session = session_new(wth);
    /* As tshark: names the capture itself announces, and pcapng Decryption
     * Secrets Blocks (without them TLS/QUIC trees differ from tshark's). */
    wtap_set_cb_new_ipv4(wth, add_ipv4_name);
    wtap_set_cb_new_ipv6(wth, (wtap_new_ipv6_callback_t)add_ipv6_name);
    wtap_set_cb_new_secrets(wth, secrets_wtap_callback);
    open_capture = cap;
    *capture = cap;
    return CSHARK_OK;
}

void cshark_capture_close(cshark_capture *cap)
{
    if (!cap)
        return;
    if (cap->current && !cap->current->kept)
        cs_packet_destroy(cap->current);
    cs_packets_detach(cap->session, cap);
    cap->session->prov.wth = NULL;
    wtap_close(cap->wth);
    cs_session_unref(cap->session);
    if (open_capture == cap)
        open_capture = NULL;
    g_free(cap->path);
    g_free(cap);
}

const char *cshark_capture_path(const cshark_capture *cap)
{
    return cap ? cap->path : NULL;
}

const char *cshark_capture_format(const cshark_capture *cap)
{
    return cap ? wtap_file_type_subtype_name(cap->file_type) : NULL;
}

int cshark_capture_set_resolve_names(cshark_capture *cap, int on)
{
    CS_CHECK_ARG(cap, "capture");
    if (cap->started)
        return cs_error(CSHARK_ESTATE, "\"%s\": options must be set before the first packet",
                        cap->path);
    cap->resolve_names = !!on;
    return CSHARK_OK;
}

/* ---- the read loop ------------------------------------------------------- */

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

int cshark_capture_next(cshark_capture *cap, cshark_packet **packet)
{
    CS_CHECK_ARG(packet, "packet");
    *packet = NULL;
    CS_CHECK_ARG(cap, "capture");
    if (cap->failed)
        return cs_error(cap->failed, "the file \"%s\" already failed to read", cap->path);
    cap->started = 1;

    cshark_packet *p = cap->current;
    if (p && p->kept)
        p = NULL;
    if (p)
        cs_packet_release(p);
    else
        p = cap->current = cs_packet_new(cap->session, cap);

    cs_session *s = cap->session;
    cs_engine_set_resolve_names(cap->resolve_names);

    int err = 0;
    char *info = NULL;
    gint64 offset;
    if (!wtap_read(cap->wth, &p->rec, &p->buf, &err, &info, &offset)) {
        if (err)
            return read_error(cap, err, info);
        return CSHARK_DONE;
    }

    cap->count++;
    frame_data_init(&p->fdata, cap->count, &p->rec, offset, cap->cum_bytes);
    prime_epan_dissect_with_postdissector_wanted_hfids(p->edt);
    frame_data_set_before_dissect(&p->fdata, &cap->elapsed, &s->prov.ref, s->prov.prev_dis);
    if (s->prov.ref == &p->fdata) {
        s->ref_frame = p->fdata;
        s->prov.ref = &s->ref_frame;
    }
    /* Zero-copy: the tvb reads the record buffer, which stays untouched until
     * this packet is released. */
    tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(&p->buf), p->fdata.cap_len,
                                      p->fdata.pkt_len);
    epan_dissect_run_with_taps(p->edt, cap->file_type, &p->rec, tvb, &p->fdata, NULL);
    frame_data_set_after_dissect(&p->fdata, &cap->cum_bytes);
    p->live = 1;

    s->prev_dis_frame = p->fdata;
    s->prov.prev_dis = &s->prev_dis_frame;
    s->prev_cap_frame = p->fdata;
    s->prov.prev_cap = &s->prev_cap_frame;

    *packet = p;
    return CSHARK_PACKET;
}
