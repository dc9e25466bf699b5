/* Output text built in a growing buffer (outbuf.c), shared by the printers
 * that assemble a packet before one write: the JSON, PDML, PSML and column
 * printers. Helpers named for a literal KEY take its length at compile time.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_CLI_OUTBUF_H
#define CSHARK_CLI_OUTBUF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static inline void jb_spaces(jbuf *b, size_t n)
{
    jb_reserve(b, n);
    memset(b->data + b->len, ' ', n);
    b->len += n;
}
/* The buffer to OUT in one write, and emptied for the next packet. */
static inline void jb_flush(jbuf *b, FILE *out)
{
    fwrite_unlocked(b->data, 1, b->len, out);
    b->len = 0;
}
/* The buffer to OUT and freed: for a document's preamble, written once. */
static inline void jb_flush_free(jbuf *b, FILE *out)
{
    jb_flush(b, out);
    free(b->data);
}
/* An XML document's head as tshark writes it, up to its root element's
 * open tag left open after creator="wireshark/VERSION": ROOT "pdml" or
 * "psml", after the PDML stylesheet line when STYLESHEET. */
void jb_xml_head(jbuf *b, const char *root, int stylesheet);
void jb_uint(jbuf *b, unsigned long v);
void jb_string(jbuf *b, const char *s, size_t n); /* quoted and escaped */
void jb_xml(jbuf *b, const char *s, size_t n); /* escaped as PDML/PSML text */

/* A string literal. */
#define LIT(b, s) jb_put((b), (s), sizeof(s) - 1)

/* KEY then VALUE, nothing when VALUE is NULL (or, for INT_ATTR, negative):
 * - JSON_ATTR: VALUE as a JSON string (KEY ends with its colon);
 * - XML_ATTR: VALUE XML-escaped, then the quote KEY opened;
 * - PLAIN_ATTR: VALUE in double quotes, unescaped: field names, hex bytes
 *   and masked values never need escaping;
 * - INT_ATTR: VALUE in decimal, then the quote KEY opened. */
void jb_json_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n);
void jb_xml_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n);
void jb_plain_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n);
void jb_int_attr(jbuf *b, const char *key, size_t klen, int value);
#define JSON_ATTR(b, key, value, n) jb_json_attr((b), key, sizeof(key) - 1, (value), (n))
#define XML_ATTR(b, key, value, n) jb_xml_attr((b), key, sizeof(key) - 1, (value), (n))
#define PLAIN_ATTR(b, key, value, n) jb_plain_attr((b), key, sizeof(key) - 1, (value), (n))
#define INT_ATTR(b, key, value) jb_int_attr((b), key, sizeof(key) - 1, (value))

#endif
