/* Summary columns: the engine's own column code, as tshark -T psml and the
 * packet list use it (Wireshark 4.0's column_info API lives here only).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <epan/column.h>
#include <epan/column-info.h>
#include <epan/prefs.h>

#include "internal.h"

struct cs_columns {
    column_info cinfo;
    int n;          /* visible columns                     */
    int *index;     /* visible column -> column_info index  */
    char **formats; /* every column's format, as the preference spells it */
};

cs_columns *cs_columns_new(void)
{
    /* After the capture's preferences: -o gui.column.format shapes them. */
    cs_columns *c = g_new0(cs_columns, 1);
    build_column_format_array(&c->cinfo, prefs.num_cols, TRUE);
    c->index = g_new(int, c->cinfo.num_cols ? c->cinfo.num_cols : 1);
    c->formats = g_new0(char *, c->cinfo.num_cols + 1);
    for (int i = 0; i < c->cinfo.num_cols; i++) {
        if (get_column_visible(i))
            c->index[c->n++] = i;
        if (get_column_format(i) == COL_CUSTOM)
            c->formats[i] = g_strdup_printf("%%Cus:%s:%d:%c", get_column_custom_fields(i),
                                            get_column_custom_occurrence(i),
                                            get_column_resolved(i) ? 'R' : 'U');
        else
            c->formats[i] = g_strdup(col_format_to_string(get_column_format(i)));
    }
    return c;
}

void cs_columns_free(cs_columns *c)
{
    if (!c)
        return;
    col_cleanup(&c->cinfo);
    g_strfreev(c->formats);
    g_free(c->index);
    g_free(c);
}

column_info *cs_columns_info(cs_columns *c)
{
    return c ? &c->cinfo : NULL;
}

int cs_columns_need_tree(cs_columns *c)
{
    return c && have_custom_cols(&c->cinfo);
}

void cs_columns_prime(cs_columns *c, epan_dissect_t *edt)
{
    if (c)
        col_custom_prime_edt(edt, &c->cinfo);
}

void cs_columns_fill(cs_columns *c, cshark_packet *p)
{
    if (!c)
        return;
    epan_dissect_fill_in_columns(p->edt, FALSE, TRUE);
    p->columns = c;
}

/* A kept packet outlives the next fill (and maybe the capture): copy. */
void cs_columns_detach(cshark_packet *p)
{
    cs_columns *c = p->columns;
    if (!c)
        return;
    p->col_copy = wmem_alloc(p->pool, 2 * (size_t)c->n * sizeof *p->col_copy);
    for (int i = 0; i < c->n; i++) {
        p->col_copy[i] = wmem_strdup(p->pool, c->cinfo.columns[c->index[i]].col_title);
        p->col_copy[c->n + i] = wmem_strdup(p->pool, get_column_text(&c->cinfo, c->index[i]));
    }
    p->ncols = c->n;
    p->columns = NULL;
}

size_t cshark_capture_column_count(const cshark_capture *cap)
{
    CS_ENTER_OR(0);
    return cap && cap->columns ? (size_t)cap->columns->n : 0;
}

const char *cshark_capture_column_title(const cshark_capture *cap, size_t i)
{
    CS_ENTER_OR(NULL);
    if (i >= cshark_capture_column_count(cap))
        return NULL;
    return cap->columns->cinfo.columns[cap->columns->index[i]].col_title;
}

size_t cshark_capture_column_format_count(const cshark_capture *cap)
{
    CS_ENTER_OR(0);
    return cap && cap->columns ? (size_t)cap->columns->cinfo.num_cols : 0;
}

const char *cshark_capture_column_format(const cshark_capture *cap, size_t i, bool *shown)
{
    CS_ENTER_OR(NULL);
    if (shown)
        *shown = false;
    if (i >= cshark_capture_column_format_count(cap))
        return NULL;
    if (shown)
        *shown = get_column_visible((int)i);
    return cap->columns->formats[i];
}

size_t cshark_packet_column_count(const cshark_packet *p)
{
    if (!p)
        return 0;
    return p->columns ? (size_t)p->columns->n : (size_t)p->ncols;
}

const char *cshark_packet_column_title(const cshark_packet *p, size_t i)
{
    if (i >= cshark_packet_column_count(p))
        return NULL;
    if (p->columns)
        return p->columns->cinfo.columns[p->columns->index[i]].col_title;
    return p->col_copy[i];
}

const char *cshark_packet_column(const cshark_packet *p, size_t i)
{
    if (i >= cshark_packet_column_count(p))
        return NULL;
    if (p->columns)
        return get_column_text(&p->columns->cinfo, p->columns->index[i]);
    return p->col_copy[p->ncols + i];
}
