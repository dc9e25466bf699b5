/* Dissection options of one capture: preference overrides, decode-as rules,
 * enabled/disabled protocols. The engine keeps them in globals, so each
 * change is recorded with what it replaced and undone when the capture
 * closes: a capture opened later dissects as if it had never been set.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/proto.h>
#include <epan/uat-int.h>

#include "internal.h"

typedef enum { UNDO_PREF, UNDO_UAT, UNDO_UINT, UNDO_STRING, UNDO_PAYLOAD, UNDO_PROTO } undo_kind;

typedef struct {
    undo_kind kind;
    char *name;       /* "module.pref:old value", a table name, or a protocol */
    char *selector;   /* UNDO_STRING */
    guint32 lo, hi;   /* UNDO_UINT range */
    uat_t *uat;       /* UNDO_UAT */
    guint rows, user_rows; /* UNDO_UAT: raw and valid rows before */
    int enabled;      /* UNDO_PROTO: state before */
    pref_t *pref;     /* UNDO_PREF: the preference, and its module */
    module_t *module;
} undo_t;

static void push(cs_prefs *o, undo_t u)
{
    if (!o->undo)
        o->undo = g_array_new(FALSE, FALSE, sizeof(undo_t));
    g_array_append_val(o->undo, u);
    o->changed = 1;
}

/* ---- preferences ---------------------------------------------------------- */

/* The preference NAME names, found as prefs_set_pref() finds it: the module
 * is the shortest dotted prefix naming a module or a protocol's alias
 * ("ssl" for tls), the rest a preference of it or of a submodule. *CANONICAL
 * gets "module.rest" (g_free it), a name that needs no alias. */
static pref_t *find_pref(const char *name, char **canonical, module_t **module)
{
    *canonical = NULL;
    for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
        char *mod = g_strndup(name, (gsize)(dot - name));
        module_t *m = prefs_find_module(mod);
        if (!m) {
            header_field_info *hf = proto_registrar_get_byalias(mod);
            m = hf ? prefs_find_module(hf->abbrev) : NULL;
        }
        g_free(mod);
        if (m) {
            pref_t *pref = prefs_find_preference(m, dot + 1);
            if (pref)
                *canonical = g_strdup_printf("%s.%s", m->name, dot + 1);
            *module = m;
            return pref;
        }
    }
    return NULL;
}

/* Every preference's value as text, to find what a name the lookup above
 * does not resolve (the engine's legacy module names, "bxxp.…") changed. */
typedef struct {
    GHashTable *before; /* pref_t * -> its value before, as text */
    cs_prefs *o;      /* diff pass: where the undo entries go */
    module_t *module;
} pref_scan;

static guint scan_pref(pref_t *pref, gpointer data)
{
    pref_scan *s = data;
    char *now = prefs_pref_to_str(pref, pref_current);
    if (!s->o) {
        g_hash_table_insert(s->before, pref, now ? now : g_strdup(""));
        return 0;
    }
    const char *was = g_hash_table_lookup(s->before, pref);
    if (was && strcmp(was, now ? now : "") != 0)
        push(s->o, (undo_t){ .kind = UNDO_PREF, .pref = pref, .module = s->module,
                             .name = g_strdup_printf("%s.%s:%s", s->module->name,
                                                     prefs_get_name(pref), was) });
    g_free(now);
    return 0;
}

static guint scan_module(module_t *m, gpointer data)
{
    pref_scan *s = data;
    s->module = m;
    return prefs_pref_foreach(m, scan_pref, s);
}

typedef struct {
    const char *file;
    uat_t *found;
} uat_search;

static void match_uat(void *table, void *data)
{
    uat_search *s = data;
    uat_t *u = table;
    if (!s->found && u->filename && strcmp(u->filename, s->file) == 0)
        s->found = u;
}

static int set_uat(cs_prefs *o, const char *arg)
{
    /* "uat:TABLE:record" adds one record to a user table (802.11 keys…). */
    const char *table = arg + 4, *colon = strchr(table, ':');
    char *name = colon ? g_strndup(table, (gsize)(colon - table)) : g_strdup(table);
    /* -o names a user table by its file name ("80211_keys"), as uat_find. */
    uat_search search = { name, NULL };
    uat_foreach_table(match_uat, &search);
    uat_t *uat = search.found;
    if (!uat || !colon) {
        int rc = cs_error(CSHARK_EOPTION, "preference \"%s\": %s", arg,
                          uat ? "expected uat:TABLE:RECORD" : "no such user table");
        g_free(name);
        return rc;
    }
    g_free(name);
    guint rows = uat->raw_data->len, user_rows = uat->user_data->len;
    char *copy = g_strdup(arg), *err = NULL;
    prefs_set_pref_e r = prefs_set_pref(copy, &err);
    g_free(copy);
    if (r != PREFS_SET_OK) {
        int rc = cs_error(CSHARK_EOPTION, "preference \"%s\": invalid record%s%s", arg,
                          err ? ": " : "", err ? err : "");
        g_free(err);
        return rc;
    }
    push(o, (undo_t){ .kind = UNDO_UAT, .uat = uat, .rows = rows, .user_rows = user_rows });
    return CSHARK_OK;
}

int cs_prefs_set(cs_prefs *o, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg)
        return cs_error(CSHARK_EOPTION, "preference \"%s\": expected NAME:VALUE", arg);
    if (strncmp(arg, "uat:", 4) == 0)
        return set_uat(o, arg);

    char *name = g_strndup(arg, (gsize)(colon - arg)), *canonical;
    module_t *module = NULL;
    pref_t *pref = find_pref(name, &canonical, &module);
    /* The engine reads any word but TRUE as FALSE: "maybe" would silently
     * mean off. A deliberate difference from tshark: refuse it. */
    const char *v = colon + 1;
    if (pref && prefs_get_type(pref) == PREF_BOOL && g_ascii_strcasecmp(v, "TRUE") != 0 &&
        g_ascii_strcasecmp(v, "FALSE") != 0) {
        g_free(name);
        g_free(canonical);
        return cs_error(CSHARK_EOPTION, "preference \"%.*s\": invalid value \"%s\" (use TRUE "
                        "or FALSE)", (int)(colon - arg), arg, v);
    }
    char *old = pref ? prefs_pref_to_str(pref, pref_current) : NULL;
    pref_scan scan = { NULL, NULL, NULL };
    if (!pref) {
        scan.before = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        prefs_modules_foreach(scan_module, &scan);
    }
    char *copy = g_strdup(arg), *err = NULL;
    prefs_set_pref_e r = prefs_set_pref(copy, &err);
    g_free(copy);
    int rc = CSHARK_OK;
    switch (r) {
    case PREFS_SET_OK:
        if (pref) {
            push(o, (undo_t){ .kind = UNDO_PREF, .pref = pref, .module = module,
                              .name = g_strdup_printf("%s:%s", canonical, old ? old : "") });
        } else {
            scan.o = o; /* undo whatever it changed */
            prefs_modules_foreach(scan_module, &scan);
        }
        break;
    case PREFS_SET_NO_SUCH_PREF:
        rc = cs_error(CSHARK_EOPTION, "preference \"%s\": no such preference", name);
        break;
    case PREFS_SET_OBSOLETE:
        rc = cs_error(CSHARK_EOPTION, "preference \"%s\": obsolete preference", name);
        break;
    default:
        rc = cs_error(CSHARK_EOPTION, "preference \"%s\": invalid value \"%s\"%s%s", name,
                      colon + 1, err ? ": " : "", err ? err : "");
        break;
    }
    g_free(err);
    g_free(old);
    g_free(name);
    g_free(canonical);
    if (scan.before)
        g_hash_table_destroy(scan.before);
    return rc;
}

/* ---- decode as ------------------------------------------------------------ */

typedef struct {
    const char *name;
    dissector_handle_t handle;
    guint matches;
} handle_search;

static void match_handle(const gchar *table, gpointer handle, gpointer data)
{
    (void)table;
    handle_search *s = data;
    int id = dissector_handle_get_protocol_index((dissector_handle_t)handle);
    if (id != -1 && strcmp(proto_get_protocol_filter_name(id), s->name) == 0 && !s->matches++)
        s->handle = handle;
}

static char *trimmed(const char *s, size_t n)
{
    while (n && *s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    return g_strndup(s, n);
}

/* "layer==selector,proto" as tshark -d: the selector may be a number, a range
 * "a-b" or "a:count", or a string, as the table's type wants. */
int cs_prefs_decode_as(cs_prefs *o, const char *rule)
{
    const char *eq = strchr(rule, '='), *comma = strrchr(rule, ',');
    if (!comma || (eq && eq > comma))
        return cs_error(CSHARK_EOPTION, "decode-as \"%s\": expected LAYER==SELECTOR,PROTOCOL",
                        rule);
    char *table = trimmed(rule, (size_t)((eq ? eq : comma) - rule));
    char *proto = trimmed(comma + 1, strlen(comma + 1));
    const char *sel = eq ? eq + (eq[1] == '=' ? 2 : 1) : comma;
    char *selector = trimmed(sel, (size_t)(comma - sel));
    int rc = CSHARK_OK;

    dissector_table_t dt = *table ? find_dissector_table(table) : NULL;
    header_field_info *alias = proto_registrar_get_byalias(proto);
    handle_search s = { alias ? alias->abbrev : proto, NULL, 0 };
    if (!dt) {
        rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": unknown layer type \"%s\"", rule, table);
        goto out;
    }
    dissector_table_foreach_handle(table, match_handle, &s);
    if (!s.handle) {
        rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": %s \"%s\"%s%s%s", rule,
                      proto_get_id_by_filter_name(proto) == -1 ? "unknown protocol"
                                                               : "protocol",
                      proto, proto_get_id_by_filter_name(proto) == -1 ? "" : " isn't valid for layer type \"",
                      proto_get_id_by_filter_name(proto) == -1 ? "" : table,
                      proto_get_id_by_filter_name(proto) == -1 ? "" : "\"");
        goto out;
    }

    ftenum_t type = get_dissector_table_selector_type(table);
    if (type == FT_UINT8 || type == FT_UINT16 || type == FT_UINT24 || type == FT_UINT32) {
        char *end;
        guint64 lo = g_ascii_strtoull(selector, &end, 0), hi = lo;
        if (end == selector || lo > G_MAXUINT32)
            goto bad_selector;
        if (*end == '-' || *end == ':') {
            char op = *end, *start = end + 1;
            guint64 v = g_ascii_strtoull(start, &end, 0);
            if (end == start || *end || v > G_MAXUINT32)
                goto bad_selector;
            hi = op == '-' ? v : lo + v - 1;
            if ((op == '-' && v < lo) || (op == ':' && (v == 0 || hi > G_MAXUINT32)))
                goto bad_selector;
        } else if (*end) {
            goto bad_selector;
        }
        /* tshark takes any 32-bit value, and a range of 2^32 ports takes it
         * hours: a value the table's selector cannot hold, or a range of more
         * than 65536 values, is refused. */
        guint64 max = type == FT_UINT8 ? 0xFF : type == FT_UINT16 ? 0xFFFF
                    : type == FT_UINT24 ? 0xFFFFFF : G_MAXUINT32;
        if (hi > max) {
            rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": selector \"%s\" is out of range for "
                          "layer type \"%s\" (0 to %" G_GUINT64_FORMAT ")", rule, selector, table,
                          max);
            goto out;
        }
        if (hi - lo >= 65536) {
            rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": a range of %" G_GUINT64_FORMAT
                          " values (at most 65536)", rule, hi - lo + 1);
            goto out;
        }
        for (guint64 v = lo; v <= hi; v++)
            dissector_change_uint(table, (guint32)v, s.handle);
        push(o, (undo_t){ .kind = UNDO_UINT, .name = g_strdup(table), .lo = (guint32)lo,
                          .hi = (guint32)hi });
    } else if (IS_FT_STRING(type)) {
        dissector_change_string(table, selector, s.handle);
        push(o, (undo_t){ .kind = UNDO_STRING, .name = g_strdup(table),
                          .selector = g_strdup(selector) });
    } else if (type == FT_NONE) {
        dissector_change_payload(table, s.handle);
        push(o, (undo_t){ .kind = UNDO_PAYLOAD, .name = g_strdup(table) });
    } else {
        rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": layer type \"%s\" cannot be changed",
                      rule, table);
    }
    goto out;
bad_selector:
    rc = cs_error(CSHARK_EOPTION, "decode-as \"%s\": invalid selector \"%s\"", rule, selector);
out:
    g_free(table);
    g_free(proto);
    g_free(selector);
    return rc;
}

/* ---- protocols ------------------------------------------------------------ */

int cs_prefs_protocol(cs_prefs *o, const char *name, int enabled)
{
    int id = proto_get_id_by_filter_name(name);
    if (id == -1)
        return cs_error(CSHARK_EOPTION, "protocol \"%s\": no such protocol", name);
    protocol_t *p = find_protocol_by_id(id);
    if (!proto_can_toggle_protocol(id))
        return cs_error(CSHARK_EOPTION, "protocol \"%s\" cannot be %s", name,
                        enabled ? "enabled" : "disabled");
    int before = proto_is_protocol_enabled(p);
    proto_set_decoding(id, enabled);
    push(o, (undo_t){ .kind = UNDO_PROTO, .name = g_strdup(name), .enabled = before });
    return CSHARK_OK;
}

/* ---- undo ----------------------------------------------------------------- */

/* A port range preference ("beep.tcp.port") puts its dissector in a table.
 * Setting it again does not take the ports it had out: 4.0's set_pref()
 * deletes the new range's ports instead of the old ones (and a single port
 * preference, "acap.tcp.port", deletes nothing). Before the old
 * value goes back, reset the ports of the current one to what the table
 * had (HTTP's port 80 is HTTP's again), as pref_unstash() does. */
static void unset_decode_as(const undo_t *u)
{
    int type = u->pref ? prefs_get_type(u->pref) : 0;
    if (type != PREF_DECODE_AS_RANGE && type != PREF_DECODE_AS_UINT)
        return;
    const char *table = prefs_get_name(u->pref);
    dissector_table_t t = find_dissector_table(table);
    if (!t || !dissector_table_get_dissector_handle(t, u->module->title))
        return;
    if (type == PREF_DECODE_AS_UINT) { /* the same: setting one adds it only */
        guint port = prefs_get_uint_value_real(u->pref, pref_current);
        if (port)
            dissector_reset_uint(table, port);
        return;
    }
    range_t *r = prefs_get_range_value_real(u->pref, pref_current);
    for (guint i = 0; r && i < r->nranges; i++)
        for (guint32 port = r->ranges[i].low;; port++) {
            dissector_reset_uint(table, port);
            if (port >= r->ranges[i].high)
                break;
        }
}

void cs_prefs_apply(cs_prefs *o)
{
    if (o->changed)
        prefs_apply_all();
}

void cs_prefs_restore(cs_prefs *o)
{
    if (!o->undo)
        return;
    for (guint i = o->undo->len; i-- > 0;) {
        undo_t *u = &g_array_index(o->undo, undo_t, i);
        char *err = NULL;
        switch (u->kind) {
        case UNDO_PREF:
            unset_decode_as(u);
            prefs_set_pref(u->name, &err);
            g_free(err);
            break;
        case UNDO_UAT:
            /* Drop the records we added: the raw copy and the dissectors' one. */
            while (u->uat->raw_data->len > u->rows)
                uat_remove_record_idx(u->uat, u->uat->raw_data->len - 1);
            for (guint k = u->user_rows; k < u->uat->user_data->len; k++)
                if (u->uat->free_cb)
                    u->uat->free_cb(UAT_USER_INDEX_PTR(u->uat, k));
            g_array_set_size(u->uat->user_data, u->user_rows);
            UAT_UPDATE(u->uat);
            if (u->uat->post_update_cb)
                u->uat->post_update_cb();
            break;
        case UNDO_UINT:
            for (guint64 v = u->lo; v <= u->hi; v++)
                dissector_reset_uint(u->name, (guint32)v);
            break;
        case UNDO_STRING:
            dissector_reset_string(u->name, u->selector);
            break;
        case UNDO_PAYLOAD:
            dissector_reset_payload(u->name);
            break;
        case UNDO_PROTO:
            proto_set_decoding(proto_get_id_by_filter_name(u->name), u->enabled);
            break;
        }
        g_free(u->name);
        g_free(u->selector);
    }
    g_array_free(o->undo, TRUE);
    o->undo = NULL;
    if (o->changed)
        prefs_apply_all();
    o->changed = 0;
}
