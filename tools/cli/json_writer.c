/* JSON string literals.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"

/* Length of the valid UTF-8 sequence at p, or 0 and *skip = the length of its
 * maximal invalid subpart (Unicode's "substitution of maximal subparts", which
 * is also what Python's errors="replace" does). */
static size_t utf8_sequence(const unsigned char *p, size_t *skip)
{
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
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
    size_t i = 1;
    for (; i <= need; i++) {
        unsigned char b = p[i];
        if (b < lo || b > hi) {
            *skip = i;
            return 0;
        }
        lo = 0x80, hi = 0xBF;
    }
    return i;
}

/* A JSON output must be valid UTF-8: the engine's strings almost always are,
 * but a malformed packet can leave a raw byte in a value. Such bytes are
 * written as U+FFFD. */
void json_string(FILE *out, const char *s)
{
    putc('"', out);
    const char *run = s;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
            continue;
        }
        size_t skip = 0, len = *p >= 0x80 ? utf8_sequence(p, &skip) : 1;
        if (*p >= 0x80 && len) {
            p += len;
            continue;
        }
        fwrite(run, 1, (size_t)((const char *)p - run), out);
        if (*p >= 0x80) {
            fputs("\\ufffd", out);
            p += skip;
        } else {
            switch (*p) {
            case '"': fputs("\\\"", out); break;
            case '\\': fputs("\\\\", out); break;
            case '\n': fputs("\\n", out); break;
            case '\t': fputs("\\t", out); break;
            case '\r': fputs("\\r", out); break;
            default: fprintf(out, "\\u%04x", *p); break;
            }
            p++;
        }
        run = (const char *)p;
    }
    fputs(run, out);
    putc('"', out);
}
