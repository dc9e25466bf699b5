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

extern PyTypeObject PacketType, ItemType, CaptureType;
extern PyObject *CsharkError, *FilterError, *FieldError, *OptionError, *CaptureOpenError,
    *CaptureReadError, *PermissionErr;

PyObject *cs_raise(int rc);        /* sets the exception for a return code */
PyObject *cstr(const char *s);     /* str, or None for NULL                */
PyObject *packet_wrap(cshark_packet *pkt);

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
