/* cshark._cshark, data frames: read_frame() reads a capture's packets and
 * returns its fields of interest column by column. Numbers go into C arrays
 * (bytearrays, which numpy wraps without copying) with a mask of absent
 * rows; text and bytes into lists. A packet costs no Python object beyond
 * its values. cshark/dataframe.py chooses the kinds and makes the pandas
 * columns.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include "_cshark.h"

/* Column kinds, as cshark/dataframe.py numbers them. */
enum {
    K_UINT,    /* uint64, cshark_item_uint                   */
    K_INT,     /* int64, cshark_item_int                     */
    K_BOOL,    /* uint64 0/1, cshark_item_uint != 0          */
    K_PRESENT, /* FT_NONE: 1 where the field is              */
    K_DOUBLE,  /* double, cshark_item_double                 */
    K_ABSTIME, /* int64 nanoseconds since the epoch          */
    K_RELTIME, /* int64 nanoseconds                          */
    K_OBJECT,  /* str (tshark -T fields' text) or bytes      */
    K_COUNT
};

#define STR_CACHE 64 /* recent strings per column: a str is made once per run */

typedef struct {
    int kind;
    const char *name;
    const cshark_field *field;
    PyObject *values; /* bytearray of 8-byte numbers, or a list */
    PyObject *mask;   /* bytearray, 1 where absent (numbers only) */
    PyObject *cache[STR_CACHE];
} column;

typedef struct {
    column *cols;
    size_t ncols;
    int all;       /* occurrence 0: every occurrence, a list per cell */
    long occ;      /* else the occurrence: 1 first, -1 last, ... */
    size_t rows, cap;
    PyObject *missing;
} frame;

static int numeric(const frame *fr, const column *c)
{
    return !fr->all && c->kind != K_OBJECT;
}

static void frame_free(frame *fr)
{
    for (size_t i = 0; i < fr->ncols; i++) {
        Py_XDECREF(fr->cols[i].values);
        Py_XDECREF(fr->cols[i].mask);
        for (int k = 0; k < STR_CACHE; k++)
            Py_XDECREF(fr->cols[i].cache[k]);
    }
    PyMem_Free(fr->cols);
}

/* Room for one more row in every numeric column: capacity doubles, and
 * the arrays are cut to size at the end. */
static int grow(frame *fr)
{
    if (fr->rows < fr->cap)
        return 0;
    size_t cap = fr->cap ? fr->cap * 2 : 1024;
    for (size_t i = 0; i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        if (!numeric(fr, c))
            continue;
        if (PyByteArray_Resize(c->values, (Py_ssize_t)(cap * 8)) < 0 ||
            PyByteArray_Resize(c->mask, (Py_ssize_t)cap) < 0)
            return -1;
    }
    fr->cap = cap;
    return 0;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The str of S, from the column's cache when it made the same one lately
 * (addresses, names and flags repeat from packet to packet). */
static PyObject *cached_str(column *c, const char *s)
{
    size_t n = strlen(s);
    PyObject **slot = &c->cache[fnv(s, n) % STR_CACHE];
    if (*slot) {
        Py_ssize_t len;
        const char *u = PyUnicode_AsUTF8AndSize(*slot, &len);
        if (u && (size_t)len == n && memcmp(u, s, n) == 0)
            return Py_NewRef(*slot);
        PyErr_Clear();
    }
    /* The engine's text is UTF-8; a stray byte becomes U+FFFD, as py_str. */
    PyObject *o = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace");
    if (o)
        Py_XSETREF(*slot, Py_NewRef(o));
    return o;
}

/* FT_BYTES and FT_UINT_BYTES are bytes; every other type of K_OBJECT
 * (addresses, strings, GUIDs, OIDs, protocols) is tshark's text. */
static int is_bytes(const cshark_item *it)
{
    const char *t = cshark_item_type_name(it);
    return t && (strcmp(t, "FT_BYTES") == 0 || strcmp(t, "FT_UINT_BYTES") == 0);
}

static PyObject *object_of(column *c, const cshark_item *it)
{
    if (is_bytes(it)) {
        const uint8_t *data;
        size_t len;
        if (cshark_item_bytes(it, &data, &len) != CSHARK_OK)
            return py_raise(CSHARK_ETYPE);
        return PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)len);
    }
    const char *s = cshark_item_fields_text(it);
    return s ? cached_str(c, s) : Py_NewRef(Py_None); /* NULL: not counted (below) */
}

/* Nanoseconds of a time, or an OverflowError naming the field: pandas'
 * datetime64[ns] holds the years 1677 to 2262, and a value is never
 * changed to fit. */
static int time_ns(const column *c, const cshark_item *it, uint32_t frame_no, int64_t *ns)
{
    int64_t s;
    int32_t n;
    int rc = cshark_item_time(it, &s, &n);
    if (rc < 0) {
        py_raise(rc);
        return -1;
    }
    if (__builtin_mul_overflow(s, (int64_t)1000000000, ns) ||
        __builtin_add_overflow(*ns, (int64_t)n, ns)) {
        PyErr_Format(PyExc_OverflowError,
                     "field %s in frame %u: %lld.%09d s does not fit nanoseconds in 64 bits "
                     "(pandas' datetime64[ns] and timedelta64[ns])",
                     c->name, frame_no, (long long)s, (int)(n < 0 ? -n : n));
        return -1;
    }
    return 0;
}

/* One value of a number kind as 8 bytes; -1 with an exception set. */
static int number_of(const column *c, const cshark_item *it, uint32_t frame_no, uint64_t *out)
{
    int rc = CSHARK_OK;
    switch (c->kind) {
    case K_UINT:
        rc = cshark_item_uint(it, out);
        break;
    case K_INT:
        rc = cshark_item_int(it, (int64_t *)out);
        break;
    case K_BOOL:
        rc = cshark_item_uint(it, out);
        *out = *out != 0;
        break;
    case K_PRESENT:
        *out = 1;
        break;
    case K_DOUBLE: {
        double d;
        rc = cshark_item_double(it, &d);
        memcpy(out, &d, 8);
        break;
    }
    default:
        return time_ns(c, it, frame_no, (int64_t *)out);
    }
    if (rc < 0) { /* a name shared by fields of other types */
        py_raise(rc);
        return -1;
    }
    return 0;
}

/* A number as a Python object, for the lists of occurrence 'all'. */
static PyObject *boxed(const column *c, uint64_t v)
{
    switch (c->kind) {
    case K_UINT: return PyLong_FromUnsignedLongLong(v);
    case K_BOOL: case K_PRESENT: return PyBool_FromLong((long)v);
    case K_DOUBLE: {
        double d;
        memcpy(&d, &v, 8);
        return PyFloat_FromDouble(d);
    }
    default: return PyLong_FromLongLong((long long)v); /* ints, nanoseconds */
    }
}

/* Occurrences as tshark -T fields counts them: an item without text (no
 * bytes to show) is not one, for text columns. */
static int counts(const column *c, const cshark_item *it)
{
    return c->kind != K_OBJECT || is_bytes(it) || cshark_item_fields_text(it);
}

/* The occurrence the frame wants, or NULL. */
static const cshark_item *pick(const frame *fr, const column *c, const cshark_item *const *items,
                               size_t n)
{
    long want = fr->occ > 0 ? fr->occ : -fr->occ, seen = 0;
    for (size_t k = 0; k < n; k++) {
        const cshark_item *it = items[fr->occ > 0 ? k : n - 1 - k];
        if (counts(c, it) && ++seen == want)
            return it;
    }
    return NULL;
}

static int append_cell(frame *fr, column *c, cshark_packet *pkt)
{
    const cshark_item *const *items;
    size_t n = 0;
    int rc = cshark_packet_fields_of(pkt, c->field, &items, &n);
    if (rc < 0) {
        py_raise(rc);
        return -1;
    }
    uint32_t no = cshark_packet_number(pkt);
    if (!fr->all) {
        const cshark_item *it = n ? pick(fr, c, items, n) : NULL;
        if (c->kind == K_OBJECT)
            return append_new(c->values, it ? object_of(c, it) : Py_NewRef(fr->missing));
        uint64_t v = 0;
        if (it && number_of(c, it, no, &v) < 0)
            return -1;
        memcpy(PyByteArray_AS_STRING(c->values) + fr->rows * 8, &v, 8);
        PyByteArray_AS_STRING(c->mask)[fr->rows] = !it;
        return 0;
    }
    PyObject *list = NULL;
    for (size_t k = 0; k < n; k++) {
        if (!counts(c, items[k]))
            continue;
        if (!list && !(list = PyList_New(0)))
            return -1;
        PyObject *o;
        uint64_t v;
        if (c->kind == K_OBJECT)
            o = object_of(c, items[k]);
        else
            o = number_of(c, items[k], no, &v) < 0 ? NULL : boxed(c, v);
        if (append_new(list, o) < 0) {
            Py_DECREF(list);
            return -1;
        }
    }
    return append_new(c->values, list ? list : Py_NewRef(fr->missing));
}

static int lookup_fields(frame *fr)
{
    for (size_t i = 0; i < fr->ncols; i++) {
        int rc = cshark_field_lookup(fr->cols[i].name, &fr->cols[i].field);
        if (rc < 0) {
            py_raise(rc);
            return -1;
        }
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read until the end, LIMIT rows (0: no limit) or the deadline; 1 when the
 * capture ended, 0 when a limit stopped it, -1 on error. With the engine
 * lock held and the GIL, which a read of the engine gives up. */
static int read_rows(frame *fr, cshark_capture *cap, size_t limit, double deadline)
{
    int looked_up = 0;
    for (;;) {
        if (limit && fr->rows >= limit)
            return 0;
        int ms = -1;
        if (deadline >= 0) {
            double left = deadline - now();
            if (left <= 0)
                return 0;
            ms = (int)(left * 1000) + 1;
        }
        cshark_packet *pkt;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = cshark_capture_next_timeout(cap, &pkt, ms);
        Py_END_ALLOW_THREADS
        if (rc == CSHARK_DONE)
            return 1;
        if (rc == CSHARK_AGAIN) {
            if (deadline < 0) /* fed frames, all read */
                return 0;
            continue;
        }
        if (rc < 0) {
            py_raise(rc);
            return -1;
        }
        /* Fields resolve once the capture's preferences are applied (its
         * first read), which may register some. */
        if (!looked_up && lookup_fields(fr) < 0)
            return -1;
        looked_up = 1;
        if (grow(fr) < 0)
            return -1;
        for (size_t i = 0; i < fr->ncols; i++)
            if (append_cell(fr, &fr->cols[i], pkt) < 0)
                return -1;
        fr->rows++;
        if ((fr->rows & 4095) == 0 && PyErr_CheckSignals() < 0)
            return -1;
    }
}

static int frame_init(frame *fr, PyObject *names, PyObject *kinds)
{
    Py_ssize_t n = PyList_Size(names);
    if (n < 0 || !PyList_Check(kinds) || PyList_GET_SIZE(kinds) != n) {
        PyErr_SetString(PyExc_TypeError, "names and kinds: two lists of the same length");
        return -1;
    }
    fr->ncols = (size_t)n;
    if (!(fr->cols = PyMem_Calloc(fr->ncols ? fr->ncols : 1, sizeof *fr->cols))) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        c->kind = (int)PyLong_AsLong(PyList_GET_ITEM(kinds, i));
        if (c->kind < 0 || c->kind >= K_COUNT) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "column kind %d", c->kind);
            return -1;
        }
        if (!(c->name = PyUnicode_AsUTF8(PyList_GET_ITEM(names, i))))
            return -1;
        c->values = numeric(fr, c) ? PyByteArray_FromStringAndSize(NULL, 0) : PyList_New(0);
        if (!c->values || (numeric(fr, c) && !(c->mask = PyByteArray_FromStringAndSize(NULL, 0))))
            return -1;
    }
    return 0;
}

/* The columns as (values, mask) bytearrays cut to the row count, or lists. */
static PyObject *frame_columns(frame *fr)
{
    PyObject *out = PyList_New((Py_ssize_t)fr->ncols);
    for (size_t i = 0; out && i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        PyObject *col;
        if (numeric(fr, c)) {
            if (PyByteArray_Resize(c->values, (Py_ssize_t)(fr->rows * 8)) < 0 ||
                PyByteArray_Resize(c->mask, (Py_ssize_t)fr->rows) < 0)
                col = NULL;
            else
                col = PyTuple_Pack(2, c->values, c->mask);
        } else {
            col = Py_NewRef(c->values);
        }
        if (!col)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, (Py_ssize_t)i, col);
    }
    return out;
}

/* read_frame(capture, names, kinds, occurrence=1, limit=0, timeout=None,
 * missing=None) -> (rows, ended, columns): CAPTURE's packets from the
 * next one on, until its end (ended True), LIMIT rows or TIMEOUT seconds
 * (live captures). OCCURRENCE: 1 the first, -1 the last, N the N-th, 0
 * all (a list per cell). MISSING fills absent cells of list columns. The
 * fields must be the capture's fields of interest (set_fields). */
PyObject *py_read_frame(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwnames[] = { "capture", "names", "kinds", "occurrence", "limit", "timeout",
                               "missing", NULL };
    PyObject *capobj, *names, *kinds, *timeout = Py_None, *missing = Py_None;
    long occ = 1;
    unsigned long long limit = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO!O!|lKOO", kwnames, &capobj, &PyList_Type,
                                     &names, &PyList_Type, &kinds, &occ, &limit, &timeout,
                                     &missing))
        return NULL;
    double deadline = -1;
    if (timeout != Py_None) {
        double t = PyFloat_AsDouble(timeout);
        if (t == -1.0 && PyErr_Occurred())
            return NULL;
        deadline = now() + (t > 0 ? t : 0);
    }
    frame fr = { .all = occ == 0, .occ = occ, .missing = missing };
    PyObject *out = NULL;
    int ended = -1;
    if (frame_init(&fr, names, kinds) == 0) {
        engine_enter();
        cshark_capture *cap = py_capture_of(capobj);
        ended = cap ? read_rows(&fr, cap, (size_t)limit, deadline) : -1;
        engine_leave();
        py_fields_forget(); /* the first read may have registered fields */
    }
    if (ended >= 0) {
        PyObject *cols = frame_columns(&fr);
        if (cols)
            out = Py_BuildValue("(nON)", (Py_ssize_t)fr.rows, ended ? Py_True : Py_False, cols);
    }
    frame_free(&fr);
    return out;
}
