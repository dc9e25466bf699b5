/* cshark._cshark, packets: a dissected packet, owned by Python, whose tree
 * is read through Items (_item.c) that format nothing until read.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "_cshark.h"

/* A packet from cshark_capture_next(), already kept: Python owns it now. */
PyObject *py_packet_wrap(cshark_packet *pkt)
{
    PacketObject *o = PyObject_New(PacketObject, &py_packet_type);
    if (!o) {
        engine_enter();
        cshark_packet_free(pkt);
        engine_leave();
        return NULL;
    }
    o->pkt = pkt;
    return (PyObject *)o;
}

/* Without waiting while a read-ahead worker dissects: the packet is handed
 * to whoever takes the engine lock next (the worker, which then reuses its
 * dissection context). While a worker runs it is always handed over: freed
 * in the worker's thread, its memory goes back to the arena it came from,
 * and the lock stays on the worker's core (3 % faster, measured A/B). */
static void packet_dealloc(PacketObject *self)
{
    if (__atomic_load_n(&py_engine_workers, __ATOMIC_ACQUIRE) && py_engine_defer_free(self->pkt)) {
        /* the worker frees it */
    } else if (engine_try_enter()) {
        cshark_packet_free(self->pkt);
        engine_leave();
    } else if (!py_engine_defer_free(self->pkt)) {
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
    PyObject *raw = py_str(strcmp(abbrev, "fake-field-wrapper") == 0 ? "data" : abbrev);
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
        if (append_new(names, pyshark_name(abbrev)) < 0 ||
            append_new(indexes, PyLong_FromSize_t(i)) < 0)
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

/* endpoints() -> (network, src, dst, transport, src_port, dst_port, stream)
 * or None (neither network nor transport); None members where it has none. */
static PyObject *packet_endpoints(PacketObject *self, PyObject *unused)
{
    (void)unused;
    cshark_endpoints e = CSHARK_ENDPOINTS_INIT;
    int rc = LOCKED(int, cshark_packet_endpoints(self->pkt, &e));
    if (rc == CSHARK_ENOTFOUND)
        Py_RETURN_NONE;
    CHECK(rc);
    int ports = e.transport && strncmp(e.transport, "icmp", 4) != 0;
    PyObject *sport = ports ? PyLong_FromUnsignedLong(e.src_port) : Py_NewRef(Py_None);
    PyObject *dport = ports ? PyLong_FromUnsignedLong(e.dst_port) : Py_NewRef(Py_None);
    PyObject *stream = e.stream >= 0 ? PyLong_FromLongLong(e.stream) : Py_NewRef(Py_None);
    return Py_BuildValue("(zzzzNNN)", e.network, e.src, e.dst, e.transport, sport, dport,
                         stream);
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
    return py_item_new(self, it);
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
    return py_item_new(self, it);
}

/* fields(name, top=None) -> every occurrence, in tree order; with TOP (a
 * top-level Item), only those inside it. */
static PyObject *packet_fields(PacketObject *self, PyObject *args)
{
    const char *name;
    PyObject *top = Py_None;
    if (!PyArg_ParseTuple(args, "s|O", &name, &top))
        return NULL;
    if (top != Py_None && !PyObject_TypeCheck(top, &py_item_type)) {
        PyErr_SetString(PyExc_TypeError, "top must be an Item or None");
        return NULL;
    }
    const cshark_item *within = top == Py_None ? NULL : ((ItemObject *)top)->item;
    const cshark_item *const *items;
    size_t n;
    CHECK(LOCKED(int, cshark_packet_fields(self->pkt, name, &items, &n)));
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < n; i++)
        if ((!within || top_of(items[i]) == within) &&
            append_new(list, py_item_new(self, items[i])) < 0)
            Py_CLEAR(list);
    return list;
}

GETTER(packet_get_number, PacketObject, PyLong_FromUnsignedLong(cshark_packet_number(self->pkt)))
GETTER(packet_get_timestamp, PacketObject,
       py_str(LOCKED(const char *, cshark_packet_timestamp(self->pkt))))
GETTER(packet_get_length, PacketObject, PyLong_FromUnsignedLong(cshark_packet_length(self->pkt)))
GETTER(packet_get_caplen, PacketObject,
       PyLong_FromUnsignedLong(cshark_packet_captured_length(self->pkt)))
GETTER(packet_get_iface_name, PacketObject,
       py_str(LOCKED(const char *, cshark_packet_interface_name(self->pkt))))
GETTER(packet_get_encap, PacketObject, py_str(cshark_packet_encap_name(self->pkt)))

static PyObject *packet_get_time(PacketObject *self, void *c)
{
    (void)c;
    int64_t s;
    int32_t ns;
    cshark_packet_time(self->pkt, &s, &ns);
    return Py_BuildValue("(Li)", (long long)s, (int)ns);
}

static PyObject *packet_get_iface_id(PacketObject *self, void *c)
{
    (void)c;
    uint32_t id = cshark_packet_interface_id(self->pkt);
    if (id == CSHARK_NO_INTERFACE)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLong(id);
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
        PyObject *pair = Py_BuildValue("(NN)", py_str(cshark_packet_column_title(self->pkt, i)),
                                       py_str(cshark_packet_column(self->pkt, i)));
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
    { "endpoints", (PyCFunction)packet_endpoints, METH_NOARGS,
      "(network, src, dst, transport, src_port, dst_port, stream) or None." },
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

PyTypeObject py_packet_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cshark._cshark.Packet",
    .tp_basicsize = sizeof(PacketObject),
    .tp_dealloc = (destructor)packet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A dissected packet (owned by Python; valid as long as referenced).",
    .tp_methods = packet_methods,
    .tp_getset = packet_getset,
};
