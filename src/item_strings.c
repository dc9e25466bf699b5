/* An item's strings, as tshark writes them: PDML's show, showname, value
 * and unmaskedvalue, and -T fields' text. With item.c, the only files that
 * read Wireshark 4.0's field_info, header_field_info and fvalue_t. The
 * string rules are those of epan/print.c and proto.c's labels, so that
 * values equal tshark's.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <epan/addr_resolv.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <wsutil/to_str.h>

#include "internal.h"

#define FI(it) CS_FI(it)

cshark_kind cs_field_kind(proto_node *node, int top, int *wrap)
{
    const header_field_info *hf = PNODE_FINFO(node)->hfinfo;
    *wrap = top && (hf->type != FT_PROTOCOL || hf->id == cs_proto_data);
    if (hf->id == hf_text_only)
        return CSHARK_ITEM_TEXT;
    if (hf->type == FT_PROTOCOL && hf->id != proto_expert && hf->id != cs_proto_data)
        return CSHARK_ITEM_PROTO;
    return CSHARK_ITEM_FIELD;
}

static wmem_allocator_t *pool_of(const cshark_item *it)
{
    return it->packet->pool;
}

#define NONE ((cs_str){ NULL, 0 })
#define LIT(x) ((cs_str){ (x), sizeof(x) - 1 })

static cs_str str_of(const char *s)
{
    return (cs_str){ s, s ? strlen(s) : 0 };
}

/* The string an XML parser reads back from print.c's escaping: control
 * characters other than TAB/LF/CR become the text "\xN"; TAB, LF, CR and
 * CR LF are normalised to one space (XML attribute-value normalisation).
 * Returns s itself when nothing changes (the common case). S is
 * NUL-terminated, LEN its length. */
static cs_str pdml_text_n(wmem_allocator_t *pool, const char *s, size_t len)
{
    const unsigned char *q = (const unsigned char *)s, *end = q + len;
    /* Eight bytes at a time: any byte below 0x20 or equal to 0x7f? */
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    for (uint64_t x, del; end - q >= 8; q += 8) {
        memcpy(&x, q, 8);
        del = x ^ (ones * 0x7f);
        if ((((x - ones * 0x20) & ~x) | ((del - ones) & ~del)) & high)
            break;
    }
    while (q < end && *q >= 0x20 && *q != 0x7f)
        q++;
    if (q == end)
        return (cs_str){ s, len };
    /* Worst case: every byte becomes "\\xNN". */
    char *out = wmem_alloc(pool, len * 4 + 1);
    size_t head = (size_t)((const char *)q - s);
    memcpy(out, s, head);
    char *o = out + head;
    for (; *q; q++) {
        if (*q >= 0x20 && *q != 0x7f) {
            *o++ = (char)*q;
        } else if (*q == '\r' && q[1] == '\n') {
            continue; /* CR LF reads as one LF */
        } else if (*q == '\t' || *q == '\n' || *q == '\r') {
            *o++ = ' ';
        } else {
            o += snprintf(o, 5, "\\x%x", *q);
        }
    }
    *o = '\0';
    return (cs_str){ out, (size_t)(o - out) };
}

static cs_str pdml_text(wmem_allocator_t *pool, const char *s)
{
    return s ? pdml_text_n(pool, s, strlen(s)) : NONE;
}

/* The bytes of an item in its data source, as print.c's get_field_data:
 * NULL when the source is not among the packet's data sources. */
const guint8 *cs_field_bytes(const cshark_item *it, gint *length)
{
    const field_info *fi = FI(it);
    const cshark_packet *p = it->packet;
    *length = 0;
    size_t i = 0;
    for (GSList *l = p->edt->pi.data_src; l; l = l->next, i++) {
        tvbuff_t *tvb = get_data_source_tvb((struct data_source *)l->data);
        if (fi->ds_tvb != tvb)
            continue;
        if (p->frozen_src && p->frozen_src[i].data) {
            /* The source's own bytes are gone with its session. */
            gint remaining = p->frozen_src[i].length - fi->start;
            if (fi->start < 0 || remaining < 0)
                return NULL;
            *length = MIN(fi->length, remaining);
            return p->frozen_src[i].data + fi->start;
        }
        gint remaining = tvb_captured_length_remaining(tvb, fi->start);
        if (remaining < 0)
            return NULL;
        *length = MIN(fi->length, remaining);
        return tvb_get_ptr(tvb, fi->start, *length);
    }
    return NULL;
}

static const char *source_name(wmem_allocator_t *pool, const struct data_source *src)
{
    char *name = get_data_source_name(src);
    const char *copy = wmem_strdup(pool, name);
    wmem_free(NULL, name);
    return copy;
}

int cshark_item_source(const cshark_item *it, const char **name, const uint8_t **data,
                       size_t *length)
{
    CS_ENTER();
    CS_CHECK_ARG(it, "item");
    CS_CHECK_ARG(name, "name");
    CS_CHECK_ARG(data, "data");
    CS_CHECK_ARG(length, "length");
    *name = NULL;
    *data = NULL;
    *length = 0;
    cshark_packet *p = it->packet;
    const field_info *fi = it->node ? FI(it) : NULL;
    size_t i = 0;
    for (GSList *l = fi && fi->ds_tvb ? p->edt->pi.data_src : NULL; l; l = l->next, i++) {
        tvbuff_t *tvb = get_data_source_tvb((struct data_source *)l->data);
        if (fi->ds_tvb != tvb)
            continue;
        const cs_src_copy *frozen = p->frozen_src ? &p->frozen_src[i] : NULL;
        if (frozen && frozen->name) {
            *name = frozen->name;
            if (frozen->data) { /* the session, and its sources, are gone */
                *data = frozen->data;
                *length = (size_t)frozen->length;
                return CSHARK_OK;
            }
        } else {
            char *n = get_data_source_name(l->data);
            size_t len = strlen(n) + 1;
            char *copy = cs_packet_alloc(p, len);
            memcpy(copy, n, len);
            wmem_free(NULL, n);
            *name = copy;
        }
        guint len = tvb_captured_length(tvb);
        *data = len ? tvb_get_ptr(tvb, 0, (gint)len) : NULL;
        *length = *data ? len : 0;
        return CSHARK_OK;
    }
    return cs_error(CSHARK_ENOTFOUND, "item \"%s\" of frame %u has no data source",
                    it->hf ? it->hf->abbrev : "fake-field-wrapper", p->fd->num);
}

/* A session's end frees the bytes of the data sources it made (reassembled,
 * decrypted, decompressed), which a kept packet's tvbs still point to; the
 * frame's own bytes are the packet's. Copy the others into the packet. */
void cs_field_freeze_sources(cshark_packet *p)
{
    size_t n = g_slist_length(p->edt->pi.data_src), i = 0;
    if (p->frozen_src || n < 2)
        return;
    cs_src_copy *copies = wmem_alloc0(p->pool, n * sizeof *copies);
    for (GSList *l = p->edt->pi.data_src; l; l = l->next, i++) {
        tvbuff_t *tvb = get_data_source_tvb((struct data_source *)l->data);
        if (tvb) /* the engine's name reads the tvb */
            copies[i].name = source_name(p->pool, l->data);
        if (!tvb || tvb == p->edt->tvb)
            continue;
        guint len = tvb_captured_length(tvb);
        const guint8 *d = len ? tvb_get_ptr(tvb, 0, (gint)len) : NULL;
        if (!d)
            continue;
        copies[i].data = wmem_memdup(p->pool, d, len);
        copies[i].length = (gint)len;
    }
    p->frozen_src = copies;
}

/* Hex of the item's bytes; "" when its data source is unknown, NULL when it
 * has no tvb at all (-T fields then skips the occurrence). */
static cs_str hex_value(const cshark_item *it)
{
    const field_info *fi = FI(it);
    static const char digits[] = "0123456789abcdef";
    if (!fi->ds_tvb)
        return NONE;
    if (fi->length > tvb_captured_length_remaining(fi->ds_tvb, fi->start))
        return LIT("field length invalid!");
    gint len;
    const guint8 *pd = cs_field_bytes(it, &len);
    if (!pd)
        return LIT("");
    /* Two hex digits per byte from one table: values are the bulk of PDML. */
    static char pairs[512];
    if (!pairs[0])
        for (int b = 0; b < 256; b++)
            pairs[2 * b] = digits[b >> 4], pairs[2 * b + 1] = digits[b & 15];
    char *s = wmem_alloc(pool_of(it), (size_t)fi->length * 2 + 1);
    for (gint i = 0; i < fi->length; i++)
        memcpy(s + 2 * i, pairs + 2 * pd[i], 2);
    s[2 * fi->length] = '\0';
    return (cs_str){ s, (size_t)fi->length * 2 };
}

static const char *raw_label(const cshark_item *it)
{
    field_info *fi = FI(it);
    if (fi->rep)
        return fi->rep->representation;
    char *buf = wmem_alloc(pool_of(it), ITEM_LABEL_LENGTH);
    proto_item_fill_label(fi, buf);
    return buf;
}

/* Types whose text never holds a control character: numbers, addresses, hex
 * bytes and times (by volume, the bulk of PDML) need no second look. */
static int plain_repr(enum ftenum t)
{
    switch (t) {
    case FT_BOOLEAN: case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32:
    case FT_UINT40: case FT_UINT48: case FT_UINT56: case FT_UINT64: case FT_INT8:
    case FT_INT16: case FT_INT24: case FT_INT32: case FT_INT40: case FT_INT48: case FT_INT56:
    case FT_INT64: case FT_FLOAT: case FT_DOUBLE: case FT_ABSOLUTE_TIME: case FT_RELATIVE_TIME:
    case FT_ETHER: case FT_BYTES: case FT_UINT_BYTES: case FT_IPv4: case FT_IPv6:
    case FT_FRAMENUM: case FT_GUID: case FT_EUI64: case FT_IPXNET:
        return 1;
    default:
        return 0;
    }
}

/* ftype-string.c's display text of a string is its bytes with each NUL
 * written as "\0", built one byte at a time through a wmem_strbuf: without
 * a NUL, the bytes themselves (they live as long as the packet's tree). */
static cs_str string_as_is(field_info *fi)
{
    switch (fvalue_type_ftenum(&fi->value)) {
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD:
    case FT_STRINGZTRUNC:
        break;
    default:
        return NONE;
    }
    const wmem_strbuf_t *sb = fvalue_get_strbuf(&fi->value);
    if (!sb)
        return NONE;
    const char *s = wmem_strbuf_get_str(sb);
    size_t n = wmem_strbuf_get_len(sb);
    return memchr(s, '\0', n) ? NONE : (cs_str){ s, n };
}

/* ftype-bytes.c's display text of bytes: lower-case hex pairs joined by
 * ':' ('.' or '-' as the display asks), "" when empty. */
static int bytes_hex(cshark_item *it, cs_str *out)
{
    field_info *fi = FI(it);
    switch (fvalue_type_ftenum(&fi->value)) {
    case FT_BYTES: case FT_UINT_BYTES: case FT_ETHER:
        break;
    default:
        return 0;
    }
    const GByteArray *ba = fi->value.value.bytes;
    if (!ba)
        return 0;
    char punct = ':';
    if (FIELD_DISPLAY(fi->hfinfo->display) == SEP_DOT)
        punct = '.';
    else if (FIELD_DISPLAY(fi->hfinfo->display) == SEP_DASH)
        punct = '-';
    if (ba->len == 0) {
        *out = LIT("");
        return 1;
    }
    static const char digits[] = "0123456789abcdef";
    size_t n = (size_t)ba->len * 3 - 1;
    char *s = wmem_alloc(pool_of(it), n + 1), *o = s;
    for (guint i = 0; i < ba->len; i++) {
        if (i)
            *o++ = punct;
        *o++ = digits[ba->data[i] >> 4];
        *o++ = digits[ba->data[i] & 15];
    }
    *o = '\0';
    *out = (cs_str){ s, n };
    return 1;
}

cs_str cs_field_show(cshark_item *it)
{
    if (!it->node || cs_item_is_data(it))
        return NONE;
    field_info *fi = FI(it);
    if (it->kind == CSHARK_ITEM_TEXT)
        return pdml_text(pool_of(it), fi->rep ? fi->rep->representation : "");
    switch (fi->hfinfo->type) {
    case FT_PROTOCOL:
        return NONE;
    case FT_NONE:
        return LIT("");
    default: {
        cs_str hex;
        if (bytes_hex(it, &hex))
            return hex;
        cs_str str = string_as_is(fi);
        if (str.s)
            return pdml_text_n(pool_of(it), str.s, str.n);
        const char *repr = fvalue_to_string_repr(pool_of(it), &fi->value, FTREPR_DISPLAY,
                                                 fi->hfinfo->display);
        return plain_repr(fi->hfinfo->type) ? str_of(repr) : pdml_text(pool_of(it), repr);
    }
    }
}

/* How the engine's label of an item (proto.c's proto_item_fill_label) is
 * made, when it is "Name: " and a text we already have: then the value is
 * formatted once, for show, rather than twice. */
enum label_kind {
    LABEL_ENGINE,       /* anything else: ask the engine                  */
    LABEL_SHOW,         /* "Name: " show                                  */
    LABEL_SHOW_SECONDS, /* "Name: " show " seconds"                       */
    LABEL_STRING,       /* "Name: " the string, if it is printable ASCII  */
    LABEL_BIT_BOOLEAN   /* "..1. = Name: " the true/false string         */
};

static enum label_kind label_kind(const field_info *fi)
{
    const header_field_info *hf = fi->hfinfo;
    /* fill_label_boolean: the container's width is the display (1 to 64;
     * anything else is the engine's to report). */
    if (hf->type == FT_BOOLEAN && hf->bitmask && !fi->rep)
        return hf->display >= 1 && hf->display <= 64 ? LABEL_BIT_BOOLEAN : LABEL_ENGINE;
    if (fi->rep || hf->strings || hf->bitmask)
        return LABEL_ENGINE;
    guint32 v;
    switch (hf->type) {
    /* fill_label_number, label_fill; ftype-integer.c's repr: same digits,
     * same hex width for an unmasked field. */
    case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32:
        if (hf->display == BASE_DEC)
            return LABEL_SHOW;
        /* The show text has the type's width of hex digits, the label all
         * of them: a dissector may put a wider value in a narrow field. */
        v = fvalue_get_uinteger((fvalue_t *)&fi->value); /* not const in 4.0 */
        return hf->display == BASE_HEX &&
                       (hf->type == FT_UINT32 || v <= (hf->type == FT_UINT8    ? 0xffu
                                                       : hf->type == FT_UINT16 ? 0xffffu
                                                                               : 0xffffffu))
                   ? LABEL_SHOW
                   : LABEL_ENGINE;
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
        return hf->display == BASE_DEC ? LABEL_SHOW : LABEL_ENGINE;
    /* address_with_resolution_to_str is address_to_str when the address is
     * not to be resolved: ip_to_str as ftype-ipv4.c's repr, and always
     * ':'-joined hex for Ethernet (show follows the field's separator). */
    case FT_IPv4:
        return hf->display == BASE_NETMASK || !gbl_resolv_flags.network_name ? LABEL_SHOW
                                                                             : LABEL_ENGINE;
    case FT_ETHER: /* the label reads six bytes whatever the value holds */
        return !gbl_resolv_flags.mac_name && FIELD_DISPLAY(hf->display) != SEP_DOT &&
                       FIELD_DISPLAY(hf->display) != SEP_DASH && fi->value.value.bytes &&
                       fi->value.value.bytes->len == 6
                   ? LABEL_SHOW
                   : LABEL_ENGINE;
    /* rel_time_to_secs_str in both. */
    case FT_RELATIVE_TIME:
        return LABEL_SHOW_SECONDS;
    /* abs_time_to_str_ex(display, with the zone) in both. */
    case FT_ABSOLUTE_TIME:
        return LABEL_SHOW;
    /* label_fill of format_text_string(), which leaves printable ASCII as
     * it is. */
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD:
    case FT_STRINGZTRUNC:
        return hf->display & BASE_NO_DISPLAY_VALUE ? LABEL_ENGINE : LABEL_STRING;
    default:
        return LABEL_ENGINE;
    }
}

/* fill_label_boolean for a bit field: the container's bits ('.' outside
 * the mask, the value's bits inside, a space every four) and " = ", then
 * label_fill of the true or false string. */
static cs_str bit_boolean_label(cshark_item *it)
{
    const field_info *fi = FI(it);
    const header_field_info *hf = fi->hfinfo;
    const true_false_string *tfs = hf->strings ? hf->strings : &tfs_true_false;
    guint64 value = fvalue_get_uinteger64((fvalue_t *)&fi->value); /* not const in 4.0 */
    guint64 bits = value << __builtin_ctzll(hf->bitmask); /* hfinfo_bitshift */
    const char *text = value ? tfs->true_string : tfs->false_string;
    int width = hf->display;
    size_t n = strlen(hf->name), t = strlen(text);
    size_t len = (size_t)width + (size_t)(width - 1) / 4 + 3 + n + 2 + t;
    if (len >= ITEM_LABEL_LENGTH) /* the engine marks it truncated */
        return NONE;
    char *s = wmem_alloc(pool_of(it), len + 1), *o = s;
    for (int i = 0; i < width; i++) {
        guint64 bit = G_GUINT64_CONSTANT(1) << (width - 1 - i);
        if (i && i % 4 == 0)
            *o++ = ' ';
        *o++ = (hf->bitmask & bit) ? ((bits & bit) ? '1' : '0') : '.';
    }
    memcpy(o, " = ", 3);
    memcpy(o + 3, hf->name, n);
    memcpy(o + 3 + n, ": ", 2);
    memcpy(o + 5 + n, text, t + 1);
    return (cs_str){ s, len };
}

static int printable_ascii(cs_str t)
{
    for (size_t i = 0; i < t.n; i++)
        if ((unsigned char)t.s[i] < 0x20 || (unsigned char)t.s[i] > 0x7e)
            return 0;
    return 1;
}


cs_str cs_field_showname(cshark_item *it)
{
    if (!it->node || cs_item_is_data(it) || it->kind == CSHARK_ITEM_TEXT)
        return NONE;
    field_info *fi = FI(it);
    cs_str text = NONE, suffix = LIT("");
    switch (label_kind(fi)) {
    case LABEL_SHOW:
        text = cs_item_cached(it, &it->show, cs_field_show);
        break;
    case LABEL_SHOW_SECONDS:
        text = cs_item_cached(it, &it->show, cs_field_show);
        suffix = LIT(" seconds");
        break;
    case LABEL_STRING:
        text = string_as_is(fi);
        if (text.s && !printable_ascii(text))
            text = NONE;
        break;
    case LABEL_BIT_BOOLEAN: {
        cs_str label = bit_boolean_label(it);
        if (label.s)
            return label;
        break;
    }
    case LABEL_ENGINE:
        break;
    }
    if (text.s) {
        size_t n = strlen(fi->hfinfo->name), len = n + 2 + text.n + suffix.n;
        if (len < ITEM_LABEL_LENGTH) { /* else the engine marks it truncated */
            char *s = wmem_alloc(pool_of(it), len + 1);
            memcpy(s, fi->hfinfo->name, n);
            memcpy(s + n, ": ", 2);
            memcpy(s + n + 2, text.s, text.n);
            memcpy(s + n + 2 + text.n, suffix.s, suffix.n + 1);
            return (cs_str){ s, len };
        }
    }
    /* A label the engine composed ("Name: value") from a value that cannot
     * hold control characters needs no second look either. */
    if (!fi->rep && plain_repr(fi->hfinfo->type))
        return str_of(raw_label(it));
    return pdml_text(pool_of(it), raw_label(it));
}

cs_str cs_field_label(cshark_item *it)
{
    return it->node ? str_of(raw_label(it)) : NONE;
}

static cs_str upper_hex(wmem_allocator_t *pool, guint64 v)
{
    char tmp[17];
    int i = 16;
    tmp[i] = '\0';
    do
        tmp[--i] = "0123456789ABCDEF"[v & 15];
    while (v >>= 4);
    return (cs_str){ wmem_strdup(pool, tmp + i), (size_t)(16 - i) };
}

/* A bit field's value is its masked integer in upper-case hex ("%X"). */
static cs_str masked_value(cshark_item *it)
{
    field_info *fi = FI(it);
    fvalue_t *fv = &fi->value;
    switch (fvalue_type_ftenum(fv)) {
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
        return upper_hex(pool_of(it), (guint)fvalue_get_sinteger(fv));
    case FT_CHAR: case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32:
        return upper_hex(pool_of(it), fvalue_get_uinteger(fv));
    case FT_INT40: case FT_INT48: case FT_INT56: case FT_INT64:
        return upper_hex(pool_of(it), (guint64)fvalue_get_sinteger64(fv));
    case FT_UINT40: case FT_UINT48: case FT_UINT56: case FT_UINT64: case FT_BOOLEAN:
        return upper_hex(pool_of(it), fvalue_get_uinteger64(fv));
    default:
        return hex_value(it); /* print.c asserts; never seen in practice */
    }
}

cs_str cs_field_value(cshark_item *it)
{
    if (!it->node)
        return NONE;
    field_info *fi = FI(it);
    cs_str h;
    if (cs_item_is_data(it)) {
        h = hex_value(it);
        return h.s ? h : LIT("");
    }
    if (it->kind == CSHARK_ITEM_TEXT) {
        if (fi->length <= 0)
            return NONE;
        h = hex_value(it);
        return h.s ? h : LIT("");
    }
    switch (fi->hfinfo->type) {
    case FT_PROTOCOL:
        return NONE;
    case FT_NONE:
        return LIT("");
    default:
        if (fi->length <= 0)
            return NONE;
        if (fi->hfinfo->bitmask)
            return masked_value(it);
        h = hex_value(it);
        return h.s ? h : LIT("");
    }
}

cs_str cs_field_unmasked(cshark_item *it)
{
    if (!it->node || cs_item_is_data(it) || it->kind == CSHARK_ITEM_TEXT)
        return NONE;
    field_info *fi = FI(it);
    if (fi->hfinfo->type == FT_PROTOCOL || fi->hfinfo->type == FT_NONE || fi->length <= 0 ||
        !fi->hfinfo->bitmask)
        return NONE;
    cs_str h = hex_value(it);
    return h.s ? h : LIT("");
}

int cs_field_pos(const cshark_item *it)
{
    if (!it->node || cs_item_is_data(it))
        return -1;
    const field_info *fi = FI(it);
    const proto_node *parent = it->node->parent;
    if (parent && parent->finfo && fi->start < parent->finfo->start)
        return parent->finfo->start + fi->start;
    return fi->start;
}

/* print.c's get_node_field_value: one occurrence for -T fields. */
cs_str cs_field_fields_value(cshark_item *it)
{
    if (!it->node)
        return NONE;
    field_info *fi = FI(it);
    const header_field_info *hf = fi->hfinfo;
    if (it->kind == CSHARK_ITEM_TEXT)
        return fi->rep ? str_of(fi->rep->representation) : hex_value(it);
    if (cs_item_is_data(it))
        return hex_value(it);
    switch (hf->type) {
    case FT_PROTOCOL:
        return str_of(fi->rep ? fi->rep->representation : hf->abbrev);
    case FT_NONE:
        return LIT("1");
    case FT_BYTES:
    case FT_UINT_BYTES: {
        const guint8 *bytes = fvalue_get_bytes(&fi->value);
        if (!bytes)
            return (hf->display & BASE_ALLOW_ZERO) ? LIT("<none>") : LIT("<MISSING>");
        guint len = fi->value.value.bytes->len;
        char sep = 0;
        switch (hf->display) {
        case SEP_DOT: sep = '.'; break;
        case SEP_DASH: sep = '-'; break;
        case SEP_COLON: sep = ':'; break;
        case SEP_SPACE: sep = ' '; break;
        default: break;
        }
        char *s = wmem_alloc(pool_of(it), (size_t)len * 3 + 1);
        char *end = sep ? bytes_to_hexstr_punct(s, bytes, len, sep) : bytes_to_hexstr(s, bytes, len);
        *end = '\0';
        return (cs_str){ s, (size_t)(end - s) };
    }
    default: {
        char *s = fvalue_to_string_repr(pool_of(it), &fi->value, FTREPR_DISPLAY, hf->display);
        return s ? str_of(s) : hex_value(it);
    }
    }
}
