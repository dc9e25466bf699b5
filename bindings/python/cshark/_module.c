/* cshark._cshark, the module: its functions, its types (the other files)
 * and the exceptions it raises, which are cshark.exceptions' classes.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

/* ---- exceptions ------------------------------------------------------------ */

/* The classes of cshark/exceptions.py (py_raise_msg maps return codes to
 * them): what the extension raises is what users catch, and, through
 * CsharkError, PyShark's TSharkCrashException. */
static PyObject *CsharkError, *FilterError, *FieldError, *OptionError, *CaptureOpenError,
    *CaptureReadError, *CapturePermissionError;

static const struct {
    PyObject **slot;
    const char *name;
} exception_classes[] = {
    { &CsharkError, "CsharkError" },
    { &FilterError, "FilterError" },
    { &FieldError, "FieldError" },
    { &OptionError, "OptionError" },
    { &CaptureOpenError, "CaptureOpenError" },
    { &CaptureReadError, "CaptureReadError" },
    { &CapturePermissionError, "CapturePermissionError" },
};

/* cshark.exceptions imports nothing of the package: importing it here, while
 * cshark/__init__.py imports this module, is no cycle. */
static int import_exceptions(void)
{
    PyObject *mod = PyImport_ImportModule("cshark.exceptions");
    if (!mod)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof exception_classes / sizeof exception_classes[0];
         i++) {
        PyObject *cls = PyObject_GetAttrString(mod, exception_classes[i].name);
        if (cls && !PyExceptionClass_Check(cls)) {
            PyErr_Format(PyExc_TypeError, "cshark.exceptions.%s is not an exception class",
                         exception_classes[i].name);
            Py_CLEAR(cls);
        }
        if (!cls)
            rc = -1;
        Py_XSETREF(*exception_classes[i].slot, cls);
    }
    Py_DECREF(mod);
    return rc;
}

/* The exception for a return code, with MSG as message. */
PyObject *py_raise_msg(int rc, const char *msg)
{
    PyObject *type = CsharkError;
    switch (rc) {
    case CSHARK_EFILTER: type = FilterError; break;
    case CSHARK_EUNKNOWN_FIELD: type = FieldError; break;
    case CSHARK_EOPTION: type = OptionError; break;
    case CSHARK_EOPEN: case CSHARK_EFORMAT: type = CaptureOpenError; break;
    case CSHARK_EREAD: type = CaptureReadError; break;
    case CSHARK_EPERM: type = CapturePermissionError; break;
    case CSHARK_EINVAL: type = PyExc_ValueError; break;
    case CSHARK_ENOMEM: return PyErr_NoMemory();
    default: break;
    }
    /* Not PyErr_SetString: it drops a message that is not valid UTF-8 (a
     * filter or a file name can hold any byte), leaving the exception empty. */
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    if (text) {
        PyErr_SetObject(type, text);
        Py_DECREF(text);
    }
    return NULL;
}

/* ... with cshark_last_error() as message. */
PyObject *py_raise(int rc)
{
    return py_raise_msg(rc, cshark_last_error());
}

PyObject *py_str(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    /* The engine's text is UTF-8; a stray byte from a malformed packet
     * becomes U+FFFD rather than an exception. */
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* ---- module functions ------------------------------------------------------ */

static PyObject *mod_init(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *names[] = { "no_personal_config", NULL };
    int no_personal = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", names, &no_personal))
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
    rc = cshark_init(no_personal ? CSHARK_INIT_NO_PERSONAL_CONFIG : 0);
    PyThread_release_lock(py_engine_lock);
    Py_END_ALLOW_THREADS
    CHECK(rc);
    Py_RETURN_NONE;
}

static PyObject *mod_check_filter(PyObject *m, PyObject *arg)
{
    (void)m;
    const char *f = PyUnicode_AsUTF8(arg);
    if (!f)
        return NULL;
    const char *warning;
    CHECK(LOCKED(int, cshark_filter_check(f, &warning)));
    return py_str(warning);
}

static PyObject *mod_field_type(PyObject *m, PyObject *arg)
{
    (void)m;
    const char *f = PyUnicode_AsUTF8(arg);
    if (!f)
        return NULL;
    cshark_type type;
    CHECK(LOCKED(int, cshark_field_type(f, &type)));
    return PyLong_FromLong(type);
}

static PyObject *mod_interfaces(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    cshark_interface **list;
    size_t n;
    CHECK(LOCKED(int, cshark_interfaces(&list, &n)));
    PyObject *out = PyList_New(0);
    for (size_t i = 0; out && i < n; i++) {
        PyObject *addrs = PyList_New(0);
        for (size_t k = 0; addrs && k < list[i]->naddresses; k++)
            if (append_new(addrs, py_str(list[i]->addresses[k])) < 0)
                Py_CLEAR(addrs);
        PyObject *d = Py_BuildValue("{sNsNsIsN}", "name", py_str(list[i]->name), "description",
                                    py_str(list[i]->description), "flags", list[i]->flags,
                                    "addresses", addrs);
        if (append_new(out, d) < 0)
            Py_CLEAR(out);
    }
    cshark_interfaces_free(list, n);
    return out;
}

static PyObject *mod_versions(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return Py_BuildValue("(ss)", cshark_version(), cshark_engine_version());
}

static PyMethodDef module_methods[] = {
    { "init", (PyCFunction)(void (*)(void))mod_init, METH_VARARGS | METH_KEYWORDS,
      "Initialise the engine (done on first use otherwise)." },
    { "check_filter", mod_check_filter, METH_O,
      "Raise FilterError for an invalid display filter; return a deprecation warning or None." },
    { "field_type", mod_field_type, METH_O, "The cshark_type of a field name." },
    { "read_frame", (PyCFunction)(void (*)(void))py_read_frame, METH_VARARGS | METH_KEYWORDS,
      "read_frame(capture, names, kinds, occurrence=1, limit=0, timeout=None, missing=None) -> "
      "(rows, ended, columns): see _frame.c." },
    { "analyze", py_analyze, METH_VARARGS,
      "analyze(capture, spec) -> Analysis: attach an analysis (tshark -z) before the first packet." },
    { "run", py_run, METH_O, "run(capture): read the rest without packets (tshark -q)." },
    { "interfaces", mod_interfaces, METH_NOARGS, "Interfaces libpcap can capture on." },
    { "versions", mod_versions, METH_NOARGS, "(cshark, libwireshark)" },
    { "_before_fork", py_before_fork, METH_NOARGS, "os.register_at_fork(before=...)" },
    { "_after_fork_parent", py_after_fork_parent, METH_NOARGS, "...(after_in_parent=...)" },
    { "_after_fork_child", py_after_fork_child, METH_NOARGS, "...(after_in_child=...)" },
    { "set_field_classes", py_set_field_classes, METH_VARARGS,
      "set_field_classes(LayerFieldsContainer, LayerField): what layer_container() makes." },
    { "layer_container", (PyCFunction)(void (*)(void))py_layer_container, METH_FASTCALL,
      "layer_container(packet, top, name, skip_protocols): a field's container in a layer, or None." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "cshark._cshark", "Wireshark's engine, in-process.", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cshark(void)
{
    if (PyType_Ready(&py_capture_type) < 0 || PyType_Ready(&py_packet_type) < 0 ||
        PyType_Ready(&py_item_type) < 0 || PyType_Ready(&py_attr_type) < 0 ||
        PyType_Ready(&py_analysis_type) < 0 || import_exceptions() < 0)
        return NULL;
    py_engine_lock = PyThread_allocate_lock();
    if (!py_engine_lock)
        return PyErr_NoMemory();
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    if (PyModule_AddObjectRef(m, "Capture", (PyObject *)&py_capture_type) < 0 ||
        PyModule_AddObjectRef(m, "Packet", (PyObject *)&py_packet_type) < 0 ||
        PyModule_AddObjectRef(m, "Item", (PyObject *)&py_item_type) < 0 ||
        PyModule_AddObjectRef(m, "Attr", (PyObject *)&py_attr_type) < 0 ||
        PyModule_AddIntConstant(m, "COLUMNS_ONLY", CSHARK_COLUMNS_ONLY) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyObject *meta = py_frame_meta_fields();
    int bad = !meta || PyModule_AddObjectRef(m, "FRAME_META_FIELDS", meta) < 0;
    Py_XDECREF(meta);
    if (bad) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
