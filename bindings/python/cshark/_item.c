/* cshark._cshark, items: one PDML element of a kept packet's tree; its
 * strings are formatted when first read (or already, by a read-ahead worker).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

PyObject *py_item_new(PacketObject *packet, const cshark_item *it)
{
    if (!it)
        Py_RETURN_NONE;
    ItemObject *o = PyObject_New(ItemObject, &py_item_type);
    if (!o)
        return NULL;
    Py_INCREF(packet);
    o->packet = packet;
    o->item = it;
    return (PyObject *)o;
}

static void item_dealloc(ItemObject *self)
{
    Py_DECREF(self->packet);
    PyObject_Free(self);
}

static PyObject *item_children(ItemObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    /* Children are plain links in the built view: no engine call. */
    for (const cshark_item *c = cshark_item_child(self->item); list && c;
         c = cshark_item_next(c))
        if (append_new(list, py_item_new(self->packet, c)) < 0)
            Py_CLEAR(list);
    return list;
}

/* An item's typed value, read under the engine lock into C and only then
 * made a Python object: allocating one may run the garbage collector, which
 * may free a capture, whose close takes the engine lock (not reentrant). */
typedef struct {
    cshark_type type;
    int rc;
    uint64_t u;
    int64_t i;
    double d;
    const uint8_t *b;
    size_t n;
    uint8_t a[16];
    int32_t ns;
    const char *s;
} typed_value;

static void typed_read(const cshark_item *it, typed_value *v)
{
    v->type = cshark_item_type(it);
    switch (v->type) {
    case CSHARK_TYPE_UINT:
    case CSHARK_TYPE_BOOLEAN:
        v->rc = cshark_item_uint(it, &v->u);
        break;
    case CSHARK_TYPE_INT:
        v->rc = cshark_item_int(it, &v->i);
        break;
    case CSHARK_TYPE_DOUBLE:
        v->rc = cshark_item_double(it, &v->d);
        break;
    case CSHARK_TYPE_BYTES:
        v->rc = cshark_item_bytes(it, &v->b, &v->n);
        break;
    case CSHARK_TYPE_IPV4:
        v->rc = cshark_item_ipv4(it, v->a);
        break;
    case CSHARK_TYPE_IPV6:
        v->rc = cshark_item_ipv6(it, v->a);
        break;
    case CSHARK_TYPE_ABSOLUTE_TIME:
    case CSHARK_TYPE_RELATIVE_TIME:
        v->rc = cshark_item_time(it, &v->i, &v->ns);
        break;
    case CSHARK_TYPE_STRING:
        v->rc = cshark_item_string(it, &v->s);
        break;
    default:
        v->rc = CSHARK_OK;
    }
}

static PyObject *item_value_typed(ItemObject *self, PyObject *unused)
{
    (void)unused;
    typed_value v = { 0 };
    engine_enter();
    typed_read(self->item, &v);
    engine_leave();
    CHECK(v.rc);
    switch (v.type) {
    case CSHARK_TYPE_UINT: return PyLong_FromUnsignedLongLong(v.u);
    case CSHARK_TYPE_BOOLEAN: return PyBool_FromLong(v.u != 0);
    case CSHARK_TYPE_INT: return PyLong_FromLongLong(v.i);
    case CSHARK_TYPE_DOUBLE: return PyFloat_FromDouble(v.d);
    /* The bytes and the string are the packet's, which SELF keeps alive. */
    case CSHARK_TYPE_BYTES: return PyBytes_FromStringAndSize((const char *)v.b, (Py_ssize_t)v.n);
    case CSHARK_TYPE_IPV4: return PyBytes_FromStringAndSize((const char *)v.a, 4);
    case CSHARK_TYPE_IPV6: return PyBytes_FromStringAndSize((const char *)v.a, 16);
    case CSHARK_TYPE_ABSOLUTE_TIME:
    case CSHARK_TYPE_RELATIVE_TIME: return Py_BuildValue("(Li)", (long long)v.i, (int)v.ns);
    case CSHARK_TYPE_STRING: return py_str(v.s);
    default: Py_RETURN_NONE;
    }
}

static PyObject *item_data(ItemObject *self, PyObject *unused)
{
    (void)unused;
    const uint8_t *d;
    size_t n;
    CHECK(LOCKED(int, cshark_item_data(self->item, &d, &n)));
    return PyBytes_FromStringAndSize((const char *)d, (Py_ssize_t)n);
}

#define ITEM_STR(fn)                                                           \
    GETTER(item_get_##fn, ItemObject, py_str(LOCKED(const char *, cshark_item_##fn(self->item))))

/* The PDML strings need no engine call once formatted (cshark.h). */
static PyObject *pdml_str(const cshark_item *it, const char *(*fn)(const cshark_item *),
                          unsigned bit)
{
    if (cshark_item_formatted(it, bit))
        return py_str(fn(it));
    return py_str(LOCKED(const char *, fn(it)));
}
#define ITEM_PDML_STR(fn, bit)                                                 \
    GETTER(item_get_##fn, ItemObject, pdml_str(self->item, cshark_item_##fn, bit))

/* [structure]: no engine lock (see _cshark.h). */
GETTER(item_get_name, ItemObject, py_str(cshark_item_name(self->item)))
ITEM_PDML_STR(showname, CSHARK_STR_SHOWNAME)
ITEM_PDML_STR(show, CSHARK_STR_SHOW)
ITEM_PDML_STR(raw_value, CSHARK_STR_RAW_VALUE)
ITEM_PDML_STR(unmaskedvalue, CSHARK_STR_UNMASKED)

/* PyShark's str of a field: show, else value, else showname. */
PyObject *py_item_default(const cshark_item *it)
{
    /* Formatted already (by a read-ahead worker, which formats show): no
     * engine call. The others are asked for where show is empty. */
    const char *s;
    if (cshark_item_formatted(it, CSHARK_STR_SHOW) && (s = cshark_item_show(it)) && *s)
        return py_str(s);
    int locked = !cshark_item_formatted(it, CSHARK_STR_PDML);
    if (locked)
        engine_enter();
    s = cshark_item_show(it);
    if (!s || !*s)
        s = cshark_item_raw_value(it);
    if (!s || !*s)
        s = cshark_item_showname(it);
    if (locked)
        engine_leave();
    return py_str(s);
}

GETTER(item_get_default, ItemObject, py_item_default(self->item))
ITEM_STR(label)
ITEM_STR(fields_text)
ITEM_STR(type_name)
ITEM_STR(display_name)

/* An offset or a size; None for -1 (none). */
static PyObject *int_or_none(int64_t v)
{
    if (v < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(v);
}

GETTER(item_get_pos, ItemObject, int_or_none(cshark_item_pos(self->item)))
GETTER(item_get_size, ItemObject, int_or_none(cshark_item_size(self->item)))
GETTER(item_get_hide, ItemObject, PyBool_FromLong(cshark_item_hidden(self->item)))
GETTER(item_get_flags, ItemObject, PyLong_FromUnsignedLong(cshark_item_flags(self->item)))

static PyObject *item_get_kind(ItemObject *self, void *c)
{
    (void)c;
    static const char *const kinds[] = { "proto", "field", "text", "wrapper" };
    return PyUnicode_FromString(kinds[cshark_item_kind(self->item)]);
}

GETTER(item_get_type, ItemObject, PyLong_FromLong(cshark_item_type(self->item)))
GETTER(item_get_parent, ItemObject, py_item_new(self->packet, cshark_item_parent(self->item)))
GETTER(item_get_nchildren, ItemObject, PyLong_FromSize_t(cshark_item_child_count(self->item)))

static PyObject *item_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!PyObject_TypeCheck(b, &py_item_type) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    int eq = ((ItemObject *)a)->item == ((ItemObject *)b)->item;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t item_hash(ItemObject *self)
{
    return _Py_HashPointer((void *)self->item);
}

static PyMethodDef item_methods[] = {
    { "children", (PyCFunction)item_children, METH_NOARGS, "Child items, in order." },
    { "typed", (PyCFunction)item_value_typed, METH_NOARGS,
      "The value as a Python object by type (int, bool, float, bytes, (s, ns), str) or None." },
    { "data", (PyCFunction)item_data, METH_NOARGS, "The bytes the item covers." },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef item_getset[] = {
    { "name", (getter)item_get_name, NULL, NULL, NULL },
    { "showname", (getter)item_get_showname, NULL, NULL, NULL },
    { "show", (getter)item_get_show, NULL, NULL, NULL },
    { "default", (getter)item_get_default, NULL,
      "PyShark's str of the field: show, else value, else showname", NULL },
    { "value", (getter)item_get_raw_value, NULL, NULL, NULL },
    { "unmaskedvalue", (getter)item_get_unmaskedvalue, NULL, NULL, NULL },
    { "label", (getter)item_get_label, NULL, NULL, NULL },
    { "field_value", (getter)item_get_fields_text, NULL, NULL, NULL },
    { "type_name", (getter)item_get_type_name, NULL, NULL, NULL },
    { "display_name", (getter)item_get_display_name, NULL, NULL, NULL },
    { "pos", (getter)item_get_pos, NULL, NULL, NULL },
    { "size", (getter)item_get_size, NULL, NULL, NULL },
    { "hide", (getter)item_get_hide, NULL, NULL, NULL },
    { "flags", (getter)item_get_flags, NULL, NULL, NULL },
    { "kind", (getter)item_get_kind, NULL, NULL, NULL },
    { "type", (getter)item_get_type, NULL, NULL, NULL },
    { "parent", (getter)item_get_parent, NULL, NULL, NULL },
    { "nchildren", (getter)item_get_nchildren, NULL, NULL, NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject py_item_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Item",
    .tp_basicsize = sizeof(ItemObject),
    .tp_dealloc = (destructor)item_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One PDML element of a packet's tree.",
    .tp_methods = item_methods,
    .tp_getset = item_getset,
    .tp_richcompare = item_richcompare,
    .tp_hash = (hashfunc)item_hash,
};
