/* The per-thread last-error message.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "internal.h"

/* A fixed buffer: nothing to free at thread exit, nothing for leak checkers. */
static _Thread_local char last_error[4096];

const char *cshark_last_error(void)
{
    return last_error;
}

int cs_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}
