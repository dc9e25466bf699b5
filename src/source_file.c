/* Capture files (and pipes) through wiretap: the packet source of
 * cshark_capture_open(), with tshark's error texts.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <epan/addr_resolv.h>
#include <epan/secrets.h>

#include "internal.h"

typedef struct {
    cs_source base;
    wtap *wth;
    char *path;
    int sequential;  /* the sequential stream is still open */
} file_source;

static int read_error(file_source *f, int err, char *info)
{
    const char *what;
    switch (err) {
    case WTAP_ERR_SHORT_READ:
        what = "appears to have been cut short in the middle of a packet";
        break;
    case WTAP_ERR_BAD_FILE:
        what = "appears to be damaged or corrupt";
        break;
    case WTAP_ERR_UNSUPPORTED:
        what = "has a packet with a network type that Wireshark doesn't support";
        break;
    default:
        what = err > 0 ? g_strerror(err) : wtap_strerror(err);
        break;
    }
    int rc = cs_error(CSHARK_EREAD, "the file \"%s\" %s (after frame %u)%s%s%s", f->path, what,
                      f->base.count, info ? " (" : "", info ? info : "", info ? ")" : "");
    g_free(info);
    return rc;
}

static int file_read(cs_source *s, wtap_rec *rec, Buffer *buf, gint64 *offset, int timeout_ms)
{
    (void)timeout_ms; /* a pipe blocks until its record is there */
    file_source *f = (file_source *)s;
    int err = 0;
    char *info = NULL;
    if (!wtap_read(f->wth, rec, buf, &err, &info, offset)) {
        if (!err)
            g_free(info);
        return err ? read_error(f, err, info) : 0;
    }
    /* A reader can leave a message behind on a record it read after all
     * (4.0's netscreen: "Can't parse packet-header"): ours to free (it
     * leaked; found by fuzz_capture). */
    g_free(info);
    s->count++;
    return 1;
}

static int file_reread(cs_source *s, gint64 offset, wtap_rec *rec, Buffer *buf)
{
    file_source *f = (file_source *)s;
    int err = 0;
    char *info = NULL;
    if (f->sequential) { /* the first pass is over: only random reads now */
        wtap_sequential_close(f->wth);
        f->sequential = 0;
    }
    if (wtap_seek_read(f->wth, offset, rec, buf, &err, &info)) {
        g_free(info); /* as in file_read */
        return 1;
    }
    return read_error(f, err, info);
}

static wtap_block_t idb(file_source *f, guint32 id)
{
    wtapng_iface_descriptions_t *idbs = wtap_file_get_idb_info(f->wth);
    wtap_block_t block = NULL;
    if (id < idbs->interface_data->len)
        block = g_array_index(idbs->interface_data, wtap_block_t, id);
    g_free(idbs);
    return block;
}

/* As frame.interface_name: name, else description, else hardware. */
static const char *file_interface_name(cs_source *s, guint32 id)
{
    static const guint opts[] = { OPT_IDB_NAME, OPT_IDB_DESCRIPTION, OPT_IDB_HARDWARE };
    wtap_block_t block = idb((file_source *)s, id);
    char *name;
    for (size_t i = 0; block && i < G_N_ELEMENTS(opts); i++)
        if (wtap_block_get_string_option_value(block, opts[i], &name) == WTAP_OPTTYPE_SUCCESS)
            return name;
    return NULL;
}

static const char *file_interface_description(cs_source *s, guint32 id)
{
    wtap_block_t block = idb((file_source *)s, id);
    char *text;
    if (block && wtap_block_get_string_option_value(block, OPT_IDB_DESCRIPTION, &text)
                     == WTAP_OPTTYPE_SUCCESS)
        return text;
    return NULL;
}

static void file_free(cs_source *s)
{
    file_source *f = (file_source *)s;
    wtap_close(f->wth);
    g_free(f->path);
    g_free(f);
}

static const cs_source_ops file_ops = {
    file_read, file_reread, file_interface_name, file_interface_description, NULL, file_free,
};

static const cs_source_ops pipe_ops = {
    file_read, NULL, file_interface_name, file_interface_description, NULL, file_free,
};

int cs_source_is_pipe(const cs_source *s)
{
    return s->ops == &pipe_ops;
}

static int open_error(const char *path, int err, char *info)
{
    int code = CSHARK_EFORMAT;
    const char *what;
    struct stat st;

    switch (err) {
    case ENOENT:
        code = CSHARK_EOPEN, what = "it doesn't exist";
        break;
    case EACCES:
    case EPERM:
        code = CSHARK_EOPEN, what = "permission denied";
        break;
    case WTAP_ERR_NOT_REGULAR_FILE:
        code = CSHARK_EOPEN;
        what = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "it is a directory, not a file"
                                                             : "it is not a regular file";
        break;
    case WTAP_ERR_FILE_UNKNOWN_FORMAT:
        what = "it isn't a capture file in a format Wireshark understands";
        break;
    case WTAP_ERR_UNSUPPORTED:
        what = "its capture format is not supported";
        break;
    case WTAP_ERR_SHORT_READ:
        what = "it appears to have been cut short in the middle of a packet or other data";
        break;
    case WTAP_ERR_BAD_FILE:
        what = "it appears to be damaged or corrupt";
        break;
    default:
        code = err > 0 ? CSHARK_EOPEN : CSHARK_EFORMAT;
        what = err > 0 ? g_strerror(err) : wtap_strerror(err);
        break;
    }
    cs_error(code, "cannot open \"%s\": %s%s%s%s", path, what, info ? " (" : "",
             info ? info : "", info ? ")" : "");
    g_free(info);
    return code;
}

int cs_source_file_open(const char *path, cs_source **out)
{
    /* wiretap happily "opens" an empty file as ERF with no records: a silent
     * empty result is worse than an error here. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return cs_error(CSHARK_EFORMAT, "cannot open \"%s\": the file is empty (0 bytes), "
                        "not a capture", path);

    /* Random access is asked for so that two-pass mode can seek back; a
     * pipe can only be read as it comes. */
    int pipe = strcmp(path, "-") == 0 || (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    int err = 0;
    char *info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &info, !pipe);
    if (!wth)
        return open_error(path, err, info);
    /* As tshark: names the capture itself announces, and pcapng Decryption
     * Secrets Blocks (without them TLS/QUIC trees differ from tshark's). */
    wtap_set_cb_new_ipv4(wth, add_ipv4_name);
    wtap_set_cb_new_ipv6(wth, (wtap_new_ipv6_callback_t)add_ipv6_name);
    wtap_set_cb_new_secrets(wth, secrets_wtap_callback);

    file_source *f = g_new0(file_source, 1);
    f->base.ops = pipe ? &pipe_ops : &file_ops;
    f->base.file_type = wtap_file_type_subtype(wth);
    f->wth = wth;
    f->path = g_strdup(path);
    f->sequential = 1;
    *out = &f->base;
    return CSHARK_OK;
}
