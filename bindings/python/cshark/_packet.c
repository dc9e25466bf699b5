/* cshark._cshark, packets and items: a packet's tree as Python objects that
 * format nothing until read.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

PyObject *CsharkError, *FilterError, *FieldError, *OptionError, *CaptureOpenError,
    *CaptureReadError, *PermissionErr;

/* The exception for a return code, with MSG as message. */
PyObject *cs_raise_msg(int rc, const char *msg)
{
    PyObject *type = CsharkError;
    switch (rc) {
    case CSHARK_EFILTER: type = FilterError; break;
    case CSHARK_EUNKNOWN_FIELD: type = FieldError; break;
    case CSHARK_EOPTION: type = OptionError; break;
    case CSHARK_EOPEN: case CSHARK_EFORMAT: type = CaptureOpenError; break;
    case CSHARK_EREAD: type = CaptureReadError; break;
    case CSHARK_EPERM: type = PermissionErr; break;
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
PyObject *cs_raise(int rc)
{
    return cs_raise_msg(rc, cshark_last_error());
}

static PyObject *str_or_none(const char *s, size_t n)
{
    if (!s)
        Py_RETURN_NONE;
    /* The engine's text is UTF-8; a stray byte from a malformed packet
     * becomes U+FFFD rather than an exception. */
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace");
}

PyObject *cstr(const char *s)
{
    return str_or_none(s, s ? strlen(s) : 0);
}

/* ---- Packet --------------------------------------------------------------- */

/* A packet from cshark_capture_next(), already kept: Python owns it now. */
PyObject *packet_wrap(cshark_packet *pkt)
{
    PacketObject *o = PyObject_New(PacketObject, &PacketType);
    if (!o) {
        engine_enter();
        cshark_packet_free(pkt);
        engine_leave();
        return NULL;
    }
    o->pkt = pkt;
    return (PyObject *)o;
}

PyObject *item_new(PacketObject *packet, const cshark_item *it)
{
    if (!it)
        Py_RETURN_NONE;
    ItemObject *o = PyObject_New(ItemObject, &ItemType);
    if (!o)
        return NULL;
    Py_INCREF(packet);
    o->packet = packet;
    o->item = it;
    return (PyObject *)o;
}

/* Without waiting while a read-ahead worker dissects: the packet is handed
 * to whoever takes the engine lock next (the worker, which then reuses its
 * dissection context). While a worker runs it is always handed over: freed
 * in the worker's thread, its memory goes back to the arena it came from,
 * and the lock stays on the worker's core (3 % faster, measured A/B). */
static void packet_dealloc(PacketObject *self)
{
    if (__atomic_load_n(&engine_workers, __ATOMIC_ACQUIRE) && engine_defer_free(self->pkt)) {
        /* the worker frees it */
    } else if (engine_try_enter()) {
        cshark_packet_free(self->pkt);
        engine_leave();
    } else if (!engine_defer_free(self->pkt)) {
        engine_enter();
        cshark_packet_free(self->pkt);
        engine_leave();
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* PyShark's name of a top-level item: lower case, 'data' for PDML's
 * fake-field-wrapper. Names are the engine's protocol abbreviations, so the
 * strings are cached by address; the copy kept beside each entry catches an
 * address reused by a protocol registered later under another name. */
#define NAME_SLOTS 1024
static struct {
    const char *key;
    char *copy;
    PyObject *name;
} name_cache[NAME_SLOTS];
static int name_cache_used;

static PyObject *pyshark_name(const char *abbrev)
{
    size_t h = ((uintptr_t)abbrev >> 3) % NAME_SLOTS;
    for (size_t probe = 0; probe < NAME_SLOTS; probe++, h = (h + 1) % NAME_SLOTS) {
        if (!name_cache[h].key)
            break;
        if (name_cache[h].key == abbrev) {
            if (strcmp(name_cache[h].copy, abbrev) == 0) {
                Py_INCREF(name_cache[h].name);
                return name_cache[h].name;
            }
            break; /* reused address: make the name afresh */
        }
    }
    PyObject *raw = cstr(strcmp(abbrev, "fake-field-wrapper") == 0 ? "data" : abbrev);
    if (!raw)
        return NULL;
    PyObject *name = PyObject_CallMethod(raw, "lower", NULL);
    Py_DECREF(raw);
    if (!name)
        return NULL;
    PyUnicode_InternInPlace(&name);
    if (name_cache_used < NAME_SLOTS * 3 / 4) {
        char *copy = PyMem_RawMalloc(strlen(abbrev) + 1);
        if (copy) {
            h = ((uintptr_t)abbrev >> 3) % NAME_SLOTS;
            while (name_cache[h].key && name_cache[h].key != abbrev)
                h = (h + 1) % NAME_SLOTS;
            if (name_cache[h].key) { /* the stale entry of a reused address */
                PyMem_RawFree(name_cache[h].copy);
                Py_DECREF(name_cache[h].name);
            } else {
                name_cache_used++;
            }
            strcpy(copy, abbrev);
            name_cache[h].key = abbrev;
            name_cache[h].copy = copy;
            Py_INCREF(name);
            name_cache[h].name = name;
        }
    }
    return name;
}

/* pyshark_layers() -> (names, indexes, frame): PyShark's layers of the packet
 * (every top-level item but geninfo, frame and pkt_comment) as their names
 * and their indexes among the top-level items, and the index of the frame
 * item (None without one). One call per packet for `'ip' in pkt`. */
static PyObject *packet_pyshark_layers(PacketObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *names = PyList_New(0), *indexes = PyList_New(0), *frame = NULL, *out = NULL;
    if (!names || !indexes)
        goto done;
    /* Structure only: no engine lock (see _cshark.h). */
    size_t n = cshark_packet_layer_count(self->pkt);
    for (size_t i = 0; i < n; i++) {
        const char *abbrev = cshark_item_name(cshark_packet_layer(self->pkt, i));
        if (strcmp(abbrev, "frame") == 0) {
            if (!frame && !(frame = PyLong_FromSize_t(i)))
                break;
            continue;
        }
        if (strcmp(abbrev, "geninfo") == 0 || strcmp(abbrev, "pkt_comment") == 0)
            continue;
        PyObject *name = pyshark_name(abbrev), *index = name ? PyLong_FromSize_t(i) : NULL;
        int bad = !index || PyList_Append(names, name) < 0 || PyList_Append(indexes, index) < 0;
        Py_XDECREF(name);
        Py_XDECREF(index);
        if (bad)
            break;
    }
    if (!PyErr_Occurred())
        out = PyTuple_Pack(3, names, indexes, frame ? frame : Py_None);
done:
    Py_XDECREF(names);
    Py_XDECREF(indexes);
    Py_XDECREF(frame);
    return out;
}

/* layer(i) -> the i-th top-level Item (IndexError past the last). */
static PyObject *packet_layer(PacketObject *self, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    const cshark_item *it = i < 0 ? NULL : cshark_packet_layer(self->pkt, (size_t)i);
    if (!it) {
        PyErr_SetString(PyExc_IndexError, "no such layer");
        return NULL;
    }
    return item_new(self, it);
}

/* field(name) -> Item or None (absent); unknown names raise FieldError. */
static PyObject *packet_field(PacketObject *self, PyObject *arg)
{
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    const cshark_item *it;
    int rc = LOCKED(int, cshark_packet_field(self->pkt, name, &it));
    if (rc == CSHARK_ENOTFOUND)
        Py_RETURN_NONE;
    CHECK(rc);
    return item_new(self, it);
}

/* fields(name, top=None) -> every occurrence, in tree order; with TOP (a
 * top-level Item), only those inside it. */
static PyObject *packet_fields(PacketObject *self, PyObject *args)
{
    const char *name;
    PyObject *top = Py_None;
    if (!PyArg_ParseTuple(args, "s|O", &name, &top))
        return NULL;
    if (top != Py_None && !PyObject_TypeCheck(top, &ItemType)) {
        PyErr_SetString(PyExc_TypeError, "top must be an Item or None");
        return NULL;
    }
    const cshark_item *within = top == Py_None ? NULL : ((ItemObject *)top)->item;
    const cshark_item *const *items;
    size_t n;
    CHECK(LOCKED(int, cshark_packet_fields(self->pkt, name, &items, &n)));
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < n; i++) {
        if (within && top_of(items[i]) != within)
            continue;
        PyObject *it = item_new(self, items[i]);
        if (!it || PyList_Append(list, it) < 0) {
            Py_XDECREF(it);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(it);
    }
    return list;
}

static PyObject *packet_get_number(PacketObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLong(cshark_packet_number(self->pkt));
}

static PyObject *packet_get_timestamp(PacketObject *self, void *c)
{
    (void)c;
    return cstr(LOCKED(const char *, cshark_packet_timestamp(self->pkt)));
}

static PyObject *packet_get_time(PacketObject *self, void *c)
{
    (void)c;
    int64_t s;
    int32_t ns;
    cshark_packet_time(self->pkt, &s, &ns);
    return Py_BuildValue("(Li)", (long long)s, (int)ns);
}

static PyObject *packet_get_length(PacketObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLong(cshark_packet_length(self->pkt));
}

static PyObject *packet_get_caplen(PacketObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLong(cshark_packet_captured_length(self->pkt));
}

static PyObject *packet_get_iface_id(PacketObject *self, void *c)
{
    (void)c;
    uint32_t id = cshark_packet_interface_id(self->pkt);
    if (id == CSHARK_NO_INTERFACE)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLong(id);
}

static PyObject *packet_get_iface_name(PacketObject *self, void *c)
{
    (void)c;
    return cstr(LOCKED(const char *, cshark_packet_interface_name(self->pkt)));
}

static PyObject *packet_get_encap(PacketObject *self, void *c)
{
    (void)c;
    return cstr(cshark_packet_encap_name(self->pkt));
}

static PyObject *packet_get_raw(PacketObject *self, void *c)
{
    (void)c;
    size_t n;
    const uint8_t *d = cshark_packet_data(self->pkt, &n);
    return PyBytes_FromStringAndSize((const char *)d, (Py_ssize_t)n);
}

/* columns() -> [(title, text), ...]: the summary columns (none unless the
 * capture computes them). Plain strings: they live in the kept packet. */
static PyObject *packet_columns(PacketObject *self, PyObject *unused)
{
    (void)unused;
    size_t n = cshark_packet_column_count(self->pkt);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *pair = Py_BuildValue("(NN)", cstr(cshark_packet_column_title(self->pkt, i)),
                                       cstr(cshark_packet_column(self->pkt, i)));
        if (!pair) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
    return list;
}

static PyMethodDef packet_methods[] = {
    { "columns", (PyCFunction)packet_columns, METH_NOARGS,
      "The summary columns as (title, text) pairs." },
    { "field", (PyCFunction)packet_field, METH_O,
      "First occurrence of a field by full name, or None when absent." },
    { "fields", (PyCFunction)packet_fields, METH_VARARGS,
      "fields(name, top=None): every occurrence in tree order (inside TOP, a layer Item)." },
    { "pyshark_layers", (PyCFunction)packet_pyshark_layers, METH_NOARGS,
      "(names, indexes, frame): PyShark's layers, lower-case, and the frame item's index." },
    { "layer", (PyCFunction)packet_layer, METH_O, "The i-th top-level Item." },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef packet_getset[] = {
    { "number", (getter)packet_get_number, NULL, "frame number", NULL },
    { "timestamp", (getter)packet_get_timestamp, NULL, "epoch string as PDML", NULL },
    { "time", (getter)packet_get_time, NULL, "(seconds, nanoseconds)", NULL },
    { "length", (getter)packet_get_length, NULL, "wire length", NULL },
    { "captured_length", (getter)packet_get_caplen, NULL, "captured length", NULL },
    { "interface_id", (getter)packet_get_iface_id, NULL, "interface id or None", NULL },
    { "interface_name", (getter)packet_get_iface_name, NULL, "interface name or None", NULL },
    { "encap", (getter)packet_get_encap, NULL, "encapsulation short name", NULL },
    { "raw", (getter)packet_get_raw, NULL, "frame bytes", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject PacketType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Packet",
    .tp_basicsize = sizeof(PacketObject),
    .tp_dealloc = (destructor)packet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A dissected packet (owned by Python; valid as long as referenced).",
    .tp_methods = packet_methods,
    .tp_getset = packet_getset,
};

/* ---- Item ----------------------------------------------------------------- */

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
         c = cshark_item_next(c)) {
        PyObject *it = item_new(self->packet, c);
        if (!it || PyList_Append(list, it) < 0) {
            Py_XDECREF(it);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(it);
    }
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
    case CSHARK_TYPE_STRING: return cstr(v.s);
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
    static PyObject *item_get_##fn(ItemObject *self, void *c)                  \
    {                                                                          \
        (void)c;                                                               \
        return cstr(LOCKED(const char *, cshark_item_##fn(self->item)));      \
    }
/* The PDML strings need no engine call once formatted (cshark.h). */
#define ITEM_PDML_STR(fn)                                                      \
    static PyObject *item_get_##fn(ItemObject *self, void *c)                  \
    {                                                                          \
        (void)c;                                                               \
        if (cshark_item_formatted(self->item))                                 \
            return cstr(cshark_item_##fn(self->item));                         \
        return cstr(LOCKED(const char *, cshark_item_##fn(self->item)));      \
    }
/* [structure]: no engine lock (see _cshark.h). */
static PyObject *item_get_name(ItemObject *self, void *c)
{
    (void)c;
    return cstr(cshark_item_name(self->item));
}
ITEM_PDML_STR(showname)
ITEM_PDML_STR(show)
ITEM_PDML_STR(raw_value)
ITEM_PDML_STR(unmaskedvalue)

/* PyShark's str of a field: show, else value, else showname. */
PyObject *item_default(const cshark_item *it)
{
    /* Formatted already (by a read-ahead worker): no engine call. */
    int locked = !cshark_item_formatted(it);
    if (locked)
        engine_enter();
    const char *s = cshark_item_show(it);
    if (!s || !*s)
        s = cshark_item_raw_value(it);
    if (!s || !*s)
        s = cshark_item_showname(it);
    if (locked)
        engine_leave();
    return cstr(s);
}

static PyObject *item_get_default(ItemObject *self, void *c)
{
    (void)c;
    return item_default(self->item);
}
ITEM_STR(label)
ITEM_STR(fields_text)
ITEM_STR(type_name)
ITEM_STR(display_name)

static PyObject *item_get_pos(ItemObject *self, void *c)
{
    (void)c;
    int64_t v = cshark_item_pos(self->item);
    if (v < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(v);
}

static PyObject *item_get_size(ItemObject *self, void *c)
{
    (void)c;
    int64_t v = cshark_item_size(self->item);
    if (v < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(v);
}

static PyObject *item_get_hide(ItemObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(cshark_item_hidden(self->item));
}

static PyObject *item_get_flags(ItemObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLong(cshark_item_flags(self->item));
}

static PyObject *item_get_kind(ItemObject *self, void *c)
{
    (void)c;
    static const char *const kinds[] = { "proto", "field", "text", "wrapper" };
    return PyUnicode_FromString(kinds[cshark_item_kind(self->item)]);
}

static PyObject *item_get_type(ItemObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(cshark_item_type(self->item));
}

static PyObject *item_get_parent(ItemObject *self, void *c)
{
    (void)c;
    return item_new(self->packet, cshark_item_parent(self->item));
}

static PyObject *item_get_nchildren(ItemObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(cshark_item_child_count(self->item));
}

static PyObject *item_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!PyObject_TypeCheck(b, &ItemType) || (op != Py_EQ && op != Py_NE))
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

PyTypeObject ItemType = {
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
