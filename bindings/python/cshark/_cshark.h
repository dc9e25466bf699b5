/* cshark._cshark: the C API as Python objects (Capture, Packet, Item). The
 * PyShark-compatible classes in the package's .py files are built on these.
 *
 * The extension carries libcshark's objects, whose internals are named
 * cs_*: every name of the extension with external linkage but
 * PyInit__cshark is py_*, and everything else is static. The declarations below are grouped by the file
 * that defines them.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_PY_H
#define CSHARK_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "cshark/cshark.h"

/* ---- _lock.c: the engine lock ------------------------------------------------
 * The engine is single-threaded and next() runs it without the GIL, so every
 * call into it holds this lock; waiting for it never holds the GIL. The
 * structure of kept packets is read without it (cshark.h's Threads note). */
extern PyThread_type_lock py_engine_lock;

/* Packets whose Python objects died while the engine lock was busy (a
 * read-ahead worker dissecting): freed by the next holder of the lock. */
extern int py_engine_deferred;                /* how many; read without the list's lock */
int py_engine_defer_free(cshark_packet *pkt); /* 0 when the list is full */
void py_engine_drain(void);                   /* with the engine lock held */

/* Read-ahead workers running: while there is one, dying packets go to it. */
extern int py_engine_workers;

/* Python threads waiting for the lock: a read-ahead worker lets them go
 * first (their calls are short, its dissections are not). */
extern int py_engine_waiters;

/* One round of a spin-wait: the CPU's spin-wait hint where it has one (x86
 * pause, ARM yield), elsewhere only a compiler barrier (the loop re-reads
 * what it waits for). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* The lock if it is free (then 1), draining the hand-over list. */
static inline int engine_try_enter(void)
{
    if (!PyThread_acquire_lock(py_engine_lock, NOWAIT_LOCK))
        return 0;
    if (__atomic_load_n(&py_engine_deferred, __ATOMIC_ACQUIRE))
        py_engine_drain();
    return 1;
}

static inline void engine_enter(void)
{
    if (engine_try_enter())
        return;
    __atomic_add_fetch(&py_engine_waiters, 1, __ATOMIC_ACQ_REL);
    Py_BEGIN_ALLOW_THREADS
    /* The holder is most likely a read-ahead worker, inside one packet's
     * dissection: spin through that rather than sleep (waking a thread
     * costs more than a packet here). */
    int got = 0;
    for (int i = 0; i < 2000 && !got; i++) { /* ~100 us */
        cpu_relax();
        got = PyThread_acquire_lock(py_engine_lock, NOWAIT_LOCK);
    }
    if (!got)
        PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    __atomic_sub_fetch(&py_engine_waiters, 1, __ATOMIC_ACQ_REL);
    if (__atomic_load_n(&py_engine_deferred, __ATOMIC_ACQUIRE))
        py_engine_drain();
}

static inline void engine_leave(void)
{
    PyThread_release_lock(py_engine_lock);
}

/* Evaluate EXPR with the engine lock held. */
#define LOCKED(type, expr)                                                     \
    ({                                                                         \
        engine_enter();                                                        \
        type v_ = (expr);                                                      \
        engine_leave();                                                        \
        v_;                                                                    \
    })

/* ---- _module.c: the module, its functions, the exceptions --------------------
 * The exceptions are cshark.exceptions' classes (CsharkError and its
 * subclasses, which are PyShark's TSharkCrashException), raised as they are. */
PyObject *py_raise(int rc);                      /* the exception for a return code */
PyObject *py_raise_msg(int rc, const char *msg); /* ... with a message of another thread */
PyObject *py_str(const char *s);                 /* str, or None for NULL */

/* Append OBJ (a new reference, or NULL with an exception set) to LIST and
 * release it; -1 on error. */
static inline int append_new(PyObject *list, PyObject *obj)
{
    int rc = obj ? PyList_Append(list, obj) : -1;
    Py_XDECREF(obj);
    return rc;
}

#define CHECK(call)                                                            \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ < 0)                                                           \
            return py_raise(rc_);                                              \
    } while (0)

/* A getter of a type's PyGetSetDef table: FN(SELF, closure) returns EXPR,
 * which reads SELF (a TYPE *). */
#define GETTER(fn, type, expr)                                                 \
    static PyObject *fn(type *self, void *closure)                             \
    {                                                                          \
        (void)closure;                                                         \
        return (expr);                                                         \
    }

/* ---- _capture.c: Capture ---------------------------------------------------- */
extern PyTypeObject py_capture_type;
/* For _frame.c, with the engine lock held: the engine capture of Capture
 * OBJ, marked started; NULL with an exception when OBJ is closed or reads
 * ahead (its packets are the worker's). */
cshark_capture *py_capture_of(PyObject *obj);

/* ---- _packet.c: Packet ------------------------------------------------------ */
typedef struct {
    PyObject_HEAD
    cshark_packet *pkt; /* kept: ours until dealloc */
} PacketObject;

extern PyTypeObject py_packet_type;
PyObject *py_packet_wrap(cshark_packet *pkt); /* takes PKT (kept) over */

/* ---- _item.c: Item ---------------------------------------------------------- */
typedef struct {
    PyObject_HEAD
    PacketObject *packet; /* keeps the packet (and so the item) alive */
    const cshark_item *item;
} ItemObject;

extern PyTypeObject py_item_type;
PyObject *py_item_new(PacketObject *packet, const cshark_item *it); /* None for NULL */
PyObject *py_item_default(const cshark_item *it); /* PyShark's str of a field */

static inline const cshark_item *top_of(const cshark_item *it)
{
    for (const cshark_item *up; (up = cshark_item_parent(it));)
        it = up;
    return it;
}

/* ---- _layer.c: Attr and the PyShark layer path -------------------------------- */
extern PyTypeObject py_attr_type;
void py_fields_forget(void); /* drop resolved field names (preferences changed) */
PyObject *py_set_field_classes(PyObject *m, PyObject *args);
PyObject *py_layer_container(PyObject *m, PyObject *const *args, Py_ssize_t n);

/* ---- _ahead.c: dissecting ahead in a worker thread (see there) ------------------ */
typedef struct ahead ahead;
/* The strings the worker formats: show, which a field's value is (PyShark's
 * str of a field); the others cost the engine a formatting each, and are
 * formatted with the engine lock when read. */
#define AHEAD_STRINGS CSHARK_STR_SHOW
ahead *py_ahead_new(cshark_capture *cap, const char *const *names, size_t n); /* NULL: none */
int py_ahead_next(ahead *a, cshark_packet **pkt, char *err, size_t errlen); /* no GIL */
int py_ahead_stats(ahead *a, cshark_stats *st);
void py_ahead_stop(ahead *a); /* no GIL, no engine lock */
void py_ahead_in_turn_after(ahead *a, long n);
void py_ahead_learn(const cshark_field *f); /* Python formatted it: format it ahead */
void py_ahead_forget_learned(void);
void py_ahead_free(ahead *a);
PyObject *py_before_fork(PyObject *m, PyObject *unused);
PyObject *py_after_fork_parent(PyObject *m, PyObject *unused);
PyObject *py_after_fork_child(PyObject *m, PyObject *unused);

/* ---- _analysis.c: analyses across packets ------------------------------------ */
extern PyTypeObject py_analysis_type;
PyObject *py_analyze(PyObject *m, PyObject *args);  /* analyze(capture, spec) */
PyObject *py_run(PyObject *m, PyObject *capture);   /* run(capture)          */

/* ---- _strtab.c: a text column's distinct values, without the GIL ------------- */
typedef struct {
    size_t off;         /* in the arena */
    uint32_t len, hash;
    unsigned char bytes; /* bytes, else text (UTF-8) */
} strtab_entry;
typedef struct {
    char *arena;
    size_t used, acap;
    strtab_entry *e;
    size_t n, ecap;
    uint32_t *slot; /* entry index + 1; 0 empty */
    size_t nslots;
} strtab;
/* *CODE (from 1) of the value S (N bytes; BYTES: bytes, else text); -1
 * when out of memory. No GIL needed. */
int strtab_code(strtab *t, const char *s, size_t n, int bytes, uint32_t *code);
/* With the GIL: a list of the values as str or bytes, in code order. */
PyObject *strtab_objects(const strtab *t);
void strtab_free(strtab *t);

/* ---- _frame.c: a capture's fields as data-frame columns ------------------------ */
PyObject *py_read_frame(PyObject *m, PyObject *args, PyObject *kw);
/* The frame fields read_frame() takes from the packet's own data rather
 * than from the tree (but with occurrence 'all'): a tuple of names, which
 * dataframe.py leaves out of the fields of interest. */
PyObject *py_frame_meta_fields(void);

#endif
