/* The CLI's live-capture side: -D, -i/-f/-s/-p/-I/-B/-a/-w/-b/-M, and the
 * signal that ends a capture.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* -D: "1. eth0 (description) [up, running] 10.0.0.2 fe80::1", as tshark -D
 * numbers them, with flags and addresses. */
int list_interfaces(FILE *out)
{
    cshark_interface **list;
    size_t n;
    if (cshark_interfaces(&list, &n) != CSHARK_OK) {
        fprintf(stderr, "cshark: %s\n", cshark_last_error());
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%zu. %s", i + 1, list[i]->name);
        if (list[i]->description)
            fprintf(out, " (%s)", list[i]->description);
        unsigned f = list[i]->flags;
        fprintf(out, " [%s%s%s%s]", f & CSHARK_IF_UP ? "up" : "down",
                f & CSHARK_IF_RUNNING ? ", running" : "", f & CSHARK_IF_LOOPBACK ? ", loopback" : "",
                f & CSHARK_IF_WIRELESS ? ", wireless" : "");
        for (size_t k = 0; k < list[i]->naddresses; k++)
            fprintf(out, " %s", list[i]->addresses[k]);
        putc('\n', out);
    }
    cshark_interfaces_free(list, n);
    return 0;
}

/* -a duration:N and -b filesize:KB / -b files:N; 0 when understood. */
int live_option(live_opts *l, int opt, const char *arg)
{
    char *end;
    if (opt == 'a' && strncmp(arg, "duration:", 9) == 0) {
        l->duration = strtod(arg + 9, &end);
        return *end || l->duration <= 0 ? -1 : 0;
    }
    if (opt == 'b' && strncmp(arg, "filesize:", 9) == 0) {
        l->file_kb = strtoull(arg + 9, &end, 10);
        return *end || !l->file_kb ? -1 : 0;
    }
    if (opt == 'b' && strncmp(arg, "files:", 6) == 0) {
        l->files = (unsigned)strtoul(arg + 6, &end, 10);
        return *end || !l->files ? -1 : 0;
    }
    return -1;
}

int live_configure(cshark_capture *cap, const live_opts *l)
{
    int rc = CSHARK_OK;
    if (l->bpf)
        rc = cshark_capture_set_capture_filter(cap, l->bpf);
    if (rc == CSHARK_OK && l->snaplen)
        rc = cshark_capture_set_snaplen(cap, l->snaplen);
    if (rc == CSHARK_OK && l->no_promisc)
        rc = cshark_capture_set_promiscuous(cap, 0);
    if (rc == CSHARK_OK && l->monitor)
        rc = cshark_capture_set_monitor_mode(cap, 1);
    if (rc == CSHARK_OK && l->buffer_mib)
        rc = cshark_capture_set_buffer_size(cap, l->buffer_mib * 1024 * 1024);
    if (rc == CSHARK_OK && l->duration > 0)
        rc = cshark_capture_set_duration(cap, l->duration);
    if (rc == CSHARK_OK && l->write)
        rc = cshark_capture_set_output(cap, l->write, l->file_kb, l->files);
    return rc;
}

static cshark_capture *stopping;
static volatile sig_atomic_t signalled;

static void on_signal(int sig)
{
    (void)sig;
    signalled = 1;
    cshark_capture_stop(stopping); /* async-signal-safe */
}

int cli_signalled(void)
{
    return signalled;
}

static struct sigaction before[3];
static const int caught[3] = { SIGINT, SIGTERM, SIGHUP };
static int catching;

/* Ctrl-C, SIGTERM, SIGHUP end the capture cleanly (output flushed and
 * closed, counts printed) instead of killing the process; a file's reading
 * stops after the packet being printed, as tshark's. CAP may be NULL (-j's
 * parent and workers between files: the signal is only noted). Caught
 * even where they were ignored, as tshark does. */
void live_catch_signals(cshark_capture *cap)
{
    stopping = cap;
    if (cap && signalled) /* it came before this capture began */
        cshark_capture_stop(cap);
    if (catching++)
        return;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(caught[i], &sa, &before[i]);
}

/* Before the capture is closed: a late signal must not reach it. The
 * handlers from before the matching live_catch_signals come back (the
 * default action in a plain run: a second Ctrl-C while closing ends the
 * process; a -j worker's own handler between files). */
void live_release_signals(void)
{
    stopping = NULL;
    if (catching == 0 || --catching)
        return;
    for (int i = 0; i < 3; i++)
        sigaction(caught[i], &before[i], NULL);
}

/* What tshark says at the end of a live capture. */
void live_report(cshark_capture *cap)
{
    cshark_stats st = CSHARK_STATS_INIT;
    if (cshark_capture_stats(cap, &st) != CSHARK_OK)
        return;
    fprintf(stderr, "%llu packet%s captured\n", (unsigned long long)st.read,
            st.read == 1 ? "" : "s");
    if (st.dropped || st.if_dropped)
        fprintf(stderr, "%llu packet%s dropped by the kernel, %llu by the interface\n",
                (unsigned long long)st.dropped, st.dropped == 1 ? "" : "s",
                (unsigned long long)st.if_dropped);
}
