/* cshark._cshark: the C API as Python objects (Capture, Packet, Item). The
 * PyShark-compatible classes in the package's .py files are built on these.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_PY_H
#define CSHARK_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "cshark/cshark.h"

typedef struct {
    PyObject_HEAD
    cshark_packet *pkt;   /* kept: ours until dealloc */
} PacketObject;

typedef struct {
    PyObject_HEAD
    PacketObject *packet; /* keeps the packet (and so the item) alive */
    const cshark_item *item;
} ItemObject;

extern PyTypeObject PacketType, ItemType, CaptureType, AttrType;
extern PyObject *CsharkError, *FilterError, *FieldError, *OptionError, *CaptureOpenError,
    *CaptureReadError, *PermissionErr;

PyObject *cs_raise(int rc);        /* sets the exception for a return code */
PyObject *cstr(const char *s);     /* str, or None for NULL                */
PyObject *packet_wrap(cshark_packet *pkt);
PyObject *item_new(PacketObject *packet, const cshark_item *it); /* None for NULL */
PyObject *item_default(const cshark_item *it); /* PyShark's str of a field */

static inline const cshark_item *top_of(const cshark_item *it)
{
    for (const cshark_item *up; (up = cshark_item_parent(it));)
        it = up;
    return it;
}

/* _layer.c: module functions of the PyShark layer path. */
PyObject *mod_set_field_classes(PyObject *m, PyObject *args);
PyObject *mod_layer_container(PyObject *m, PyObject *const *args, Py_ssize_t n);

/* The engine is single-threaded and next() runs it without the GIL, so every
 * call into it holds this lock; waiting for it never holds the GIL. */
extern PyThread_type_lock engine_lock;

static inline void engine_enter(void)
{
    if (!PyThread_acquire_lock(engine_lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(engine_lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

static inline void engine_leave(void)
{
    PyThread_release_lock(engine_lock);
}

/* Evaluate EXPR with the engine lock held. */
#define LOCKED(type, expr)                                                     \
    ({                                                                         \
        engine_enter();                                                        \
        type v_ = (expr);                                                      \
        engine_leave();                                                        \
        v_;                                                                    \
    })

#define CHECK(call)                                                            \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0)                                                           \
            return cs_raise(rc_);                                              \
    } while (0)

#endif
