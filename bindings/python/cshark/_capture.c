/* cshark._cshark, captures: files, live captures and fed frames with
 * their options; next() dissects with the GIL released, in the caller's
 * thread or, for a file with set_read_ahead(True), in a worker (_ahead.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

typedef struct {
    PyObject_HEAD
    cshark_capture *cap;
    ahead *ahead;      /* reading ahead in a worker, or NULL */
    int started;       /* next() has been called */
    int session_reset; /* set_session_reset(): no reading ahead */
} CaptureObject;

static PyObject *closed_error(void)
{
    return py_raise_msg(CSHARK_ESTATE, "the capture is closed"); /* a CsharkError */
}

static int alive(CaptureObject *self)
{
    if (self->cap)
        return 1;
    closed_error();
    return 0;
}

/* A call's failure; "closed" when another thread closed the capture while
 * this one waited for the engine lock (LOCKED reads self->cap inside it). */
static PyObject *capture_fail(CaptureObject *self, int rc)
{
    return self->cap ? py_raise(rc) : closed_error();
}

#define CAP_CHECK(self, call)                                                  \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0)                                                           \
            return capture_fail((self), rc_);                                  \
    } while (0)

/* Fields resolved for the binding may be re-registered when a capture's
 * preferences are applied (on its first next()) or reverted (close). */
static void close_capture(CaptureObject *self)
{
    if (self->ahead) {
        Py_BEGIN_ALLOW_THREADS
        py_ahead_stop(self->ahead);
        Py_END_ALLOW_THREADS
    }
    engine_enter();
    /* Cleared under the lock: a next() in another thread reads it there. */
    cshark_capture *cap = self->cap;
    self->cap = NULL;
    cshark_capture_close(cap);
    engine_leave();
    py_fields_forget();
}

static void capture_dealloc(CaptureObject *self)
{
    close_capture(self);
    py_ahead_free(self->ahead);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *wrap_capture(cshark_capture *cap)
{
    CaptureObject *o = PyObject_New(CaptureObject, &py_capture_type);
    if (!o) {
        LOCKED(int, (cshark_capture_close(cap), 0));
        return NULL;
    }
    o->cap = cap;
    o->ahead = NULL;
    o->started = o->session_reset = 0;
    py_fields_forget();
    return (PyObject *)o;
}

static PyObject *open_file(PyObject *cls, PyObject *arg)
{
    (void)cls;
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    cshark_capture *cap;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
    rc = cshark_capture_open(&cap, PyBytes_AS_STRING(path));
    PyThread_release_lock(py_engine_lock);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    CHECK(rc);
    return wrap_capture(cap);
}

/* A Python sequence of str as a C array. The strings belong to the sequence
 * returned in *keep, which the caller releases with the array (names_free).
 * NULL with an exception set on error. */
static const char **names_of(PyObject *arg, const char *what, PyObject **keep, size_t *n)
{
    *keep = PySequence_Fast(arg, what);
    if (!*keep)
        return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(*keep);
    const char **names = PyMem_Calloc((size_t)len + 1, sizeof *names);
    if (!names) {
        Py_CLEAR(*keep);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < len; i++)
        if (!(names[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(*keep, i)))) {
            PyMem_Free(names);
            Py_CLEAR(*keep);
            return NULL;
        }
    *n = (size_t)len;
    return names;
}

static void names_free(const char **names, PyObject *keep)
{
    PyMem_Free(names);
    Py_DECREF(keep);
}

static PyObject *open_live(PyObject *cls, PyObject *arg)
{
    (void)cls;
    PyObject *keep;
    size_t n;
    const char **names = names_of(arg, "interfaces must be a list of names", &keep, &n);
    if (!names)
        return NULL;
    cshark_capture *cap;
    int rc = LOCKED(int, cshark_capture_open_live(&cap, names, n));
    names_free(names, keep);
    CHECK(rc);
    return wrap_capture(cap);
}

/* Capture.open_feed(linktype, nanoseconds=False): a capture of fed frames. */
static PyObject *open_feed(PyObject *cls, PyObject *args)
{
    (void)cls;
    int linktype, nanos = 0;
    if (!PyArg_ParseTuple(args, "i|p", &linktype, &nanos))
        return NULL;
    cshark_capture *cap;
    CHECK(LOCKED(int, cshark_capture_open_feed(&cap, linktype, nanos)));
    return wrap_capture(cap);
}

/* feed(data, seconds, nanoseconds): queue one frame (copied). */
static PyObject *capture_feed(CaptureObject *self, PyObject *args)
{
    Py_buffer data;
    long long secs;
    int nsecs;
    if (!PyArg_ParseTuple(args, "y*Li", &data, &secs, &nsecs))
        return NULL;
    if (!alive(self)) {
        PyBuffer_Release(&data);
        return NULL;
    }
    int rc = LOCKED(int, cshark_capture_feed(self->cap, data.buf, (size_t)data.len, secs, nsecs));
    PyBuffer_Release(&data);
    CAP_CHECK(self, rc);
    Py_RETURN_NONE;
}

static PyObject *capture_feed_end(CaptureObject *self, PyObject *unused)
{
    (void)unused;
    if (!alive(self))
        return NULL;
    CAP_CHECK(self, LOCKED(int, cshark_capture_feed_end(self->cap)));
    Py_RETURN_NONE;
}

/* next(timeout=None): a Packet; None at the end; TimeoutError (live) when
 * nothing came within timeout seconds. */
static PyObject *capture_next(CaptureObject *self, PyObject *args)
{
    PyObject *timeout = Py_None;
    if (!PyArg_ParseTuple(args, "|O", &timeout) || !alive(self))
        return NULL;
    int ms = -1;
    if (timeout != Py_None) {
        double t = PyFloat_AsDouble(timeout);
        if (t == -1.0 && PyErr_Occurred())
            return NULL;
        ms = t <= 0 ? 0 : (int)(t * 1000 + 0.5);
    }
    cshark_packet *pkt;
    int rc;
    int first = !self->started;
    self->started = 1;
    if (self->ahead) {
        char err[512];
        Py_BEGIN_ALLOW_THREADS
        rc = py_ahead_next(self->ahead, &pkt, err, sizeof err);
        Py_END_ALLOW_THREADS
        if (first)
            py_fields_forget();
        if (rc == CSHARK_DONE)
            Py_RETURN_NONE;
        if (rc == CSHARK_ESTATE && !err[0])
            return closed_error();
        if (rc < 0)
            return py_raise_msg(rc, err);
        return py_packet_wrap(pkt);
    }
    /* The engine is single-threaded, but Python threads may run meanwhile:
     * every cshark call on this capture comes through here or the methods
     * below, which the GIL serialises. */
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
    /* Read under the lock: close() in another thread clears it there. */
    cshark_capture *cap = self->cap;
    rc = cap ? cshark_capture_next_timeout(cap, &pkt, ms) : CSHARK_ESTATE;
    if (rc == CSHARK_PACKET)
        rc = cshark_packet_keep(pkt) == CSHARK_OK ? rc : CSHARK_EINVAL;
    PyThread_release_lock(py_engine_lock);
    Py_END_ALLOW_THREADS
    if (first)
        py_fields_forget();
    if (rc == CSHARK_DONE)
        Py_RETURN_NONE;
    if (rc == CSHARK_AGAIN) {
        PyErr_SetString(PyExc_TimeoutError, "no packet within the timeout");
        return NULL;
    }
    CAP_CHECK(self, rc);
    return py_packet_wrap(pkt);
}

static PyObject *capture_close(CaptureObject *self, PyObject *unused)
{
    (void)unused;
    close_capture(self);
    Py_RETURN_NONE;
}

/* set_read_ahead(on, fields=(), in_turn_after=-1): dissect the next packets
 * in a worker thread while Python reads this one, and format there the
 * strings of FIELDS (names) in each. Before the first next() only; for
 * regular files (the caller checks), not with set_session_reset(). Tests
 * pass IN_TURN_AFTER to make it fall back to reading in turn after that
 * many packets, as it does by itself on a busy machine. */
static PyObject *capture_set_read_ahead(CaptureObject *self, PyObject *args)
{
    PyObject *arg, *fields = NULL;
    long in_turn_after = -1;
    if (!PyArg_ParseTuple(args, "O|Ol", &arg, &fields, &in_turn_after))
        return NULL;
    int on = PyObject_IsTrue(arg);
    if (on < 0 || !alive(self))
        return NULL;
    if (self->started) {
        PyErr_SetString(PyExc_ValueError, "set_read_ahead() comes before the first next()");
        return NULL;
    }
    if (on && self->session_reset) {
        PyErr_SetString(PyExc_ValueError, "no reading ahead with session resets");
        return NULL;
    }
    if (on && !self->ahead) {
        PyObject *keep = NULL;
        size_t n = 0;
        const char **names = NULL;
        if (fields && !(names = names_of(fields, "fields must be a list of names", &keep, &n)))
            return NULL;
        self->ahead = py_ahead_new(self->cap, names, n); /* NULL: read in the caller's thread */
        if (names)
            names_free(names, keep);
        if (self->ahead && in_turn_after >= 0)
            py_ahead_in_turn_after(self->ahead, in_turn_after);
    }
    if (!on && self->ahead) {
        py_ahead_free(self->ahead); /* never started: no worker */
        self->ahead = NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *capture_stop(CaptureObject *self, PyObject *unused)
{
    (void)unused;
    if (self->cap)
        cshark_capture_stop(self->cap); /* thread-safe: no GIL needed by C */
    Py_RETURN_NONE;
}

static PyObject *capture_stats(CaptureObject *self, PyObject *unused)
{
    (void)unused;
    if (!alive(self))
        return NULL;
    cshark_stats st = CSHARK_STATS_INIT;
    /* Reading ahead, the capture has read further than the packets Python has. */
    if (!self->ahead || !py_ahead_stats(self->ahead, &st))
        CAP_CHECK(self, LOCKED(int, cshark_capture_stats(self->cap, &st)));
    return Py_BuildValue("{sKsKsKsKsK}", "received", st.received, "dropped", st.dropped,
                         "if_dropped", st.if_dropped, "read", st.read, "delivered",
                         st.delivered);
}

/* Setters taking one string / one int / one bool. */
#define SET_STR(pyname, fn)                                                    \
    static PyObject *capture_##pyname(CaptureObject *self, PyObject *arg)      \
    {                                                                          \
        const char *s = arg == Py_None ? NULL : PyUnicode_AsUTF8(arg);         \
        if ((!s && arg != Py_None) || !alive(self))                            \
            return NULL;                                                       \
        CAP_CHECK(self, LOCKED(int, fn(self->cap, s)));                        \
        Py_RETURN_NONE;                                                        \
    }
#define SET_INT(pyname, fn, ctype)                                             \
    static PyObject *capture_##pyname(CaptureObject *self, PyObject *arg)      \
    {                                                                          \
        long long v = PyLong_AsLongLong(arg);                                  \
        if ((v == -1 && PyErr_Occurred()) || !alive(self))                     \
            return NULL;                                                       \
        CAP_CHECK(self, LOCKED(int, fn(self->cap, (ctype)v)));                 \
        Py_RETURN_NONE;                                                        \
    }

SET_STR(set_display_filter, cshark_capture_set_display_filter)
SET_STR(set_pref, cshark_capture_set_preference)
SET_STR(decode_as, cshark_capture_set_decode_as)
SET_STR(set_capture_filter, cshark_capture_set_capture_filter)
SET_STR(set_name_resolution, cshark_capture_set_name_resolution)
SET_STR(set_feed_interface, cshark_capture_set_feed_interface)
SET_INT(set_two_pass, cshark_capture_set_two_pass, int)
SET_INT(set_columns, cshark_capture_set_columns, int)
SET_INT(set_packet_limit, cshark_capture_set_packet_limit, uint64_t)
SET_INT(set_record_limit, cshark_capture_set_record_limit, uint64_t)
SET_INT(set_snaplen, cshark_capture_set_snaplen, int)
SET_INT(set_promiscuous, cshark_capture_set_promiscuous, int)
SET_INT(set_monitor_mode, cshark_capture_set_monitor_mode, int)
SET_INT(set_buffer_size, cshark_capture_set_buffer_size, int)
SET_INT(set_immediate_mode, cshark_capture_set_immediate_mode, int)

static PyObject *capture_set_session_reset(CaptureObject *self, PyObject *arg)
{
    unsigned long long v = PyLong_AsUnsignedLongLong(arg);
    if ((v == (unsigned long long)-1 && PyErr_Occurred()) || !alive(self))
        return NULL;
    if (v && self->ahead) {
        PyErr_SetString(PyExc_ValueError, "no session resets when reading ahead");
        return NULL;
    }
    CAP_CHECK(self, LOCKED(int, cshark_capture_set_session_reset(self->cap, (uint64_t)v)));
    self->session_reset = v != 0;
    Py_RETURN_NONE;
}

static PyObject *capture_set_duration(CaptureObject *self, PyObject *arg)
{
    double v = PyFloat_AsDouble(arg);
    if ((v == -1.0 && PyErr_Occurred()) || !alive(self))
        return NULL;
    CAP_CHECK(self, LOCKED(int, cshark_capture_set_duration(self->cap, v)));
    Py_RETURN_NONE;
}

static PyObject *capture_set_protocol(CaptureObject *self, PyObject *args)
{
    const char *name;
    int enabled;
    if (!PyArg_ParseTuple(args, "sp", &name, &enabled) || !alive(self))
        return NULL;
    CAP_CHECK(self, LOCKED(int, cshark_capture_set_protocol(self->cap, name, enabled)));
    Py_RETURN_NONE;
}

static PyObject *capture_add_wlan_key(CaptureObject *self, PyObject *args)
{
    const char *type, *key;
    if (!PyArg_ParseTuple(args, "ss", &type, &key) || !alive(self))
        return NULL;
    CAP_CHECK(self, LOCKED(int, cshark_capture_set_wlan_key(self->cap, type, key)));
    Py_RETURN_NONE;
}

static PyObject *capture_set_output(CaptureObject *self, PyObject *args)
{
    const char *path;
    unsigned long long kb = 0;
    unsigned files = 0;
    if (!PyArg_ParseTuple(args, "s|KI", &path, &kb, &files) || !alive(self))
        return NULL;
    CAP_CHECK(self, LOCKED(int, cshark_capture_set_output(self->cap, path, kb, files)));
    Py_RETURN_NONE;
}

static PyObject *capture_set_fields(CaptureObject *self, PyObject *arg)
{
    if (!alive(self))
        return NULL;
    PyObject *keep;
    size_t n;
    const char **names = names_of(arg, "fields must be a list of names", &keep, &n);
    if (!names)
        return NULL;
    int rc = LOCKED(int, cshark_capture_set_fields(self->cap, names, n));
    names_free(names, keep);
    CAP_CHECK(self, rc);
    Py_RETURN_NONE;
}

cshark_capture *py_capture_of(PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, &py_capture_type)) {
        PyErr_SetString(PyExc_TypeError, "not a cshark._cshark.Capture");
        return NULL;
    }
    CaptureObject *self = (CaptureObject *)obj;
    if (!self->cap) {
        closed_error();
        return NULL;
    }
    if (self->ahead) {
        PyErr_SetString(PyExc_ValueError, "a capture reading ahead is read with next() only");
        return NULL;
    }
    self->started = 1;
    return self->cap;
}

static PyMethodDef capture_methods[] = {
    { "open_file", (PyCFunction)open_file, METH_O | METH_CLASS, "Open a capture file." },
    { "open_feed", (PyCFunction)open_feed, METH_VARARGS | METH_CLASS,
      "A capture of frames given with feed() (linktype, nanoseconds=False)." },
    { "open_live", (PyCFunction)open_live, METH_O | METH_CLASS,
      "Open a live capture on a list of interfaces." },
    { "next", (PyCFunction)capture_next, METH_VARARGS,
      "next(timeout=None) -> Packet, None at the end; TimeoutError if none came in time." },
    { "close", (PyCFunction)capture_close, METH_NOARGS, NULL },
    { "set_read_ahead", (PyCFunction)capture_set_read_ahead, METH_VARARGS,
      "set_read_ahead(on, fields=(), in_turn_after=-1): dissect the next packets in a worker "
      "thread meanwhile (regular files), formatting FIELDS' strings there." },
    { "stop", (PyCFunction)capture_stop, METH_NOARGS, "End a live capture (any thread)." },
    { "stats", (PyCFunction)capture_stats, METH_NOARGS, NULL },
    { "set_display_filter", (PyCFunction)capture_set_display_filter, METH_O, NULL },
    { "set_two_pass", (PyCFunction)capture_set_two_pass, METH_O, NULL },
    { "set_packet_limit", (PyCFunction)capture_set_packet_limit, METH_O, NULL },
    { "set_record_limit", (PyCFunction)capture_set_record_limit, METH_O, NULL },
    { "set_fields", (PyCFunction)capture_set_fields, METH_O, NULL },
    { "set_columns", (PyCFunction)capture_set_columns, METH_O, NULL },
    { "feed", (PyCFunction)capture_feed, METH_VARARGS, NULL },
    { "feed_end", (PyCFunction)capture_feed_end, METH_NOARGS, NULL },
    { "set_feed_interface", (PyCFunction)capture_set_feed_interface, METH_O,
      "Fed frames as captured on one interface of that name (before the first next())." },
    { "set_pref", (PyCFunction)capture_set_pref, METH_O, NULL },
    { "decode_as", (PyCFunction)capture_decode_as, METH_O, NULL },
    { "set_protocol", (PyCFunction)capture_set_protocol, METH_VARARGS, NULL },
    { "add_wlan_key", (PyCFunction)capture_add_wlan_key, METH_VARARGS, NULL },
    { "set_name_resolution", (PyCFunction)capture_set_name_resolution, METH_O, NULL },
    { "set_capture_filter", (PyCFunction)capture_set_capture_filter, METH_O, NULL },
    { "set_snaplen", (PyCFunction)capture_set_snaplen, METH_O, NULL },
    { "set_promiscuous", (PyCFunction)capture_set_promiscuous, METH_O, NULL },
    { "set_monitor_mode", (PyCFunction)capture_set_monitor_mode, METH_O, NULL },
    { "set_buffer_size", (PyCFunction)capture_set_buffer_size, METH_O, NULL },
    { "set_immediate_mode", (PyCFunction)capture_set_immediate_mode, METH_O, NULL },
    { "set_duration", (PyCFunction)capture_set_duration, METH_O, NULL },
    { "set_output", (PyCFunction)capture_set_output, METH_VARARGS, NULL },
    { "set_session_reset", (PyCFunction)capture_set_session_reset, METH_O, NULL },
    { NULL, NULL, 0, NULL },
};

PyTypeObject py_capture_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Capture",
    .tp_basicsize = sizeof(CaptureObject),
    .tp_dealloc = (destructor)capture_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A capture file or live capture (Capture.open_file / open_live).",
    .tp_methods = capture_methods,
};
