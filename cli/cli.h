/* The cshark command-line tool: shared declarations of its printers.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_CLI_H
#define CSHARK_CLI_H

#include <stdio.h>
#include <string.h>

#include "cshark/cshark.h"

/* -T fields options (tshark's -E). */
typedef struct {
    const char **names;
    const cshark_field **handles; /* names resolved once, after cshark_init();
                                   * NULL for a column (_ws.col.TITLE)      */
    size_t count;
    int columns;       /* some -e names a summary column              */
    char separator;    /* between fields, '\t'        */
    char aggregator;   /* between occurrences, ','    */
    char occurrence;   /* 'a'll, 'f'irst or 'l'ast    */
    char quote;        /* 0, '"' or '\''              */
    int header;        /* print the names first       */
    int bom;           /* start with a UTF-8 BOM      */
} cli_fields;

/* tshark's -e _ws.col.TITLE: the text of the summary column TITLE. */
#define COLUMN_FIELD_PREFIX "_ws.col."
static inline const char *column_field_title(const char *name)
{
    size_t n = sizeof COLUMN_FIELD_PREFIX - 1;
    return strncmp(name, COLUMN_FIELD_PREFIX, n) == 0 ? name + n : NULL;
}

extern const char *const summary_fields[];
extern const size_t summary_field_count;
void print_summary(FILE *out, cshark_packet *pkt);

/* live.c */
typedef struct {
    const char **interfaces;
    size_t count;
    const char *bpf, *write;
    int snaplen, no_promisc, monitor, buffer_mib;
    double duration;
    unsigned long long file_kb;
    unsigned files;
} live_opts;
int list_interfaces(FILE *out);
int live_option(live_opts *l, int opt, const char *arg);
int live_configure(cshark_capture *cap, const live_opts *l);
void live_catch_signals(cshark_capture *cap);
void live_release_signals(void);
void live_report(cshark_capture *cap);
void print_tree(FILE *out, cshark_packet *pkt);
void print_fields_preamble(FILE *out, const cli_fields *f);
void print_fields(FILE *out, cshark_packet *pkt, const cli_fields *f);
void print_json(FILE *out, cshark_packet *pkt);
void print_pdml_preamble(FILE *out, const char *path); /* path NULL: live */
void print_pdml(FILE *out, cshark_packet *pkt);
void print_pdml_finale(FILE *out);
void print_psml_preamble(FILE *out, cshark_capture *cap); /* after a first read */
void print_psml(FILE *out, cshark_packet *pkt);
void print_psml_finale(FILE *out);

/* outbuf.c: output text in a growing buffer. */
typedef struct {
    char *data;
    size_t len, cap;
} jbuf;
void jb_grow(jbuf *b, size_t n);
static inline void jb_reserve(jbuf *b, size_t n)
{
    if (b->len + n > b->cap)
        jb_grow(b, n);
}
static inline void jb_put(jbuf *b, const char *s, size_t n)
{
    jb_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}
void jb_uint(jbuf *b, unsigned long v);
void jb_string(jbuf *b, const char *s, size_t n); /* quoted and escaped */
void jb_xml(jbuf *b, const char *s, size_t n); /* escaped as PDML/PSML text */
/* KEY then VALUE in double quotes, unescaped; nothing when VALUE is NULL. */
void jb_plain_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n);

#endif
