/* I/O statistics (-z io,stat): the state analysis_iostat.c counts into and
 * analysis_iostat_text.c lays out as tshark's table.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_ANALYSIS_IOSTAT_H
#define CSHARK_ANALYSIS_IOSTAT_H

#include "internal.h"

/* tshark's order: parsing tries the names in turn. */
enum {
    IOSTAT_FRAMES, IOSTAT_BYTES, IOSTAT_FRAMES_BYTES, IOSTAT_COUNT, IOSTAT_SUM,
    IOSTAT_MIN, IOSTAT_MAX, IOSTAT_AVG, IOSTAT_LOAD, IOSTAT_CALCS
};
extern const char *const cs_iostat_calc_names[IOSTAT_CALCS];

/* One interval of one column, as tshark's counters (the float one kept as
 * a float: its rounding shows). */
typedef struct {
    guint32 frames, num;   /* num: the field's occurrences (AVG)           */
    guint64 bytes;
    guint64 counter;       /* bytes, count, or the integer/ns value        */
    float fcounter;
    double dcounter;
} iostat_cell;

typedef struct iostat_state iostat_state;

typedef struct {
    iostat_state *parent;  /* the listener's data is the column          */
    char *spec;            /* as written, trimmed; NULL: none given        */
    int calc, hf, ftype;   /* hf -1: no field                              */
    GArray *cells;         /* iostat_cell per interval, up to the last packet */
    guint64 last_start;    /* the last cell's start (us)                   */
    guint64 max_val;       /* the widest value seen, as tshark tracks it   */
    guint32 max_frame;
    int listening;
} iostat_column;

/* A capture longer than this many intervals is not tabled: tshark takes
 * its memory (64 bytes an interval and column) until the system stops it,
 * or prints gigabytes of empty rows. */
#define IOSTAT_MAX_INTERVALS 10000000u

struct iostat_state {
    guint64 interval;      /* microseconds; G_MAXUINT64: the whole capture */
    int overflow;          /* a column needed more than IOSTAT_MAX_INTERVALS */
    guint prec;            /* decimals of the interval                     */
    guint ncols;
    iostat_column *cols;
};

/* What the table's rows are, computed at drawing time as tshark does. */
typedef struct {
    guint64 duration;      /* us, rounded to the decimals shown           */
    guint64 interval;      /* us, a row's span                             */
    guint num_rows;
    int too_many;          /* more than IOSTAT_MAX_INTERVALS: no table     */
    /* The rest is the text's. */
    guint64 dur_orig;      /* us, before rounding                          */
    guint prec, dur_mag, dur_mag_orig, invl_col_w;
    guint64 dv;            /* microseconds per shown unit                  */
    int whole;             /* interval 0, or longer than the capture       */
} iostat_layout;

void cs_iostat_layout(cshark_analysis *a, iostat_layout *l);
/* The number a cell shows (SPAN: its row's length in us, for LOAD). */
double cs_iostat_value(const iostat_column *c, const iostat_cell *it, guint64 span);
void cs_iostat_text(cshark_analysis *a, GString *out);

#endif
