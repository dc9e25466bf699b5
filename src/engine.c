/* Process-wide engine: wiretap + epan initialised once, the way tshark does.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE 1 /* program_invocation_short_name */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <epan/addr_resolv.h>
#include <epan/prefs.h>
#include <epan/timestamp.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/report_message.h>
#include <wsutil/wslog.h>

#include <stdlib.h>

#include <epan/tap.h>

#include "internal.h"

enum { ENGINE_NEW, ENGINE_READY, ENGINE_FAILED, ENGINE_SHUT };
static int engine_state = ENGINE_NEW;

int cs_proto_data = -1;

static e_addr_resolve resolve_prefs;   /* what the preferences asked for */
static cs_resolve resolve_current = CS_RESOLVE_UNSET;

/* The engine reports problems (a preference it cannot parse, a key log it
 * cannot open) through these callbacks; report_failure() calls them without a
 * NULL check, so every slot must be filled. They go to the engine's log at
 * "warning" level, which WIRESHARK_LOG_LEVEL can silence or raise. */
static void report_v(const char *fmt, va_list ap)
{
    ws_logv(LOG_DOMAIN_MAIN, LOG_LEVEL_WARNING, fmt, ap);
}
static void on_open_failure(const char *name, int err, gboolean for_writing)
{
    ws_warning("cannot open \"%s\" for %s: %s", name, for_writing ? "writing" : "reading",
               g_strerror(err));
}
static void on_read_failure(const char *name, int err)
{
    ws_warning("error reading \"%s\": %s", name, g_strerror(err));
}
static void on_write_failure(const char *name, int err)
{
    ws_warning("error writing \"%s\": %s", name, g_strerror(err));
}
static void on_cfile_open_failure(const char *name, int err, gchar *info)
{
    ws_warning("cannot open capture \"%s\": %s%s%s", name, wtap_strerror(err),
               info ? ": " : "", info ? info : "");
    g_free(info);
}
static void on_cfile_dump_open_failure(const char *name, int err, gchar *info, int ft)
{
    (void)ft;
    on_cfile_open_failure(name, err, info);
}
static void on_cfile_read_failure(const char *name, int err, gchar *info)
{
    on_cfile_open_failure(name, err, info);
}
static void on_cfile_write_failure(const char *in, const char *out, int err, gchar *info,
                                       guint32 framenum, int ft)
{
    (void)in; (void)framenum; (void)ft;
    on_cfile_open_failure(out, err, info);
}
static void on_cfile_close_failure(const char *name, int err, gchar *info)
{
    on_cfile_open_failure(name, err, info);
}

static const struct report_message_routines report_routines = {
    report_v, report_v, on_open_failure, on_read_failure,
    on_write_failure, on_cfile_open_failure,
    on_cfile_dump_open_failure, on_cfile_read_failure,
    on_cfile_write_failure, on_cfile_close_failure,
};

int cshark_init(unsigned flags)
{
    CS_ENTER();
    if (engine_state == ENGINE_READY)
        return CSHARK_OK;
    if (engine_state != ENGINE_NEW)
        return cs_error(CSHARK_ESTATE, "the Wireshark engine was %s and cannot be "
                        "initialised again in this process",
                        engine_state == ENGINE_SHUT ? "shut down" : "not initialised");
    engine_state = ENGINE_FAILED;

    /* Logs: the engine's own messages go to stderr at its default level;
     * WIRESHARK_LOG_LEVEL changes that as for tshark. No locale change here:
     * that is the application's business (the CLI does it like tshark).
     * Their prefix names the program, "** (cshark:PID)" as tshark's reads
     * "** (tshark:PID)"; without a name it would be "** (PID:PID)". A name
     * the application gave GLib is kept. */
    const char *prog = g_get_prgname();
    ws_log_init(prog ? prog : program_invocation_short_name, NULL);
    init_process_policies();

    /* Every packet's frame.time is a local time, and with TZ unset glibc's
     * localtime() stats /etc/localtime on each call (5% of a full-tree walk).
     * Naming the same file stops that; an explicit TZ is left alone. */
    if (!getenv("TZ"))
        setenv("TZ", ":/etc/localtime", 0);

    char *err = configuration_init("cshark", NULL);
    if (err) {
        ws_warning("cshark: %s", err);
        g_free(err);
    }
    if (flags & CSHARK_INIT_NO_PERSONAL_CONFIG) {
        /* A directory that never exists: the engine only reads from it. */
        set_persconffile_dir("/nonexistent/cshark-no-personal-config");
    }
    init_report_message("cshark", &report_routines);

    timestamp_set_type(TS_RELATIVE);
    timestamp_set_precision(TS_PREC_AUTO);
    timestamp_set_seconds_type(TS_SECONDS_DEFAULT);

    wtap_init(TRUE);
    if (!epan_init(NULL, NULL, TRUE))
        return cs_error(CSHARK_EINIT, "the Wireshark engine (epan %s) failed to initialise",
                        epan_get_version());
    /* The plugins' tap registrations, as tshark makes them before reading
     * its -z: the stats_tree plugin's trees (plen, ptype, ip_hosts, …). Our
     * own analyses register their listeners themselves (analysis*.c). */
    static tap_reg_t no_builtin_taps[] = { { NULL, NULL } };
    register_all_tap_listeners(no_builtin_taps);
    epan_load_settings();
    resolve_prefs = gbl_resolv_flags;
    cs_engine_use_resolution(CS_RESOLVE_OFF);
    prefs_apply_all();

    cs_proto_data = proto_get_id_by_filter_name("data");
    engine_state = ENGINE_READY;
    return CSHARK_OK;
}

int cs_engine_check(void)
{
    if (engine_state == ENGINE_NEW)
        return cshark_init(0);
    if (engine_state == ENGINE_READY)
        return CSHARK_OK;
    if (engine_state == ENGINE_SHUT)
        return cs_error(CSHARK_ESTATE, "the Wireshark engine is shut down");
    return cs_error(CSHARK_EINIT, "the Wireshark engine could not be initialised");
}

/* A letter's bit in a cs_resolve: its place among the ASCII letters, so any
 * letter the engine's string_to_name_resolve() knows has one. */
static int letter_bit(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return 26 + c - 'A';
    return -1;
}

int cs_resolve_parse(const char *flags, cs_resolve *out)
{
    /* The engine's own parser decides which letters exist (tshark -N's). */
    e_addr_resolve scratch;
    char bad = string_to_name_resolve(flags, &scratch);
    if (bad != '\0')
        return cs_error(CSHARK_EOPTION,
                        "name resolution flags \"%s\": -N specifies unknown resolving "
                        "option '%c'; valid options are d, m, n, N, t and v", flags, bad);
    cs_resolve r = CS_RESOLVE_OFF;
    for (const char *c = flags; *c; c++)
        if (letter_bit(*c) >= 0) /* all of 4.0's are letters */
            r |= (cs_resolve)1 << letter_bit(*c);
    *out = r;
    return CSHARK_OK;
}

void cs_engine_use_resolution(cs_resolve r)
{
    if (r == resolve_current)
        return;
    if (r == CS_RESOLVE_PREFS) {
        gbl_resolv_flags = resolve_prefs;
    } else if (r == CS_RESOLVE_OFF) {
        disable_name_resolution(); /* tshark -n */
    } else {
        /* tshark -N LETTERS: the letters replace the preferences' choice. */
        char letters[53], *o = letters;
        for (int bit = 0; bit < 52; bit++)
            if (r & ((cs_resolve)1 << bit))
                *o++ = (char)(bit < 26 ? 'a' + bit : 'A' + bit - 26);
        *o = '\0';
        string_to_name_resolve(letters, &gbl_resolv_flags);
    }
    resolve_current = r;
}

void cshark_shutdown(void)
{
    CS_ENTER_OR();
    if (engine_state != ENGINE_READY)
        return;
    cs_filter_cleanup();
    cs_packets_forget();
    epan_cleanup();
    wtap_cleanup();
    engine_state = ENGINE_SHUT;
}

const char *cshark_version(void)
{
    return CSHARK_VERSION;
}

const char *cshark_engine_version(void)
{
    return epan_get_version();
}
