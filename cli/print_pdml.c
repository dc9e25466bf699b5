/* -T pdml: the packets as tshark -T pdml writes them (epan/print.c), from the
 * items' PDML attributes. Two things differ, both invisible to an XML parser:
 * TAB, CR and LF inside an attribute are written as the space a parser reads
 * there (the packet view holds attributes as parsed), and the preamble has no
 * comment naming Wireshark's data directory.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void indent(jbuf *b, int level)
{
    jb_spaces(b, (size_t)level * 2);
}

/* LEVEL is the item's indent; CLOSE its closing tag's, which print.c puts
 * one level out for the item inside a fake-field-wrapper. */
static void item(jbuf *b, const cshark_item *it, int level, int close)
{
    cshark_kind kind = cshark_item_kind(it);
    const cshark_item *c = cshark_item_child(it);
    indent(b, level);
    if (kind == CSHARK_ITEM_WRAPPER) {
        LIT(b, "<proto name=\"fake-field-wrapper\">\n");
        for (; c; c = cshark_item_next(c))
            item(b, c, level + 1, level);
        indent(b, level);
        LIT(b, "</proto>\n");
        return;
    }
    cshark_pdml a = CSHARK_PDML_INIT;
    cshark_item_pdml(it, &a);
    int proto = kind == CSHARK_ITEM_PROTO;
    if (proto)
        LIT(b, "<proto");
    else
        LIT(b, "<field");
    XML_ATTR(b, " name=\"", a.name, a.name_len);
    if (kind == CSHARK_ITEM_TEXT) {
        /* A text line: its label is its show, and no showname. */
        XML_ATTR(b, " show=\"", a.show, a.show_len);
        INT_ATTR(b, " size=\"", a.size);
        INT_ATTR(b, " pos=\"", a.pos);
    } else {
        XML_ATTR(b, " showname=\"", a.showname, a.showname_len);
        if (a.hidden)
            LIT(b, " hide=\"yes\"");
        INT_ATTR(b, " size=\"", a.size);
        INT_ATTR(b, " pos=\"", a.pos);
        XML_ATTR(b, " show=\"", a.show, a.show_len);
    }
    /* Hex digits: nothing to escape. */
    PLAIN_ATTR(b, " value=", a.value, a.value_len);
    PLAIN_ATTR(b, " unmaskedvalue=", a.unmaskedvalue, a.unmaskedvalue_len);
    if (!c) {
        LIT(b, "/>\n");
        return;
    }
    LIT(b, ">\n");
    for (; c; c = cshark_item_next(c))
        item(b, c, level + 1, level + 1);
    indent(b, close);
    if (proto)
        LIT(b, "</proto>\n");
    else
        LIT(b, "</field>\n");
}

/* The child of LAYER named NAME, or NULL. */
static const cshark_item *child_named(const cshark_item *layer, const char *name)
{
    for (const cshark_item *c = cshark_item_child(layer); c; c = cshark_item_next(c))
        if (strcmp(cshark_item_name(c), name) == 0)
            return c;
    return NULL;
}

static void hex(jbuf *b, unsigned long v)
{
    char tmp[16];
    int n = snprintf(tmp, sizeof tmp, "%lx", v);
    jb_put(b, tmp, (size_t)n);
}

/* print.c's print_pdml_geninfo: the frame's numbers, each sized as the frame
 * protocol; nothing without a frame protocol. */
static void geninfo(jbuf *b, cshark_packet *pkt)
{
    const cshark_item *frame = NULL;
    for (size_t i = 0; !frame && i < cshark_packet_layer_count(pkt); i++)
        if (strcmp(cshark_item_name(cshark_packet_layer(pkt, i)), "frame") == 0)
            frame = cshark_packet_layer(pkt, i);
    if (!frame)
        return;
    int size = (int)cshark_item_size(frame);
    static const char *const names[] = { "num", "len", "caplen" };
    static const char *const titles[] = { "Number", "Frame Length", "Captured Length" };
    uint32_t values[] = { cshark_packet_number(pkt), cshark_packet_length(pkt),
                          cshark_packet_captured_length(pkt) };
    LIT(b, "  <proto name=\"geninfo\" pos=\"0\" showname=\"General information\" size=\"");
    jb_uint(b, (unsigned long)size);
    LIT(b, "\">\n");
    for (int i = 0; i < 3; i++) {
        LIT(b, "    <field name=\"");
        jb_put(b, names[i], strlen(names[i]));
        LIT(b, "\" pos=\"0\" show=\"");
        jb_uint(b, values[i]);
        LIT(b, "\" showname=\"");
        jb_put(b, titles[i], strlen(titles[i]));
        LIT(b, "\" value=\"");
        hex(b, values[i]);
        LIT(b, "\" size=\"");
        jb_uint(b, (unsigned long)size);
        LIT(b, "\"/>\n");
    }
    /* The arrival time in local time, as frame.time shows it (and as print.c
     * formats it again); a frame without a time stamp shows the epoch. */
    const cshark_item *t = child_named(frame, "frame.time");
    int64_t secs;
    int32_t nsecs;
    cshark_packet_time(pkt, &secs, &nsecs);
    LIT(b, "    <field name=\"timestamp\" pos=\"0\" show=\"");
    if (t) {
        const char *show = cshark_item_show(t);
        jb_xml(b, show, strlen(show));
    } else {
        char date[64];
        time_t zero = 0;
        struct tm tm;
        localtime_r(&zero, &tm);
        size_t n = strftime(date, sizeof date, "%b %e, %Y %H:%M:%S.000000000 %Z", &tm);
        jb_put(b, date, n);
    }
    /* print.c's C int, which wraps after 2038: not cshark_packet_timestamp(),
     * which keeps the true time. */
    char value[40];
    int n = snprintf(value, sizeof value, "%d.%09d", (int)secs, nsecs);
    LIT(b, "\" showname=\"Captured Time\" value=\"");
    jb_put(b, value, (size_t)n);
    LIT(b, "\" size=\"");
    jb_uint(b, (unsigned long)size);
    LIT(b, "\"/>\n  </proto>\n");
}

void print_pdml_preamble(FILE *out, const char *path)
{
    time_t now = time(NULL);
    char when[32] = "Not representable";
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm); /* asctime's */
    jbuf b = { 0 };
    jb_xml_head(&b, "pdml", 1);
    LIT(&b, " time=\"");
    jb_put(&b, when, strlen(when));
    LIT(&b, "\" capture_file=\"");
    if (path)
        jb_xml(&b, path, strlen(path));
    LIT(&b, "\">\n");
    jb_flush_free(&b, out);
}

void print_pdml(FILE *out, cshark_packet *pkt)
{
    static jbuf b;
    LIT(&b, "<packet>\n");
    geninfo(&b, pkt);
    size_t n = cshark_packet_layer_count(pkt);
    for (size_t i = 0; i < n; i++)
        item(&b, cshark_packet_layer(pkt, i), 1, 1);
    LIT(&b, "</packet>\n\n\n"); /* print.c ends it with a blank line, tshark.c adds one */
    jb_flush(&b, out);
}

void print_pdml_finale(FILE *out)
{
    fputs("</pdml>\n", out);
}
