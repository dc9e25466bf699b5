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
#include <signal.h>
#include <string.h>
#include <time.h>

#include "_cshark.h"

/* Packets read ahead at most: enough that the worker rarely waits for
 * Python, few enough to cost little memory (each holds its tree). */
#define SLOTS 8

/* Waking a sleeping thread costs tens of microseconds here, more than a
 * packet: each side spins up to ~50 us (a pause is ~25 ns) before it
 * sleeps, so a slow consumer does not keep a core busy. */
#define SPINS 2000

/* On a machine whose cores are busy with other work, the two threads wait
 * for each other through sleeps, and reading ahead becomes several times
 * slower than reading in turn: when Python has had to sleep for more than
 * a quarter of the packets of a window and the worker had a core for less
 * than half of it, the worker leaves and the rest of the file is read in
 * turn, in Python's thread. Sleeps alone say nothing: a run of slow packets
 * (reassembly, decryption) makes Python sleep while the worker works, and
 * reading in turn would then be slower. */
#define WINDOW 128

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
    int started;  /* the worker exists (joined by worker_leave) */
    int joining;  /* a thread is joining it */
    int stopping; /* the worker leaves */
    int closed;   /* py_ahead_stop(): nothing more is read */
    int in_turn;  /* the worker has left for good: read in the caller's thread */
    int forked;   /* in a child forked while reading: the worker is gone */
    int count;    /* results waiting in ring[head..] */
    int head;
    int ended;    /* the last result (not a packet) was handed out: ring[head] repeats */
    int calls, sleeps; /* this window's py_ahead_next() calls, and those that slept */
    clockid_t worker_clock; /* the worker's CPU time */
    double window_wall, window_cpu; /* both clocks at the window's start */
    long in_turn_after; /* tests: read in turn after that many results (-1: never) */
    result ring[SLOTS];
    char err[512]; /* the reading thread's cshark_last_error() (per thread) */
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
        py_ahead_stop(all[i]);
    pthread_mutex_unlock(&all_mu);
}

ahead *py_ahead_new(cshark_capture *cap, const char *const *names, size_t n)
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
    a->in_turn_after = -1;
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

/* Fields Python has read whose strings it had to format itself (under the
 * engine lock, so waiting for the worker): the worker formats them in the
 * packets it reads next. One capture reads at a time, so one set. */
#define LEARNED_MAX 16
static pthread_mutex_t learned_mu = PTHREAD_MUTEX_INITIALIZER;
static const cshark_field *learned[LEARNED_MAX];
static int nlearned;

void py_ahead_learn(const cshark_field *f)
{
    pthread_mutex_lock(&learned_mu);
    int known = 0;
    for (int i = 0; i < nlearned && !known; i++)
        known = learned[i] == f;
    if (!known && nlearned < LEARNED_MAX)
        learned[nlearned++] = f;
    pthread_mutex_unlock(&learned_mu);
}

void py_ahead_forget_learned(void)
{
    pthread_mutex_lock(&learned_mu);
    nlearned = 0;
    pthread_mutex_unlock(&learned_mu);
}

/* With the engine lock: format the strings of the capture's fields of
 * interest and of the learned fields in PKT. */
static void format_fields(ahead *a, cshark_packet *pkt)
{
    if (!a->resolved) {
        /* The first packet has applied the capture's preferences, which
         * may register fields anew: resolve names now, and drop handles
         * learned before. */
        py_ahead_forget_learned();
        for (size_t i = 0; i < a->nnames; i++)
            if (cshark_field_lookup(a->names[i], &a->fields[a->nfields]) == CSHARK_OK)
                a->nfields++;
        a->resolved = 1;
    }
    if (a->nfields)
        cshark_packet_format_fields(pkt, a->fields, a->nfields, AHEAD_STRINGS);
    const cshark_field *more[LEARNED_MAX];
    pthread_mutex_lock(&learned_mu);
    int n = nlearned;
    memcpy(more, learned, (size_t)n * sizeof *more);
    pthread_mutex_unlock(&learned_mu);
    if (n)
        cshark_packet_format_fields(pkt, more, (size_t)n, AHEAD_STRINGS);
}

static int load(const int *v)
{
    return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

/* Spin until READY(a) or stopping, then sleep on the condition until then;
 * called and returns with a->mu held. 1 when it had to sleep. */
static int wait_until(ahead *a, int (*ready)(const ahead *))
{
    if (!ready(a) && !a->stopping) {
        pthread_mutex_unlock(&a->mu);
        for (int i = 0; i < SPINS && !ready(a) && !load(&a->stopping); i++)
            cpu_relax();
        pthread_mutex_lock(&a->mu);
    }
    int slept = 0;
    while (!ready(a) && !a->stopping) {
        pthread_cond_wait(&a->cv, &a->mu);
        slept = 1;
    }
    return slept;
}

static int has_room(const ahead *a)
{
    return load(&a->count) < SLOTS;
}

static int has_result(const ahead *a)
{
    return load(&a->count) > 0;
}

/* Workers blocked on the engine lock (another capture's worker holds it). */
static int workers_waiting;

static int lock_wanted(void)
{
    return load(&py_engine_waiters) || load(&workers_waiting);
}

/* Takes the engine lock, first letting the threads that wait for it go. */
static void take_engine(void)
{
    int got = 0;
    for (int i = 0; i < SPINS && !got; i++) {
        if (!lock_wanted())
            got = PyThread_acquire_lock(py_engine_lock, NOWAIT_LOCK);
        if (!got)
            cpu_relax();
    }
    if (got)
        return;
    __atomic_add_fetch(&workers_waiting, 1, __ATOMIC_ACQ_REL);
    PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
    __atomic_sub_fetch(&workers_waiting, 1, __ATOMIC_ACQ_REL);
}

/* The next packet (kept, with FORMAT its fields' strings made), the end or
 * an error (its message in ERR), with the counters as of then. Takes the
 * engine lock unless *HELD says it holds it. With HELD (the worker) it keeps
 * the lock for the next packet while no thread waits for it (*HELD then 1):
 * each take costs CPython's lock a clock read and atomic operations, ~2 %
 * of a fields-of-interest read. Without HELD it lets go. */
static result read_next(ahead *a, int format, char *err, size_t errlen, int *held)
{
    if (held && *held && lock_wanted()) {
        PyThread_release_lock(py_engine_lock);
        *held = 0;
    }
    if (!held || !*held)
        take_engine();
    if (held)
        *held = 1;
    result r = { 0 };
    if (load(&py_engine_deferred))
        py_engine_drain();
    if (__atomic_load_n(&a->closed, __ATOMIC_ACQUIRE)) {
        /* Reading in turn, py_ahead_stop() and the close that follows it may
         * have run since the caller looked: the capture may be gone. */
        PyThread_release_lock(py_engine_lock);
        if (held)
            *held = 0;
        r.rc = CSHARK_ESTATE;
        snprintf(err, errlen, "the capture is closed");
        return r;
    }
    r.rc = cshark_capture_next(a->cap, &r.pkt);
    if (r.rc == CSHARK_PACKET && cshark_packet_keep(r.pkt) != CSHARK_OK)
        r.rc = CSHARK_EINVAL;
    if (r.rc == CSHARK_PACKET && format)
        format_fields(a, r.pkt);
    if (r.rc != CSHARK_PACKET)
        r.pkt = NULL;
    r.st = (cshark_stats)CSHARK_STATS_INIT;
    r.have_st = cshark_capture_stats(a->cap, &r.st) == CSHARK_OK;
    if (r.rc < 0)
        snprintf(err, errlen, "%s", cshark_last_error());
    if (!held || r.rc != CSHARK_PACKET || lock_wanted()) {
        PyThread_release_lock(py_engine_lock);
        if (held)
            *held = 0;
    }
    return r;
}

/* With a->mu held: append R (its message in ERR). */
static void push(ahead *a, result r, const char *err)
{
    if (r.rc < 0)
        snprintf(a->err, sizeof a->err, "%s", err);
    a->ring[(a->head + a->count) % SLOTS] = r;
    __atomic_store_n(&a->count, a->count + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&a->cv);
}

static void *worker(void *arg)
{
    ahead *a = arg;
    char err[sizeof a->err];
    int held = 0; /* the engine lock, kept from one packet to the next */
    __atomic_add_fetch(&py_engine_workers, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_lock(&a->mu);
    for (;;) {
        if (held && (!has_room(a) || a->stopping)) {
            PyThread_release_lock(py_engine_lock); /* never held while waiting */
            held = 0;
        }
        wait_until(a, has_room);
        if (a->stopping)
            break;
        pthread_mutex_unlock(&a->mu);
        result r = read_next(a, 1, err, sizeof err, &held);
        pthread_mutex_lock(&a->mu);
        push(a, r, err);
        if (r.rc != CSHARK_PACKET)
            break; /* the end, or an error: nothing more to read */
    }
    pthread_mutex_unlock(&a->mu);
    if (held)
        PyThread_release_lock(py_engine_lock);
    __atomic_sub_fetch(&py_engine_workers, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

/* With a->mu held (released meanwhile): the worker leaves after the packet
 * it may be dissecting; one thread joins it, others wait for that. */
static void worker_leave(ahead *a)
{
    __atomic_store_n(&a->stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&a->cv);
    if (a->started && !a->joining) {
        a->joining = 1;
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
        pthread_mutex_lock(&a->mu);
        a->started = 0;
        a->joining = 0;
        pthread_cond_broadcast(&a->cv);
    }
    while (a->joining)
        pthread_cond_wait(&a->cv, &a->mu);
}

static double seconds(clockid_t clock)
{
    struct timespec ts;
    if (clock == (clockid_t)-1 || clock_gettime(clock, &ts) != 0)
        return -1;
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void window_start(ahead *a)
{
    a->window_wall = seconds(CLOCK_MONOTONIC);
    a->window_cpu = seconds(a->worker_clock);
}

/* The worker ran for less than half of this window's time (a clock that
 * cannot be read counts as starved, the rule before the clocks). */
static int worker_starved(const ahead *a)
{
    double cpu = seconds(a->worker_clock);
    if (cpu < 0 || a->window_cpu < 0)
        return 1;
    return (cpu - a->window_cpu) * 2 < seconds(CLOCK_MONOTONIC) - a->window_wall;
}

/* Called without the GIL. The next result: CSHARK_PACKET with *pkt (kept),
 * CSHARK_DONE, a negative code with ERR filled, or CSHARK_ESTATE with ERR
 * empty when py_ahead_stop() ran meanwhile. */
int py_ahead_next(ahead *a, cshark_packet **pkt, char *err, size_t errlen)
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
    if (!a->started && !a->in_turn && !a->closed) {
        /* Signals are for Python's threads: the worker blocks them all. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int failed = pthread_create(&a->thread, NULL, worker, a) != 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (failed) {
            a->in_turn = 1;
        } else {
            a->started = 1;
            if (pthread_getcpuclockid(a->thread, &a->worker_clock) != 0)
                a->worker_clock = (clockid_t)-1;
            window_start(a);
        }
    }
    if (!a->count && !a->ended && !a->closed) {
        if (a->in_turn) {
            char msg[sizeof a->err];
            pthread_mutex_unlock(&a->mu);
            result r = read_next(a, 0, msg, sizeof msg, NULL);
            pthread_mutex_lock(&a->mu);
            if (a->closed) { /* by another thread, meanwhile */
                pthread_mutex_unlock(&a->mu);
                if (r.pkt) {
                    PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
                    cshark_packet_free(r.pkt);
                    PyThread_release_lock(py_engine_lock);
                }
                return CSHARK_ESTATE;
            }
            push(a, r, msg);
        } else {
            a->sleeps += wait_until(a, has_result);
        }
    }
    if (a->closed || (!a->count && !a->ended)) {
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
    int forced = a->in_turn_after >= 0 && a->in_turn_after-- == 0;
    if (!a->in_turn && (++a->calls == WINDOW || forced)) {
        if ((forced || (a->sleeps * 4 > WINDOW && worker_starved(a))) && !a->ended) {
            worker_leave(a); /* what it read ahead stays in the ring */
            a->in_turn = 1;
            a->stopping = 0;
        }
        a->calls = a->sleeps = 0;
        window_start(a);
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* Tests: after N more results, read in turn as on a busy machine. */
void py_ahead_in_turn_after(ahead *a, long n)
{
    pthread_mutex_lock(&a->mu);
    a->in_turn_after = n;
    pthread_mutex_unlock(&a->mu);
}

/* The counters as of the packet last handed out (not of those read ahead);
 * 0 when there are none yet (then ask the capture). */
int py_ahead_stats(ahead *a, cshark_stats *st)
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
 * freed. Waiters in py_ahead_next() get CSHARK_ESTATE. */
void py_ahead_stop(ahead *a)
{
    pthread_mutex_lock(&a->mu);
    __atomic_store_n(&a->closed, 1, __ATOMIC_RELEASE); /* read_next() reads it unlocked */
    worker_leave(a);
    cshark_packet *left[SLOTS];
    int n = 0;
    for (; a->count > 0; a->count--, a->head = (a->head + 1) % SLOTS)
        if (a->ring[a->head].pkt) {
            left[n++] = a->ring[a->head].pkt;
            a->ring[a->head].pkt = NULL;
        }
    a->ended = 0;
    pthread_mutex_unlock(&a->mu);
    if (n) {
        PyThread_acquire_lock(py_engine_lock, WAIT_LOCK);
        for (int i = 0; i < n; i++)
            cshark_packet_free(left[i]);
        PyThread_release_lock(py_engine_lock);
    }
}

/* os.register_at_fork hooks (cshark/_engine.py). The child has only the
 * forking thread: the engine lock and every ahead's mutex must not be held
 * by a worker at that moment, so the parent takes them all first (without
 * the GIL while it waits); the child then finds its aheads without workers. */
static int gc_was_enabled;

PyObject *py_before_fork(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    /* Until the after-fork hook releases the engine lock, this thread holds
     * it while Python code runs (other hooks, os.fork()): a collection then
     * could free a capture, whose close would wait for the lock forever. */
    gc_was_enabled = PyGC_Disable();
    engine_enter();
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&all_mu);
    for (int i = 0; i < nall; i++)
        pthread_mutex_lock(&all[i]->mu);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

PyObject *py_after_fork_parent(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    for (int i = 0; i < nall; i++)
        pthread_mutex_unlock(&all[i]->mu);
    pthread_mutex_unlock(&all_mu);
    engine_leave();
    if (gc_was_enabled)
        PyGC_Enable();
    Py_RETURN_NONE;
}

PyObject *py_after_fork_child(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    for (int i = 0; i < nall; i++) {
        ahead *a = all[i];
        a->forked = 1;
        a->started = a->joining = 0; /* nothing to join */
        pthread_mutex_init(&a->mu, NULL);
        pthread_cond_init(&a->cv, NULL);
    }
    pthread_mutex_init(&all_mu, NULL);
    __atomic_store_n(&py_engine_waiters, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&py_engine_workers, 0, __ATOMIC_RELEASE); /* none came along */
    engine_leave();
    if (gc_was_enabled)
        PyGC_Enable();
    Py_RETURN_NONE;
}

/* After py_ahead_stop(), when no thread can be in py_ahead_next() (dealloc). */
void py_ahead_free(ahead *a)
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
