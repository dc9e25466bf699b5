/* cshark._cshark, data frames: read_frame() reads a capture's packets and
 * returns its fields of interest column by column, without the GIL (the
 * caller's other threads, e.g. one importing pandas, run meanwhile).
 * Numbers go into C arrays with a mask of absent rows, text and bytes into
 * a code per cell and one table of distinct values per column; Python
 * objects are made at the end, one per distinct value. Occurrence 'all'
 * (a list per cell) is built with the GIL, packet by packet.
 * cshark/dataframe.py chooses the kinds and makes the pandas columns.
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

#define STR_CACHE 64 /* 'all': recent strings per column, a str made once */

typedef struct {
    int kind;
    int meta;           /* a column of the packet's own data (below), or 0 */
    PyObject *name_obj; /* held: the caller's list may change meanwhile */
    const char *name;
    const cshark_field *field;
    /* Occurrence 'all': a list of cells (with the GIL). */
    PyObject *values;
    PyObject *cache[STR_CACHE];
    /* Otherwise (without the GIL): a number and absent flag per row, or a
     * text code per row (0: absent) into the column's table. */
    uint64_t *nums;
    uint8_t *mask;
    uint32_t *codes;
    strtab tab;
} column;

typedef struct {
    column *cols;
    size_t ncols;
    int all;       /* occurrence 0: every occurrence, a list per cell */
    long occ;      /* else the occurrence: 1 first, -1 last, ... */
    size_t rows, cap;
    PyObject *missing;
    /* An error met without the GIL, raised once it is back: a cshark code,
     * or ERR_OVERFLOW. */
    int err_rc;
    char err[512];
} frame;

#define ERR_OVERFLOW 1

static void frame_free(frame *fr)
{
    for (size_t i = 0; i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        Py_XDECREF(c->name_obj);
        Py_XDECREF(c->values);
        for (int k = 0; k < STR_CACHE; k++)
            Py_XDECREF(c->cache[k]);
        PyMem_RawFree(c->nums);
        PyMem_RawFree(c->mask);
        PyMem_RawFree(c->codes);
        strtab_free(&c->tab);
    }
    PyMem_Free(fr->cols);
}

/* Without the GIL: note the error of cshark code RC (its message is this
 * thread's last error); -1. */
static int fail(frame *fr, int rc)
{
    fr->err_rc = rc;
    snprintf(fr->err, sizeof fr->err, "%s", cshark_last_error());
    return -1;
}

static int fail_nomem(frame *fr, const column *c)
{
    fr->err_rc = CSHARK_ENOMEM;
    snprintf(fr->err, sizeof fr->err, "out of memory for column %s after %zu rows", c->name,
             fr->rows);
    return -1;
}

/* With the GIL: the error noted. */
static void raise_noted(const frame *fr)
{
    if (fr->err_rc == ERR_OVERFLOW)
        PyErr_SetString(PyExc_OverflowError, fr->err);
    else
        py_raise_msg(fr->err_rc, fr->err);
}

static int resize(void **p, size_t n, size_t size)
{
    void *q = PyMem_RawRealloc(*p, n ? n * size : 1);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* Room for one more row in every column: capacity doubles. */
static int grow(frame *fr)
{
    if (fr->rows < fr->cap || fr->all)
        return 0;
    size_t cap = fr->cap ? fr->cap * 2 : 1024;
    for (size_t i = 0; i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        if (c->kind == K_OBJECT ? resize((void **)&c->codes, cap, sizeof *c->codes) < 0
                                : resize((void **)&c->nums, cap, 8) < 0 ||
                                      resize((void **)&c->mask, cap, 1) < 0)
            return fail_nomem(fr, c);
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

/* The str of S, from the column's cache when it made the same one lately. */
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
 * (addresses, strings, GUIDs, OIDs, protocols) is tshark's text. The
 * engine's type names are static strings: the last one's answer is kept. */
static int is_bytes(const cshark_item *it)
{
    static __thread const char *last;
    static __thread int last_is;
    const char *t = cshark_item_type_name(it);
    if (t != last) {
        last_is = t && (strcmp(t, "FT_BYTES") == 0 || strcmp(t, "FT_UINT_BYTES") == 0);
        last = t;
    }
    return last_is;
}

/* With the GIL, for 'all'. */
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

/* Without the GIL: the code of IT's text or bytes in its column's table. */
static int code_of(frame *fr, column *c, const cshark_item *it, uint32_t *code)
{
    *code = 0;
    if (is_bytes(it)) {
        const uint8_t *data;
        size_t len;
        int rc = cshark_item_bytes(it, &data, &len);
        if (rc != CSHARK_OK)
            return fail(fr, rc);
        return strtab_code(&c->tab, (const char *)data, len, 1, code) < 0 ? fail_nomem(fr, c)
                                                                           : 0;
    }
    const char *s = cshark_item_fields_text(it);
    if (s && strtab_code(&c->tab, s, strlen(s), 0, code) < 0)
        return fail_nomem(fr, c);
    return 0;
}

/* Nanoseconds of a time, or an OverflowError naming the field: pandas'
 * datetime64[ns] holds the years 1677 to 2262, and a value is never
 * changed to fit. No GIL: the error is noted. */
static int to_ns(frame *fr, const column *c, int64_t s, int32_t n, uint32_t frame_no,
                 int64_t *ns)
{
    if (__builtin_mul_overflow(s, (int64_t)1000000000, ns) ||
        __builtin_add_overflow(*ns, (int64_t)n, ns)) {
        fr->err_rc = ERR_OVERFLOW;
        snprintf(fr->err, sizeof fr->err,
                 "field %s in frame %u: %lld.%09d s does not fit nanoseconds in 64 bits "
                 "(pandas' datetime64[ns] and timedelta64[ns])",
                 c->name, frame_no, (long long)s, (int)(n < 0 ? -n : n));
        return -1;
    }
    return 0;
}

static int time_ns(frame *fr, const column *c, const cshark_item *it, uint32_t frame_no,
                   int64_t *ns)
{
    int64_t s;
    int32_t n;
    int rc = cshark_item_time(it, &s, &n);
    return rc < 0 ? fail(fr, rc) : to_ns(fr, c, s, n, frame_no, ns);
}

/* One value of a number kind as 8 bytes; -1 with the error noted. */
static int number_of(frame *fr, const column *c, const cshark_item *it, uint32_t frame_no,
                     uint64_t *out)
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
        return time_ns(fr, c, it, frame_no, (int64_t *)out);
    }
    return rc < 0 ? fail(fr, rc) : 0; /* a name shared by fields of other types */
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

/* Columns of the packet's own data. The frame dissector builds its whole
 * subtree (~20 items) once any frame field is of interest (packet-frame.c:
 * "if FRAME is not referenced ..."); these five it takes from the same
 * data, so dataframe.py leaves them out of the fields of interest and they
 * are read here: the number, both lengths, and with a time stamp
 * (PINFO_HAS_TS) the time and the time since the first packet. Each occurs
 * once; not for 'all', whose lists come from the tree. */
enum { M_NONE, M_NUMBER, M_LEN, M_CAP_LEN, M_TIME, M_RELTIME, M_COUNT };
static const char *const meta_names[M_COUNT] = {
    NULL, "frame.number", "frame.len", "frame.cap_len", "frame.time", "frame.time_relative"
};
static const int meta_kinds[M_COUNT] = { 0, K_UINT, K_UINT, K_UINT, K_ABSTIME, K_RELTIME };

static int meta_of(const char *name)
{
    for (int m = M_NUMBER; m < M_COUNT; m++)
        if (strcmp(name, meta_names[m]) == 0)
            return m;
    return M_NONE;
}

PyObject *py_frame_meta_fields(void)
{
    PyObject *t = PyTuple_New(M_COUNT - 1);
    for (int m = M_NUMBER; t && m < M_COUNT; m++)
        PyTuple_SET_ITEM(t, m - 1, PyUnicode_FromString(meta_names[m]));
    return t;
}

static int append_meta(frame *fr, column *c, cshark_packet *pkt, uint32_t no)
{
    uint64_t v = 0;
    int64_t s = 0;
    int32_t n = 0;
    int has = fr->occ == 1 || fr->occ == -1;
    switch (c->meta) {
    case M_NUMBER: v = no; break;
    case M_LEN: v = cshark_packet_length(pkt); break;
    case M_CAP_LEN: v = cshark_packet_captured_length(pkt); break;
    case M_TIME:
        has = has && cshark_packet_relative_time(pkt, NULL, NULL);
        cshark_packet_time(pkt, &s, &n);
        break;
    default: has = has && cshark_packet_relative_time(pkt, &s, &n); break;
    }
    if (has && c->meta >= M_TIME && to_ns(fr, c, s, n, no, (int64_t *)&v) < 0)
        return -1;
    c->nums[fr->rows] = has ? v : 0;
    c->mask[fr->rows] = !has;
    return 0;
}

/* Without the GIL: the cell of the occurrence the frame wants. */
static int append_cell(frame *fr, column *c, const cshark_item *const *items, size_t n,
                       uint32_t no)
{
    const cshark_item *it = n ? pick(fr, c, items, n) : NULL;
    if (c->kind == K_OBJECT) {
        c->codes[fr->rows] = 0;
        return it ? code_of(fr, c, it, &c->codes[fr->rows]) : 0;
    }
    uint64_t v = 0;
    if (it && number_of(fr, c, it, no, &v) < 0)
        return -1;
    c->nums[fr->rows] = v;
    c->mask[fr->rows] = !it;
    return 0;
}

/* With the GIL: the list of occurrences, or MISSING; -1 with an
 * exception set. */
static int append_list(frame *fr, column *c, const cshark_item *const *items, size_t n,
                       uint32_t no)
{
    PyObject *list = NULL;
    for (size_t k = 0; k < n; k++) {
        if (!counts(c, items[k]))
            continue;
        if (!list && !(list = PyList_New(0)))
            return -1;
        PyObject *o;
        uint64_t v;
        if (c->kind == K_OBJECT) {
            o = object_of(c, items[k]);
        } else if (number_of(fr, c, items[k], no, &v) < 0) {
            raise_noted(fr);
            o = NULL;
        } else {
            o = boxed(c, v);
        }
        if (append_new(list, o) < 0) {
            Py_DECREF(list);
            return -1;
        }
    }
    return append_new(c->values, list ? list : Py_NewRef(fr->missing));
}

/* The packet's cell in each column: without the GIL, -1 with the error
 * noted; for 'all' (lists) with it, -1 with an exception set. */
static int append_row(frame *fr, cshark_packet *pkt)
{
    uint32_t no = cshark_packet_number(pkt);
    for (size_t i = 0; i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        if (c->meta) {
            if (append_meta(fr, c, pkt, no) < 0)
                return -1;
            continue;
        }
        const cshark_item *const *items;
        size_t n = 0;
        int rc = cshark_packet_fields_of(pkt, c->field, &items, &n);
        if (rc < 0) {
            fail(fr, rc);
            if (fr->all)
                raise_noted(fr);
            return -1;
        }
        if ((fr->all ? append_list : append_cell)(fr, c, items, n, no) < 0)
            return -1;
    }
    return 0;
}

static int lookup_fields(frame *fr)
{
    for (size_t i = 0; i < fr->ncols; i++) {
        int rc = cshark_field_lookup(fr->cols[i].name, &fr->cols[i].field);
        if (rc < 0)
            return fail(fr, rc);
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
 * capture ended, 0 when a limit stopped it, -1 with an exception set.
 * Called with the engine lock held and the GIL, which it gives up but to
 * build the lists of 'all' and to look for signals. */
static int read_rows(frame *fr, cshark_capture *cap, size_t limit, double deadline)
{
    int looked_up = 0, ended = -1, raised = 0;
    PyThreadState *ts = PyEval_SaveThread();
    for (;;) {
        if (limit && fr->rows >= limit) {
            ended = 0;
            break;
        }
        int ms = -1;
        if (deadline >= 0) {
            double left = deadline - now();
            if (left <= 0) {
                ended = 0;
                break;
            }
            ms = (int)(left * 1000) + 1;
        }
        cshark_packet *pkt;
        int rc = cshark_capture_next_timeout(cap, &pkt, ms);
        if (rc == CSHARK_DONE) {
            ended = 1;
            break;
        }
        if (rc == CSHARK_AGAIN) {
            if (deadline < 0) { /* fed frames, all read */
                ended = 0;
                break;
            }
            continue;
        }
        if (rc < 0) {
            fail(fr, rc);
            break;
        }
        /* Fields resolve once the capture's preferences are applied (its
         * first read), which may register some. */
        if (!looked_up && lookup_fields(fr) < 0)
            break;
        looked_up = 1;
        if (grow(fr) < 0)
            break;
        if (fr->all) {
            PyEval_RestoreThread(ts);
            raised = append_row(fr, pkt) < 0;
            ts = PyEval_SaveThread();
            if (raised)
                break;
        } else if (append_row(fr, pkt) < 0) {
            break;
        }
        fr->rows++;
        if ((fr->rows & 4095) == 0) {
            PyEval_RestoreThread(ts);
            raised = PyErr_CheckSignals() < 0;
            ts = PyEval_SaveThread();
            if (raised)
                break;
        }
    }
    PyEval_RestoreThread(ts);
    if (ended < 0 && !raised)
        raise_noted(fr);
    return ended;
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
        c->name_obj = Py_NewRef(PyList_GET_ITEM(names, i));
        if (!(c->name = PyUnicode_AsUTF8(c->name_obj)))
            return -1;
        c->meta = fr->all ? M_NONE : meta_of(c->name);
        if (c->meta && c->kind != meta_kinds[c->meta]) {
            PyErr_Format(PyExc_ValueError, "column %s: kind %d, not %d", c->name, c->kind,
                         meta_kinds[c->meta]);
            return -1;
        }
        if (fr->all && !(c->values = PyList_New(0)))
            return -1;
    }
    return 0;
}

static PyObject *bytearray_of(const void *p, size_t n)
{
    return PyByteArray_FromStringAndSize(n ? p : NULL, (Py_ssize_t)n);
}

/* Each column: a list ('all'); (values, mask) bytearrays of 8-byte numbers
 * and of 1 where absent; or text as (distinct values, codes), the codes a
 * bytearray of uint32 (0: absent, else 1 + the value's index). */
static PyObject *frame_columns(frame *fr)
{
    PyObject *out = PyList_New((Py_ssize_t)fr->ncols);
    for (size_t i = 0; out && i < fr->ncols; i++) {
        column *c = &fr->cols[i];
        PyObject *col;
        if (fr->all)
            col = Py_NewRef(c->values);
        else if (c->kind == K_OBJECT)
            col = Py_BuildValue("(NN)", strtab_objects(&c->tab),
                                bytearray_of(c->codes, fr->rows * sizeof *c->codes));
        else
            col = Py_BuildValue("(NN)", bytearray_of(c->nums, fr->rows * 8),
                                bytearray_of(c->mask, fr->rows));
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
 * fields must be the capture's fields of interest (set_fields). Each
 * column as frame_columns() makes it. */
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
