/* I/O statistics (tshark -z io,stat,INTERVAL[,COLUMN...]). Not in the
 * library: tshark's ui/cli/tap-iostat.c buckets each column's packets by
 * interval on its own "frame" listener and lays the table out itself. This
 * file counts to the same rules, quirks included (they decide the widths),
 * and analysis_iostat_text.c writes the text.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis_iostat.h"

const char *const cs_iostat_calc_names[IOSTAT_CALCS] = {
    "FRAMES", "BYTES", "FRAMES BYTES", "COUNT", "SUM", "MIN", "MAX", "AVG", "LOAD",
};

/* tshark keeps the last non-negative relative time in one static, shared by
 * every column: a packet before the first one counts there. Reset at attach
 * (one capture at a time). */
static guint64 last_relative_us;

static iostat_cell *new_cell(iostat_column *c)
{
    g_array_set_size(c->cells, c->cells->len + 1);
    return &g_array_index(c->cells, iostat_cell, c->cells->len - 1);
}

/* The field's value as tshark's counter holds it: integers widened (signed
 * ones sign-extended), relative times in nanoseconds. */
static guint64 int_value(const iostat_column *c, fvalue_t *fv)
{
    switch (c->ftype) {
    case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32:
        return fvalue_get_uinteger(fv);
    case FT_UINT40: case FT_UINT48: case FT_UINT56: case FT_UINT64:
        return fvalue_get_uinteger64(fv);
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
        return (guint64)(gint64)fvalue_get_sinteger(fv);
    case FT_INT40: case FT_INT48: case FT_INT56: case FT_INT64:
        return (guint64)fvalue_get_sinteger64(fv);
    case FT_RELATIVE_TIME: {
        const nstime_t *t = fvalue_get_time(fv);
        return (guint64)t->secs * G_GUINT64_CONSTANT(1000000000) + (guint64)t->nsecs;
    }
    default:
        return 0;
    }
}

/* VAL < COUNTER as tshark compares them for the field's type. */
static int less(const iostat_column *c, guint64 val, guint64 counter)
{
    switch (c->ftype) {
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
        return (gint32)val < (gint32)counter;
    case FT_INT40: case FT_INT48: case FT_INT56: case FT_INT64:
        return (gint64)val < (gint64)counter;
    default:
        return val < counter;
    }
}

static int is_float(int ftype)
{
    return ftype == FT_FLOAT || ftype == FT_DOUBLE;
}

/* One occurrence of the field into the interval's cell. FIRST: the first
 * occurrence in the interval's first frame (where MIN starts). */
static void add_value(iostat_column *c, iostat_cell *it, fvalue_t *fv, int first)
{
    if (is_float(c->ftype)) {
        double d = fvalue_get_floating(fv);
        float f = (float)d;
        int flt = c->ftype == FT_FLOAT;
        switch (c->calc) {
        case IOSTAT_SUM:
        case IOSTAT_AVG:
            if (flt)
                it->fcounter += f;
            else
                it->dcounter += d;
            break;
        case IOSTAT_MIN:
            if (flt && (first || f < it->fcounter))
                it->fcounter = f;
            if (!flt && (first || d < it->dcounter))
                it->dcounter = d;
            break;
        case IOSTAT_MAX:
            if (flt && f > it->fcounter)
                it->fcounter = f;
            if (!flt && d > it->dcounter)
                it->dcounter = d;
            break;
        }
        return;
    }
    guint64 val = int_value(c, fv);
    switch (c->calc) {
    case IOSTAT_SUM:
    case IOSTAT_AVG:
        it->counter += val;
        break;
    case IOSTAT_MIN:
        if (first || less(c, val, it->counter))
            it->counter = val;
        break;
    case IOSTAT_MAX:
        if (less(c, it->counter, val))
            it->counter = val;
        break;
    }
}

/* LOAD: a response time spreads back over the intervals it covers, the
 * remainder of the interval in this one. As tshark walks its list, the
 * interval before the first is the last one: step S back from the current
 * (last) cell lands on cell (N - 1 - S) mod N. Done per cell rather than
 * per step, so a time of years over microsecond intervals is not a loop of
 * 10^15 (tshark's is). */
static void add_load(iostat_column *c, fvalue_t *fv)
{
    const nstime_t *t = fvalue_get_time(fv);
    guint64 interval = c->parent->interval;
    guint64 val = (guint64)t->secs * G_GUINT64_CONSTANT(1000000) + (guint64)(t->nsecs / 1000);
    guint64 n = c->cells->len;
    iostat_cell *cells = (iostat_cell *)(void *)c->cells->data;
    cells[n - 1].counter += val % interval;
    val -= val % interval;
    /* Steps 1..Q add a whole interval each; a last partial step adds R. */
    guint64 q = val / interval, r = val % interval, cycles = q / n, extra = q % n;
    for (guint64 s = 1; s <= MIN(q, n); s++)
        cells[(n - 1 + n - s % n) % n].counter += interval * (cycles + (s <= extra));
    if (r)
        cells[(n - 1 + n - (q + 1) % n) % n].counter += r;
}

/* The column's widest value so far, as tshark records it after each packet
 * (only the current interval's: the table's widths depend on it). */
static void track_max(iostat_column *c, const iostat_cell *it)
{
    guint64 v = 0;
    switch (c->calc) {
    case IOSTAT_FRAMES:
    case IOSTAT_FRAMES_BYTES:
        c->max_frame = MAX(c->max_frame, it->frames);
        if (c->calc == IOSTAT_FRAMES)
            return;
        v = it->counter;
        break;
    case IOSTAT_AVG:
        if (it->num == 0)
            return;
        if (c->ftype == FT_FLOAT)
            v = (guint64)it->fcounter / it->num;
        else if (c->ftype == FT_DOUBLE)
            v = (guint64)it->dcounter / it->num;
        else if (c->ftype == FT_RELATIVE_TIME)
            v = (it->counter / it->num + G_GUINT64_CONSTANT(500000000)) /
                G_GUINT64_CONSTANT(1000000000);
        else
            v = it->counter / it->num;
        break;
    case IOSTAT_SUM:
    case IOSTAT_MIN:
    case IOSTAT_MAX:
        if (c->ftype == FT_FLOAT)
            v = (guint64)(it->fcounter + 0.5);
        else if (c->ftype == FT_DOUBLE)
            v = (guint64)(it->dcounter + 0.5);
        else
            v = it->counter;
        break;
    default: /* BYTES, COUNT, LOAD */
        v = it->counter;
        break;
    }
    c->max_val = MAX(c->max_val, v);
}

static tap_packet_status packet(void *data, packet_info *pinfo, epan_dissect_t *edt,
                                const void *unused _U_, tap_flags_t flags _U_)
{
    iostat_column *c = data;
    guint64 interval = c->parent->interval;
    if (pinfo->rel_ts.secs >= 0 && pinfo->rel_ts.nsecs >= 0)
        last_relative_us = (guint64)pinfo->rel_ts.secs * G_GUINT64_CONSTANT(1000000) +
                           (guint64)((pinfo->rel_ts.nsecs + 500) / 1000);
    guint64 rt = last_relative_us;
    /* Empty intervals up to this packet's (sums wrap as tshark's do). */
    if (c->parent->overflow)
        return TAP_PACKET_DONT_REDRAW;
    if (rt >= c->last_start + interval) {
        guint64 more = (rt - c->last_start) / interval;
        if (more > IOSTAT_MAX_INTERVALS / c->parent->ncols - c->cells->len) {
            c->parent->overflow = 1;
            return TAP_PACKET_DONT_REDRAW;
        }
        g_array_set_size(c->cells, c->cells->len + (guint)more);
        c->last_start += more * interval;
    }
    iostat_cell *it = &g_array_index(c->cells, iostat_cell, c->cells->len - 1);
    it->frames++;
    it->bytes += pinfo->fd->pkt_len;
    GPtrArray *gp = c->hf >= 0 ? proto_get_finfo_ptr_array(edt->tree, c->hf) : NULL;
    switch (c->calc) {
    case IOSTAT_FRAMES:
    case IOSTAT_BYTES:
    case IOSTAT_FRAMES_BYTES:
        it->counter += pinfo->fd->pkt_len;
        break;
    case IOSTAT_COUNT:
        if (gp)
            it->counter += gp->len;
        break;
    case IOSTAT_LOAD:
        for (guint i = 0; gp && i < gp->len; i++)
            add_load(c, &((field_info *)gp->pdata[i])->value);
        it = &g_array_index(c->cells, iostat_cell, c->cells->len - 1);
        break;
    default:
        for (guint i = 0; gp && i < gp->len; i++) {
            if (c->calc == IOSTAT_AVG)
                it->num++;
            add_value(c, it, &((field_info *)gp->pdata[i])->value, it->frames == 1 && i == 0);
        }
        break;
    }
    track_max(c, it);
    return TAP_PACKET_REDRAW;
}

/* ---- attaching: the spec read as tshark reads it ------------------------ */

static void state_free(iostat_state *st)
{
    for (guint i = 0; i < st->ncols; i++) {
        iostat_column *c = &st->cols[i];
        if (c->listening)
            remove_tap_listener(c);
        if (c->cells)
            g_array_free(c->cells, TRUE);
        g_free(c->spec);
    }
    g_free(st->cols);
    g_free(st);
}

/* Which calculations FTYPE allows (tshark's register_io_tap). */
static int calc_allowed(int calc, int ftype)
{
    switch (ftype) {
    case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32: case FT_UINT64:
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32: case FT_INT64:
        /* tshark accepts LOAD here, then exits at the first value: refused now. */
        return calc != IOSTAT_LOAD;
    case FT_FLOAT:
    case FT_DOUBLE:
        return calc != IOSTAT_LOAD;
    case FT_RELATIVE_TIME:
        return 1;
    default:
        return calc == IOSTAT_COUNT;
    }
}

/* A column: [CALC(FIELD)]FILTER, FRAMES()FILTER, BYTES()FILTER, FILTER or
 * nothing (frames and bytes). The tap filter goes to *FILTER. */
static int parse_column(cshark_analysis *a, iostat_column *c, const char **filter)
{
    const char *s = c->spec;
    c->calc = IOSTAT_FRAMES_BYTES;
    c->hf = -1;
    *filter = s;
    if (!s)
        return CSHARK_OK;
    /* tshark tries every name in turn: FRAMES then "FRAMES BYTES" can both
     * match; a FRAMES or BYTES without "(" keeps no filter at all. */
    int calc = -1;
    for (int i = 0; i < IOSTAT_CALCS; i++) {
        size_t n = strlen(cs_iostat_calc_names[i]);
        if (strncmp(s, cs_iostat_calc_names[i], n) == 0) {
            c->calc = i;
            if (s[n] == '(') {
                calc = i;
                break;
            }
        } else if (c->calc == IOSTAT_FRAMES || c->calc == IOSTAT_BYTES) {
            *filter = "";
        }
    }
    if (calc < 0)
        return CSHARK_OK;
    const char *name = cs_iostat_calc_names[calc];
    const char *open = s + strlen(name) + 1, *close = strchr(open, ')');
    if (!close)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": column \"%s\": no \")\" after %s(",
                        a->spec, s, name);
    *filter = close + 1;
    if (calc == IOSTAT_FRAMES || calc == IOSTAT_BYTES) {
        if (close != open)
            return cs_error(CSHARK_EOPTION, "analysis \"%s\": column \"%s\": %s takes no field: "
                            "write %s()FILTER", a->spec, s, name, name);
        return CSHARK_OK;
    }
    if (close == open)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": column \"%s\": %s needs a field: "
                        "write %s(FIELD)FILTER", a->spec, s, name, name);
    char *field = g_strndup(open, (gsize)(close - open));
    header_field_info *hfi = proto_registrar_get_byname(field);
    int rc = CSHARK_OK;
    if (!hfi) {
        rc = cs_error(CSHARK_EUNKNOWN_FIELD, "analysis \"%s\": column \"%s\": no field named "
                      "\"%s\"", a->spec, s, field);
    } else if (calc != IOSTAT_FRAMES_BYTES && !calc_allowed(calc, hfi->type)) {
        rc = cs_error(CSHARK_EOPTION, "analysis \"%s\": column \"%s\": %s is of type %s, "
                      "which %s does not take (%s)", a->spec, s, field,
                      ftype_pretty_name(hfi->type), name,
                      calc == IOSTAT_LOAD ? "LOAD: relative times only, as smb.time"
                                          : "COUNT takes any field; SUM, MIN, MAX and AVG "
                                            "integers, floats and relative times");
    } else {
        c->hf = hfi->id;
        c->ftype = hfi->type;
    }
    g_free(field);
    return rc;
}

/* INTERVAL in seconds: microseconds (G_MAXUINT64 for 0, the whole capture)
 * and how many decimals the table shows. ARGS is what follows "io,stat,". */
static int parse_interval(cshark_analysis *a, const char *args, iostat_state *st,
                          const char **columns)
{
    double seconds;
    int used = 0;
    size_t len = args ? strlen(args) : 0;
    /* tshark's form: a number, then nothing or ",COLUMN", no comma last. */
    if (!args || (len && args[len - 1] == ',') || sscanf(args, "%lf%n", &seconds, &used) != 1 ||
        (args[used] != '\0' && args[used] != ','))
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": write it io,stat,INTERVAL[,COLUMN...] "
                        "(INTERVAL in seconds, 0 for the whole capture; no comma at the end)",
                        a->spec);
    *columns = args[used] ? args + used + 1 : NULL;
    if (!isfinite(seconds) || seconds < 0 || seconds > 1e12)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": interval \"%.*s\" is not a number "
                        "of seconds from 0 to 1e12", a->spec, used, args);
    if (seconds == 0) {
        st->interval = G_MAXUINT64;
        st->prec = 0;
        return CSHARK_OK;
    }
    st->interval = (guint64)(seconds * 1000000.0 + 0.5);
    if (st->interval < 1)
        return cs_error(CSHARK_EOPTION, "analysis \"%s\": interval \"%.*s\" is below 0.000001 "
                        "seconds (0 is the whole capture)", a->spec, used, args);
    /* Decimals: as many as the microseconds need, else as many as written
     * ("1.00": two), at most 6. */
    st->prec = 6;
    for (guint64 p = 10; p < 10000000 && st->interval % p == 0; p *= 10)
        st->prec--;
    const char *dot = memchr(args, '.', (size_t)used);
    if (st->prec == 0 && dot && args + used - dot - 1 > 0)
        st->prec = (guint)MIN(args + used - dot - 1, 6);
    return CSHARK_OK;
}

/* The columns, split at commas and trimmed as tshark does: an empty one
 * is frames and bytes ("" in the middle once blanks are trimmed, shown
 * empty; NULL otherwise, shown "Frames and bytes"). */
static void split_columns(iostat_state *st, const char *list)
{
    st->ncols = 1;
    for (const char *p = list; p && (p = strchr(p, ',')); p++)
        st->ncols++;
    st->cols = g_new0(iostat_column, st->ncols);
    if (!list)
        return;
    const char *str = list;
    for (guint i = 0; i < st->ncols; i++) {
        const char *comma = strchr(str, ',');
        size_t n = comma ? (size_t)(comma - str) : strlen(str);
        if (n > 0) {
            char *spec = g_strstrip(g_strndup(str, n));
            if (!comma && !*spec)
                g_free(spec);
            else
                st->cols[i].spec = spec;
        }
        str += n + 1;
    }
}

static int attach(cshark_analysis *a, const char *args)
{
    iostat_state *st = g_new0(iostat_state, 1);
    const char *list = NULL;
    int rc = parse_interval(a, args, st, &list);
    if (rc != CSHARK_OK) {
        g_free(st);
        return rc;
    }
    split_columns(st, list);
    for (guint i = 0; i < st->ncols && rc == CSHARK_OK; i++) {
        iostat_column *c = &st->cols[i];
        c->parent = st;
        c->cells = g_array_new(FALSE, TRUE, sizeof(iostat_cell));
        new_cell(c);
        const char *filter;
        rc = parse_column(a, c, &filter);
        if (rc == CSHARK_OK)
            rc = cs_analysis_listen(a, "frame", c, filter, TL_REQUIRES_PROTO_TREE, NULL, packet);
        c->listening = rc == CSHARK_OK;
    }
    if (rc != CSHARK_OK) {
        state_free(st);
        return rc;
    }
    last_relative_us = 0;
    a->state = st;
    return CSHARK_OK;
}

static void detach(cshark_analysis *a)
{
    state_free(a->state);
}

/* ---- the snapshot: one row per interval and column, as the text -------- */

static const cs_column columns[] = {
    { "interval", CSHARK_TYPE_UINT }, /* the row of the text, from 0        */
    { "start", CSHARK_TYPE_DOUBLE },  /* seconds from the first packet      */
    { "end", CSHARK_TYPE_DOUBLE },    /* the last: the capture's duration   */
    { "column", CSHARK_TYPE_UINT },   /* from 1, as "Col 1"                 */
    { "spec", CSHARK_TYPE_STRING },   /* the column as written ("": none)   */
    { "calc", CSHARK_TYPE_STRING },   /* FRAMES, BYTES, FRAMES BYTES, COUNT… */
    { "frames", CSHARK_TYPE_UINT },   /* frames through the column's filter */
    { "bytes", CSHARK_TYPE_UINT },    /* their bytes                        */
    { "value", CSHARK_TYPE_DOUBLE },  /* the number the text shows          */
};

static void rows(cshark_analysis *a)
{
    iostat_state *st = a->state;
    iostat_layout l;
    cs_iostat_layout(a, &l);
    if (l.too_many)
        return;
    for (guint i = 0; i < l.num_rows; i++) {
        guint64 t = (guint64)i * l.interval;
        guint64 end = i + 1 == l.num_rows ? l.duration : t + l.interval;
        for (guint j = 0; j < st->ncols; j++) {
            const iostat_column *c = &st->cols[j];
            const iostat_cell *it =
                i < c->cells->len ? &g_array_index(c->cells, iostat_cell, i) : NULL;
            cs_cell *r = cs_analysis_add_row(a);
            r[0].u = i;
            r[1].d = (double)t / 1e6;
            r[2].d = (double)end / 1e6;
            r[3].u = j + 1;
            r[4].s = c->spec ? c->spec : "";
            r[5].s = cs_iostat_calc_names[c->calc];
            r[6].u = it ? it->frames : 0;
            r[7].u = it ? it->bytes : 0;
            r[8].d = it ? cs_iostat_value(c, it, end - t) : 0;
        }
    }
}

const cs_analysis_kind cs_analysis_iostat = {
    columns, G_N_ELEMENTS(columns), attach, cs_iostat_text, rows, detach, NULL,
};
