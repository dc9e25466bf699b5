/* The default output (-T text, -T tabs): each packet's summary columns on one
 * line, laid out as Wireshark 4.0's tshark.c print_columns() does: the
 * number right-aligned to 5, times to 10, sources right-aligned and
 * destinations left-aligned to 12, an arrow between a source and its
 * matching destination, one delimiter elsewhere; hidden columns skipped.
 * The library gives the columns' titles and texts, not their formats: those
 * are read here from -o gui.column.format and gui.column.hidden, or their
 * defaults, and checked against the titles. (A preferences file that sets
 * them is not read: its columns are printed unpadded.)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli.h"

/* How a column is laid out: its role, and for addresses their family, so
 * that only a source and a destination of the same family get an arrow. */
enum role { PLAIN, NUMBER, TIME, SOURCE, DESTINATION };
enum family { ADDRESS = 1, LINK, NETWORK };
typedef struct {
    unsigned char role, family;
} column_kind;

typedef struct {
    column_kind kind;
    int visible;        /* not in gui.column.hidden */
    char *title;
} column;

struct columns_layout {
    column *columns;    /* gui.column.format's, hidden ones included */
    size_t count;
    char delimiter;
    int checked;        /* compared with the engine's columns yet */
};

/* The formats print_columns() treats apart (epan/column.c's abbreviations);
 * every other one (%Tt, %Cus:…, ports…) is printed as it is. */
static column_kind kind_of(const char *format)
{
    static const struct {
        const char *format;
        column_kind kind;
    } known[] = {
        { "%m", { NUMBER, 0 } },
        { "%t", { TIME, 0 } }, { "%Rt", { TIME, 0 } }, { "%At", { TIME, 0 } },
        { "%Yt", { TIME, 0 } }, { "%YDOYt", { TIME, 0 } }, { "%Aut", { TIME, 0 } },
        { "%Yut", { TIME, 0 } }, { "%YDOYut", { TIME, 0 } },
        { "%s", { SOURCE, ADDRESS } }, { "%rs", { SOURCE, ADDRESS } },
        { "%us", { SOURCE, ADDRESS } }, { "%hs", { SOURCE, LINK } },
        { "%rhs", { SOURCE, LINK } }, { "%uhs", { SOURCE, LINK } },
        { "%ns", { SOURCE, NETWORK } }, { "%rns", { SOURCE, NETWORK } },
        { "%uns", { SOURCE, NETWORK } },
        { "%d", { DESTINATION, ADDRESS } }, { "%rd", { DESTINATION, ADDRESS } },
        { "%ud", { DESTINATION, ADDRESS } }, { "%hd", { DESTINATION, LINK } },
        { "%rhd", { DESTINATION, LINK } }, { "%uhd", { DESTINATION, LINK } },
        { "%nd", { DESTINATION, NETWORK } }, { "%rnd", { DESTINATION, NETWORK } },
        { "%und", { DESTINATION, NETWORK } },
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(format, known[i].format) == 0)
            return known[i].kind;
    return (column_kind){ PLAIN, 0 };
}

/* The next item of a preference string list (prefs.c's
 * prefs_get_string_list): quoted with backslash escapes, or bare up to the
 * comma. NULL at the end. */
static char *list_item(const char **pos)
{
    const char *p = *pos;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!*p)
        return NULL;
    char *item = malloc(strlen(p) + 1), *q = item;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            *q++ = *p == '\\' && p[1] ? *++p : *p;
        if (*p)
            p++;
    } else {
        for (; *p && *p != ','; p++)
            *q++ = *p;
        while (q > item && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
    }
    *q = '\0';
    while (*p && *p != ',')
        p++;
    *pos = *p ? p + 1 : p;
    return item;
}

/* A format as prefs.c matches gui.column.hidden's against the columns': a
 * custom column's occurrence is 0 and its resolution R unless given. */
static char *canonical(const char *format)
{
    if (strncmp(format, "%Cus:", 5) != 0)
        return g_strdup(format);
    char **part = g_strsplit(format + 5, ":", 3);
    char *c = g_strdup_printf("%%Cus:%s:%d:%c", part[0] ? part[0] : "",
                              part[0] && part[1] ? atoi(part[1]) : 0,
                              part[0] && part[1] && part[2] && part[2][0] == 'U' ? 'U' : 'R');
    g_strfreev(part);
    return c;
}

/* Whether FORMAT is one of HIDDEN's comma-separated formats. */
static int is_hidden(const char *hidden, const char *format)
{
    if (!hidden)
        return 0;
    char **list = g_strsplit(hidden, ",", -1), *want = canonical(format);
    int found = 0;
    for (char **h = list; *h && !found; h++) {
        char *c = canonical(g_strstrip(*h));
        found = strcmp(c, want) == 0;
        g_free(c);
    }
    g_free(want);
    g_strfreev(list);
    return found;
}

columns_layout *columns_layout_new(const char *format, const char *hidden, char delimiter)
{
    static const char defaults[] = "\"No.\",\"%m\",\"Time\",\"%t\",\"Source\",\"%s\","
                                   "\"Destination\",\"%d\",\"Protocol\",\"%p\","
                                   "\"Length\",\"%L\",\"Info\",\"%i\"";
    columns_layout *l = calloc(1, sizeof *l);
    l->delimiter = delimiter;
    const char *pos = format ? format : defaults;
    l->columns = calloc(strlen(pos) / 2 + 1, sizeof *l->columns);
    char *title, *fmt;
    while ((title = list_item(&pos))) {
        if (!(fmt = list_item(&pos))) {
            free(title);
            break;
        }
        l->columns[l->count++] = (column){ kind_of(fmt), !is_hidden(hidden, fmt), title };
        free(fmt);
    }
    return l;
}

/* Our reading of the formats holds only if the engine's visible columns are
 * the ones we read (a preferences file may have set others): else each of
 * the engine's columns is printed as it is. */
static void check_layout(columns_layout *l, cshark_packet *pkt)
{
    size_t n = cshark_packet_column_count(pkt), v = 0;
    int same = 1;
    for (size_t i = 0; same && i < l->count; i++)
        if (l->columns[i].visible)
            same = v < n && strcmp(cshark_packet_column_title(pkt, v++), l->columns[i].title) == 0;
    if (!same || v != n) {
        l->columns = realloc(l->columns, (n + 1) * sizeof *l->columns);
        for (size_t i = 0; i < n; i++)
            l->columns[i] = (column){ { PLAIN, 0 }, 1, NULL };
        l->count = n;
    }
    l->checked = 1;
}

/* The arrow from column K to the next, NEXT: "→" from a source to a
 * destination of its family, "←" the other way round. */
static const char *arrow(column_kind k, column_kind next)
{
    if (!k.family || k.family != next.family)
        return NULL;
    if (k.role == SOURCE && next.role == DESTINATION)
        return "\u2192";
    if (k.role == DESTINATION && next.role == SOURCE)
        return "\u2190";
    return NULL;
}

/* What follows column I: nothing after the last column, hidden or not, else
 * the delimiter, around an arrow when the next column, hidden or not, is the
 * matching address (tshark.c looks at the columns' raw indexes). */
static void separator(jbuf *b, const columns_layout *l, size_t i)
{
    if (i + 1 == l->count)
        return;
    const char *a = arrow(l->columns[i].kind, l->columns[i + 1].kind);
    jb_put(b, &l->delimiter, 1);
    if (a) {
        jb_put(b, a, strlen(a));
        jb_put(b, &l->delimiter, 1);
    }
}

void print_columns(FILE *out, cshark_packet *pkt, columns_layout *l)
{
    static const size_t widths[] = { [NUMBER] = 5, [TIME] = 10, [SOURCE] = 12,
                                     [DESTINATION] = 12 };
    static jbuf b;
    if (!l->checked)
        check_layout(l, pkt);
    for (size_t i = 0, v = 0; i < l->count; i++) {
        if (!l->columns[i].visible)
            continue;
        const char *text = cshark_packet_column(pkt, v++);
        size_t len = strlen(text);
        column_kind k = l->columns[i].kind;
        size_t fill = len < widths[k.role] ? widths[k.role] - len : 0;
        if (k.role != DESTINATION)
            jb_spaces(&b, fill);
        jb_put(&b, text, len);
        if (k.role == DESTINATION)
            jb_spaces(&b, fill);
        separator(&b, l, i);
    }
    LIT(&b, "\n");
    jb_flush(&b, out);
}
