/* Writing captured frames to pcapng, one file or a ring of them (tshark -w,
 * -b filesize:KB -b files:N), through wiretap's writer.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct cs_dump {
    char *path;            /* as given                                       */
    char *stem, *ext;      /* ring file names: STEM_NNNNN_YYYYmmddHHMMSS.EXT */
    guint64 file_bytes;    /* 0: a single file                               */
    unsigned files;        /* ring size; 0: keep every file                  */
    unsigned seq;
    GQueue *written;       /* ring file names, oldest first                  */
    wtapng_iface_descriptions_t *idb;
    wtap_dumper *out;
    char *name;            /* the file being written                         */
    /* Where the last records end in it: the writer buffers, so a full disk
     * may cut any of the records since the last flush (see cut_back). */
    gint64 ends[4096];
    unsigned nends;
};

cs_dump *cs_dump_new(const char *path, guint64 file_kb, unsigned files)
{
    cs_dump *d = g_new0(cs_dump, 1);
    d->path = g_strdup(path);
    d->file_bytes = file_kb * 1000;
    d->files = files;
    d->written = g_queue_new();
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    d->stem = dot ? g_strndup(path, (gsize)(dot - path)) : g_strdup(path);
    d->ext = g_strdup(dot ? dot : "");
    return d;
}

/* One interface description per live interface, as dumpcap writes them. */
void cs_dump_add_interface(cs_dump *d, const char *name, int encap, int nanos, int snaplen)
{
    if (!d->idb) {
        d->idb = g_new0(wtapng_iface_descriptions_t, 1);
        d->idb->interface_data = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    }
    wtap_block_t idb = wtap_block_create(WTAP_BLOCK_IF_ID_AND_INFO);
    wtapng_if_descr_mandatory_t *m = wtap_block_get_mandatory_data(idb);
    m->wtap_encap = encap;
    m->time_units_per_second = nanos ? 1000000000 : 1000000;
    m->tsprecision = nanos ? WTAP_TSPREC_NSEC : WTAP_TSPREC_USEC;
    m->snap_len = (guint32)snaplen;
    wtap_block_add_string_option(idb, OPT_IDB_NAME, name, strlen(name));
    wtap_block_add_uint8_option(idb, OPT_IDB_TSRESOL, nanos ? 9 : 6);
    g_array_append_val(d->idb->interface_data, idb);
}

/* After a failed write or flush: cut the file back to the last whole
 * record on disk, so that what it holds reads without error. */
static void cut_back(cs_dump *d)
{
    struct stat st;
    if (!d->name || stat(d->name, &st) != 0)
        return;
    gint64 keep = 0;
    unsigned n = d->nends < G_N_ELEMENTS(d->ends) ? d->nends : G_N_ELEMENTS(d->ends);
    for (unsigned i = 0; i < n; i++) {
        gint64 end = d->ends[(d->nends - 1 - i) % G_N_ELEMENTS(d->ends)];
        if (end <= st.st_size) {
            keep = end;
            break;
        }
    }
    if (keep < st.st_size && truncate(d->name, keep) != 0)
        return; /* the error already names the file */
}

static void mark_end(cs_dump *d)
{
    d->ends[d->nends++ % G_N_ELEMENTS(d->ends)] = wtap_get_bytes_dumped(d->out);
}

static int close_file(cs_dump *d)
{
    int err = 0;
    gchar *info = NULL;
    int rc = CSHARK_OK;
    if (d->out && !wtap_dump_close(d->out, NULL, &err, &info)) {
        rc = cs_error(CSHARK_EREAD, "cannot write \"%s\": %s", d->name,
                      err > 0 ? g_strerror(err) : wtap_strerror(err));
        d->out = NULL;
        cut_back(d);
    }
    g_free(info);
    d->out = NULL;
    return rc;
}

static int open_file(cs_dump *d)
{
    char *name;
    if (d->file_bytes) {
        char stamp[32];
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
        name = g_strdup_printf("%s_%05u_%s%s", d->stem, ++d->seq, stamp, d->ext);
    } else {
        name = g_strdup(d->path);
    }
    wtap_dump_params params = WTAP_DUMP_PARAMS_INIT;
    params.encap = WTAP_ENCAP_PER_PACKET;
    params.snaplen = 0;
    params.tsprec = WTAP_TSPREC_NSEC;
    params.idb_inf = d->idb;
    params.dont_copy_idbs = FALSE;
    int err = 0;
    gchar *info = NULL;
    d->out = wtap_dump_open(name, wtap_pcapng_file_type_subtype(), WTAP_UNCOMPRESSED, &params,
                            &err, &info);
    if (!d->out) {
        int rc = cs_error(CSHARK_EOPEN, "cannot write \"%s\": %s%s%s", name,
                          err > 0 ? g_strerror(err) : wtap_strerror(err), info ? ": " : "",
                          info ? info : "");
        g_free(info);
        g_free(name);
        return rc;
    }
    g_free(d->name);
    d->name = g_strdup(name);
    d->nends = 0;
    mark_end(d); /* the section and interface blocks */
    if (d->file_bytes) {
        g_queue_push_tail(d->written, name);
        /* The ring keeps the newest FILES files. */
        while (d->files && g_queue_get_length(d->written) > d->files) {
            char *old = g_queue_pop_head(d->written);
            unlink(old);
            g_free(old);
        }
    } else {
        g_free(name);
    }
    return CSHARK_OK;
}

int cs_dump_start(cs_dump *d)
{
    return d->out ? CSHARK_OK : open_file(d);
}

int cs_dump_write(cs_dump *d, const wtap_rec *rec, const guint8 *data)
{
    if (d->out && d->file_bytes && (guint64)wtap_get_bytes_dumped(d->out) >= d->file_bytes) {
        int rc = close_file(d);
        if (rc != CSHARK_OK)
            return rc;
    }
    if (!d->out) {
        int rc = open_file(d);
        if (rc != CSHARK_OK)
            return rc;
    }
    int err = 0;
    gchar *info = NULL;
    if (!wtap_dump(d->out, rec, data, &err, &info)) {
        int rc = cs_error(CSHARK_EREAD, "cannot write \"%s\": %s%s%s", d->name,
                          err > 0 ? g_strerror(err) : wtap_strerror(err), info ? ": " : "",
                          info ? info : "");
        g_free(info);
        close_file(d); /* its last flush fails too; then the cut */
        cut_back(d);
        return rc;
    }
    mark_end(d);
    return CSHARK_OK;
}

int cs_dump_free(cs_dump *d)
{
    if (!d)
        return CSHARK_OK;
    int rc = close_file(d);
    if (d->idb) {
        for (guint i = 0; i < d->idb->interface_data->len; i++)
            wtap_block_unref(g_array_index(d->idb->interface_data, wtap_block_t, i));
        g_array_free(d->idb->interface_data, TRUE);
        g_free(d->idb);
    }
    g_queue_free_full(d->written, g_free);
    g_free(d->path);
    g_free(d->name);
    g_free(d->stem);
    g_free(d->ext);
    g_free(d);
    return rc;
}
