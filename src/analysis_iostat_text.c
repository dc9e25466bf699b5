/* tshark's -z io,stat table (ui/cli/tap-iostat.c's layout): widths from the
 * values seen, the duration rounded to the interval's decimals, "Dur" on
 * the last row of whole-second intervals, filters wrapped at the border.
 * Relative times only: the CLI has no -t, and tshark's default is "r".
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <string.h>

#include "analysis_iostat.h"

#define US G_GUINT64_CONSTANT(1000000)

/* Decimal digits of V, at most MAX_W. */
static guint magnitude(guint64 v, guint max_w)
{
    guint mag = 0;
    for (guint i = 0; i < max_w; i++) {
        mag++;
        if ((v /= 10) == 0)
            break;
    }
    return mag;
}

static void spaces(GString *out, gint64 n)
{
    for (; n > 0; n--)
        g_string_append_c(out, ' ');
}

static void repeat(GString *out, char c, gint64 n)
{
    for (; n > 0; n--)
        g_string_append_c(out, c);
}

void cs_iostat_layout(cshark_analysis *a, iostat_layout *l)
{
    const iostat_state *st = a->state;
    const nstime_t *el = &a->cap->elapsed;
    guint64 duration = (guint64)el->secs * US + (guint64)((el->nsecs + 500) / 1000);
    l->dur_orig = duration;
    l->whole = st->interval > duration || st->interval == G_MAXUINT64;
    guint64 interval = l->whole ? duration : st->interval;
    l->dur_mag = l->dur_mag_orig = magnitude((guint)(duration / US), 5);
    /* The whole capture in one row: decimals by the duration's size. */
    if (interval == duration)
        l->prec = l->dur_mag >= 2 ? 1 : l->dur_mag == 1 ? 3 : 6;
    else
        l->prec = st->prec;
    l->dv = US;
    for (guint i = 0; i < l->prec; i++)
        l->dv /= 10;
    if (duration % l->dv > 5 * (l->dv / 10)) {
        duration = (duration + 5 * (l->dv / 10)) / l->dv * l->dv;
        l->dur_mag = magnitude((guint)(duration / US), 5);
    }
    if (l->whole)
        interval = duration;
    l->duration = duration;
    l->interval = interval;
    l->invl_col_w = l->prec == 0 ? 2 * l->dur_mag + 8 : 2 * l->dur_mag + 2 * l->prec + 10;
    l->invl_col_w = MAX(l->invl_col_w, 12);
    /* No rows for a capture of one instant (tshark's too). */
    guint64 rows = interval == 0 || duration == 0 ? 0 : duration / interval;
    l->too_many = st->overflow || rows >= IOSTAT_MAX_INTERVALS;
    l->num_rows = l->too_many || interval == 0 || duration == 0
                      ? 0
                      : (guint)rows + ((guint)(duration % interval) > 0);
}

static int is_signed(int ftype)
{
    return ftype == FT_INT8 || ftype == FT_INT16 || ftype == FT_INT24 || ftype == FT_INT32 ||
           ftype == FT_INT64;
}

/* A cell's number in tshark's parts: *KIND 'u'/'d' an integer (*I), 'f' a
 * float (*F), 't' seconds and microseconds (*I, *US), 0 nothing (tshark
 * prints nothing for LOAD of another type: refused at attach). */
static char cell_value(const iostat_column *c, const iostat_cell *it, guint64 span, guint64 *i,
                       guint *us, double *f)
{
    guint32 num = it->num ? it->num : 1;
    guint64 t;
    switch (c->calc) {
    case IOSTAT_FRAMES:
        *i = it->frames;
        return 'u';
    case IOSTAT_BYTES:
    case IOSTAT_COUNT:
    case IOSTAT_FRAMES_BYTES:
        *i = it->counter;
        return 'u';
    case IOSTAT_LOAD:
        if (c->ftype != FT_RELATIVE_TIME || span == 0)
            return 0;
        *i = (guint)(int)(it->counter / span);
        *us = (guint)(int)(it->counter % span * US / span);
        return 't';
    case IOSTAT_AVG:
        if (c->ftype == FT_FLOAT) {
            *f = it->fcounter / num;
            return 'f';
        }
        if (c->ftype == FT_DOUBLE) {
            *f = it->dcounter / num;
            return 'f';
        }
        if (c->ftype == FT_RELATIVE_TIME) {
            t = (it->counter / num + 500) / 1000;
            break;
        }
        *i = it->counter / num;
        return is_signed(c->ftype) ? 'd' : 'u';
    default: /* SUM, MIN, MAX */
        if (c->ftype == FT_FLOAT) {
            *f = it->fcounter;
            return 'f';
        }
        if (c->ftype == FT_DOUBLE) {
            *f = it->dcounter;
            return 'f';
        }
        if (c->ftype == FT_RELATIVE_TIME) {
            t = (it->counter + 500) / 1000;
            break;
        }
        *i = it->counter;
        return is_signed(c->ftype) ? 'd' : 'u';
    }
    *i = (guint)(int)(t / US);
    *us = (guint)(int)(t % US);
    return 't';
}

double cs_iostat_value(const iostat_column *c, const iostat_cell *it, guint64 span)
{
    guint64 i = 0;
    guint us = 0;
    double f = 0;
    switch (cell_value(c, it, span, &i, &us, &f)) {
    case 'u':
        return (double)i;
    case 'd':
        return (double)(gint64)i;
    case 'f':
        return f;
    case 't':
        return (double)i + us / 1e6;
    default:
        return 0;
    }
}

/* A column's widths and how its values print. */
typedef struct {
    guint fr, val;   /* FRAMES' width; the value's                          */
    guint width;     /* the printf width of the value                       */
    char kind;       /* 'u', 'd', 'f', 't' (cell_value's)                   */
} col_fmt;

static void column_format(const iostat_column *c, const iostat_layout *l, col_fmt *f)
{
    guint namelen = c->calc == IOSTAT_FRAMES_BYTES ? 5 : (guint)strlen(cs_iostat_calc_names[c->calc]);
    f->fr = f->val = 0;
    f->kind = 'u';
    switch (c->calc) {
    case IOSTAT_FRAMES_BYTES:
        f->val = f->width = MAX(5, magnitude(c->max_val, 15));
        /* fall through */
    case IOSTAT_FRAMES:
        f->fr = MAX(6, magnitude(c->max_frame, 15));
        return;
    case IOSTAT_BYTES:
    case IOSTAT_COUNT:
        f->val = f->width = MAX(5, magnitude(c->max_val, 15));
        return;
    }
    guint64 max = c->max_val;
    if (c->ftype == FT_FLOAT || c->ftype == FT_DOUBLE) {
        f->width = magnitude(max, 15);
        f->val = f->width + 7;
        f->kind = 'f';
    } else if (c->ftype == FT_RELATIVE_TIME) {
        /* LOAD's maximum is in microseconds of load; the others' in ns. */
        if (c->calc == IOSTAT_LOAD)
            max = l->interval ? max / l->interval : 0;
        else if (c->calc != IOSTAT_AVG)
            max = (max + G_GUINT64_CONSTANT(500000000)) / G_GUINT64_CONSTANT(1000000000);
        f->width = magnitude(max, 15);
        f->val = f->width + 7;
        f->kind = 't';
    } else {
        f->val = f->width = MAX(namelen, magnitude(max, 15));
        f->kind = is_signed(c->ftype) ? 'd' : 'u';
    }
}

/* A label centred over a column of LENVAL characters, as tshark centres it
 * (off by one for odd differences; nothing at all past a width). */
static void center(GString *out, const char *label, guint lenval)
{
    int lenlab = (int)strlen(label);
    int len = 6 - (((int)lenval - lenlab) / 2 + 1);
    if (len > 0 && len < 6) {
        int odd = ((int)lenval - lenlab) % 2 != 0;
        spaces(out, 6 - len + odd);
        g_string_append(out, label);
        spaces(out, 6 - len);
        g_string_append_c(out, '|');
    } else if (len > 0 && len <= 15) {
        g_string_append_printf(out, "%s|", label);
    }
}

/* A filter in the column list, wrapped at the last blank before the
 * border (or at the border) when wider than the table. */
static void filter_line(GString *out, const char *filter, guint border)
{
    size_t len = strlen(filter);
    if (len + 11 <= border) {
        g_string_append(out, filter);
        spaces(out, (gint64)border - (gint64)len - 10);
        g_string_append(out, "|\n");
        return;
    }
    size_t max_w = border - 11;
    while (len > max_w) {
        size_t cut = max_w, next = max_w;
        for (size_t k = max_w; k-- > 0;)
            if (filter[k] == ' ') {
                cut = k;
                next = k + 1;
                break;
            }
        g_string_append_len(out, filter, (gssize)cut);
        spaces(out, (gint64)border - (gint64)cut - 10);
        g_string_append(out, "|\n|        ");
        filter += next;
        len = strlen(filter);
    }
    g_string_append(out, filter);
    spaces(out, (gint64)border - (gint64)len - 10);
    g_string_append(out, "|\n");
}

static void header(GString *out, const iostat_state *st, const iostat_layout *l, guint border)
{
    repeat(out, '=', border);
    g_string_append(out, "\n| IO Statistics");
    spaces(out, (gint64)border - 16);
    g_string_append(out, "|\n|");
    spaces(out, (gint64)border - 2);
    g_string_append(out, "|\n");
    /* The widths are the unrounded duration's: a line falls one short when
     * rounding adds a digit, as tshark's does. */
    int dm = (int)l->dur_mag_orig;
    if (l->prec == 0) {
        g_string_append_printf(out, "| Duration: %*u.%6u secs", dm, (guint)(l->dur_orig / US),
                               (guint)(l->dur_orig % US));
        spaces(out, (gint64)border - 25 - l->dur_mag);
        g_string_append_printf(out, "|\n| Interval: %*u secs", dm, (guint32)(l->interval / US));
        spaces(out, (gint64)border - 18 - l->dur_mag);
    } else {
        int p = (int)l->prec;
        g_string_append_printf(out, "| Duration: %*u.%0*u secs", dm, (guint)(l->duration / US), p,
                               (guint)(l->duration % US / l->dv));
        spaces(out, (gint64)border - 19 - l->dur_mag - l->prec);
        g_string_append_printf(out, "|\n| Interval: %*u.%0*u secs", dm,
                               (guint32)(l->interval / US), p,
                               (guint32)(l->interval % US / l->dv));
        spaces(out, (gint64)border - 19 - l->dur_mag - l->prec);
    }
    g_string_append(out, "|\n|");
    spaces(out, (gint64)border - 2);
    g_string_append(out, "|\n| Col");
    for (guint j = 0; j < st->ncols; j++) {
        g_string_append_printf(out, j == 0 ? "%2u: " : "|    %2u: ", j + 1);
        if (st->cols[j].spec) {
            filter_line(out, st->cols[j].spec, border);
        } else {
            g_string_append(out, "Frames and bytes");
            spaces(out, (gint64)border - 26);
            g_string_append(out, "|\n");
        }
    }
    g_string_append(out, "|-");
    repeat(out, '-', (gint64)border - 3);
    g_string_append(out, "|\n");
}

static void column_heads(GString *out, const iostat_state *st, const iostat_layout *l,
                         const col_fmt *f, guint border, guint tabrow_w)
{
    g_string_append_c(out, '|');
    spaces(out, l->invl_col_w - 2);
    g_string_append_c(out, '|');
    for (guint j = 0; j < st->ncols; j++) {
        int calc = st->cols[j].calc;
        guint w = calc == IOSTAT_FRAMES_BYTES ? f[j].fr + f[j].val + 3
                  : calc == IOSTAT_FRAMES     ? f[j].fr
                                              : f[j].val;
        g_string_append_printf(out, "%-2d", (int)j + 1);
        spaces(out, w);
        g_string_append_c(out, '|');
    }
    gint64 filler = tabrow_w < border ? (gint64)border - tabrow_w - 1 : -1;
    if (filler >= 0) {
        spaces(out, filler);
        g_string_append_c(out, '|');
    }
    g_string_append(out, "\n| Interval");
    spaces(out, (gint64)l->invl_col_w - 11);
    g_string_append_c(out, '|');
    for (guint j = 0; j < st->ncols; j++) {
        int calc = st->cols[j].calc;
        if (calc == IOSTAT_FRAMES_BYTES) {
            center(out, "Frames", f[j].fr);
            center(out, "Bytes", f[j].val);
        } else {
            center(out, cs_iostat_calc_names[calc], calc == IOSTAT_FRAMES ? f[j].fr : f[j].val);
        }
    }
    if (filler >= 0) {
        spaces(out, filler);
        g_string_append_c(out, '|');
    }
    g_string_append(out, "\n|-");
    repeat(out, '-', (gint64)tabrow_w - 3);
    g_string_append_c(out, '|');
    if (filler >= 0) {
        spaces(out, filler);
        g_string_append_c(out, '|');
    }
    g_string_append_c(out, '\n');
}

/* The row's interval: "| 0.5 <> 1.0 |", "|  0 <> 1  |", "| 9 <> Dur|". */
static void row_interval(GString *out, const iostat_layout *l, guint64 t, guint64 end, int last)
{
    int dm = (int)l->dur_mag_orig;
    if (l->prec == 0) {
        const char *lead = l->dur_mag == 1 ? "|  " : "| ";
        if (last) {
            int maxw = l->dur_mag >= 3 ? (int)l->dur_mag + 1 : 3;
            g_string_append_printf(out, "%s%*u <> %-*s|", lead, dm, (guint32)(t / US), maxw,
                                   "Dur");
        } else {
            g_string_append_printf(out, "%s%*u <> %*u%s|", lead, dm, (guint32)(t / US), dm,
                                   (guint32)(end / US), l->dur_mag == 1 ? "  " : " ");
        }
    } else {
        int p = (int)l->prec;
        g_string_append_printf(out, "| %*u.%0*u <> %*u.%0*u |", dm, (guint32)(t / US), p,
                               (guint32)(t % US / l->dv), dm, (guint32)(end / US), p,
                               (guint32)(end % US / l->dv));
    }
}

/* LAST_F: the last float printed. A column whose packets stopped early
 * prints zeros, but for floats tshark's printf reads a double from a
 * register that no argument set: the last float it printed. */
static void value(GString *out, const iostat_column *c, const iostat_cell *it, const col_fmt *f,
                  guint64 span, double *last_f)
{
    guint64 i = 0;
    guint us = 0;
    double d = *last_f;
    char kind = it ? cell_value(c, it, span, &i, &us, &d) : f->kind;
    if (kind == 'f')
        *last_f = d;
    if (c->calc == IOSTAT_FRAMES_BYTES || c->calc == IOSTAT_FRAMES)
        g_string_append_printf(out, " %*u |", (int)f->fr, it ? it->frames : 0);
    if (c->calc == IOSTAT_FRAMES)
        return;
    switch (kind) {
    case 'u':
        g_string_append_printf(out, " %*" PRIu64 " |", (int)f->width, i);
        break;
    case 'd':
        g_string_append_printf(out, " %*" PRId64 " |", (int)f->width, (gint64)i);
        break;
    case 'f':
        g_string_append_printf(out, " %*.6f |", (int)f->width, d);
        break;
    case 't':
        g_string_append_printf(out, " %*u.%06u |", (int)f->width, (guint)i, us);
        break;
    }
}

void cs_iostat_text(cshark_analysis *a, GString *out)
{
    const iostat_state *st = a->state;
    iostat_layout l;
    cs_iostat_layout(a, &l);
    if (l.too_many) {
        g_string_append_printf(out, "\nio,stat: more than %u intervals of %g s in %g s of "
                               "capture: not tabled (tshark runs out of memory); use a longer "
                               "interval\n", IOSTAT_MAX_INTERVALS, (double)st->interval / 1e6,
                               (double)l.dur_orig / 1e6);
        return;
    }
    guint invl_mag = magnitude(l.whole ? l.dur_orig / US : st->interval / US, 5);
    guint border = l.whole || st->interval == l.dur_orig
                       ? 30 + l.dur_mag_orig + l.prec + 1
                       : 25 + MAX(invl_mag, l.dur_mag_orig) + (l.prec ? l.prec + 1 : 0);
    border = MAX(border, l.invl_col_w);
    col_fmt *f = g_new0(col_fmt, st->ncols);
    guint tabrow_w = l.invl_col_w, filters_w = 0;
    for (guint j = 0; j < st->ncols; j++) {
        const iostat_column *c = &st->cols[j];
        column_format(c, &l, &f[j]);
        if (f[j].fr)
            tabrow_w += f[j].fr + 3;
        if (c->calc != IOSTAT_FRAMES)
            tabrow_w += f[j].val + 3;
        filters_w = MAX(filters_w, c->spec ? (guint)strlen(c->spec) + 11 : 26);
    }
    border = MAX(border, tabrow_w);
    /* Long filters widen the table up to 102 (a terminal's width), then wrap. */
    if (filters_w > border && border < 102)
        border = MIN(filters_w, 102);
    if (border - tabrow_w == 1) /* no double right border */
        border++;
    g_string_append_c(out, '\n');
    header(out, st, &l, border);
    column_heads(out, st, &l, f, border, tabrow_w);
    gint64 filler = tabrow_w < border ? (gint64)border - tabrow_w - 1 : -1;
    double last_f = 0;
    for (guint i = 0; i < l.num_rows; i++) {
        int last = i + 1 == l.num_rows;
        guint64 t = (guint64)i * l.interval, end = last ? l.duration : t + l.interval;
        row_interval(out, &l, t, end, last);
        for (guint j = 0; j < st->ncols; j++) {
            const iostat_column *c = &st->cols[j];
            value(out, c, i < c->cells->len ? &g_array_index(c->cells, iostat_cell, i) : NULL,
                  &f[j], end - t, &last_f);
        }
        if (filler >= 0) {
            spaces(out, filler);
            g_string_append_c(out, '|');
        }
        g_string_append_c(out, '\n');
    }
    repeat(out, '=', border);
    g_string_append_c(out, '\n');
    g_free(f);
}
