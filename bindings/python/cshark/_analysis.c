/* cshark._cshark, analyses across packets: analyze(capture, spec) attaches
 * one (an Analysis, which keeps its capture alive), run(capture) reads the
 * rest without packets; an Analysis gives tshark's text, its rows as
 * tuples of Python values, and saves export objects.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

typedef struct {
    PyObject_HEAD
    PyObject *capture;      /* the Capture: the analysis lives as long as it */
    cshark_analysis *analysis;
} AnalysisObject;

static void analysis_dealloc(AnalysisObject *self)
{
    Py_XDECREF(self->capture);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The engine capture behind the Analysis, or NULL (closed: raised). */
static int alive(AnalysisObject *self)
{
    return py_capture_of(self->capture) != NULL;
}

static PyObject *analysis_text(AnalysisObject *self, PyObject *unused)
{
    (void)unused;
    if (!alive(self))
        return NULL;
    engine_enter();
    const char *text = cshark_analysis_text(self->analysis);
    PyObject *s = text ? PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace") : NULL;
    engine_leave();
    return text ? s : py_raise(CSHARK_EINVAL);
}

/* One cell of the snapshot as a Python value. */
static PyObject *cell(AnalysisObject *self, size_t row, size_t col, cshark_type type)
{
    int rc;
    switch (type) {
    case CSHARK_TYPE_UINT: {
        uint64_t v;
        rc = cshark_analysis_uint(self->analysis, row, col, &v);
        return rc == CSHARK_OK ? PyLong_FromUnsignedLongLong(v) : py_raise(rc);
    }
    case CSHARK_TYPE_DOUBLE: {
        double v;
        rc = cshark_analysis_double(self->analysis, row, col, &v);
        return rc == CSHARK_OK ? PyFloat_FromDouble(v) : py_raise(rc);
    }
    case CSHARK_TYPE_BYTES: {
        const uint8_t *data;
        size_t len;
        rc = cshark_analysis_bytes(self->analysis, row, col, &data, &len);
        return rc == CSHARK_OK ? PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)len)
                               : py_raise(rc);
    }
    default: {
        const char *s;
        rc = cshark_analysis_string(self->analysis, row, col, &s);
        return rc == CSHARK_OK ? PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace")
                               : py_raise(rc);
    }
    }
}

/* (names, rows): the column names and a list of tuples, as of now. */
static PyObject *analysis_rows(AnalysisObject *self, PyObject *unused)
{
    (void)unused;
    if (!alive(self))
        return NULL;
    engine_enter();
    size_t nrows, ncols = cshark_analysis_column_count(self->analysis);
    int rc = cshark_analysis_rows(self->analysis, &nrows);
    PyObject *names = NULL, *rows = NULL;
    if (rc != CSHARK_OK) {
        engine_leave();
        return py_raise(rc);
    }
    names = PyTuple_New((Py_ssize_t)ncols);
    rows = PyList_New((Py_ssize_t)nrows);
    for (size_t c = 0; names && c < ncols; c++)
        PyTuple_SET_ITEM(names, (Py_ssize_t)c,
                         PyUnicode_FromString(cshark_analysis_column_name(self->analysis, c)));
    for (size_t r = 0; rows && r < nrows; r++) {
        PyObject *row = PyTuple_New((Py_ssize_t)ncols);
        for (size_t c = 0; row && c < ncols; c++) {
            PyObject *v = cell(self, r, c, cshark_analysis_column_type(self->analysis, c));
            if (!v) {
                Py_CLEAR(row);
                break;
            }
            PyTuple_SET_ITEM(row, (Py_ssize_t)c, v);
        }
        if (!row) {
            Py_CLEAR(rows);
            break;
        }
        PyList_SET_ITEM(rows, (Py_ssize_t)r, row);
    }
    engine_leave();
    if (!names || !rows) {
        Py_XDECREF(names);
        Py_XDECREF(rows);
        return NULL;
    }
    return Py_BuildValue("(NN)", names, rows);
}

static PyObject *analysis_save(AnalysisObject *self, PyObject *arg)
{
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    if (!alive(self)) {
        Py_DECREF(path);
        return NULL;
    }
    engine_enter();
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = cshark_analysis_save(self->analysis, PyBytes_AS_STRING(path));
    Py_END_ALLOW_THREADS
    PyObject *result = rc == CSHARK_OK ? Py_NewRef(Py_None) : py_raise(rc);
    engine_leave();
    Py_DECREF(path);
    return result;
}

static PyMethodDef analysis_methods[] = {
    { "text", (PyCFunction)analysis_text, METH_NOARGS, "tshark -z's text, as of now." },
    { "rows", (PyCFunction)analysis_rows, METH_NOARGS,
      "(column names, list of row tuples) as of now." },
    { "save", (PyCFunction)analysis_save, METH_O,
      "Export objects: write them into a folder, as tshark --export-objects." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject py_analysis_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Analysis",
    .tp_basicsize = sizeof(AnalysisObject),
    .tp_dealloc = (destructor)analysis_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An analysis across the packets of a capture (cshark_capture_analyze).",
    .tp_methods = analysis_methods,
};

PyObject *py_analyze(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *capture;
    const char *spec;
    if (!PyArg_ParseTuple(args, "Os:analyze", &capture, &spec))
        return NULL;
    cshark_capture *cap = py_capture_of(capture);
    if (!cap)
        return NULL;
    cshark_analysis *a;
    engine_enter();
    int rc = cshark_capture_analyze(cap, spec, &a);
    if (rc != CSHARK_OK)
        py_raise(rc);
    engine_leave();
    if (rc != CSHARK_OK)
        return NULL;
    AnalysisObject *self = PyObject_New(AnalysisObject, &py_analysis_type);
    if (!self)
        return NULL;
    self->capture = Py_NewRef(capture);
    self->analysis = a;
    return (PyObject *)self;
}

PyObject *py_run(PyObject *m, PyObject *capture)
{
    (void)m;
    cshark_capture *cap = py_capture_of(capture);
    if (!cap)
        return NULL;
    int rc;
    engine_enter();
    Py_BEGIN_ALLOW_THREADS
    rc = cshark_capture_run(cap);
    Py_END_ALLOW_THREADS
    PyObject *result = rc == CSHARK_OK ? Py_NewRef(Py_None) : py_raise(rc);
    engine_leave();
    return result;
}
