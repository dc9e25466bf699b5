/* Statistics trees (tshark -z ABBR,tree[,FILTER]): every stats_tree the
 * engine registers (http, http_req, dns, plen, ptype, ip_hosts, …). The
 * engine counts and formats them; this file attaches one as tshark does.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "internal.h"

#include <epan/stats_tree_priv.h>

/* stats_tree_free (4.0) forgets the root's own name and burst buckets. */
static void free_tree(stats_tree *st)
{
    g_free(st->root.name);
    while (st->root.bh) {
        burst_bucket *b = st->root.bh;
        st->root.bh = b->next;
        g_free(b);
    }
    stats_tree_free(st);
}

static int attach(cshark_analysis *a, const char *spec)
{
    const char *comma = strchr(spec, ',');
    char *abbr = g_strndup(spec, comma ? (size_t)(comma - spec) : strlen(spec));
    stats_tree_cfg *cfg = stats_tree_get_cfg_by_abbr(abbr);
    if (!cfg) {
        GString *names = g_string_new(NULL);
        GList *list = stats_tree_get_cfg_list();
        for (GList *l = list; l; l = l->next)
            g_string_append_printf(names, "%s%s", names->len ? ", " : "",
                                   ((stats_tree_cfg *)l->data)->abbr);
        g_list_free(list);
        int rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": no statistics tree \"%s\" "
                          "(trees: %s)", a->spec, abbr, names->str);
        g_string_free(names, TRUE);
        g_free(abbr);
        return rc;
    }
    g_free(abbr);
    /* tshark's form: ABBR,tree then an optional ,FILTER. */
    const char *filter = NULL;
    if (!comma || strncmp(comma, ",tree", 5) != 0 || (comma[5] != '\0' && comma[5] != ','))
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": write it %s,tree[,FILTER]", a->spec,
                        cfg->abbr);
    if (comma[5] == ',')
        filter = comma + 6;
    stats_tree *st = stats_tree_new(cfg, NULL, filter);
    int rc = cs_analysis_listen(a, cfg->tapname, st, st->filter, cfg->flags, stats_tree_reset,
                                stats_tree_packet);
    if (rc != CSHARK_OK) { /* a bad filter: the tree goes as detach() frees it (a
                            * plain stats_tree_free leaked the root's name,
                            * found by fuzz_analysis) */
        free_tree(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

/* The tree's own init once the session exists, as tshark runs it after
 * opening the file: some keep tables in the session's memory (http_seq). */
static void start(cshark_analysis *a)
{
    stats_tree *st = a->state;
    if (st->cfg->init)
        st->cfg->init(st);
}

static void detach(cshark_analysis *a)
{
    stats_tree *st = a->state;
    remove_tap_listener(st);
    free_tree(st);
}

static void text(cshark_analysis *a, GString *out)
{
    stats_tree *st = a->state;
    GString *s = stats_tree_format_as_str(st, ST_FORMAT_PLAIN, stats_tree_get_default_sort_col(st),
                                          stats_tree_is_default_sort_DESC(st));
    g_string_append_len(out, s->str, (gssize)s->len);
    g_string_free(s, TRUE);
}

/* The engine's own strings for every column but the count, as the text
 * shows them ("" where the tree has none). */
static const cs_column columns[] = {
    { "depth", CSHARK_TYPE_UINT },        { "name", CSHARK_TYPE_STRING },
    { "count", CSHARK_TYPE_UINT },        { "average", CSHARK_TYPE_STRING },
    { "min", CSHARK_TYPE_STRING },        { "max", CSHARK_TYPE_STRING },
    { "rate", CSHARK_TYPE_STRING },       { "percent", CSHARK_TYPE_STRING },
    { "burst_rate", CSHARK_TYPE_STRING }, { "burst_start", CSHARK_TYPE_STRING },
};

static void add_rows(cshark_analysis *a, const stat_node *n, guint64 depth)
{
    for (; n; n = n->next) {
        gchar **values = stats_tree_get_values_from_node(n);
        int ncols = n->st->num_columns;
        cs_cell *r = cs_analysis_add_row(a);
        r[0].u = depth;
        r[1].s = cs_analysis_keep(a, values[0]);
        r[2].u = (guint64)(n->counter < 0 ? 0 : n->counter);
        for (int c = 2; c < ncols && c + 1 < (int)G_N_ELEMENTS(columns); c++)
            r[c + 1].s = cs_analysis_keep(a, values[c]);
        for (int c = ncols + 1; c < (int)G_N_ELEMENTS(columns); c++)
            r[c].s = cs_analysis_keep(a, "");
        for (int c = 0; c < ncols; c++)
            g_free(values[c]);
        g_free(values);
        add_rows(a, n->children, depth + 1);
    }
}

static void rows(cshark_analysis *a)
{
    add_rows(a, ((stats_tree *)a->state)->root.children, 0);
}

const cs_analysis_kind cs_analysis_stats = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, start,
};
