/* cshark._cshark, the engine lock: every call into the engine holds it (the
 * engine is single-threaded; next() and a read-ahead worker run it without
 * the GIL). A packet whose Python object dies while the lock is busy is
 * handed to the next holder instead of waiting for it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <string.h>

#include "_cshark.h"

PyThread_type_lock py_engine_lock;
int py_engine_waiters;
int py_engine_workers;
int py_engine_deferred;

#define DEFER_MAX 256
static pthread_mutex_t defer_mu = PTHREAD_MUTEX_INITIALIZER;
static cshark_packet *deferred[DEFER_MAX];

int py_engine_defer_free(cshark_packet *pkt)
{
    pthread_mutex_lock(&defer_mu);
    int n = py_engine_deferred, ok = n < DEFER_MAX;
    if (ok) {
        deferred[n] = pkt;
        __atomic_store_n(&py_engine_deferred, n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&defer_mu);
    return ok;
}

void py_engine_drain(void)
{
    cshark_packet *batch[DEFER_MAX];
    pthread_mutex_lock(&defer_mu);
    int n = py_engine_deferred;
    memcpy(batch, deferred, (size_t)n * sizeof *batch);
    __atomic_store_n(&py_engine_deferred, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&defer_mu);
    for (int i = 0; i < n; i++)
        cshark_packet_free(batch[i]);
}
