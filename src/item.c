/* The item API: name, position, size, flags, its PDML strings (formatted by
 * item_strings.c, cached here), type, and
 * the value as a C type. With item_strings.c, the only files that read Wireshark
 * 4.0's field_info, header_field_info and fvalue_t.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <string.h>

#include <epan/ftypes/ftypes.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tfs.h>
#include <epan/value_string.h>

#include "internal.h"

#define FI(it) CS_FI(it)

const char *cshark_item_name(const cshark_item *it)
{
    if (!it)
        return NULL;
    if (!it->node)
        return "fake-field-wrapper";
    if (it->kind == CSHARK_ITEM_TEXT)
        return "";
    return FI(it)->hfinfo->abbrev;
}

int64_t cshark_item_pos(const cshark_item *it)
{
    return it ? cs_field_pos(it) : -1;
}

int64_t cshark_item_size(const cshark_item *it)
{
    if (!it || !it->node || cs_item_is_data(it))
        return -1;
    return FI(it)->length;
}

bool cshark_item_hidden(const cshark_item *it)
{
    if (!it || !it->node || cs_item_is_data(it) || it->kind == CSHARK_ITEM_TEXT)
        return 0;
    return (cshark_item_flags(it) & CSHARK_FLAG_HIDDEN) != 0;
}

unsigned cshark_item_flags(const cshark_item *it)
{
    if (!it || !it->node)
        return 0;
    unsigned flags = 0;
    if (proto_item_is_hidden(it->node) && !prefs.display_hidden_proto_items)
        flags |= CSHARK_FLAG_HIDDEN;
    if (proto_item_is_generated(it->node))
        flags |= CSHARK_FLAG_GENERATED;
    return flags;
}

const char *cshark_item_type_name(const cshark_item *it)
{
    return it && it->node ? ftype_name(FI(it)->hfinfo->type) : NULL;
}

const char *cshark_item_display_name(const cshark_item *it)
{
    if (!it || !it->node || it->kind == CSHARK_ITEM_TEXT)
        return NULL;
    return FI(it)->hfinfo->name;
}

/* ---- PDML strings, formatted by item_strings.c once and cached ---------- */

/* Another thread may read a formatted slot while cshark_capture_next()
 * formats this packet's others (cs_view_freeze): the length is stored
 * before the string pointer is published, and read after it. */
cs_str cs_item_cached(const cshark_item *cit, cs_str *slot, cs_str (*compute)(cshark_item *))
{
    const char *s = __atomic_load_n(&slot->s, __ATOMIC_ACQUIRE);
    if (s != cs_unset)
        return (cs_str){ s, slot->n };
    /* Formatting calls the engine: a string accessor's name for the guard. */
    CS_ENTER_AS("cshark_item_* (a string not formatted yet)", ((cs_str){ NULL, 0 }));
    cs_str v = compute((cshark_item *)cit);
    slot->n = v.n;
    __atomic_store_n(&slot->s, v.s, __ATOMIC_RELEASE);
    return v;
}

static int slot_set(const cs_str *slot)
{
    return __atomic_load_n(&slot->s, __ATOMIC_ACQUIRE) != cs_unset;
}

#define CACHED(it, slot, compute)                                              \
    do {                                                                       \
        if (!(it))                                                             \
            return NULL;                                                       \
        return cs_item_cached((it), &((cshark_item *)(it))->slot, compute).s;          \
    } while (0)

const char *cshark_item_show(const cshark_item *it) { CACHED(it, show, cs_field_show); }
const char *cshark_item_showname(const cshark_item *it) { CACHED(it, showname, cs_field_showname); }
const char *cshark_item_raw_value(const cshark_item *it) { CACHED(it, value, cs_field_value); }
const char *cshark_item_unmaskedvalue(const cshark_item *it) { CACHED(it, unmasked, cs_field_unmasked); }
const char *cshark_item_label(const cshark_item *it) { CACHED(it, label, cs_field_label); }
const char *cshark_item_fields_text(const cshark_item *it) { CACHED(it, fvalue, cs_field_fields_value); }

bool cshark_item_formatted(const cshark_item *it, unsigned strings)
{
    return it && (!(strings & CSHARK_STR_SHOW) || slot_set(&it->show)) &&
           (!(strings & CSHARK_STR_SHOWNAME) || slot_set(&it->showname)) &&
           (!(strings & CSHARK_STR_RAW_VALUE) || slot_set(&it->value)) &&
           (!(strings & CSHARK_STR_UNMASKED) || slot_set(&it->unmasked));
}

int cshark_packet_format_fields(cshark_packet *p, const cshark_field *const *fields, size_t n,
                                unsigned strings)
{
    CS_ENTER();
    CS_CHECK_ARG(p, "packet");
    CS_CHECK_ARG(fields || !n, "fields");
    for (size_t f = 0; f < n; f++) {
        const cshark_item *const *items;
        size_t count;
        int rc = cshark_packet_fields_of(p, fields[f], &items, &count);
        if (rc != CSHARK_OK)
            return rc;
        for (size_t i = 0; i < count; i++) {
            if (strings & CSHARK_STR_SHOW)
                cshark_item_show(items[i]);
            if (strings & CSHARK_STR_SHOWNAME)
                cshark_item_showname(items[i]);
            if (strings & CSHARK_STR_RAW_VALUE)
                cshark_item_raw_value(items[i]);
            if (strings & CSHARK_STR_UNMASKED)
                cshark_item_unmaskedvalue(items[i]);
        }
    }
    return CSHARK_OK;
}

int cshark_item_pdml(const cshark_item *it, cshark_pdml *out)
{
    CS_ENTER();
    CS_CHECK_ARG(it, "item");
    CS_CHECK_ARG(out, "pdml");
    if (out->version != CSHARK_PDML_VERSION)
        return cs_error(CSHARK_EINVAL, "cshark_item_pdml: version %u is not %u "
                        "(initialise with CSHARK_PDML_INIT)", out->version, CSHARK_PDML_VERSION);
    cshark_item *m = (cshark_item *)it;
    cs_str v;
    out->name = cshark_item_name(it);
    out->name_len = strlen(out->name);
    v = cs_item_cached(it, &m->showname, cs_field_showname);
    out->showname = v.s, out->showname_len = v.n;
    v = cs_item_cached(it, &m->show, cs_field_show);
    out->show = v.s, out->show_len = v.n;
    v = cs_item_cached(it, &m->value, cs_field_value);
    out->value = v.s, out->value_len = v.n;
    v = cs_item_cached(it, &m->unmasked, cs_field_unmasked);
    out->unmaskedvalue = v.s, out->unmaskedvalue_len = v.n;
    out->pos = cs_field_pos(it);
    out->size = (int)cshark_item_size(it);
    out->hidden = cshark_item_hidden(it);
    return CSHARK_OK;
}

/* ---- typed values -------------------------------------------------------- */

int cshark_item_data(const cshark_item *it, const uint8_t **data, size_t *length)
{
    CS_ENTER();
    CS_CHECK_ARG(it, "item");
    CS_CHECK_ARG(data, "data");
    CS_CHECK_ARG(length, "length");
    *data = NULL;
    *length = 0;
    if (!it->node || !FI(it)->ds_tvb || FI(it)->length <= 0)
        return CSHARK_OK;
    gint len;
    *data = cs_field_bytes(it, &len);
    *length = *data ? (size_t)len : 0;
    return CSHARK_OK;
}

cshark_type cs_type_of(enum ftenum t)
{
    switch (t) {
    case FT_NONE: return CSHARK_TYPE_NONE;
    case FT_PROTOCOL: return CSHARK_TYPE_PROTOCOL;
    case FT_BOOLEAN: return CSHARK_TYPE_BOOLEAN;
    case FT_CHAR: case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32:
    case FT_UINT40: case FT_UINT48: case FT_UINT56: case FT_UINT64: case FT_FRAMENUM:
        return CSHARK_TYPE_UINT;
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
    case FT_INT40: case FT_INT48: case FT_INT56: case FT_INT64:
        return CSHARK_TYPE_INT;
    case FT_FLOAT: case FT_DOUBLE: return CSHARK_TYPE_DOUBLE;
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD:
    case FT_STRINGZTRUNC:
        return CSHARK_TYPE_STRING;
    case FT_BYTES: case FT_UINT_BYTES: case FT_ETHER: case FT_AX25:
    case FT_VINES: case FT_FCWWN: case FT_OID: case FT_REL_OID: case FT_SYSTEM_ID:
        return CSHARK_TYPE_BYTES;
    case FT_IPv4: return CSHARK_TYPE_IPV4;
    case FT_IPv6: return CSHARK_TYPE_IPV6;
    case FT_ABSOLUTE_TIME: return CSHARK_TYPE_ABSOLUTE_TIME;
    case FT_RELATIVE_TIME: return CSHARK_TYPE_RELATIVE_TIME;
    default: return CSHARK_TYPE_OTHER;
    }
}

cshark_type cshark_item_type(const cshark_item *it)
{
    if (!it || !it->node || it->kind == CSHARK_ITEM_TEXT)
        return CSHARK_TYPE_NONE;
    return cs_type_of(FI(it)->hfinfo->type);
}

static int type_error(const cshark_item *it, const char *want)
{
    return cs_error(CSHARK_ETYPE, "field \"%s\" is of type %s, which has no %s value",
                    cshark_item_name(it), it->node ? ftype_name(FI(it)->hfinfo->type) : "none",
                    want);
}

#define TYPED_ARGS(it, out)                                                    \
    CS_CHECK_ARG(it, "item");                                                  \
    CS_CHECK_ARG(out, "value")

int cshark_item_uint(const cshark_item *it, uint64_t *value)
{
    CS_ENTER();
    TYPED_ARGS(it, value);
    cshark_type t = cshark_item_type(it);
    if (t != CSHARK_TYPE_UINT && t != CSHARK_TYPE_BOOLEAN)
        return type_error(it, "unsigned integer");
    fvalue_t *fv = &FI(it)->value;
    *value = IS_FT_UINT32(fvalue_type_ftenum(fv)) ? fvalue_get_uinteger(fv)
                                                   : fvalue_get_uinteger64(fv);
    return CSHARK_OK;
}

int cshark_item_int(const cshark_item *it, int64_t *value)
{
    CS_ENTER();
    TYPED_ARGS(it, value);
    cshark_type t = cshark_item_type(it);
    if (t == CSHARK_TYPE_UINT) {
        uint64_t u;
        cshark_item_uint(it, &u);
        if (u > INT64_MAX)
            return cs_error(CSHARK_ETYPE, "field \"%s\": %" PRIu64 " does not fit a signed "
                            "64-bit integer", cshark_item_name(it), u);
        *value = (int64_t)u;
        return CSHARK_OK;
    }
    if (t != CSHARK_TYPE_INT)
        return type_error(it, "integer");
    fvalue_t *fv = &FI(it)->value;
    *value = IS_FT_INT32(fvalue_type_ftenum(fv)) ? fvalue_get_sinteger(fv)
                                                 : fvalue_get_sinteger64(fv);
    return CSHARK_OK;
}

int cshark_item_double(const cshark_item *it, double *value)
{
    CS_ENTER();
    TYPED_ARGS(it, value);
    if (cshark_item_type(it) != CSHARK_TYPE_DOUBLE)
        return type_error(it, "floating-point");
    *value = fvalue_get_floating(&FI(it)->value);
    return CSHARK_OK;
}

int cshark_item_bytes(const cshark_item *it, const uint8_t **data, size_t *length)
{
    CS_ENTER();
    TYPED_ARGS(it, data);
    CS_CHECK_ARG(length, "length");
    enum ftenum ft = it->node ? FI(it)->hfinfo->type : FT_NONE;
    if (cshark_item_type(it) != CSHARK_TYPE_BYTES && ft != FT_GUID)
        return type_error(it, "byte");
    fvalue_t *fv = &FI(it)->value;
    if (ft == FT_GUID) {
        *data = (const uint8_t *)fvalue_get_guid(fv);
        *length = sizeof(e_guid_t);
    } else {
        /* 4.0 keeps every byte-like type in a GByteArray. */
        *data = fv->value.bytes ? fv->value.bytes->data : NULL;
        *length = fv->value.bytes ? fv->value.bytes->len : 0;
    }
    return CSHARK_OK;
}

int cshark_item_ipv4(const cshark_item *it, uint8_t address[4])
{
    CS_ENTER();
    TYPED_ARGS(it, address);
    if (cshark_item_type(it) != CSHARK_TYPE_IPV4)
        return type_error(it, "IPv4 address");
    guint32 net = fvalue_get_uinteger(&FI(it)->value); /* network byte order */
    memcpy(address, &net, 4);
    return CSHARK_OK;
}

int cshark_item_ipv6(const cshark_item *it, uint8_t address[16])
{
    CS_ENTER();
    TYPED_ARGS(it, address);
    if (cshark_item_type(it) != CSHARK_TYPE_IPV6)
        return type_error(it, "IPv6 address");
    memcpy(address, fvalue_get_bytes(&FI(it)->value), 16);
    return CSHARK_OK;
}

int cshark_item_time(const cshark_item *it, int64_t *seconds, int32_t *nanoseconds)
{
    CS_ENTER();
    TYPED_ARGS(it, seconds);
    CS_CHECK_ARG(nanoseconds, "nanoseconds");
    cshark_type t = cshark_item_type(it);
    if (t != CSHARK_TYPE_ABSOLUTE_TIME && t != CSHARK_TYPE_RELATIVE_TIME)
        return type_error(it, "time");
    const nstime_t *ts = fvalue_get_time(&FI(it)->value);
    *seconds = (int64_t)ts->secs;
    *nanoseconds = ts->nsecs;
    return CSHARK_OK;
}

int cshark_item_string(const cshark_item *it, const char **value)
{
    CS_ENTER();
    TYPED_ARGS(it, value);
    if (cshark_item_type(it) != CSHARK_TYPE_STRING)
        return type_error(it, "string");
    *value = fvalue_get_string(&FI(it)->value);
    return CSHARK_OK;
}

const char *cshark_item_value_label(const cshark_item *it)
{
    if (!it || !it->node || it->kind == CSHARK_ITEM_TEXT)
        return NULL;
    const header_field_info *hf = FI(it)->hfinfo;
    /* FT_FRAMENUM's strings is no table but a ft_framenum_type_t (FT_FRAMENUM_ACK
     * is 3, tcp.analysis.acks_frame): reading it as one crashed (found by
     * fuzz_capture). */
    if (!hf->strings || hf->type == FT_FRAMENUM || (hf->display & BASE_UNIT_STRING) ||
        FIELD_DISPLAY(hf->display) == BASE_CUSTOM)
        return NULL;
    if (hf->type == FT_BOOLEAN) {
        uint64_t v;
        return cshark_item_uint(it, &v) == CSHARK_OK
                   ? tfs_get_string(v != 0, (const true_false_string *)hf->strings) : NULL;
    }
    cshark_type t = cshark_item_type(it);
    uint64_t u;
    int64_t i;
    if (t == CSHARK_TYPE_INT && cshark_item_int(it, &i) == CSHARK_OK)
        u = (uint64_t)i;
    else if (t != CSHARK_TYPE_UINT || cshark_item_uint(it, &u) != CSHARK_OK)
        return NULL;
    /* The engine's value_string lookups (proto.c's own is not exported). */
    if (hf->display & BASE_RANGE_STRING)
        return try_rval64_to_str(u, (const range_string *)hf->strings);
    if (hf->display & BASE_EXT_STRING)
        return hf->display & BASE_VAL64_STRING
                   ? try_val64_to_str_ext(u, (val64_string_ext *)hf->strings)
                   : try_val_to_str_ext((guint32)u, (value_string_ext *)hf->strings);
    if (hf->display & BASE_VAL64_STRING)
        return try_val64_to_str(u, (const val64_string *)hf->strings);
    return try_val_to_str((guint32)u, (const value_string *)hf->strings);
}

int cshark_item_seconds(const cshark_item *it, double *seconds)
{
    CS_ENTER();
    CS_CHECK_ARG(seconds, "seconds");
    int64_t s;
    int32_t ns;
    int rc = cshark_item_time(it, &s, &ns);
    if (rc == CSHARK_OK)
        *seconds = (double)s + ns / 1e9;
    return rc;
}

/* In an invisible tree the engine fakes every item not primed: the
 * capture's fields of interest, and those its filter and columns primed
 * (marked by the engine's 4.0 ref_type until a tree holding them resets). */
static int primed(const cshark_packet *p, const header_field_info *hf)
{
    const GArray *fields = p->session->fields;
    while (hf->same_name_prev_id != -1)
        hf = proto_registrar_get_nth(hf->same_name_prev_id);
    for (; hf; hf = hf->same_name_next) {
        if (hf->ref_type == HF_REF_TYPE_DIRECT)
            return 1;
        for (guint i = 0; fields && i < fields->len; i++)
            if (g_array_index(fields, int, i) == hf->id)
                return 1;
    }
    return 0;
}

int cs_field_not_primed(const cshark_packet *p, const header_field_info *hf)
{
    const proto_tree *tree = p->edt->tree;
    if (!tree)
        return 1;
    if (PTREE_DATA(tree)->visible)
        return 0;
    return !hf || !primed(p, hf);
}
