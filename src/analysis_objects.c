/* Export objects (tshark --export-objects PROTO,DIR): the files inside
 * http, imf, smb, tftp, dicom and ftp-data traffic. The dissector hands
 * each object over (we own it from then on); saving follows tshark's
 * naming, duplicates and all.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#include <epan/export_object.h>
#include <epan/prefs.h>

typedef struct {
    export_object_list_t list;  /* the tapdata */
    register_eo_t *eo;
    GPtrArray *objects;         /* export_object_entry_t, in the order handed over */
} objects_state;

static void add_entry(void *data, export_object_entry_t *entry)
{
    g_ptr_array_add(((objects_state *)data)->objects, entry);
}

static export_object_entry_t *get_entry(void *data, int row)
{
    GPtrArray *objects = ((objects_state *)data)->objects;
    return row >= 0 && (guint)row < objects->len ? objects->pdata[row] : NULL;
}

static gboolean add_name(const void *key, void *value _U_, void *data)
{
    GString *names = data;
    g_string_append_printf(names, "%s%s", names->len ? ", " : "", (const char *)key);
    return FALSE;
}

static int attach(cshark_analysis *a, const char *args)
{
    register_eo_t *eo = args ? get_eo_by_name(args) : NULL;
    if (!eo) {
        GString *names = g_string_new(NULL);
        eo_iterate_tables(add_name, names);
        int rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": no export object type \"%s\" "
                          "(types: %s)", a->spec, args ? args : "", names->str);
        g_string_free(names, TRUE);
        return rc;
    }
    objects_state *st = g_new0(objects_state, 1);
    st->eo = eo;
    st->list.add_entry = add_entry;
    st->list.get_entry = get_entry;
    st->list.gui_data = st;
    st->objects = g_ptr_array_new_with_free_func((GDestroyNotify)eo_free_entry);
    int rc = cs_analysis_listen(a, get_eo_tap_listener_name(eo), &st->list, NULL, 0, NULL,
                                get_eo_packet_func(eo));
    if (rc != CSHARK_OK) {
        g_ptr_array_free(st->objects, TRUE);
        g_free(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

static void detach(cshark_analysis *a)
{
    objects_state *st = a->state;
    remove_tap_listener(&st->list);
    /* SMB and FTP-data keep state between packets: tshark never resets it,
     * but a later capture must not see it. */
    export_object_gui_reset_cb reset = get_eo_reset_func(st->eo);
    if (reset)
        reset();
    g_ptr_array_free(st->objects, TRUE);
    g_free(st);
}

/* tshark prints nothing for objects; the listing is the rows. */
static void text(cshark_analysis *a _U_, GString *out _U_)
{
}

static const cs_column columns[] = {
    { "frame", CSHARK_TYPE_UINT },           { "hostname", CSHARK_TYPE_STRING },
    { "content_type", CSHARK_TYPE_STRING },  { "filename", CSHARK_TYPE_STRING },
    { "size", CSHARK_TYPE_UINT },            { "data", CSHARK_TYPE_BYTES },
    { "file_name", CSHARK_TYPE_STRING },
};

/* tshark's file name for E: its own made safe, or object<frame>.<ext>; DUP
 * numbers a name already taken. */
static GString *file_name(const export_object_entry_t *e, guint dup)
{
    if (e->filename)
        return eo_massage_str(e->filename, EXPORT_OBJECT_MAXFILELEN, (int)dup);
    char generic[EXPORT_OBJECT_MAXFILELEN + 1];
    const char *ext = eo_ct2ext(e->content_type);
    snprintf(generic, sizeof generic, "object%u%s%s", e->pkt_num, ext ? "." : "", ext ? ext : "");
    return eo_massage_str(generic, EXPORT_OBJECT_MAXFILELEN, (int)dup);
}

static void rows(cshark_analysis *a)
{
    GPtrArray *objects = ((objects_state *)a->state)->objects;
    for (guint i = 0; i < objects->len; i++) {
        const export_object_entry_t *e = objects->pdata[i];
        cs_cell *r = cs_analysis_add_row(a);
        r[0].u = e->pkt_num;
        r[1].s = cs_analysis_keep(a, e->hostname);
        r[2].s = cs_analysis_keep(a, e->content_type);
        r[3].s = cs_analysis_keep(a, e->filename);
        r[4].u = e->payload_len;
        r[5].b.data = e->payload_data;
        r[5].b.length = e->payload_len;
        GString *name = file_name(e, 0);
        r[6].s = cs_analysis_keep(a, name->str);
        g_string_free(name, TRUE);
    }
}

const cs_analysis_kind cs_analysis_objects = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, NULL,
};

int cshark_analysis_save(cshark_analysis *a, const char *folder)
{
    CS_ENTER();
    CS_CHECK_ARG(a, "analysis");
    CS_CHECK_ARG(folder, "folder");
    if (a->kind != &cs_analysis_objects)
        return cs_error(CSHARK_ETYPE, "analysis \"%s\" has no objects to save", a->spec);
    int rc = cs_analysis_ready(a);
    if (rc != CSHARK_OK)
        return rc;
    if (!g_file_test(folder, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents(folder, 0755) == -1)
        return cs_error(CSHARK_EOPEN, "cannot create the folder \"%s\": %s", folder,
                        g_strerror(errno));
    GPtrArray *objects = ((objects_state *)a->state)->objects;
    for (guint i = 0; i < objects->len; i++) {
        const export_object_entry_t *e = objects->pdata[i];
        /* A taken name gets a number, up to gui.max_export_objects tries. */
        char *path = NULL;
        guint dup = 0;
        do {
            g_free(path);
            GString *name = file_name(e, dup);
            path = g_build_filename(folder, name->str, NULL);
            g_string_free(name, TRUE);
        } while (g_file_test(path, G_FILE_TEST_EXISTS) && ++dup < prefs.gui_max_export_objects);
        FILE *f = fopen(path, "wb");
        int ok = f && fwrite(e->payload_data, 1, e->payload_len, f) == e->payload_len;
        int err = errno;
        if (f && fclose(f) != 0 && ok) {
            ok = 0;
            err = errno;
        }
        if (!ok) {
            int rc = cs_error(CSHARK_EOPEN, "cannot write \"%s\" (object of frame %u): %s", path,
                              e->pkt_num, g_strerror(err));
            if (f)
                remove(path); /* nothing half-written */
            g_free(path);
            return rc;
        }
        g_free(path);
    }
    return CSHARK_OK;
}
