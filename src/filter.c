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

/* Whether a filter names one of those: every name-like token of its text (a
 * quoted string that happens to look like one only costs speed). */
static int filter_needs_full_tree(const char *text)
{
    static const char name_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    for (const char *p = text; *p;) {
        size_t n = strspn(p, name_chars);
        if (n && cs_field_needs_full_tree(p, n))
            return 1;
        p += n ? n : 1;
    }
    return 0;
}

int cs_filter_compile(const char *text, dfilter_t **out, const char **warning, int *full_tree)
{
    *out = NULL;
    if (full_tree)
        *full_tree = 0;
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
    if (full_tree)
        *full_tree = filter_needs_full_tree(expanded);
    g_free(expanded);
    describe_deprecated(*out);
    if (warning && warning_buf[0])
        *warning = warning_buf;
    return CSHARK_OK;
}

int cshark_check_filter(const char *filter, const char **warning)
{
    if (warning)
        *warning = NULL;
    CS_CHECK_ARG(filter, "filter");
    if (!cs_engine_ready())
        return CSHARK_ESTATE;
    dfilter_t *df;
    int rc = cs_filter_compile(filter, &df, warning, NULL);
    dfilter_free(df);
    return rc;
}
