/* Capture files: a wiretap source and its dissection session, read SQLite-style.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <epan/addr_resolv.h>
#include <epan/packet.h>
#include <epan/secrets.h>

#include "internal.h"

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
    if (prov->frames) {
        frame_data *fd = frame_data_sequence_find(prov->frames, num);
        return fd ? &fd->abs_ts : NULL;
    }
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
    if (prov->live)
        return cs_live_interface_name(prov->live, id);
    if (prov->iface_name)
        return prov->iface_name;
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

void cs_session_stop_reading(cs_session *s)
{
    s->reading = 0;
    cshark_packet *spare = s->spare;
    s->spare = NULL;
    if (spare)
        cs_packet_destroy(spare); /* drops its session reference */
}

void cs_session_unref(cs_session *s)
{
    if (--s->refs > 0)
        return;
    session_end_epan(s);
    if (s->prov.frames) {
        for (guint32 n = 1; frame_data_sequence_find(s->prov.frames, n); n++)
            frame_data_destroy(frame_data_sequence_find(s->prov.frames, n));
        free_frame_data_sequence(s->prov.frames);
    }
    g_free(s->prov.iface_name);
    g_free(s);
}

void cs_session_retire_live(void)
{
    if (!live_session)
        return;
    /* Packets kept from an earlier capture: make them independent of its
     * dissection state before the engine's globals are reset, with the
     * names they were dissected with. */
    cs_engine_use_resolution(live_session->resolve);
    cs_packets_freeze(live_session);
    session_end_epan(live_session);
}

cs_session *cs_session_new(wtap *wth, const cs_live *live, const char *iface_name,
                           cs_resolve resolve)
{
    cs_session_retire_live();
    cs_engine_use_resolution(resolve);
    cs_session *s = g_new0(cs_session, 1);
    s->resolve = resolve;
    s->refs = 1;
    s->reading = 1;
    s->prov.wth = wth;
    s->prov.live = live;
    s->prov.iface_name = g_strdup(iface_name);
    cs_names_release(); /* before epan_new() orphans them: see names.c */
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

/* The engine dissects one capture at a time: CSHARK_ESTATE naming the open
 * one, after what was being attempted (FMT: "cannot open \"%s\""). */
static int G_GNUC_PRINTF(1, 2) engine_busy(const char *fmt, ...)
{
    if (!open_capture)
        return CSHARK_OK;
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int rc = cs_error(CSHARK_ESTATE, "%s: capture \"%s\" is still open, and the engine "
                      "dissects one capture at a time; close it first", what, open_capture->path);
    g_free(what);
    return rc;
}

/* A new capture named NAME (takes it), now the open one. */
static cshark_capture *capture_new(char *name)
{
    cshark_capture *cap = g_new0(cshark_capture, 1);
    cap->path = name;
    open_capture = cap;
    return cap;
}

int cshark_capture_open(cshark_capture **capture, const char *path)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_CHECK_ARG(path, "path");
    int erc = cs_engine_check();
    if (erc != CSHARK_OK)
        return erc;
    int rc = engine_busy("cannot open \"%s\"", path);
    if (rc != CSHARK_OK)
        return rc;

    /* wiretap happily "opens" an empty file as ERF with no records: a silent
     * empty result is worse than an error here. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return cs_error(CSHARK_EFORMAT, "cannot open \"%s\": the file is empty (0 bytes), "
                        "not a capture", path);

    /* Random access is asked for so that two-pass mode can seek back; a
     * pipe can only be read as it comes. */
    int pipe = strcmp(path, "-") == 0 || (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    int err = 0;
    char *info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &info, !pipe);
    if (!wth)
        return open_error(path, err, info);

    cshark_capture *cap = capture_new(g_strdup(path));
    cap->pipe = pipe;
    cap->wth = wth;
    cap->file_type = wtap_file_type_subtype(wth);
    /* As tshark: names the capture itself announces, and pcapng Decryption
     * Secrets Blocks (without them TLS/QUIC trees differ from tshark's). */
    wtap_set_cb_new_ipv4(wth, add_ipv4_name);
    wtap_set_cb_new_ipv6(wth, (wtap_new_ipv6_callback_t)add_ipv6_name);
    wtap_set_cb_new_secrets(wth, secrets_wtap_callback);
    *capture = cap;
    return CSHARK_OK;
}

int cs_capture_new_source(cshark_capture **capture, const char *name, cs_feed *feed)
{
    int rc = engine_busy("cannot open %s", name);
    if (rc != CSHARK_OK)
        return rc;
    *capture = capture_new(g_strdup(name));
    (*capture)->feed = feed;
    return CSHARK_OK;
}

int cshark_capture_open_live(cshark_capture **capture, const char *const *interfaces, size_t count)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_CHECK_ARG(interfaces, "interfaces");
    if (count == 0)
        return cs_error(CSHARK_EINVAL, "cshark_capture_open_live: no interface given");
    for (size_t i = 0; i < count; i++)
        CS_CHECK_ARG(interfaces[i], "interface name");
    int erc = cs_engine_check();
    if (erc != CSHARK_OK)
        return erc;
    int rc = engine_busy("cannot capture on %s", interfaces[0]);
    if (rc != CSHARK_OK)
        return rc;
    cs_live *live = cs_live_new(interfaces, count);
    rc = cs_live_probe(live);
    if (rc != CSHARK_OK) {
        cs_live_free(live);
        return rc;
    }
    /* COUNT names: the array need not end with NULL. */
    GString *names = g_string_new("live:");
    for (size_t i = 0; i < count; i++)
        g_string_append_printf(names, "%s%s", i ? "," : "", interfaces[i]);
    cshark_capture *cap = capture_new(g_string_free(names, FALSE));
    cap->live = live;
    /* Frames are dissected as dumpcap's pcapng would present them. */
    cap->file_type = wtap_pcapng_file_type_subtype();
    cap->reset_every = 100000;
    *capture = cap;
    return CSHARK_OK;
}

void cshark_capture_close(cshark_capture *cap)
{
    if (!cap)
        return;
    if (cap->current) /* never a kept packet: keeping lets go of it */
        cs_packet_destroy(cap->current);
    if (cap->session) {
        cs_session_stop_reading(cap->session);
        cap->session->prov.wth = NULL;
        cap->session->prov.live = NULL;
        cs_session_unref(cap->session);
    }
    if (cap->wth)
        wtap_close(cap->wth);
    cs_live_free(cap->live);
    cs_dump_free(cap->dump);
    cs_feed_free(cap->feed);
    /* The options were the engine's globals for this capture only. */
    cs_options_restore(&cap->options);
    dfilter_free(cap->dfcode);
    if (cap->filter_protocols)
        g_array_free(cap->filter_protocols, TRUE);
    cs_columns_free(cap->columns);
    if (cap->fields)
        g_array_free(cap->fields, TRUE);
    if (open_capture == cap)
        open_capture = NULL;
    g_free(cap->deferred_msg);
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

/* Options can only change before the first packet. */
int cs_capture_settable(cshark_capture *cap)
{
    CS_CHECK_ARG(cap, "capture");
    if (cap->started)
        return cs_error(CSHARK_ESTATE, "\"%s\": options must be set before the first packet",
                        cap->path);
    return CSHARK_OK;
}

#define SETTABLE(cap)                                                          \
    do {                                                                       \
        int rc_ = cs_capture_settable(cap);                                    \
        if (rc_ != CSHARK_OK)                                                  \
            return rc_;                                                        \
    } while (0)

int cshark_capture_set_name_resolution(cshark_capture *cap, const char *flags)
{
    SETTABLE(cap);
    if (!flags) {
        cap->resolve = CS_RESOLVE_PREFS;
        return CSHARK_OK;
    }
    return cs_resolve_parse(flags, &cap->resolve);
}

int cshark_capture_set_display_filter(cshark_capture *cap, const char *filter)
{
    SETTABLE(cap);
    dfilter_t *df = NULL;
    int full_tree = 0;
    GArray *protocols = NULL;
    if (filter) {
        int rc = cs_filter_compile(filter, &df, NULL, &full_tree, &protocols);
        if (rc != CSHARK_OK)
            return rc;
    }
    dfilter_free(cap->dfcode);
    cap->dfcode = df;
    if (cap->filter_protocols)
        g_array_free(cap->filter_protocols, TRUE);
    cap->filter_protocols = protocols;
    cap->full_tree_filter = full_tree;
    return CSHARK_OK;
}

int cshark_capture_set_two_pass(cshark_capture *cap, bool on)
{
    SETTABLE(cap);
    if (on && cap->live)
        return cs_error(CSHARK_ESTATE, "%s: a live capture cannot be read twice", cap->path);
    if (on && cap->feed)
        return cs_error(CSHARK_ESTATE, "%s: fed frames cannot be read twice", cap->path);
    if (on && cap->pipe)
        return cs_error(CSHARK_ESTATE, "\"%s\" is a pipe: two-pass mode needs a file it can "
                        "read twice", cap->path);
    cap->two_pass = !!on;
    return CSHARK_OK;
}

int cshark_capture_set_packet_limit(cshark_capture *cap, uint64_t count)
{
    SETTABLE(cap);
    cap->packet_limit = count;
    return CSHARK_OK;
}

int cshark_capture_set_record_limit(cshark_capture *cap, uint64_t count)
{
    SETTABLE(cap);
    cap->record_limit = count;
    return CSHARK_OK;
}

int cshark_capture_set_fields(cshark_capture *cap, const char *const *names, size_t count)
{
    SETTABLE(cap);
    CS_CHECK_ARG(names || !count, "names");
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    int full_tree = 0;
    for (size_t i = 0; i < count; i++) {
        int rc = cshark_field_check(names[i]);
        if (rc != CSHARK_OK) {
            g_array_free(ids, TRUE);
            return rc;
        }
        full_tree |= cs_field_needs_full_tree(names[i], strlen(names[i]));
        /* Every registration sharing the name, as lookups match them all. */
        header_field_info *hf = proto_registrar_get_byname(names[i]);
        while (hf->same_name_prev_id != -1)
            hf = proto_registrar_get_nth(hf->same_name_prev_id);
        for (; hf; hf = hf->same_name_next)
            g_array_append_val(ids, hf->id);
    }
    if (cap->fields)
        g_array_free(cap->fields, TRUE);
    cap->fields = ids;
    cap->full_tree_fields = full_tree;
    return CSHARK_OK;
}

int cshark_capture_set_columns(cshark_capture *cap, cshark_columns_mode mode)
{
    SETTABLE(cap);
    if ((int)mode < CSHARK_COLUMNS_OFF || mode > CSHARK_COLUMNS_ONLY)
        return cs_error(CSHARK_EINVAL, "cshark_capture_set_columns: %d is not a column mode",
                        (int)mode);
    cap->columns_mode = mode;
    return CSHARK_OK;
}

int cshark_capture_set_preference(cshark_capture *cap, const char *name_value)
{
    SETTABLE(cap);
    CS_CHECK_ARG(name_value, "preference");
    return cs_option_pref(&cap->options, name_value);
}

int cshark_capture_set_decode_as(cshark_capture *cap, const char *rule)
{
    SETTABLE(cap);
    CS_CHECK_ARG(rule, "rule");
    return cs_option_decode_as(&cap->options, rule);
}

int cshark_capture_set_protocol(cshark_capture *cap, const char *protocol, bool enabled)
{
    SETTABLE(cap);
    CS_CHECK_ARG(protocol, "protocol");
    return cs_option_protocol(&cap->options, protocol, !!enabled);
}

int cshark_capture_set_wlan_key(cshark_capture *cap, const char *type, const char *key)
{
    SETTABLE(cap);
    CS_CHECK_ARG(type, "type");
    CS_CHECK_ARG(key, "key");
    if (strcmp(type, "wep") != 0 && strcmp(type, "wpa-pwd") != 0 && strcmp(type, "wpa-psk") != 0)
        return cs_error(CSHARK_EOPTION, "802.11 key type \"%s\": use wep, wpa-pwd or wpa-psk",
                        type);
    if (strchr(key, '"'))
        return cs_error(CSHARK_EOPTION, "802.11 key: a key cannot contain '\"'");
    /* As PyShark's decryption_key/encryption_type: one 80211_keys record. */
    char *rec = g_strdup_printf("uat:80211_keys:\"%s\",\"%s\"", type, key);
    int rc = cs_option_pref(&cap->options, "wlan.enable_decryption:TRUE");
    if (rc == CSHARK_OK)
        rc = cs_option_pref(&cap->options, rec);
    g_free(rec);
    return rc;
}

/* ---- live options ---------------------------------------------------------- */

static int live_only(cshark_capture *cap)
{
    int rc = cs_capture_settable(cap);
    if (rc == CSHARK_OK && !cap->live)
        rc = cs_error(CSHARK_ESTATE, "\"%s\" is a file: that option is for live captures",
                      cap->path);
    return rc;
}

#define LIVE_SETTER(fn, type, what)                                            \
    int fn(cshark_capture *cap, type value)                                    \
    {                                                                          \
        int rc = live_only(cap);                                               \
        return rc != CSHARK_OK ? rc : cs_live_set(cap->live, what, value);      \
    }

LIVE_SETTER(cshark_capture_set_snaplen, int, "snaplen")
LIVE_SETTER(cshark_capture_set_promiscuous, bool, "promisc")
LIVE_SETTER(cshark_capture_set_monitor_mode, bool, "monitor")
LIVE_SETTER(cshark_capture_set_buffer_size, int, "buffer")
LIVE_SETTER(cshark_capture_set_immediate_mode, bool, "immediate")

int cshark_capture_set_capture_filter(cshark_capture *cap, const char *bpf)
{
    int rc = live_only(cap);
    if (rc == CSHARK_OK)
        CS_CHECK_ARG(bpf, "capture filter");
    return rc != CSHARK_OK ? rc : cs_live_set_filter(cap->live, bpf);
}

int cshark_capture_set_duration(cshark_capture *cap, double seconds)
{
    int rc = live_only(cap);
    if (rc == CSHARK_OK)
        cs_live_set_duration(cap->live, seconds);
    return rc;
}

int cshark_capture_set_output(cshark_capture *cap, const char *path, uint64_t file_kb,
                              unsigned files)
{
    int rc = live_only(cap);
    if (rc != CSHARK_OK)
        return rc;
    CS_CHECK_ARG(path, "path");
    cs_dump_free(cap->dump);
    cap->dump = cs_dump_new(path, file_kb, files);
    return CSHARK_OK;
}

int cshark_capture_set_session_reset(cshark_capture *cap, uint64_t packets)
{
    SETTABLE(cap);
    cap->reset_every = packets;
    return CSHARK_OK;
}

int cshark_capture_stop(cshark_capture *cap)
{
    if (!cap)
        return CSHARK_EINVAL; /* no message: this may run in a signal handler */
    if (cap->live)
        cs_live_stop(cap->live);
    return CSHARK_OK;
}

int cshark_capture_stats(cshark_capture *cap, cshark_stats *st)
{
    CS_CHECK_ARG(cap, "capture");
    CS_CHECK_ARG(st, "stats");
    if (st->version != CSHARK_STATS_VERSION)
        return cs_error(CSHARK_EINVAL, "cshark_capture_stats: version %u is not %u "
                        "(initialise with CSHARK_STATS_INIT)", st->version, CSHARK_STATS_VERSION);
    memset(st, 0, sizeof *st);
    st->version = CSHARK_STATS_VERSION;
    if (cap->live)
        cs_live_stats(cap->live, st);
    st->read = cap->count;
    st->delivered = cap->delivered;
    return CSHARK_OK;
}
