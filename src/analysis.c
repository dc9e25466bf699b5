/* Analyses across packets: the engine's taps, attached to one capture.
 * The tap listener queue is the process's, and listeners exist only while
 * their capture does (removed at close), so a capture's analyses never see
 * another capture's packets. Each kind (analysis_*.c) registers its own
 * listeners, formats tshark's text and fills the rows of a snapshot.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "internal.h"

#include <epan/conversation_table.h>
#include <epan/export_object.h>
#include <epan/follow.h>
#include <epan/stats_tree_priv.h>
#include <epan/tap.h>

/* Every kind, by the name its -z argument starts with. */
static const struct {
    const char *name;
    const cs_analysis_kind *kind;
} kinds[] = {
    { "conv", &cs_analysis_conv },
    { "endpoints", &cs_analysis_endpoints },
    { "io,phs", &cs_analysis_phs },
    { "io,stat", &cs_analysis_iostat },
    { "expert", &cs_analysis_expert },
    { "follow", &cs_analysis_follow },
    { "objects", &cs_analysis_objects },
    { "credentials", &cs_analysis_credentials },
};

int cshark_capture_analyze(cshark_capture *cap, const char *spec, cshark_analysis **out)
{
    CS_ENTER();
    CS_CHECK_ARG(out, "analysis");
    *out = NULL;
    CS_CHECK_ARG(spec, "spec");
    CS_CHECK_CAP(cap);
    /* After the first packet, only a file can be read again for it. */
    int late = cap->started, rc;
    if (late) {
        char *what = g_strdup_printf("analysis \"%s\"", spec);
        rc = cs_capture_rereadable(cap, what);
        g_free(what);
        if (rc != CSHARK_OK)
            return rc;
    }
    const cs_analysis_kind *kind = NULL;
    const char *args = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !kind; i++) {
        size_t n = strlen(kinds[i].name);
        /* "expert" alone, or followed by its arguments. */
        if (strncmp(spec, kinds[i].name, n) == 0 && (spec[n] == '\0' || spec[n] == ',')) {
            kind = kinds[i].kind;
            args = spec[n] == ',' ? spec + n + 1 : NULL;
        }
    }
    /* Statistics trees are named by their abbreviation: "dns,tree". */
    const char *tree = strstr(spec, ",tree");
    if (!kind && tree && (tree[5] == '\0' || tree[5] == ',')) {
        kind = &cs_analysis_stats;
        args = spec;
    }
    if (kind) {
        cshark_analysis *a = g_new0(cshark_analysis, 1);
        a->cap = cap;
        a->kind = kind;
        a->spec = g_strdup(spec);
        a->args = args ? a->spec + (args - spec) : NULL;
        rc = a->kind->attach(a, a->args);
        if (rc != CSHARK_OK) {
            g_free(a->spec);
            g_free(a);
            return rc;
        }
        if (late) { /* checked; its listeners wait for the retap's pass */
            a->kind->detach(a);
            a->state = NULL;
            a->pending = 1;
        }
        a->next = cap->analyses;
        cap->analyses = a;
        *out = a;
        return CSHARK_OK;
    }
    return cs_error(CSHARK_EOPTION, "unknown analysis \"%s\" (known: conv,TABLE, endpoints,TABLE, "
                    "io,phs, io,stat,INTERVAL[,COLUMN...], expert, follow,PROTO,MODE,STREAM, ABBR,tree, objects,PROTO, credentials)", spec);
}

int cs_analysis_listen(cshark_analysis *a, const char *tap, void *tapdata, const char *filter,
                       unsigned flags, tap_reset_cb reset, tap_packet_cb packet)
{
    GString *err = register_tap_listener(tap, tapdata, filter, flags, reset, packet, NULL, NULL);
    if (err) {
        int rc = cs_error(CSHARK_EFILTER, "analysis \"%s\": %s", a->spec, err->str);
        g_string_free(err, TRUE);
        return rc;
    }
    /* What the read loop must build for the listeners (tshark's rule). */
    if ((flags & TL_REQUIRES_PROTO_TREE) || (filter && *filter))
        a->cap->taps_need_tree = 1;
    return CSHARK_OK;
}

void cs_analyses_start(cshark_capture *cap)
{
    for (cshark_analysis *a = cap->analyses; a; a = a->next)
        if (a->kind->start)
            a->kind->start(a);
}

void cs_analyses_detach(cshark_capture *cap)
{
    for (cshark_analysis *a = cap->analyses; a; a = a->next) {
        if (!a->pending)
            a->kind->detach(a);
        a->state = NULL;
        a->pending = 1;
    }
}

int cs_analyses_attach(cshark_capture *cap)
{
    /* Oldest first, as they were first attached (tshark's draw order). */
    GPtrArray *order = g_ptr_array_new();
    for (cshark_analysis *a = cap->analyses; a; a = a->next)
        g_ptr_array_insert(order, 0, a);
    int rc = CSHARK_OK;
    for (guint i = 0; i < order->len && rc == CSHARK_OK; i++) {
        cshark_analysis *a = g_ptr_array_index(order, i);
        rc = a->kind->attach(a, a->args);
        a->pending = rc != CSHARK_OK;
    }
    g_ptr_array_free(order, TRUE);
    return rc;
}

/* CSHARK_OK, or CSHARK_ESTATE for an analysis still waiting for a retap. */
int cs_analysis_ready(const cshark_analysis *a)
{
    if (!a->pending)
        return CSHARK_OK;
    return cs_error(CSHARK_ESTATE, "analysis \"%s\" was attached after \"%s\"'s first packet: "
                    "cshark_capture_retap() runs it over the file", a->spec, a->cap->path);
}

void cs_analyses_free(cshark_capture *cap)
{
    cshark_analysis *next;
    for (cshark_analysis *a = cap->analyses; a; a = next) {
        next = a->next;
        if (!a->pending)
            a->kind->detach(a);
        if (a->text)
            g_string_free(a->text, TRUE);
        if (a->cells)
            g_array_free(a->cells, TRUE);
        if (a->strings)
            g_string_chunk_free(a->strings);
        g_free(a->spec);
        g_free(a);
    }
    cap->analyses = NULL;
}

int cshark_capture_run(cshark_capture *cap)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    /* As tshark -q: no tree unless a filter or an analysis needs one. */
    if (!cap->started)
        cap->quiet = 1;
    int rc = cs_capture_skim(cap);
    if (rc != 1)
        return rc;
    cshark_packet *p;
    while ((rc = cshark_capture_next(cap, &p)) == CSHARK_PACKET)
        ;
    return rc;
}

const char *cshark_analysis_text(cshark_analysis *a)
{
    CS_ENTER_OR(NULL);
    if (!a) {
        cs_error(CSHARK_EINVAL, "cshark_analysis_text: analysis is NULL");
        return NULL;
    }
    if (cs_analysis_ready(a) != CSHARK_OK)
        return NULL;
    if (!a->text)
        a->text = g_string_sized_new(1024);
    g_string_truncate(a->text, 0);
    /* Addresses and ports are labelled as the capture resolves names. */
    cs_engine_use_resolution(a->cap->resolve);
    a->kind->text(a, a->text);
    return a->text->str;
}

/* ---- the snapshot ------------------------------------------------------- */

int cshark_analysis_rows(cshark_analysis *a, size_t *count)
{
    CS_ENTER();
    CS_CHECK_ARG(count, "count");
    *count = 0;
    CS_CHECK_ARG(a, "analysis");
    int rc = cs_analysis_ready(a);
    if (rc != CSHARK_OK)
        return rc;
    if (!a->cells)
        a->cells = g_array_new(FALSE, TRUE, sizeof(cs_cell));
    g_array_set_size(a->cells, 0);
    if (a->strings)
        g_string_chunk_clear(a->strings);
    else
        a->strings = g_string_chunk_new(4096);
    a->nrows = 0;
    cs_engine_use_resolution(a->cap->resolve);
    a->kind->rows(a);
    *count = a->nrows;
    return CSHARK_OK;
}

cs_cell *cs_analysis_add_row(cshark_analysis *a)
{
    size_t n = a->kind->ncolumns;
    g_array_set_size(a->cells, (a->nrows + 1) * n);
    return &g_array_index(a->cells, cs_cell, a->nrows++ * n);
}

const char *cs_analysis_keep(cshark_analysis *a, const char *s)
{
    return g_string_chunk_insert_const(a->strings, s ? s : "");
}

size_t cshark_analysis_column_count(const cshark_analysis *a)
{
    return a ? a->kind->ncolumns : 0;
}

const char *cshark_analysis_column_name(const cshark_analysis *a, size_t col)
{
    return a && col < a->kind->ncolumns ? a->kind->columns[col].name : NULL;
}

cshark_type cshark_analysis_column_type(const cshark_analysis *a, size_t col)
{
    return a && col < a->kind->ncolumns ? a->kind->columns[col].type : CSHARK_TYPE_NONE;
}

int cshark_analysis_column_index(const cshark_analysis *a, const char *name, size_t *column)
{
    CS_CHECK_ARG(a, "analysis");
    CS_CHECK_ARG(name, "name");
    CS_CHECK_ARG(column, "column");
    for (size_t c = 0; c < a->kind->ncolumns; c++) {
        if (strcmp(a->kind->columns[c].name, name) == 0) {
            *column = c;
            return CSHARK_OK;
        }
    }
    return cs_error(CSHARK_ENOTFOUND, "analysis \"%s\" has no column \"%s\"", a->spec, name);
}

/* The cell at ROW, COL of type TYPE, or NULL with the error set. */
static const cs_cell *cell(const cshark_analysis *a, size_t row, size_t col, cshark_type type,
                           int *rc)
{
    if (!a) {
        *rc = cs_error(CSHARK_EINVAL, "analysis is NULL");
        return NULL;
    }
    if (row >= a->nrows || col >= a->kind->ncolumns) {
        *rc = cs_error(CSHARK_EINVAL, "analysis \"%s\": no cell at row %zu, column %zu "
                       "(%zu rows, %zu columns)", a->spec, row, col, a->nrows, a->kind->ncolumns);
        return NULL;
    }
    if (a->kind->columns[col].type != type) {
        *rc = cs_error(CSHARK_ETYPE, "analysis \"%s\": column \"%s\" has another type",
                       a->spec, a->kind->columns[col].name);
        return NULL;
    }
    *rc = CSHARK_OK;
    return &g_array_index(a->cells, cs_cell, row * a->kind->ncolumns + col);
}

int cshark_analysis_uint(const cshark_analysis *a, size_t row, size_t col, uint64_t *value)
{
    CS_ENTER();
    CS_CHECK_ARG(value, "value");
    int rc;
    const cs_cell *c = cell(a, row, col, CSHARK_TYPE_UINT, &rc);
    if (c)
        *value = c->u;
    return rc;
}

int cshark_analysis_double(const cshark_analysis *a, size_t row, size_t col, double *value)
{
    CS_ENTER();
    CS_CHECK_ARG(value, "value");
    int rc;
    const cs_cell *c = cell(a, row, col, CSHARK_TYPE_DOUBLE, &rc);
    if (c)
        *value = c->d;
    return rc;
}

int cshark_analysis_string(const cshark_analysis *a, size_t row, size_t col, const char **value)
{
    CS_ENTER();
    CS_CHECK_ARG(value, "value");
    int rc;
    const cs_cell *c = cell(a, row, col, CSHARK_TYPE_STRING, &rc);
    *value = c ? c->s : NULL;
    return rc;
}

int cshark_analysis_bytes(const cshark_analysis *a, size_t row, size_t col, const uint8_t **data,
                          size_t *length)
{
    CS_ENTER();
    CS_CHECK_ARG(data, "data");
    CS_CHECK_ARG(length, "length");
    int rc;
    const cs_cell *c = cell(a, row, col, CSHARK_TYPE_BYTES, &rc);
    *data = c ? c->b.data : NULL;
    *length = c ? c->b.length : 0;
    return rc;
}

/* ---- the list of what can be attached ----------------------------------- */

static gboolean add_table(const void *key _U_, void *value, void *data)
{
    const char *name = proto_get_protocol_filter_name(get_conversation_proto_id(value));
    g_ptr_array_add(data, g_strdup_printf("conv,%s", name));
    if (strcmp(name, "mptcp") != 0) /* refused: see analysis_conv.c */
        g_ptr_array_add(data, g_strdup_printf("endpoints,%s", name));
    return FALSE;
}

static gboolean add_follower(const void *key _U_, void *value, void *data)
{
    g_ptr_array_add(data, g_strdup_printf("follow,%s",
                                          proto_get_protocol_filter_name(get_follow_proto_id(value))));
    return FALSE;
}

static gboolean add_objects(const void *key, void *value _U_, void *data)
{
    g_ptr_array_add(data, g_strdup_printf("objects,%s", (const char *)key));
    return FALSE;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cshark_analysis_list(const char *const **names, size_t *count)
{
    CS_ENTER();
    CS_CHECK_ARG(names, "names");
    CS_CHECK_ARG(count, "count");
    static GPtrArray *list;
    int rc = cs_engine_check();
    if (rc != CSHARK_OK)
        return rc;
    if (!list) {
        list = g_ptr_array_new();
        conversation_table_iterate_tables(add_table, list);
        follow_iterate_followers(add_follower, list);
        eo_iterate_tables(add_objects, list);
        GList *trees = stats_tree_get_cfg_list();
        for (GList *l = trees; l; l = l->next)
            g_ptr_array_add(list, g_strdup_printf("%s,tree", ((stats_tree_cfg *)l->data)->abbr));
        g_list_free(trees);
        g_ptr_array_add(list, g_strdup("io,phs"));
        g_ptr_array_add(list, g_strdup("io,stat"));
        g_ptr_array_add(list, g_strdup("expert"));
        g_ptr_array_add(list, g_strdup("credentials"));
        g_ptr_array_sort(list, by_name);
    }
    *names = (const char *const *)list->pdata;
    *count = list->len;
    return CSHARK_OK;
}
