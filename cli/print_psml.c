/* -T psml: the summary columns as tshark -T psml writes them (epan/print.c),
 * which is what PyShark's only_summaries reads. Byte for byte the same: the
 * column texts are the engine's, escaped as print.c escapes them.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void section(jbuf *b, const char *text)
{
    LIT(b, "<section>");
    if (text)
        jb_xml(b, text, strlen(text));
    LIT(b, "</section>\n");
}

/* The column titles are the capture's: known once reading has started, so
 * the preamble waits for the first packet, or the end. */
void print_psml_preamble(FILE *out, cshark_capture *cap)
{
    jbuf b = { 0 };
    jb_xml_head(&b, "psml", 0);
    LIT(&b, ">\n<structure>\n");
    for (size_t i = 0; i < cshark_capture_column_count(cap); i++)
        section(&b, cshark_capture_column_title(cap, i));
    LIT(&b, "</structure>\n\n");
    jb_flush_free(&b, out);
}

void print_psml(FILE *out, cshark_packet *pkt)
{
    static jbuf b;
    LIT(&b, "<packet>\n");
    size_t n = cshark_packet_column_count(pkt);
    for (size_t i = 0; i < n; i++)
        section(&b, cshark_packet_column(pkt, i));
    LIT(&b, "</packet>\n\n");
    jb_flush(&b, out);
}

void print_psml_finale(FILE *out)
{
    fputs("</psml>\n", out);
}
