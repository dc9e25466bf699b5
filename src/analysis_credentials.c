/* Credentials (tshark -z credentials): user names the HTTP, FTP, POP, IMAP
 * and SMTP dissectors see, and the field that holds the password.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "internal.h"

/* What the dissectors queue on the "credentials" tap: Wireshark 4.0's
 * tap_credential_t, from ui/tap-credentials.h, which is not installed. Its
 * layout is pinned here; a new engine version must check it. */
typedef struct {
    guint num;
    guint username_num;
    guint password_hf_id;
    gchar *username;
    const gchar *proto;
    gchar *info;
} engine_credential;

typedef struct {
    guint frame, username_frame;
    int password_hf;
    const char *username, *protocol, *info; /* in the chunk; NULL kept as NULL */
} credential;

typedef struct {
    GArray *items;
    GStringChunk *text;
} credentials_state;

static tap_packet_status packet(void *data, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                const void *info, tap_flags_t flags _U_)
{
    credentials_state *st = data;
    const engine_credential *e = info;
    credential c = { e->num, e->username_num, (int)e->password_hf_id,
                     e->username ? g_string_chunk_insert_const(st->text, e->username) : NULL,
                     e->proto ? g_string_chunk_insert_const(st->text, e->proto) : NULL,
                     e->info ? g_string_chunk_insert_const(st->text, e->info) : NULL };
    g_array_append_val(st->items, c);
    return TAP_PACKET_REDRAW;
}

static void state_free(credentials_state *st)
{
    g_array_free(st->items, TRUE);
    g_string_chunk_free(st->text);
    g_free(st);
}

static int attach(cshark_analysis *a, const char *args)
{
    if (args)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": credentials takes no argument", a->spec);
    credentials_state *st = g_new0(credentials_state, 1);
    st->items = g_array_new(FALSE, FALSE, sizeof(credential));
    st->text = g_string_chunk_new(1024);
    int rc = cs_analysis_listen(a, "credentials", st, NULL, 0, NULL, packet);
    if (rc != CSHARK_OK) {
        state_free(st);
        return rc;
    }
    a->state = st;
    return CSHARK_OK;
}

static void detach(cshark_analysis *a)
{
    remove_tap_listener(a->state);
    state_free(a->state);
}

/* tshark's table; its printf writes a missing user name as "(null)". */
static void text(cshark_analysis *a, GString *out)
{
    credentials_state *st = a->state;
    g_string_append(out, "===================================================================\n");
    g_string_append_printf(out, "%-10s %-16s %-16s %-16s\n", "Packet", "Protocol", "Username",
                           "Info");
    g_string_append(out, "------     --------         --------         --------\n");
    for (guint i = 0; i < st->items->len; i++) {
        const credential *c = &g_array_index(st->items, credential, i);
        g_string_append_printf(out, "%-10u %-16s %-16s %-16s\n", c->frame,
                               c->protocol ? c->protocol : "(null)",
                               c->username ? c->username : "(null)", c->info ? c->info : "");
    }
    g_string_append(out, "===================================================================\n");
}

static const cs_column columns[] = {
    { "frame", CSHARK_TYPE_UINT },          { "protocol", CSHARK_TYPE_STRING },
    { "username", CSHARK_TYPE_STRING },     { "username_frame", CSHARK_TYPE_UINT },
    { "password_field", CSHARK_TYPE_STRING }, { "info", CSHARK_TYPE_STRING },
};

static void rows(cshark_analysis *a)
{
    credentials_state *st = a->state;
    for (guint i = 0; i < st->items->len; i++) {
        const credential *c = &g_array_index(st->items, credential, i);
        cs_cell *r = cs_analysis_add_row(a);
        r[0].u = c->frame;
        r[1].s = cs_analysis_keep(a, c->protocol);
        r[2].s = cs_analysis_keep(a, c->username);
        r[3].u = c->username_frame;
        /* The field that holds the password ("" when none, e.g. a user name
         * seen alone). */
        r[4].s = cs_analysis_keep(a, c->password_hf > 0 ? proto_registrar_get_abbrev(c->password_hf)
                                                        : NULL);
        r[5].s = cs_analysis_keep(a, c->info);
    }
}

const cs_analysis_kind cs_analysis_credentials = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, NULL,
};
