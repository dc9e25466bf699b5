/* The packet view: the engine's tree flattened into PDML elements, built once
 * per packet on first use, then walked and searched without allocation.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <string.h>

#include "internal.h"

const char cs_unset[] = "<unset>";

/* An upper bound of the items: every node, plus a wrapper per top-level node. */
static size_t count_nodes(proto_node *node)
{
    size_t n = 0;
    for (proto_node *c = node->first_child; c; c = c->next)
        n += PNODE_FINFO(c) ? 1 + count_nodes(c) : 0;
    return n;
}

static size_t count_items_bound(proto_node *tree)
{
    size_t top = 0;
    for (proto_node *c = tree->first_child; c; c = c->next)
        top++;
    return count_nodes(tree) + top;
}

static cshark_item *add_item(cs_view *v, cshark_packet *p, proto_node *node, cshark_item *parent,
                             cshark_item **prev, int kind)
{
    cshark_item *it = &v->items[v->count++];
    it->node = node;
    it->hf = node ? PNODE_FINFO(node)->hfinfo : NULL;
    it->packet = p;
    it->parent = parent;
    it->self = it;
    it->child = it->next = NULL;
    it->nchildren = 0;
    it->kind = (uint8_t)kind;
    it->show.s = it->showname.s = it->value.s = it->unmasked.s = it->label.s = it->fvalue.s =
        cs_unset;
    if (*prev)
        (*prev)->next = it;
    else if (parent)
        parent->child = it;
    if (parent)
        parent->nchildren++;
    *prev = it;
    return it;
}

static void build(cs_view *v, cshark_packet *p, proto_node *node, cshark_item *parent, int top)
{
    cshark_item *prev = NULL;
    for (proto_node *c = node->first_child; c; c = c->next) {
        if (!PNODE_FINFO(c))
            continue;
        int wrap;
        int kind = cs_field_kind(c, top, &wrap);
        cshark_item *holder = parent;
        if (wrap) {
            /* PDML wraps top-level non-protocols in a synthetic <proto>. */
            holder = add_item(v, p, NULL, parent, &prev, CSHARK_ITEM_WRAPPER);
            cshark_item *inner_prev = NULL;
            cshark_item *it = add_item(v, p, c, holder, &inner_prev, kind);
            build(v, p, c, it, 0);
            continue;
        }
        cshark_item *it = add_item(v, p, c, holder, &prev, kind);
        build(v, p, c, it, 0);
    }
}

/* Kept packets may be read by another thread through the [structure] calls
 * (cshark.h) while cshark_capture_next() freezes them (cs_view_freeze). The
 * writes those calls can make, a first build of the view and an array from
 * the packet's pool, and each packet's freeze take this lock; reading a
 * built view takes nothing. A pthread mutex, not GLib's GMutex (a futex of
 * its own): ThreadSanitizer sees this one (scripts/tsan.sh). */
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

static int build_locked(cshark_packet *p)
{
    cs_view *v = &p->view;
    if (v->built)
        return CSHARK_OK;
    proto_tree *tree = p->edt->tree;
    size_t n = tree ? count_items_bound(tree) : 0;
    if (n > v->cap) {
        /* Grows to the largest packet seen, then is reused: no per-packet
         * allocation in steady state. */
        size_t cap = v->cap ? v->cap : 256;
        while (cap < n)
            cap *= 2;
        cshark_item *items = g_try_renew(cshark_item, v->items, cap);
        if (!items)
            return cs_error(CSHARK_ENOMEM, "out of memory for a tree of %zu items", n);
        v->items = items;
        v->cap = cap;
    }
    v->count = 0;
    if (tree)
        build(v, p, tree, NULL, 1);

    v->nlayers = 0;
    for (size_t i = 0; i < v->count; i++)
        v->nlayers += v->items[i].parent == NULL;
    v->layers = wmem_alloc(p->pool, (v->nlayers ? v->nlayers : 1) * sizeof *v->layers);
    for (size_t i = 0, k = 0; i < v->count; i++)
        if (!v->items[i].parent)
            v->layers[k++] = &v->items[i];
    __atomic_store_n(&v->built, 1, __ATOMIC_RELEASE);
    return CSHARK_OK;
}

/* The pool is not thread-safe: see kept_mu. */
void *cs_packet_alloc(cshark_packet *p, size_t n)
{
    if (!p->kept)
        return wmem_alloc(p->pool, n);
    pthread_mutex_lock(&kept_mu);
    void *m = wmem_alloc(p->pool, n);
    pthread_mutex_unlock(&kept_mu);
    return m;
}

int cs_view_build(cshark_packet *p)
{
    if (__atomic_load_n(&p->view.built, __ATOMIC_ACQUIRE))
        return CSHARK_OK;
    if (!p->kept) /* its capture's alone: no other thread may read it */
        return build_locked(p);
    pthread_mutex_lock(&kept_mu);
    int rc = build_locked(p);
    pthread_mutex_unlock(&kept_mu);
    return rc;
}

void cs_view_reset(cs_view *v)
{
    v->count = 0;
    v->nlayers = 0;
    v->layers = NULL; /* lives in the packet pool */
    v->built = 0;
}

void cs_view_free(cs_view *v)
{
    g_free(v->items);
    memset(v, 0, sizeof *v);
}

void cs_view_freeze(cshark_packet *p)
{
    pthread_mutex_lock(&kept_mu);
    if (build_locked(p) != CSHARK_OK) {
        pthread_mutex_unlock(&kept_mu);
        return;
    }
    for (size_t i = 0; i < p->view.count; i++) {
        cshark_item *it = &p->view.items[i];
        cshark_item_show(it);
        cshark_item_showname(it);
        cshark_item_raw_value(it);
        cshark_item_unmaskedvalue(it);
        cshark_item_label(it);
        cshark_item_fields_text(it);
    }
    cs_field_freeze_sources(p);
    pthread_mutex_unlock(&kept_mu);
}

/* ---- layers and lookup by name ------------------------------------------ */

size_t cshark_packet_layer_count(cshark_packet *p)
{
    if (!p || cs_view_build(p) != CSHARK_OK)
        return 0;
    return p->view.nlayers;
}

const cshark_item *cshark_packet_layer(cshark_packet *p, size_t index)
{
    if (!p || cs_view_build(p) != CSHARK_OK || index >= p->view.nlayers)
        return NULL;
    return p->view.layers[index];
}

/* Several registrations may share one name (e.g. two dissectors' "x.len"):
 * a name matches all of them, as in tshark's -T fields and display filters. */
static int lookup(cshark_packet *p, const char *name, header_field_info **hf)
{
    CS_CHECK_ARG(p, "packet");
    int rc = cs_registry_find(name, hf);
    return rc != CSHARK_OK ? rc : cs_view_build(p);
}

static int matches(const cshark_item *it, const header_field_info *hf, int shared_name)
{
    const header_field_info *h = it->hf;
    return h == hf || (shared_name && h && strcmp(h->abbrev, hf->abbrev) == 0);
}

static int shares_name(const header_field_info *hf)
{
    return hf->same_name_prev_id != -1 || hf->same_name_next != NULL;
}

/* Why NAME is not found: absent from the frame, or never in its tree. */
static int absent(const cshark_packet *p, const header_field_info *hf, const char *name)
{
    if (!cs_field_not_primed(p, hf))
        return cs_error(CSHARK_ENOTFOUND, "field \"%s\" is not in frame %u", name, p->fd->num);
    if (!p->edt->tree)
        return cs_error(CSHARK_ENOTPRIMED, "field \"%s\": frame %u was read without a tree "
                        "(cshark_capture_run, or summary columns only)", name, p->fd->num);
    return cs_error(CSHARK_ENOTPRIMED, "field \"%s\" is not among the capture's fields of "
                    "interest (cshark_capture_set_fields), so frame %u's tree cannot hold it",
                    name, p->fd->num);
}

int cshark_packet_field(cshark_packet *p, const char *name, const cshark_item **item)
{
    CS_ENTER();
    CS_CHECK_ARG(item, "item");
    *item = NULL;
    header_field_info *hf;
    int rc = lookup(p, name, &hf);
    if (rc != CSHARK_OK)
        return rc;
    int shared = shares_name(hf);
    for (size_t i = 0; i < p->view.count; i++) {
        if (matches(&p->view.items[i], hf, shared)) {
            *item = &p->view.items[i];
            return CSHARK_OK;
        }
    }
    return absent(p, hf, name);
}

int cshark_packet_fields(cshark_packet *p, const char *name, const cshark_item *const **items,
                         size_t *count)
{
    CS_ENTER();
    CS_CHECK_ARG(items, "items");
    CS_CHECK_ARG(count, "count");
    *items = NULL;
    *count = 0;
    header_field_info *hf;
    int rc = lookup(p, name, &hf);
    if (rc != CSHARK_OK)
        return rc;
    rc = cshark_packet_fields_of(p, (const cshark_field *)hf, items, count);
    return rc == CSHARK_OK && !*count && cs_field_not_primed(p, hf) ? absent(p, hf, name) : rc;
}

/* No engine call: only the packet's view and the registered field (see the
 * header's Threads note). */
int cshark_packet_fields_of(cshark_packet *p, const cshark_field *field,
                            const cshark_item *const **items, size_t *count)
{
    CS_CHECK_ARG(items, "items");
    CS_CHECK_ARG(count, "count");
    *items = NULL;
    *count = 0;
    CS_CHECK_ARG(p, "packet");
    CS_CHECK_ARG(field, "field");
    int rc = cs_view_build(p);
    if (rc != CSHARK_OK)
        return rc;
    const header_field_info *hf = (const header_field_info *)field;
    int shared = shares_name(hf);
    size_t n = 0, first = 0;
    for (size_t i = 0; i < p->view.count; i++)
        if (matches(&p->view.items[i], hf, shared) && !n++)
            first = i;
    if (!n)
        return CSHARK_OK;
    if (n == 1) { /* most fields occur once */
        *items = &p->view.items[first].self;
        *count = 1;
        return CSHARK_OK;
    }
    const cshark_item **out = cs_packet_alloc(p, n * sizeof *out);
    out[0] = &p->view.items[first];
    for (size_t i = first + 1, k = 1; k < n; i++)
        if (matches(&p->view.items[i], hf, shared))
            out[k++] = &p->view.items[i];
    *items = out;
    *count = n;
    return CSHARK_OK;
}

int cshark_packet_field_count(cshark_packet *p, const char *name, size_t *count)
{
    CS_ENTER();
    CS_CHECK_ARG(count, "count");
    *count = 0;
    header_field_info *hf;
    int rc = lookup(p, name, &hf);
    if (rc != CSHARK_OK)
        return rc;
    int shared = shares_name(hf);
    for (size_t i = 0; i < p->view.count; i++)
        *count += (size_t)matches(&p->view.items[i], hf, shared);
    return !*count && cs_field_not_primed(p, hf) ? absent(p, hf, name) : CSHARK_OK;
}

/* ---- walking ------------------------------------------------------------- */

const cshark_item *cshark_item_child(const cshark_item *it)
{
    return it ? it->child : NULL;
}

const cshark_item *cshark_item_next(const cshark_item *it)
{
    return it ? it->next : NULL;
}

const cshark_item *cshark_item_parent(const cshark_item *it)
{
    return it ? it->parent : NULL;
}

size_t cshark_item_child_count(const cshark_item *it)
{
    return it ? it->nchildren : 0;
}

const cshark_item *cshark_item_prev(const cshark_item *it)
{
    if (!it)
        return NULL;
    /* Items are in pre-order: the previous sibling starts earlier under the
     * same parent, and a layer is a top-level item. */
    const cshark_item *first = it->parent ? it->parent->child : it->packet->view.items;
    const cshark_item *prev = NULL;
    for (const cshark_item *c = first; c && c != it; c = c->next)
        prev = c;
    return prev;
}

const cshark_item *cshark_item_layer(const cshark_item *it)
{
    while (it && it->parent)
        it = it->parent;
    return it;
}

int cshark_item_field(const cshark_item *under, const char *name, const cshark_item **item)
{
    CS_ENTER();
    CS_CHECK_ARG(item, "item");
    *item = NULL;
    CS_CHECK_ARG(under, "item");
    cshark_packet *p = under->packet;
    header_field_info *hf;
    int rc = lookup(p, name, &hf);
    if (rc != CSHARK_OK)
        return rc;
    /* Pre-order: UNDER's subtree runs up to the next item that is not
     * below it (the next sibling of UNDER or of one of its ancestors). */
    const cshark_item *end = NULL;
    for (const cshark_item *a = under; a && !end; a = a->parent)
        end = a->next;
    const cshark_item *stop = end ? end : p->view.items + p->view.count;
    int shared = shares_name(hf);
    for (const cshark_item *it = under + 1; it < stop; it++) {
        if (matches(it, hf, shared)) {
            *item = it;
            return CSHARK_OK;
        }
    }
    if (cs_field_not_primed(p, hf))
        return absent(p, hf, name);
    return cs_error(CSHARK_ENOTFOUND, "field \"%s\" is not under \"%s\" in frame %u", name,
                    under->hf ? under->hf->abbrev : "fake-field-wrapper", p->fd->num);
}

cshark_kind cshark_item_kind(const cshark_item *it)
{
    return it ? (cshark_kind)it->kind : CSHARK_ITEM_FIELD;
}
