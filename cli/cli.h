/* The cshark command-line tool: shared declarations of its printers.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_CLI_H
#define CSHARK_CLI_H

#include <stdio.h>
#include <string.h>

#include "cshark/cshark.h"
#include "outbuf.h"

/* -T fields options (tshark's -E). */
typedef struct {
    const char **names;
    const cshark_field **handles; /* names resolved once, after cshark_init();
                                   * NULL for a column (_ws.col.TITLE)      */
    unsigned char *from_packet;   /* frame.number/len/cap_len: printed from
                                   * the packet's own data (capture.c)      */
    size_t count;
    int columns;       /* some -e names a summary column              */
    char separator;    /* between fields, '\t'        */
    char aggregator;   /* between occurrences, ','    */
    char occurrence;   /* 'a'll, 'f'irst or 'l'ast    */
    char quote;        /* 0, '"' or '\''              */
    int header;        /* print the names first       */
    int bom;           /* start with a UTF-8 BOM      */
} cli_fields;

/* -T fields' fields printed from the packet's own data (cli_fields). */
enum { FROM_PACKET_NONE, FROM_PACKET_NUMBER, FROM_PACKET_LEN, FROM_PACKET_CAP_LEN,
       FROM_PACKET_COUNT };

/* tshark's -e _ws.col.TITLE: the text of the summary column TITLE. */
#define COLUMN_FIELD_PREFIX "_ws.col."
static inline const char *column_field_title(const char *name)
{
    size_t n = sizeof COLUMN_FIELD_PREFIX - 1;
    return strncmp(name, COLUMN_FIELD_PREFIX, n) == 0 ? name + n : NULL;
}

/* print_brief.c: -T brief, the PyShark-style one-line summary. */
extern const char *const brief_fields[];
extern const size_t brief_field_count;
void print_brief(FILE *out, cshark_packet *pkt);

/* print_columns.c: the default output, the summary columns as tshark's
 * text. FORMAT and HIDDEN are the values of gui.column.format and
 * gui.column.hidden (NULL: the defaults). */
typedef struct columns_layout columns_layout;
columns_layout *columns_layout_new(char delimiter);
void columns_layout_free(columns_layout *layout); /* NULL is allowed */
void print_columns(FILE *out, const cshark_capture *cap, cshark_packet *pkt,
                   columns_layout *layout);

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
/* Ctrl-C, SIGTERM, SIGHUP stop CAP's reading (live or a file) cleanly;
 * cli_signalled() tells whether one came. */
void live_catch_signals(cshark_capture *cap);
void live_release_signals(void);
int cli_signalled(void);

/* Under ulimit -v: the engine's out-of-memory deaths (GLib aborts or
 * overflows its stack) become a message naming the limit and cli_reading,
 * status 2 (memlimit.c). Nothing is installed without a limit. */
void cli_watch_memory_limit(void);
extern const char *volatile cli_reading;
void live_report(cshark_capture *cap);

/* options.c: the command line, read and checked. */
enum { EXIT_USAGE = 1, EXIT_CAPTURE = 2 };
enum output { OUT_TEXT, OUT_TABS, OUT_BRIEF, OUT_TREE, OUT_FIELDS, OUT_JSON, OUT_PDML, OUT_PSML };
/* A dissection option (-o, -d, --disable/enable-protocol), kept in order. */
typedef struct {
    int kind; /* 'o', 'd' or a long option's code */
    const char *arg;
} dissect_opt;
enum { OPT_CHECK = 256, OPT_DISABLE, OPT_ENABLE, OPT_PERSONAL, OPT_RESOLVE, OPT_EXPORT };
/* -z and --export-objects: analyses across packets (analyses.c). */
typedef struct {
    const char **specs;   /* -z arguments, in order ("objects,PROTO" for exports) */
    const char **folders; /* per spec: --export-objects' folder, else NULL */
    size_t count;
    int quiet;            /* -q: no packets, only the analyses */
    int help;             /* -z help */
} cli_analyses;

typedef struct {
    const char *path, *filter, *check; /* path: the last -r, NULL for none */
    const char **paths;  /* every -r, in order */
    size_t npaths;
    long jobs;           /* -j: worker processes; 0 one per core, 1 none */
    const char *resolve; /* -N letters; NULL: as the preferences say */
    char *trailing;      /* the arguments after the options, joined */
    long limit, reset;   /* -c, -M; -1 when not given */
    enum output output;
    int verbose, flush_each, two_pass, t_given;
    unsigned init_flags;
    live_opts live;
    cli_fields fields;
    dissect_opt *dissect;
    size_t ndissect;
    cli_analyses z;
} cli_options;
int cli_fail(int code, const char *fmt, const char *arg);
/* -1 to go on, else the status to exit with. */
int parse_args(int argc, char **argv, cli_options *o);
void cli_options_free(cli_options *o); /* what parse_args() allocated */
/* 0, or the status to exit with once the error is printed. */
int check_options(cli_options *o);

/* print_tree.c: -V. */
void print_tree(FILE *out, cshark_packet *pkt);
void print_fields_header(FILE *out, const cli_fields *f); /* -E header=y */
void print_fields(FILE *out, cshark_packet *pkt, const cli_fields *f);
void print_json(FILE *out, cshark_packet *pkt, const char *file); /* file NULL: no key */
void print_pdml_preamble(FILE *out, const char *path); /* path NULL: live */
void print_pdml(FILE *out, cshark_packet *pkt);
void print_pdml_finale(FILE *out);
void print_psml_preamble(FILE *out, cshark_capture *cap); /* after a first read */
void print_psml(FILE *out, cshark_packet *pkt);
void print_psml_finale(FILE *out);

/* capture.c: one capture read and printed. */
typedef struct {
    FILE *out;
    const char *json_file; /* -T json's "file" key; NULL: none (one file) */
    int head;              /* write the document's head (write_head()) */
    void (*mark)(FILE *out, int head); /* workers: the head's bytes start (1),
                                        * end (0); NULL in one process */
} capture_out;
typedef struct {
    int status;         /* 0, or the exit status this capture calls for */
    int fatal;          /* the options (or stdout) are at fault: stop */
    int started;        /* opened and shaped: its head is written */
    int interrupted;    /* a signal ended the reading of a file: stop */
    char message[2048]; /* the error, naming the file; "" */
} capture_result;
/* PATH NULL: the live interfaces. */
void read_capture(const cli_options *o, const char *path, const capture_out *co,
                  capture_result *r);
/* The -e names resolved once (a lookup per field and packet was a visible
 * share of the -T fields profile): 0 or the exit status. */
int resolve_fields(cli_fields *f);
void print_finale(FILE *out, const cli_options *o); /* PDML's, PSML's */

/* analyses.c: -z SPEC, --export-objects PROTO,DIR. */
int analyses_option(cli_analyses *z, int opt, const char *arg); /* -1, or a status */
/* Attach every analysis to CAP: the analyses (freed by analyses_end) or
 * NULL with the library's error (cshark_last_error) and *STATUS set to
 * tshark's exit status for it. */
cshark_analysis **analyses_attach(cshark_capture *cap, const cli_analyses *z, int *status);
/* Print them as tshark does after the last packet and write the export
 * objects: 0, or a message into MSG (a folder could not be written). */
int analyses_end(FILE *out, const cli_analyses *z, cshark_analysis **attached, char *msg,
                 size_t len);
int analyses_help(FILE *out); /* -z help: 0 or the exit status */

/* files.c: every capture of the command in turn, or in workers (-j). */
int read_files(const cli_options *o);
void report(capture_result *r, int *status); /* R's error, and the status */

/* workers.c: the files in N worker processes; the exit status. */
int read_in_workers(const cli_options *o, unsigned workers);

#endif
