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
PyObject *cs_raise_msg(int rc, const char *msg); /* ... with a message of another thread */
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

/* _ahead.c: dissecting ahead in a worker thread (see there). */
typedef struct ahead ahead;
ahead *ahead_new(cshark_capture *cap, const char *const *names, size_t n); /* NULL: none */
int ahead_next(ahead *a, cshark_packet **pkt, char *err, size_t errlen); /* no GIL */
int ahead_stats(ahead *a, cshark_stats *st);
void ahead_stop(ahead *a); /* no GIL, no engine lock */
void ahead_in_turn_after(ahead *a, long n);
void ahead_learn(const cshark_field *f); /* Python formatted it: format it ahead */
void ahead_forget_learned(void);
void ahead_free(ahead *a);
PyObject *mod_before_fork(PyObject *m, PyObject *unused);
PyObject *mod_after_fork_parent(PyObject *m, PyObject *unused);
PyObject *mod_after_fork_child(PyObject *m, PyObject *unused);

/* _layer.c: module functions of the PyShark layer path. */
void fields_forget(void); /* drop resolved field names (preferences changed) */
PyObject *mod_set_field_classes(PyObject *m, PyObject *args);
PyObject *mod_layer_container(PyObject *m, PyObject *const *args, Py_ssize_t n);

/* The engine is single-threaded and next() runs it without the GIL, so every
 * call into it holds this lock; waiting for it never holds the GIL. The
 * structure of kept packets is read without it (cshark.h's Threads note). */
extern PyThread_type_lock engine_lock;

/* Packets whose Python objects died while the engine lock was busy (a
 * read-ahead worker dissecting): freed by the next holder of the lock
 * (_lock.c). */
extern int engine_deferred;                /* how many; read without the list's lock */
int engine_defer_free(cshark_packet *pkt); /* 0 when the list is full */
void engine_drain(void);                   /* with the engine lock held */

/* Read-ahead workers running: while there is one, dying packets go to it. */
extern int engine_workers;

/* Python threads waiting for the lock: a read-ahead worker lets them go
 * first (their calls are short, its dissections are not). */
extern int engine_waiters;

/* The lock if it is free (then 1), draining the hand-over list. */
static inline int engine_try_enter(void)
{
    if (!PyThread_acquire_lock(engine_lock, NOWAIT_LOCK))
        return 0;
    if (__atomic_load_n(&engine_deferred, __ATOMIC_ACQUIRE))
        engine_drain();
    return 1;
}

static inline void engine_enter(void)
{
    if (engine_try_enter())
        return;
    __atomic_add_fetch(&engine_waiters, 1, __ATOMIC_ACQ_REL);
    Py_BEGIN_ALLOW_THREADS
    /* The holder is most likely a read-ahead worker, inside one packet's
     * dissection: spin through that rather than sleep (waking a thread
     * costs more than a packet here). */
    int got = 0;
    for (int i = 0; i < 2000 && !got; i++) { /* ~100 us */
        __builtin_ia32_pause();
        got = PyThread_acquire_lock(engine_lock, NOWAIT_LOCK);
    }
    if (!got)
        PyThread_acquire_lock(engine_lock, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    __atomic_sub_fetch(&engine_waiters, 1, __ATOMIC_ACQ_REL);
    if (__atomic_load_n(&engine_deferred, __ATOMIC_ACQUIRE))
        engine_drain();
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
