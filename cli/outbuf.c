/* Output built in a memory buffer, with JSON's and XML's escaping: a packet is
 * assembled there and written with one fwrite (per-character stdio calls
 * dominated the profile).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void jb_grow(jbuf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + n)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
        fputs("cshark: out of memory\n", stderr);
        exit(2);
    }
    b->data = data;
    b->cap = cap;
}

void jb_uint(jbuf *b, unsigned long v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24];
    size_t i = sizeof tmp;
    while (v >= 100) {
        i -= 2;
        memcpy(tmp + i, pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        i -= 2;
        memcpy(tmp + i, pairs + 2 * v, 2);
    } else {
        tmp[--i] = (char)('0' + v);
    }
    jb_put(b, tmp + i, sizeof tmp - i);
}

/* Length of the valid UTF-8 sequence at p, or 0 and *skip = the length of its
 * maximal invalid subpart (Unicode's "substitution of maximal subparts", which
 * is also what Python's errors="replace" does). */
static size_t utf8_sequence(const unsigned char *p, size_t *skip)
{
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        *skip = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (p[i] < lo || p[i] > hi) {
            *skip = i;
            return 0;
        }
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}

/* Whether 8 bytes need no escaping: no control character, quote, backslash
 * or non-ASCII byte (SWAR; exact for "any", which is all we ask). */
static inline int plain8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    uint64_t ctl = (x - ones * 0x20) & ~x;
    uint64_t hit = ctl | ((q - ones) & ~q) | ((bs - ones) & ~bs) | x;
    return (hit & high) == 0;
}

#ifdef __SSE2__
#include <emmintrin.h>
/* The same test for 16 bytes with SSE2 (always there on x86-64). */
static inline int plain16(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))); /* signed: also catches bytes >= 0x80 */
    return _mm_movemask_epi8(bad) == 0;
}
#else
static inline int plain16(const unsigned char *p)
{
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    return plain8(a) && plain8(b);
}
#endif

/* A JSON output must be valid UTF-8: the engine's strings almost always are,
 * but a malformed packet can leave a raw byte in a value. Such bytes are
 * written as U+FFFD. */
void jb_string(jbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    jb_reserve(b, n + 2);
    b->data[b->len++] = '"';
    while (p < end) {
        if (end - p >= 16 && plain16(p)) {
            p += 16;
            continue;
        }
        if (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (plain8(x)) {
                p += 8;
                continue;
            }
        }
        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
            continue;
        }
        size_t skip = 1, len = 0;
        if (*p >= 0x80 && (len = utf8_sequence(p, &skip)) != 0) {
            p += len;
            continue;
        }
        jb_put(b, (const char *)run, (size_t)(p - run));
        if (*p >= 0x80) {
            jb_put(b, "\\ufffd", 6);
            p += skip;
        } else {
            char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
            switch (*p) {
            case '"': jb_put(b, "\\\"", 2); break;
            case '\\': jb_put(b, "\\\\", 2); break;
            case '\n': jb_put(b, "\\n", 2); break;
            case '\t': jb_put(b, "\\t", 2); break;
            case '\r': jb_put(b, "\\r", 2); break;
            default: jb_put(b, esc, 6); break;
            }
            p++;
        }
        run = p;
    }
    jb_put(b, (const char *)run, (size_t)(p - run));
    jb_put(b, "\"", 1);
}

void jb_plain_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n)
{
    if (!value)
        return;
    jb_reserve(b, klen + n + 2);
    memcpy(b->data + b->len, key, klen);
    b->data[b->len + klen] = '"';
    memcpy(b->data + b->len + klen + 1, value, n);
    b->data[b->len + klen + 1 + n] = '"';
    b->len += klen + n + 2;
}

void jb_json_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n)
{
    if (!value)
        return;
    jb_put(b, key, klen);
    jb_string(b, value, n);
}

void jb_xml_attr(jbuf *b, const char *key, size_t klen, const char *value, size_t n)
{
    if (!value)
        return;
    jb_put(b, key, klen);
    jb_xml(b, value, n);
    LIT(b, "\"");
}

void jb_int_attr(jbuf *b, const char *key, size_t klen, int value)
{
    if (value < 0)
        return;
    jb_put(b, key, klen);
    jb_uint(b, (unsigned long)value);
    LIT(b, "\"");
}

/* print.c's print_escaped_xml: the five markup characters as entities, ASCII
 * control characters but TAB, LF and CR as the text "\xN" (XML 1.0 allows
 * them in no form); runs of other bytes are copied whole. */
void jb_xml(jbuf *b, const char *s, size_t n)
{
    static char table[256][8];
    if (!table['&'][0]) {
        for (int c = 1; c < 0x80; c++)
            if ((c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r')
                snprintf(table[c], sizeof table[c], "\\x%x", c);
        strcpy(table['&'], "&amp;");
        strcpy(table['<'], "&lt;");
        strcpy(table['>'], "&gt;");
        strcpy(table['"'], "&quot;");
        strcpy(table['\''], "&#x27;");
    }
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = table[(unsigned char)s[i]];
        if (!e[0])
            continue;
        jb_put(b, s + run, i - run);
        jb_put(b, e, strlen(e));
        run = i + 1;
    }
    jb_put(b, s + run, n - run);
}

void jb_xml_head(jbuf *b, const char *root, int stylesheet)
{
    LIT(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    if (stylesheet)
        LIT(b, "<?xml-stylesheet type=\"text/xsl\" href=\"pdml2html.xsl\"?>\n");
    LIT(b, "<");
    jb_put(b, root, strlen(root));
    LIT(b, " version=\"0\" creator=\"wireshark/");
    jb_put(b, cshark_engine_version(), strlen(cshark_engine_version()));
    LIT(b, "\"");
}
