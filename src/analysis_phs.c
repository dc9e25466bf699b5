/* The protocol hierarchy (tshark -z io,phs[,FILTER]). Not in the library:
 * tshark's ui/cli counts, on the "frame" tap with a tree, the top-level
 * protocols of each packet as a path (eth > ip > tcp), frames and bytes per
 * node. Written here to the same rules, so the text is tshark's.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "internal.h"

typedef struct phs_node {
    struct phs_node *sibling, *child, *parent;
    int protocol;          /* -1: no packet reached this level yet */
    const char *name;      /* the field's abbreviation: static     */
    guint32 frames;
    guint64 bytes;
} phs_node;

typedef struct {
    phs_node *root;
    char *filter;
} phs_state;

static phs_node *node_new(phs_node *parent)
{
    phs_node *n = g_new0(phs_node, 1);
    n->parent = parent;
    n->protocol = -1;
    return n;
}

static void node_free(phs_node *n)
{
    while (n) {
        phs_node *next = n->sibling;
        node_free(n->child);
        g_free(n);
        n = next;
    }
}

/* tshark's walk, quirks included: a level's first protocol starts counting
 * at 1 when it is created; later ones are found among its siblings. */
static tap_packet_status packet(void *data, packet_info *pinfo, epan_dissect_t *edt,
                                const void *unused _U_, tap_flags_t flags _U_)
{
    phs_state *st = data;
    if (!edt || !edt->tree || !edt->tree->first_child)
        return TAP_PACKET_DONT_REDRAW;
    phs_node *level = st->root;
    for (proto_node *node = edt->tree->first_child; node; node = node->next) {
        const header_field_info *hf = PNODE_FINFO(node)->hfinfo;
        if (level->protocol == -1) {
            level->protocol = hf->id;
            level->name = hf->abbrev;
            level->frames = 1;
            level->bytes = pinfo->fd->pkt_len;
            level->child = node_new(level);
            level = level->child;
            continue;
        }
        phs_node *found = level, *last = level;
        for (; found && found->protocol != hf->id; found = found->sibling)
            last = found;
        if (!found) {
            found = last->sibling = node_new(level->parent);
            found->protocol = hf->id;
            found->name = hf->abbrev;
        }
        found->frames++;
        found->bytes += pinfo->fd->pkt_len;
        if (!found->child)
            found->child = node_new(found);
        level = found->child;
    }
    return TAP_PACKET_REDRAW;
}

static int attach(cshark_analysis *a, const char *args)
{
    phs_state *st = g_new0(phs_state, 1);
    st->root = node_new(NULL);
    st->filter = args ? g_strdup(args) : NULL;
    int rc = cs_analysis_listen(a, "frame", st, st->filter, TL_REQUIRES_PROTO_TREE, NULL, packet);
    if (rc != CSHARK_OK) {
        node_free(st->root);
        g_free(st->filter);
        g_free(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

static void detach(cshark_analysis *a)
{
    phs_state *st = a->state;
    remove_tap_listener(st);
    node_free(st->root);
    g_free(st->filter);
    g_free(st);
}

static void draw(GString *out, const phs_node *n, int depth)
{
    for (; n && n->protocol != -1; n = n->sibling) {
        /* tshark's 80-byte line buffer: "..." past 16 levels. */
        char line[80];
        size_t off = 0;
        for (int i = 0; i < depth && off < sizeof line; i++) {
            if (i > 15) {
                off += (size_t)snprintf(line + off, sizeof line - off, "...");
                break;
            }
            off += (size_t)snprintf(line + off, sizeof line - off, "  ");
        }
        if (off < sizeof line)
            snprintf(line + off, sizeof line - off, "%s", n->name);
        g_string_append_printf(out, "%-40s frames:%u bytes:%" PRIu64 "\n", line, n->frames,
                               n->bytes);
        draw(out, n->child, depth + 1);
    }
}

static void text(cshark_analysis *a, GString *out)
{
    phs_state *st = a->state;
    g_string_append_printf(out, "\n===================================================================\n"
                           "Protocol Hierarchy Statistics\nFilter: %s\n\n",
                           st->filter ? st->filter : "");
    draw(out, st->root, 0);
    g_string_append(out, "===================================================================\n");
}

static const cs_column columns[] = {
    { "depth", CSHARK_TYPE_UINT },
    { "protocol", CSHARK_TYPE_STRING },
    { "frames", CSHARK_TYPE_UINT },
    { "bytes", CSHARK_TYPE_UINT },
};

/* Pre-order, as the text: a node's row, then its children's. */
static void add_rows(cshark_analysis *a, const phs_node *n, guint64 depth)
{
    for (; n && n->protocol != -1; n = n->sibling) {
        cs_cell *r = cs_analysis_add_row(a);
        r[0].u = depth;
        r[1].s = n->name;
        r[2].u = n->frames;
        r[3].u = n->bytes;
        add_rows(a, n->child, depth + 1);
    }
}

static void rows(cshark_analysis *a)
{
    add_rows(a, ((phs_state *)a->state)->root, 0);
}

const cs_analysis_kind cs_analysis_phs = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, NULL,
};
