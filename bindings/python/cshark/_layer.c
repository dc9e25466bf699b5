/* cshark._cshark, the C half of PyShark's access path (`pkt.ip.src`):
 * - Attr, a non-data descriptor the tree classes install for an attribute
 *   name once it has been answered (a layer or field name), so that the next
 *   `pkt.ip` or `layer.src` is a call, not a failed lookup, an AttributeError
 *   and a __getattr__;
 * - layer_container(), a field's LayerFieldsContainer in a layer, built from
 *   the packet's index by name in one call. The names are resolved once
 *   (cshark_field_lookup, under the engine lock); the occurrences are then
 *   found without the lock, so a read-ahead worker may be dissecting.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

/* ---- Attr ----------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *fn;   /* fn(obj, name) answers the attribute */
    PyObject *name;
} AttrObject;

static PyObject *attr_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *fn, *name;
    if (kwargs && PyDict_GET_SIZE(kwargs)) {
        PyErr_SetString(PyExc_TypeError, "Attr(fn, name) takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OU", &fn, &name))
        return NULL;
    AttrObject *self = (AttrObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    Py_INCREF(fn);
    Py_INCREF(name);
    self->fn = fn;
    self->name = name;
    return (PyObject *)self;
}

/* No __set__: the instance's own __dict__ still wins, as it would over
 * __getattr__. */
static PyObject *attr_get(AttrObject *self, PyObject *obj, PyObject *type)
{
    (void)type;
    if (!obj || obj == Py_None) {
        Py_INCREF(self);
        return (PyObject *)self;
    }
    PyObject *args[2] = { obj, self->name };
    return PyObject_Vectorcall(self->fn, args, 2, NULL);
}

static int attr_traverse(AttrObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->fn);
    return 0;
}

static int attr_clear(AttrObject *self)
{
    Py_CLEAR(self->fn);
    return 0;
}

static void attr_dealloc(AttrObject *self)
{
    PyObject_GC_UnTrack(self);
    attr_clear(self);
    Py_CLEAR(self->name);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyTypeObject py_attr_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Attr",
    .tp_basicsize = sizeof(AttrObject),
    .tp_dealloc = (destructor)attr_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Attr(fn, name): a class attribute whose value on an instance is fn(instance, name).",
    .tp_traverse = (traverseproc)attr_traverse,
    .tp_clear = (inquiry)attr_clear,
    .tp_descr_get = (descrgetfunc)attr_get,
    .tp_new = attr_new,
};

/* ---- layer_container ------------------------------------------------------- */

static PyTypeObject *container_type, *field_type; /* LayerFieldsContainer, LayerField */
static PyObject *str_item, *str_fields;
static PyObject *resolved; /* name -> int(cshark_field address) */

void py_fields_forget(void)
{
    if (resolved)
        PyDict_Clear(resolved);
    py_ahead_forget_learned();
}

/* The engine's handle of field NAME (a str), resolved once; NULL with
 * FieldError (unknown) or another exception set. */
static const cshark_field *field_of(PyObject *name)
{
    if (!resolved && !(resolved = PyDict_New()))
        return NULL;
    PyObject *known = PyDict_GetItemWithError(resolved, name);
    if (known)
        return PyLong_AsVoidPtr(known);
    const char *s = PyUnicode_AsUTF8(name);
    if (!s || PyErr_Occurred())
        return NULL;
    const cshark_field *f;
    int rc = LOCKED(int, cshark_field_lookup(s, &f));
    if (rc != CSHARK_OK) {
        py_raise(rc);
        return NULL;
    }
    PyObject *addr = PyLong_FromVoidPtr((void *)f);
    if (!addr || PyDict_SetItem(resolved, name, addr) < 0) {
        Py_XDECREF(addr);
        return NULL;
    }
    Py_DECREF(addr);
    return f;
}

/* set_field_classes(LayerFieldsContainer, LayerField): the classes
 * layer_container() makes (called once, by cshark.packet.fields). */
PyObject *py_set_field_classes(PyObject *m, PyObject *args)
{
    (void)m;
    PyTypeObject *c, *f;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &c, &PyType_Type, &f))
        return NULL;
    if (!PyType_IsSubtype(c, &PyUnicode_Type)) {
        PyErr_SetString(PyExc_TypeError, "the container class must be a str subclass");
        return NULL;
    }
    if ((!str_item && !(str_item = PyUnicode_InternFromString("_item"))) ||
        (!str_fields && !(str_fields = PyUnicode_InternFromString("fields"))))
        return NULL;
    Py_INCREF(c);
    Py_INCREF(f);
    Py_XSETREF(container_type, c);
    Py_XSETREF(field_type, f);
    Py_RETURN_NONE;
}

/* A LayerField reading its attributes from IT when first used (what
 * LayerField._from_item makes). */
static PyObject *new_field(PacketObject *pkt, const cshark_item *it)
{
    PyObject *f = field_type->tp_alloc(field_type, 0), *item = f ? py_item_new(pkt, it) : NULL;
    if (!item || PyObject_SetAttr(f, str_item, item) < 0) {
        Py_XDECREF(item);
        Py_XDECREF(f);
        return NULL;
    }
    Py_DECREF(item);
    return f;
}

/* layer_container(packet, top, name, skip_protocols) -> the
 * LayerFieldsContainer of field NAME's occurrences inside the layer TOP (a
 * top-level Item; TOP itself and, with SKIP_PROTOCOLS, nested <proto>
 * elements left out), or None when there are none. FieldError for a name the
 * engine does not know. */
PyObject *py_layer_container(PyObject *m, PyObject *const *args, Py_ssize_t n)
{
    (void)m;
    if (n != 4 || !PyObject_TypeCheck(args[0], &py_packet_type) ||
        !PyObject_TypeCheck(args[1], &py_item_type) || !PyUnicode_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "layer_container(packet, top item, name, skip_protocols)");
        return NULL;
    }
    if (!container_type) {
        PyErr_SetString(PyExc_RuntimeError, "set_field_classes() was not called");
        return NULL;
    }
    PacketObject *pkt = (PacketObject *)args[0];
    const cshark_item *top = ((ItemObject *)args[1])->item;
    const cshark_field *field = field_of(args[2]);
    int skip = PyObject_IsTrue(args[3]);
    if (!field || skip < 0)
        return NULL;
    const cshark_item *const *items;
    size_t count;
    CHECK(cshark_packet_fields_of(pkt->pkt, field, &items, &count)); /* structure: no lock */
    const cshark_item *first = NULL;
    PyObject *fields = NULL;
    for (size_t i = 0; i < count; i++) {
        const cshark_item *it = items[i];
        if (it == top || top_of(it) != top ||
            (skip && cshark_item_kind(it) == CSHARK_ITEM_PROTO))
            continue;
        if (!fields && !(fields = PyList_New(0)))
            return NULL;
        if (append_new(fields, new_field(pkt, it)) < 0) {
            Py_DECREF(fields);
            return NULL;
        }
        if (!first)
            first = it;
    }
    if (!fields)
        Py_RETURN_NONE;
    /* Not formatted by a read-ahead worker: it will be in the next packets. */
    if (!cshark_item_formatted(first, AHEAD_STRINGS))
        py_ahead_learn(field);
    /* str.__new__(LayerFieldsContainer, default), then .fields. */
    PyObject *text = py_item_default(first), *targs = text ? PyTuple_Pack(1, text) : NULL;
    PyObject *c = targs ? PyUnicode_Type.tp_new(container_type, targs, NULL) : NULL;
    Py_XDECREF(targs);
    Py_XDECREF(text);
    if (!c || PyObject_SetAttr(c, str_fields, fields) < 0) {
        Py_XDECREF(c);
        c = NULL;
    }
    Py_DECREF(fields);
    return c;
}
