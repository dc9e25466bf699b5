/* The capture handle: opening a source, the one-capture-at-a-time rule,
 * closing, and what a capture tells about itself.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "internal.h"

/* The engine dissects one capture at a time (its state is global). */
static cshark_capture *open_capture;

/* CSHARK_ESTATE naming the open capture, after what was being attempted
 * (FMT: "cannot open \"%s\""); CSHARK_OK when none is open. */
static int G_GNUC_PRINTF(1, 2) engine_busy(const char *fmt, ...)
{
    if (!open_capture)
        return CSHARK_OK;
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int rc = cs_error(CSHARK_ESTATE, "%s: capture \"%s\" is still open, and the engine "
                      "dissects one capture at a time; close it first", what, open_capture->path);
    g_free(what);
    return rc;
}

int cshark_fork_check(void)
{
    CS_ENTER(); /* and so: no other thread inside cshark */
    int rc = cs_engine_check();
    return rc == CSHARK_OK ? engine_busy("cannot fork a worker") : rc;
}

int cs_capture_new(cshark_capture **capture, const char *name, cs_source *src)
{
    int rc = engine_busy("cannot open %s", name);
    if (rc != CSHARK_OK) {
        src->ops->free(src);
        return rc;
    }
    cshark_capture *cap = g_new0(cshark_capture, 1);
    cap->path = g_strdup(name);
    cap->src = src;
    open_capture = cap;
    *capture = cap;
    return CSHARK_OK;
}

int cshark_capture_open(cshark_capture **capture, const char *path)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_ENTER();
    CS_CHECK_ARG(path, "path");
    int rc = cs_engine_check();
    if (rc == CSHARK_OK)
        rc = engine_busy("cannot open \"%s\"", path);
    cs_source *src = NULL;
    if (rc == CSHARK_OK)
        rc = cs_source_file_open(path, &src);
    if (rc == CSHARK_OK)
        rc = cs_capture_new(capture, path, src);
    return rc;
}

int cshark_capture_open_live(cshark_capture **capture, const char *const *interfaces, size_t count)
{
    CS_CHECK_ARG(capture, "capture");
    *capture = NULL;
    CS_ENTER();
    CS_CHECK_ARG(interfaces, "interfaces");
    if (count == 0)
        return cs_error(CSHARK_EINVAL, "cshark_capture_open_live: no interface given");
    for (size_t i = 0; i < count; i++)
        CS_CHECK_ARG(interfaces[i], "interface name");
    int rc = cs_engine_check();
    if (rc == CSHARK_OK)
        rc = engine_busy("cannot capture on %s", interfaces[0]);
    cs_source *src = NULL;
    if (rc == CSHARK_OK)
        rc = cs_live_open(interfaces, count, &src);
    if (rc != CSHARK_OK)
        return rc;
    /* COUNT names: the array need not end with NULL. */
    GString *name = g_string_new("live:");
    for (size_t i = 0; i < count; i++)
        g_string_append_printf(name, "%s%s", i ? "," : "", interfaces[i]);
    rc = cs_capture_new(capture, name->str, src);
    g_string_free(name, TRUE);
    if (rc == CSHARK_OK)
        (*capture)->reset_every = 100000;
    return rc;
}

int cs_capture_check(const cshark_capture *cap, const char *call)
{
    if (!cap)
        return cs_error(CSHARK_EINVAL, "%s: capture is NULL", call);
    /* One capture is open at a time: any other handle is closed (compared,
     * never read). */
    if (cap != open_capture)
        return cs_error(CSHARK_EINVAL, "%s: not an open capture (closed already?)", call);
    return CSHARK_OK;
}

int cs_capture_owns(const cshark_packet *p)
{
    return open_capture && open_capture->current == p;
}

int cshark_capture_close(cshark_capture *cap)
{
    if (!cap)
        return CSHARK_OK;
    CS_ENTER();
    int rc = cs_capture_check(cap, __func__);
    if (rc != CSHARK_OK)
        return rc;
    if (cap->current) /* never a kept packet: keeping lets go of it */
        cs_packet_destroy(cap->current);
    /* The engine's listener queue is global: no other capture may feed them. */
    cs_analyses_free(cap);
    if (cap->session) {
        cs_session_stop_reading(cap->session);
        cs_session_unref(cap->session);
    }
    cap->src->ops->free(cap->src);
    /* The options were the engine's globals for this capture only. */
    cs_prefs_restore(&cap->prefs);
    dfilter_free(cap->dfcode);
    if (cap->filter_protocols)
        g_array_free(cap->filter_protocols, TRUE);
    cs_columns_free(cap->columns);
    if (cap->fields)
        g_array_free(cap->fields, TRUE);
    if (open_capture == cap)
        open_capture = NULL;
    g_free(cap->deferred_msg);
    g_free(cap->path);
    g_free(cap);
    return CSHARK_OK;
}

const char *cshark_capture_path(const cshark_capture *cap)
{
    return cap ? cap->path : NULL;
}

const char *cshark_capture_format(const cshark_capture *cap)
{
    return cap ? wtap_file_type_subtype_name(cap->src->file_type) : NULL;
}

int cs_capture_settable(cshark_capture *cap)
{
    int rc = cs_capture_check(cap, "cshark_capture_set_*");
    if (rc != CSHARK_OK)
        return rc;
    if (cap->started)
        return cs_error(CSHARK_ESTATE, "\"%s\": options must be set before the first packet",
                        cap->path);
    return CSHARK_OK;
}

int cshark_capture_stop(cshark_capture *cap)
{
    if (!cap)
        return CSHARK_EINVAL; /* no message: this may run in a signal handler */
    cs_live *live = cs_source_live(cap->src);
    if (live)
        cs_live_stop(live);
    else
        /* The read loop looks before each record. */
        __atomic_store_n(&cap->stop, 1, __ATOMIC_RELAXED);
    return CSHARK_OK;
}

int cshark_capture_stats(cshark_capture *cap, cshark_stats *st)
{
    CS_ENTER();
    CS_CHECK_CAP(cap);
    CS_CHECK_ARG(st, "stats");
    if (st->version != CSHARK_STATS_VERSION)
        return cs_error(CSHARK_EINVAL, "cshark_capture_stats: version %u is not %u "
                        "(initialise with CSHARK_STATS_INIT)", st->version, CSHARK_STATS_VERSION);
    memset(st, 0, sizeof *st);
    st->version = CSHARK_STATS_VERSION;
    cs_live *live = cs_source_live(cap->src);
    if (live)
        cs_live_stats(live, st);
    st->read = cap->count;
    st->delivered = cap->delivered;
    return CSHARK_OK;
}
