/* The cshark command-line tool: shared declarations of its printers.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_CLI_H
#define CSHARK_CLI_H

#include <stdio.h>

#include "cshark/cshark.h"

/* -T fields options (tshark's -E). */
typedef struct {
    const char **names;
    size_t count;
    char separator;    /* between fields, '\t'        */
    char aggregator;   /* between occurrences, ','    */
    char occurrence;   /* 'a'll, 'f'irst or 'l'ast    */
    char quote;        /* 0, '"' or '\''              */
    int header;        /* print the names first       */
} cli_fields;

void print_summary(FILE *out, cshark_packet *pkt);
void print_tree(FILE *out, cshark_packet *pkt);
void print_fields_header(FILE *out, const cli_fields *f);
void print_fields(FILE *out, cshark_packet *pkt, const cli_fields *f);
void print_json(FILE *out, cshark_packet *pkt);

/* json_writer.c: a JSON string literal, escaped. */
void json_string(FILE *out, const char *s);

#endif
