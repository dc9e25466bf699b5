/* The default output (-T text, -T tabs): each packet's summary columns on one
 * line, laid out as Wireshark 4.0's tshark.c print_columns() does: the
 * number right-aligned to 5, times to 10, sources right-aligned and
 * destinations left-aligned to 12, an arrow between a source and its
 * matching destination, one delimiter elsewhere; hidden columns skipped.
 * The formats, hidden columns included, come from the capture
 * (cshark_capture_column_format): preferences files and -o alike.
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
} column;

struct columns_layout {
    column *columns;    /* gui.column.format's, hidden ones included */
    size_t count;
    char delimiter;
    int built;
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

columns_layout *columns_layout_new(char delimiter)
{
    columns_layout *l = calloc(1, sizeof *l);
    l->delimiter = delimiter;
    return l;
}

void columns_layout_free(columns_layout *l)
{
    if (l)
        free(l->columns);
    free(l);
}

/* Every column of gui.column.format, hidden ones included: known from the
 * capture's first read on, so built at the first packet. */
static void build_layout(columns_layout *l, const cshark_capture *cap)
{
    l->count = cshark_capture_column_format_count(cap);
    l->columns = calloc(l->count + 1, sizeof *l->columns);
    for (size_t i = 0; i < l->count; i++) {
        bool shown;
        const char *format = cshark_capture_column_format(cap, i, &shown);
        l->columns[i] = (column){ kind_of(format), shown };
    }
    l->built = 1;
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

void print_columns(FILE *out, const cshark_capture *cap, cshark_packet *pkt, columns_layout *l)
{
    static const size_t widths[] = { [NUMBER] = 5, [TIME] = 10, [SOURCE] = 12,
                                     [DESTINATION] = 12 };
    static jbuf b;
    if (!l->built)
        build_layout(l, cap);
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
