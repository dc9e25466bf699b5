/* The busy guard: cshark is used from one thread at a time (cshark.h,
 * "Threads"), and this turns a second thread's call into CSHARK_EBUSY
 * instead of a race on the engine's globals. One word says which thread is
 * inside cshark; the entry points that touch the engine take it on entry
 * and give it back on return (CS_ENTER in internal.h). The same thread may
 * nest (a public call made by another one inside the library). Not taken
 * by the [structure] calls, by strings already formatted, nor by
 * cshark_capture_stop(): a reading-ahead thread and signal handlers keep
 * working beside the holder.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>

#include "internal.h"

/* The holder (its pthread_self(), 0: nobody) and what it called. DEPTH is
 * only touched by the holder: taking OWNER (acquire) and giving it back
 * (release) order it between holders. */
static uintptr_t owner;
static const char *owner_call;
static unsigned depth;

int cs_guard_enter(const char *call)
{
    uintptr_t self = (uintptr_t)pthread_self();
    if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == self) {
        depth++;
        return 1;
    }
    uintptr_t none = 0;
    if (__atomic_compare_exchange_n(&owner, &none, self, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        depth = 1;
        __atomic_store_n(&owner_call, call, __ATOMIC_RELAXED);
        return 1;
    }
    /* The holder may leave meanwhile: its call's name is a hint. */
    const char *held = __atomic_load_n(&owner_call, __ATOMIC_RELAXED);
    cs_error(CSHARK_EBUSY, "%s: another thread is inside cshark (%s); use cshark from one "
             "thread at a time (cshark.h, \"Threads\")", call, held ? held : "a call");
    return 0;
}

void cs_guard_leave(const cs_guard_hold *hold)
{
    if (!hold->held || --depth)
        return;
    __atomic_store_n(&owner_call, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&owner, 0, __ATOMIC_RELEASE);
}
