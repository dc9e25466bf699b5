/* cshark._cshark, a column's distinct texts: read_frame() collects a text
 * column without the GIL as one code per cell into this table, and makes
 * one Python object per distinct value at the end (addresses, names and
 * flags repeat from packet to packet).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "_cshark.h"

static uint32_t hash_of(const char *s, size_t n, int bytes)
{
    uint32_t h = 2166136261u ^ (uint32_t)bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Room for twice as many entries as slots hold now: load stays <= 1/2. */
static int rehash(strtab *t)
{
    size_t nslots = t->nslots ? t->nslots * 2 : 256;
    uint32_t *slot = PyMem_RawCalloc(nslots, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t k = t->e[i].hash & (nslots - 1);
        while (slot[k])
            k = (k + 1) & (nslots - 1);
        slot[k] = (uint32_t)i + 1;
    }
    PyMem_RawFree(t->slot);
    t->slot = slot;
    t->nslots = nslots;
    return 0;
}

static int reserve(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = PyMem_RawRealloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

int strtab_code(strtab *t, const char *s, size_t n, int bytes, uint32_t *code)
{
    if (n > UINT32_MAX || t->n >= UINT32_MAX - 1)
        return -1;
    if ((t->n + 1) * 2 > t->nslots && rehash(t) < 0)
        return -1;
    uint32_t h = hash_of(s, n, bytes);
    size_t k = h & (t->nslots - 1);
    for (uint32_t i; (i = t->slot[k]) != 0; k = (k + 1) & (t->nslots - 1)) {
        const strtab_entry *e = &t->e[i - 1];
        if (e->hash == h && e->len == n && e->bytes == bytes &&
            (n == 0 || memcmp(t->arena + e->off, s, n) == 0)) {
            *code = i;
            return 0;
        }
    }
    if (reserve((void **)&t->arena, &t->acap, t->used + n + 1, 1) < 0 ||
        reserve((void **)&t->e, &t->ecap, t->n + 1, sizeof *t->e) < 0)
        return -1;
    if (n)
        memcpy(t->arena + t->used, s, n);
    t->e[t->n] = (strtab_entry){ .off = t->used, .len = (uint32_t)n, .hash = h,
                                 .bytes = (unsigned char)bytes };
    t->used += n;
    t->slot[k] = (uint32_t)++t->n;
    *code = (uint32_t)t->n;
    return 0;
}

PyObject *strtab_objects(const strtab *t)
{
    PyObject *list = PyList_New((Py_ssize_t)t->n);
    for (size_t i = 0; list && i < t->n; i++) {
        const strtab_entry *e = &t->e[i];
        const char *s = t->arena + e->off;
        /* The engine's text is UTF-8; a stray byte becomes U+FFFD, as py_str. */
        PyObject *o = e->bytes ? PyBytes_FromStringAndSize(s, (Py_ssize_t)e->len)
                               : PyUnicode_DecodeUTF8(s, (Py_ssize_t)e->len, "replace");
        if (!o)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, o);
    }
    return list;
}

void strtab_free(strtab *t)
{
    PyMem_RawFree(t->arena);
    PyMem_RawFree(t->e);
    PyMem_RawFree(t->slot);
    memset(t, 0, sizeof *t);
}
