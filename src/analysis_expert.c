/* Expert info (tshark -z expert[,LEVEL][,FILTER]): every item the
 * dissectors raise, kept per packet (the rows), and tshark's table of
 * items by severity, protocol and summary with their frequency (the text).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <epan/expert.h>

#include "internal.h"

enum { COMMENT, CHAT, NOTE, WARN, ERROR, LEVELS };
static const int severities[LEVELS] = { PI_COMMENT, PI_CHAT, PI_NOTE, PI_WARN, PI_ERROR };
static const char *const level_names[LEVELS] = { "comment", "chat", "note", "warn", "error" };

typedef struct {
    guint32 frame;
    int group, level;
    const char *protocol, *summary; /* in the state's chunk */
} item;

typedef struct {
    guint32 group;
    int frequency;
    const char *protocol, *summary;
} entry;

typedef struct {
    int lowest;             /* items below this level are not kept */
    GArray *items;          /* item, in the order raised           */
    GArray *entries[LEVELS];/* entry, per level, in the order first seen */
    GHashTable *index;      /* "protocol\0summary" per level -> entry index + 1 */
    GStringChunk *text;
} expert_state;

static int level_of(int severity)
{
    for (int i = 0; i < LEVELS; i++)
        if (severities[i] == severity)
            return i;
    return -1;
}

static tap_packet_status packet(void *data, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                const void *info, tap_flags_t flags _U_)
{
    expert_state *st = data;
    const expert_info_t *ei = info;
    int level = level_of(ei->severity);
    if (level < st->lowest)
        return TAP_PACKET_REDRAW;
    item it = { ei->packet_num, ei->group, level,
                g_string_chunk_insert_const(st->text, ei->protocol),
                g_string_chunk_insert_const(st->text, ei->summary) };
    g_array_append_val(st->items, it);
    /* tshark's table: one entry per level, protocol and summary. Strings
     * in the chunk are unique, so their pointers are the key. */
    char key[2 * sizeof(void *) + 1];
    memcpy(key, &it.protocol, sizeof(void *));
    memcpy(key + sizeof(void *), &it.summary, sizeof(void *));
    key[2 * sizeof(void *)] = (char)level;
    gpointer at = g_hash_table_lookup(st->index, key);
    GArray *entries = st->entries[level];
    if (at) {
        g_array_index(entries, entry, GPOINTER_TO_UINT(at) - 1).frequency++;
    } else {
        entry e = { (guint32)ei->group, 1, it.protocol, it.summary };
        g_array_append_val(entries, e);
        g_hash_table_insert(st->index, g_memdup2(key, sizeof key), GUINT_TO_POINTER(entries->len));
    }
    return TAP_PACKET_REDRAW;
}

static guint key_hash(gconstpointer k)
{
    guint h = 5381;
    for (size_t i = 0; i < 2 * sizeof(void *) + 1; i++)
        h = h * 33 + ((const unsigned char *)k)[i];
    return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 2 * sizeof(void *) + 1) == 0;
}

static void state_free(expert_state *st)
{
    g_array_free(st->items, TRUE);
    for (int i = 0; i < LEVELS; i++)
        g_array_free(st->entries[i], TRUE);
    g_hash_table_destroy(st->index);
    g_string_chunk_free(st->text);
    g_free(st);
}

static int attach(cshark_analysis *a, const char *args)
{
    expert_state *st = g_new0(expert_state, 1);
    st->lowest = COMMENT;
    const char *filter = NULL;
    if (args) {
        /* tshark: an optional level, then an optional filter after a comma. */
        int matched = 0;
        for (int i = 0; i < LEVELS && !matched; i++) {
            size_t n = strlen(level_names[i]);
            if (g_ascii_strncasecmp(args, level_names[i], n) == 0) {
                st->lowest = i;
                matched = 1;
                if (args[n] == ',')
                    filter = args + n + 1;
            }
        }
        if (!matched)
            filter = args;
    }
    st->items = g_array_new(FALSE, FALSE, sizeof(item));
    for (int i = 0; i < LEVELS; i++)
        st->entries[i] = g_array_new(FALSE, FALSE, sizeof(entry));
    st->index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    st->text = g_string_chunk_new(4096);
    int rc = cs_analysis_listen(a, "expert", st, filter, 0, NULL, packet);
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

static void text(cshark_analysis *a, GString *out)
{
    static const char *const titles[LEVELS] = { "Comments", "Chats", "Notes", "Warns", "Errors" };
    expert_state *st = a->state;
    for (int level = ERROR; level >= COMMENT; level--) {
        GArray *entries = st->entries[level];
        if (entries->len == 0)
            continue;
        int total = 0;
        for (guint i = 0; i < entries->len; i++)
            total += g_array_index(entries, entry, i).frequency;
        g_string_append_printf(out, "\n%s (%d)\n=============\n"
                               "   Frequency      Group           Protocol  Summary\n",
                               titles[level], total);
        for (guint i = 0; i < entries->len; i++) {
            const entry *e = &g_array_index(entries, entry, i);
            char *group = val_to_str_wmem(NULL, e->group, expert_group_vals, "Unknown (%d)");
            g_string_append_printf(out, "%12d %10s %18s  %s\n", e->frequency, group, e->protocol,
                                   e->summary);
            wmem_free(NULL, group);
        }
    }
}

static const cs_column columns[] = {
    { "frame", CSHARK_TYPE_UINT },     { "severity", CSHARK_TYPE_STRING },
    { "group", CSHARK_TYPE_STRING },   { "protocol", CSHARK_TYPE_STRING },
    { "summary", CSHARK_TYPE_STRING },
};

static void rows(cshark_analysis *a)
{
    expert_state *st = a->state;
    for (guint i = 0; i < st->items->len; i++) {
        const item *it = &g_array_index(st->items, item, i);
        cs_cell *r = cs_analysis_add_row(a);
        r[0].u = it->frame;
        r[1].s = val_to_str_const(severities[it->level], expert_severity_vals, "Unknown");
        r[2].s = val_to_str_const(it->group, expert_group_vals, "Unknown");
        r[3].s = it->protocol;
        r[4].s = it->summary;
    }
}

const cs_analysis_kind cs_analysis_expert = {
    columns, G_N_ELEMENTS(columns), attach, text, rows, detach, NULL,
};
