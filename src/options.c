/* The capture options: cshark_capture_set_*. Each checks its value now and
 * takes effect at the first read (read.c); preferences go through prefs.c,
 * which undoes them at close.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <epan/proto.h>

#include "internal.h"

#define SETTABLE(cap)                                                          \
    do {                                                                       \
        int rc_ = cs_capture_settable(cap);                                    \
        if (rc_ != CSHARK_OK)                                                  \
            return rc_;                                                        \
    } while (0)

int cshark_capture_set_name_resolution(cshark_capture *cap, const char *flags)
{
    CS_ENTER();
    SETTABLE(cap);
    if (!flags) {
        cap->resolve = CS_RESOLVE_PREFS;
        return CSHARK_OK;
    }
    return cs_resolve_parse(flags, &cap->resolve);
}

static void replace_array(GArray **slot, GArray *value)
{
    if (*slot)
        g_array_free(*slot, TRUE);
    *slot = value;
}

int cshark_capture_set_display_filter(cshark_capture *cap, const char *filter)
{
    CS_ENTER();
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
    replace_array(&cap->filter_protocols, protocols);
    cap->full_tree_filter = full_tree;
    return CSHARK_OK;
}

int cshark_capture_set_two_pass(cshark_capture *cap, bool on)
{
    CS_ENTER();
    SETTABLE(cap);
    if (on && cs_source_live(cap->src))
        return cs_error(CSHARK_ESTATE, "%s: a live capture cannot be read twice", cap->path);
    if (on && cs_source_feed(cap->src))
        return cs_error(CSHARK_ESTATE, "%s: fed frames cannot be read twice", cap->path);
    if (on && !cap->src->ops->reread)
        return cs_error(CSHARK_ESTATE, "\"%s\" is a pipe: two-pass mode needs a file it can "
                        "read twice", cap->path);
    cap->two_pass = !!on;
    return CSHARK_OK;
}

int cshark_capture_set_packet_limit(cshark_capture *cap, uint64_t count)
{
    CS_ENTER();
    SETTABLE(cap);
    cap->packet_limit = count;
    return CSHARK_OK;
}

int cshark_capture_set_record_limit(cshark_capture *cap, uint64_t count)
{
    CS_ENTER();
    SETTABLE(cap);
    cap->record_limit = count;
    return CSHARK_OK;
}

int cshark_capture_set_fields(cshark_capture *cap, const char *const *names, size_t count)
{
    CS_ENTER();
    SETTABLE(cap);
    CS_CHECK_ARG(names || !count, "names");
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    int full_tree = 0;
    for (size_t i = 0; i < count; i++) {
        header_field_info *hf;
        int rc = cs_registry_find(names[i], &hf);
        if (rc != CSHARK_OK) {
            g_array_free(ids, TRUE);
            return rc;
        }
        full_tree |= cs_field_needs_full_tree(names[i], strlen(names[i]));
        /* Every registration sharing the name, as lookups match them all. */
        while (hf->same_name_prev_id != -1)
            hf = proto_registrar_get_nth(hf->same_name_prev_id);
        for (; hf; hf = hf->same_name_next)
            g_array_append_val(ids, hf->id);
    }
    replace_array(&cap->fields, ids);
    cap->full_tree_fields = full_tree;
    return CSHARK_OK;
}

int cshark_capture_set_columns(cshark_capture *cap, cshark_columns_mode mode)
{
    CS_ENTER();
    SETTABLE(cap);
    if ((int)mode < CSHARK_COLUMNS_OFF || mode > CSHARK_COLUMNS_ONLY)
        return cs_error(CSHARK_EINVAL, "cshark_capture_set_columns: %d is not a column mode",
                        (int)mode);
    cap->columns_mode = mode;
    return CSHARK_OK;
}

int cshark_capture_set_preference(cshark_capture *cap, const char *name_value)
{
    CS_ENTER();
    SETTABLE(cap);
    CS_CHECK_ARG(name_value, "preference");
    return cs_prefs_set(&cap->prefs, name_value);
}

int cshark_capture_set_decode_as(cshark_capture *cap, const char *rule)
{
    CS_ENTER();
    SETTABLE(cap);
    CS_CHECK_ARG(rule, "rule");
    return cs_prefs_decode_as(&cap->prefs, rule);
}

int cshark_capture_set_protocol(cshark_capture *cap, const char *protocol, bool enabled)
{
    CS_ENTER();
    SETTABLE(cap);
    CS_CHECK_ARG(protocol, "protocol");
    return cs_prefs_protocol(&cap->prefs, protocol, !!enabled);
}

int cshark_capture_set_wlan_key(cshark_capture *cap, const char *type, const char *key)
{
    CS_ENTER();
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
    int rc = cs_prefs_set(&cap->prefs, "wlan.enable_decryption:TRUE");
    if (rc == CSHARK_OK)
        rc = cs_prefs_set(&cap->prefs, rec);
    g_free(rec);
    return rc;
}

/* ---- live options ---------------------------------------------------------- */

/* *LIVE: the capture's live source, settable now. */
static int live_only(cshark_capture *cap, cs_live **live)
{
    int rc = cs_capture_settable(cap);
    if (rc != CSHARK_OK)
        return rc;
    *live = cs_source_live(cap->src);
    if (!*live)
        return cs_error(CSHARK_ESTATE, "\"%s\" is a file: that option is for live captures",
                        cap->path);
    return CSHARK_OK;
}

#define LIVE_SETTER(fn, type, what)                                            \
    int fn(cshark_capture *cap, type value)                                    \
    {                                                                          \
        CS_ENTER();                                                            \
        cs_live *live;                                                         \
        int rc = live_only(cap, &live);                                        \
        return rc != CSHARK_OK ? rc : cs_live_set(live, what, value);          \
    }

LIVE_SETTER(cshark_capture_set_snaplen, int, "snaplen")
LIVE_SETTER(cshark_capture_set_promiscuous, bool, "promisc")
LIVE_SETTER(cshark_capture_set_monitor_mode, bool, "monitor")
LIVE_SETTER(cshark_capture_set_buffer_size, int, "buffer")
LIVE_SETTER(cshark_capture_set_immediate_mode, bool, "immediate")

int cshark_capture_set_capture_filter(cshark_capture *cap, const char *bpf)
{
    CS_ENTER();
    cs_live *live;
    int rc = live_only(cap, &live);
    if (rc != CSHARK_OK)
        return rc;
    CS_CHECK_ARG(bpf, "capture filter");
    return cs_live_set_filter(live, bpf);
}

int cshark_capture_set_duration(cshark_capture *cap, double seconds)
{
    CS_ENTER();
    cs_live *live;
    int rc = live_only(cap, &live);
    if (rc != CSHARK_OK)
        return rc;
    cs_live_set_duration(live, seconds);
    return CSHARK_OK;
}

int cshark_capture_set_output(cshark_capture *cap, const char *path, uint64_t file_kb,
                              unsigned files)
{
    CS_ENTER();
    cs_live *live;
    int rc = live_only(cap, &live);
    if (rc != CSHARK_OK)
        return rc;
    CS_CHECK_ARG(path, "path");
    cs_live_set_output(live, path, file_kb, files);
    return CSHARK_OK;
}

int cshark_capture_set_session_reset(cshark_capture *cap, uint64_t packets)
{
    CS_ENTER();
    SETTABLE(cap);
    cap->reset_every = packets;
    return CSHARK_OK;
}

