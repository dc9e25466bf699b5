/* cshark._cshark, dissecting ahead: a C thread runs cshark_capture_next()
 * for the packets after the one Python holds, so the engine (one core) and
 * the interpreter (the other) work at the same time.
 *
 * It rests on cshark.h's Threads exception: while the worker is inside
 * cshark_capture_next(), Python threads may read the structure of kept
 * packets (layers, fields by resolved name, the tree's links) without the
 * engine lock; everything else, strings included, takes the lock. The
 * worker lets such waiters go first between two packets, never touches a
 * Python object, and takes the engine lock exactly as next() did.
 *
 * Used for regular files only: a read there never blocks for long, so
 * close() may always wait for the worker.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <string.h>

#include "_cshark.h"

/* Packets read ahead at most: enough that the worker rarely waits for
 * Python, few enough to cost little memory (each holds its tree). */
#define SLOTS 8

/* Waking a sleeping thread costs tens of microseconds here, more than a
 * packet: each side spins up to ~100 us (a pause is ~25 ns) before it
 * sleeps, so a slow consumer does not keep a core busy. */
#define SPINS 4000

typedef struct {
    int rc;
    cshark_packet *pkt;
    cshark_stats st;
    int have_st;
} result;

struct ahead {
    cshark_capture *cap;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;  /* the worker exists (joined by ahead_stop) */
    int forked;   /* in a child forked while reading: the worker is gone */
    int stopping; /* ahead_stop(): the worker leaves */
    int count;    /* results waiting in ring[head..] */
    int head;
    int ended;    /* the last result (not a packet) was handed out: ring[head] repeats */
    result ring[SLOTS];
    char err[512]; /* the worker's cshark_last_error() (per thread) */
    cshark_stats held_st; /* the counters of the result last handed out */
    int have_st;
    /* Fields whose strings the worker formats in each packet (the
     * capture's fields of interest), so that Python reads them without
     * the engine lock: names, then handles resolved after the first packet
     * (when the capture's preferences are in force). */
    char **names;
    size_t nnames;
    const cshark_field **fields; /* nfields of them, once resolved */
    size_t nfields;
    int resolved;
};

/* Every ahead, so that the interpreter's exit stops their workers before
 * the process's exit handlers run beside a dissection. */
static pthread_mutex_t all_mu = PTHREAD_MUTEX_INITIALIZER;
static ahead *all[64];
static int nall;

static void stop_all(void)
{
    pthread_mutex_lock(&all_mu);
    for (int i = 0; i < nall; i++)
        ahead_stop(all[i]);
    pthread_mutex_unlock(&all_mu);
}

ahead *ahead_new(cshark_capture *cap, const char *const *names, size_t n)
{
    static int registered;
    if (!registered)
        registered = Py_AtExit(stop_all) == 0;
    pthread_mutex_lock(&all_mu);
    ahead *a = nall < (int)(sizeof all / sizeof all[0]) ? PyMem_RawCalloc(1, sizeof *a) : NULL;
    if (a)
        all[nall++] = a;
    pthread_mutex_unlock(&all_mu);
    if (!a)
        return NULL; /* the caller reads in its own thread */
    a->cap = cap;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->names = n ? PyMem_RawCalloc(n, sizeof *a->names) : NULL;
    a->fields = n ? PyMem_RawCalloc(n, sizeof *a->fields) : NULL;
    /* Without memory for a copy, the worker formats fewer fields: Python
     * then takes the engine lock for the others. */
    for (size_t i = 0; a->names && a->fields && i < n; i++) {
        char *copy = PyMem_RawMalloc(strlen(names[i]) + 1);
        if (copy)
            a->names[a->nnames++] = strcpy(copy, names[i]);
    }
    return a;
}

/* With the engine lock: format the fields' strings of PKT. */
static void format_fields(ahead *a, cshark_packet *pkt)
{
    if (!a->resolved) {
        for (size_t i = 0; i < a->nnames; i++)
            if (cshark_field_lookup(a->names[i], &a->fields[a->nfields]) == CSHARK_OK)
                a->nfields++;
        a->resolved = 1;
    }
    cshark_packet_format_fields(pkt, a->fields, a->nfields);
}

static int load(const int *v)
{
    return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

/* Spin until READY(a) or stopping, then sleep on the condition until then;
 * called and returns with a->mu held. */
static void wait_until(ahead *a, int (*ready)(const ahead *))
{
    if (!ready(a) && !a->stopping) {
        pthread_mutex_unlock(&a->mu);
        for (int i = 0; i < SPINS && !ready(a) && !load(&a->stopping); i++)
            __builtin_ia32_pause();
        pthread_mutex_lock(&a->mu);
    }
    while (!ready(a) && !a->stopping)
        pthread_cond_wait(&a->cv, &a->mu);
}

static int has_room(const ahead *a)
{
    return load(&a->count) < SLOTS;
}

static int has_result(const ahead *a)
{
    return load(&a->count) > 0;
}

static void *worker(void *arg)
{
    ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        wait_until(a, has_room);
        if (a->stopping)
            break;
        pthread_mutex_unlock(&a->mu);

        /* Python threads waiting for the engine go first; their calls are
         * short, so spin rather than sleep through them. */
        int got = 0;
        for (int i = 0; i < SPINS && !got; i++) {
            if (!load(&engine_waiters))
                got = PyThread_acquire_lock(engine_lock, NOWAIT_LOCK);
            if (!got)
                __builtin_ia32_pause();
        }
        if (!got)
            PyThread_acquire_lock(engine_lock, WAIT_LOCK);
        result r = { 0 };
        engine_drain();
        r.rc = cshark_capture_next(a->cap, &r.pkt);
        if (r.rc == CSHARK_PACKET && cshark_packet_keep(r.pkt) != CSHARK_OK)
            r.rc = CSHARK_EINVAL;
        if (r.rc == CSHARK_PACKET && a->nnames)
            format_fields(a, r.pkt);
        if (r.rc != CSHARK_PACKET)
            r.pkt = NULL;
        r.have_st = cshark_capture_stats(a->cap, &r.st) == CSHARK_OK;
        char err[sizeof a->err];
        if (r.rc < 0)
            snprintf(err, sizeof err, "%s", cshark_last_error());
        PyThread_release_lock(engine_lock);

        pthread_mutex_lock(&a->mu);
        if (r.rc < 0)
            memcpy(a->err, err, sizeof err);
        a->ring[(a->head + a->count) % SLOTS] = r;
        __atomic_store_n(&a->count, a->count + 1, __ATOMIC_RELEASE);
        pthread_cond_broadcast(&a->cv);
        if (r.rc != CSHARK_PACKET)
            break; /* the end, or an error: nothing more to read */
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* Called without the GIL. The next result: CSHARK_PACKET with *pkt (kept),
 * CSHARK_DONE, a negative code with ERR filled, or CSHARK_ESTATE with ERR
 * empty when ahead_stop() ran meanwhile. */
int ahead_next(ahead *a, cshark_packet **pkt, char *err, size_t errlen)
{
    *pkt = NULL;
    err[0] = '\0';
    pthread_mutex_lock(&a->mu);
    if (a->forked) {
        pthread_mutex_unlock(&a->mu);
        /* Its file offset is shared with the parent, which may read on. */
        snprintf(err, errlen, "the capture was being read when the process forked: "
                              "open it again in the child");
        return CSHARK_ESTATE;
    }
    if (!a->started && !a->stopping) {
        if (pthread_create(&a->thread, NULL, worker, a) != 0) {
            pthread_mutex_unlock(&a->mu);
            snprintf(err, errlen, "cannot start the read-ahead thread");
            return CSHARK_ENOMEM;
        }
        a->started = 1;
    }
    if (!a->ended)
        wait_until(a, has_result);
    if (!a->count && !a->ended) { /* stopped */
        pthread_mutex_unlock(&a->mu);
        return CSHARK_ESTATE;
    }
    result *r = &a->ring[a->head];
    int rc = r->rc;
    if (rc < 0)
        snprintf(err, errlen, "%s", a->err);
    if (r->have_st) {
        a->held_st = r->st;
        a->have_st = 1;
    }
    if (rc == CSHARK_PACKET) {
        *pkt = r->pkt;
        r->pkt = NULL;
        a->head = (a->head + 1) % SLOTS;
        __atomic_store_n(&a->count, a->count - 1, __ATOMIC_RELEASE);
        pthread_cond_broadcast(&a->cv); /* room for the worker */
    } else {
        a->ended = 1; /* the same answer for every later call */
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* The counters as of the packet last handed out (not of those read ahead);
 * 0 when there are none yet (then ask the capture). */
int ahead_stats(ahead *a, cshark_stats *st)
{
    pthread_mutex_lock(&a->mu);
    int have = a->have_st;
    if (have)
        *st = a->held_st;
    pthread_mutex_unlock(&a->mu);
    return have;
}

/* Called without the GIL and without the engine lock: the worker leaves
 * (after the packet it may be dissecting), and the packets read ahead are
 * freed. Waiters in ahead_next() get CSHARK_ESTATE. */
void ahead_stop(ahead *a)
{
    pthread_mutex_lock(&a->mu);
    __atomic_store_n(&a->stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&a->cv);
    int started = a->started;
    pthread_mutex_unlock(&a->mu);
    if (started)
        pthread_join(a->thread, NULL);
    cshark_packet *left[SLOTS];
    int n = 0;
    pthread_mutex_lock(&a->mu);
    for (; a->count > 0; a->count--, a->head = (a->head + 1) % SLOTS)
        if (a->ring[a->head].pkt) {
            left[n++] = a->ring[a->head].pkt;
            a->ring[a->head].pkt = NULL;
        }
    a->started = 0;
    a->ended = 0;
    pthread_mutex_unlock(&a->mu);
    if (n) {
        PyThread_acquire_lock(engine_lock, WAIT_LOCK);
        for (int i = 0; i < n; i++)
            cshark_packet_free(left[i]);
        PyThread_release_lock(engine_lock);
    }
}

/* os.register_at_fork hooks (cshark/_engine.py). The child has only the
 * forking thread: the engine lock and every ahead's mutex must not be held
 * by a worker at that moment, so the parent takes them all first (without
 * the GIL while it waits); the child then finds its aheads without workers. */
PyObject *mod_before_fork(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    engine_enter();
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&all_mu);
    for (int i = 0; i < nall; i++)
        pthread_mutex_lock(&all[i]->mu);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

PyObject *mod_after_fork_parent(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    for (int i = 0; i < nall; i++)
        pthread_mutex_unlock(&all[i]->mu);
    pthread_mutex_unlock(&all_mu);
    engine_leave();
    Py_RETURN_NONE;
}

PyObject *mod_after_fork_child(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    for (int i = 0; i < nall; i++) {
        ahead *a = all[i];
        a->forked = 1;
        a->started = 0; /* nothing to join */
        pthread_mutex_init(&a->mu, NULL);
        pthread_cond_init(&a->cv, NULL);
    }
    pthread_mutex_init(&all_mu, NULL);
    __atomic_store_n(&engine_waiters, 0, __ATOMIC_RELEASE);
    engine_leave();
    Py_RETURN_NONE;
}

/* After ahead_stop(), when no thread can be in ahead_next() (dealloc). */
void ahead_free(ahead *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&all_mu);
    for (int i = 0; i < nall; i++)
        if (all[i] == a) {
            all[i] = all[--nall];
            break;
        }
    pthread_mutex_unlock(&all_mu);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    for (size_t i = 0; i < a->nnames; i++)
        PyMem_RawFree(a->names[i]);
    PyMem_RawFree(a->names);
    PyMem_RawFree(a->fields);
    PyMem_RawFree(a);
}
