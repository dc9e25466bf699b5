/* Display filters: compiled by the engine, with tshark's error text (message,
 * the filter, and a caret line under the fault) and deprecation warnings.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <epan/dfilter/dfilter.h>
#include <wsutil/str_util.h>

#include "internal.h"

static _Thread_local char warning_buf[1024];

/* The GUI's wording: an aliased field name, or the engine's own sentence. */
static void describe_deprecated(dfilter_t *df)
{
    GPtrArray *depr = df ? dfilter_deprecated_tokens(df) : NULL;
    warning_buf[0] = '\0';
    if (!depr || depr->len == 0)
        return;
    const char *token = g_ptr_array_index(depr, 0);
    char *name = g_strndup(token, strcspn(token, "."));
    header_field_info *hf = proto_registrar_get_byalias(name);
    if (hf)
        g_snprintf(warning_buf, sizeof warning_buf, "\"%s\" is deprecated in favour of \"%s\"",
                   name, hf->abbrev);
    else
        g_strlcpy(warning_buf, token, sizeof warning_buf);
    g_free(name);
}

/* Items the engine adds only while it builds other items: the string and
 * length checks of proto.c (trailing stray characters, type/length
 * mismatches, number/date/byte-string decoding errors, some of them thrown
 * as malformed packets), and the expert summary that lists them. A tree
 * that builds only the fields of interest skips the items they come from,
 * so asking for these needs the whole tree, as tshark -V, -T fields and
 * PyShark's PDML see it. */
static const char *const side_effect_protocols[] = {
    "_ws.expert", "_ws.malformed", "_ws.string", "_ws.type_length",
    "_ws.number_string", "_ws.byte_array_string", "_ws.date_time_string",
};

int cs_field_needs_full_tree(const char *name, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(side_effect_protocols); i++) {
        size_t n = strlen(side_effect_protocols[i]);
        if (len >= n && strncmp(name, side_effect_protocols[i], n) == 0 &&
            (len == n || name[n] == '.'))
            return 1;
    }
    return 0;
}

static void add_protocol(const char *name, size_t len, GArray **ids)
{
    char *s = g_strndup(name, len);
    header_field_info *hf = proto_registrar_get_byname(s);
    if (!hf)
        hf = proto_registrar_get_byalias(s);
    g_free(s);
    while (hf && hf->same_name_prev_id != -1)
        hf = proto_registrar_get_nth(hf->same_name_prev_id);
    for (; hf; hf = hf->same_name_next) {
        if (hf->type != FT_PROTOCOL)
            continue;
        if (!*ids)
            *ids = g_array_new(FALSE, FALSE, sizeof(int));
        guint i = 0;
        while (i < (*ids)->len && g_array_index(*ids, int, i) != hf->id)
            i++;
        if (i == (*ids)->len)
            g_array_append_val(*ids, hf->id);
    }
}

/* What a filter's names need: the whole tree (one of those items), and the
 * protocol fields for cs_filter_guard. Every name-like token of its text is
 * looked at: a quoted string that looks like a name only costs a little. */
static void scan_names(const char *text, int *full_tree, GArray **protocols)
{
    static const char name_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    for (const char *p = text; *p;) {
        size_t n = strspn(p, name_chars);
        if (n && cs_field_needs_full_tree(p, n))
            *full_tree = 1;
        if (n)
            add_protocol(p, n, protocols);
        p += n ? n : 1;
    }
}

int cs_filter_compile(const char *text, dfilter_t **out, const char **warning, int *full_tree,
                      GArray **protocols)
{
    *out = NULL;
    if (full_tree)
        *full_tree = 0;
    if (protocols)
        *protocols = NULL;
    if (warning)
        *warning = NULL;
    char *err = NULL;
    /* Macros first, as tshark does; then compile the expansion. */
    char *expanded = dfilter_expand(text, &err);
    if (!expanded) {
        cs_error(CSHARK_EFILTER, "%s", err ? err : "invalid display filter");
        g_free(err);
        return CSHARK_EFILTER;
    }
    dfilter_loc_t loc = { -1, 0 };
    if (!dfilter_compile_real(expanded, out, &err, &loc, __func__, FALSE, FALSE)) {
        if (loc.col_start >= 0) {
            char *caret = ws_strdup_underline(NULL, loc.col_start, loc.col_len);
            cs_error(CSHARK_EFILTER, "%s\n    %s\n    %s", err, expanded, caret);
            g_free(caret);
        } else {
            cs_error(CSHARK_EFILTER, "%s", err ? err : "invalid display filter");
        }
        g_free(err);
        g_free(expanded);
        *out = NULL;
        return CSHARK_EFILTER;
    }
    if (full_tree && protocols)
        scan_names(expanded, full_tree, protocols);
    g_free(expanded);
    describe_deprecated(*out);
    if (warning && warning_buf[0])
        *warning = warning_buf;
    return CSHARK_OK;
}

/* Engine 4.0 fault: a protocol item added without a tvb (the expert infos,
 * _ws.expert) keeps neither bytes nor a name in its value, and ==, !=, the
 * orderings and `in` then strcmp() a NULL: tshark -Y '_ws.expert == "x"'
 * segfaults, and so would the program or Python process using us. Before a
 * filter runs, such values get an empty tvb: they compare as no bytes, which
 * is what they cover. Only the protocol fields the filter names are looked
 * at (scan_names), a lookup each per packet. (4.0's fvalue_t is public; 4.2
 * makes it opaque, and this goes or changes with it.) */
static tvbuff_t *no_bytes;

void cs_filter_guard(epan_dissect_t *edt, const GArray *protocols)
{
    for (guint i = 0; protocols && i < protocols->len; i++) {
        GPtrArray *items = proto_get_finfo_ptr_array(edt->tree, g_array_index(protocols, int, i));
        for (guint j = 0; items && j < items->len; j++) {
            field_info *fi = g_ptr_array_index(items, j);
            protocol_value_t *v = &fi->value.value.protocol;
            if (v->tvb)
                continue;
            if (!no_bytes)
                no_bytes = tvb_new_real_data((const guint8 *)"", 0, 0);
            v->tvb = no_bytes;         /* not private: the value never frees it */
            v->tvb_is_private = FALSE;
            v->length = 0;
        }
    }
}

void cs_filter_cleanup(void)
{
    if (no_bytes)
        tvb_free(no_bytes);
    no_bytes = NULL;
}

int cshark_filter_check(const char *filter, const char **warning)
{
    CS_ENTER();
    if (warning)
        *warning = NULL;
    CS_CHECK_ARG(filter, "filter");
    int erc = cs_engine_check();
    if (erc != CSHARK_OK)
        return erc;
    dfilter_t *df;
    int rc = cs_filter_compile(filter, &df, warning, NULL, NULL);
    dfilter_free(df);
    return rc;
}
