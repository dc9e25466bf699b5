/* Internal structures shared by the library's files.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_INTERNAL_H
#define CSHARK_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include <epan/column-info.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/frame_data_sequence.h>
#include <epan/dfilter/dfilter.h>
#include <epan/proto.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/wmem/wmem.h>

#include "cshark/cshark.h"

/* ---- error.c ----------------------------------------------------------- */

/* Set this thread's last error and return code (for `return cs_error(...)`). */
int cs_error(int code, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
#define CS_CHECK_ARG(expr, what)                                               \
    do {                                                                       \
        if (!(expr))                                                           \
            return cs_error(CSHARK_EINVAL, "%s: %s is NULL", __func__, what);  \
    } while (0)

/* ---- engine.c ---------------------------------------------------------- */

/* Ids the PDML writer treats specially; valid after cshark_init(). */
extern int cs_proto_data;
/* CSHARK_OK when usable (initialising it on first use); else the error, set:
 * CSHARK_EINIT when initialisation failed, CSHARK_ESTATE after shutdown. */
int cs_engine_check(void);
/* Name resolution as a capture asked for it: OFF (tshark -n), PREFS (as the
 * preferences say), or one bit per tshark -N letter. */
typedef uint64_t cs_resolve;
#define CS_RESOLVE_OFF ((cs_resolve)0)
#define CS_RESOLVE_PREFS ((cs_resolve)1 << 62)
#define CS_RESOLVE_UNSET ((cs_resolve)1 << 63)
/* Parse tshark -N letters into OUT; CSHARK_EOPTION naming a bad letter. */
int cs_resolve_parse(const char *flags, cs_resolve *out);
/* Switch the process-global name resolution flags to R (labels of addresses
 * and ports are made with the flags in force when they are formatted). */
void cs_engine_use_resolution(cs_resolve r);

/* ---- names.c ----------------------------------------------------------- */

/* Empty the engine's name-resolution tables before an epan_new(), which
 * would otherwise leak them (libwireshark 4.0). */
void cs_names_release(void);

/* ---- columns.c: summary columns (the engine's column code) ------------- */

typedef struct cs_columns cs_columns;
cs_columns *cs_columns_new(void);      /* after the capture's preferences  */
void cs_columns_free(cs_columns *c);
column_info *cs_columns_info(cs_columns *c);
int cs_columns_need_tree(cs_columns *c); /* custom columns read the tree   */
void cs_columns_prime(cs_columns *c, epan_dissect_t *edt);
void cs_columns_fill(cs_columns *c, cshark_packet *p);
void cs_columns_detach(cshark_packet *p); /* copy them into a kept packet  */

/* ---- live.c, dump.c: libpcap sources and pcapng output ------------------ */

typedef struct cs_live cs_live;
cs_live *cs_live_new(const char *const *names, size_t n);
void cs_live_free(cs_live *l);
int cs_live_set(cs_live *l, const char *what, int value);
int cs_live_set_filter(cs_live *l, const char *bpf);
void cs_live_set_duration(cs_live *l, double seconds);
int cs_live_probe(cs_live *l);     /* interfaces exist, permission granted */
int cs_live_activate(cs_live *l);
int cs_live_read(cs_live *l, wtap_rec *rec, Buffer *buf, int timeout_ms);
void cs_live_stop(cs_live *l);
void cs_live_stats(cs_live *l, cshark_stats *st);
size_t cs_live_count(const cs_live *l);
const char *cs_live_interface_name(const cs_live *l, guint32 id);
int cs_live_encap(const cs_live *l, size_t i);
int cs_live_nanos(const cs_live *l, size_t i);
int cs_live_snaplen(const cs_live *l);

/* ---- feed.c: frames handed over by the caller --------------------------- */

typedef struct cs_feed cs_feed;
void cs_feed_free(cs_feed *f);
int cs_feed_read(cs_feed *f, wtap_rec *rec, Buffer *buf);
/* The interface fed frames show (NULL: as from a pcap file; F may be NULL). */
const char *cs_feed_interface(const cs_feed *f);
/* 1 for link types whose pcap records start with a pseudo-header that
 * wiretap's file readers take off and decode (fed and live frames refuse
 * them). */
int cs_inline_pseudo_header(int encap);

/* The pseudo-header wiretap's pcap reader gives frames of this encap. */
void cs_pseudo_header(wtap_rec *rec, int encap);

typedef struct cs_dump cs_dump;
cs_dump *cs_dump_new(const char *path, guint64 file_kb, unsigned files);
void cs_dump_add_interface(cs_dump *d, const char *name, int encap, int nanos, int snaplen);
int cs_dump_start(cs_dump *d); /* open the (first) file: at activation */
int cs_dump_write(cs_dump *d, const wtap_rec *rec, const guint8 *data);
int cs_dump_free(cs_dump *d);

/* ---- capture.c: the dissection session --------------------------------- */

/* Wireshark's opaque packet provider: our definition. It lives in the
 * session, so kept packets can outlive the capture that made them. */
struct packet_provider_data {
    wtap *wth;                 /* NULL once the capture is closed */
    const cs_live *live;       /* live capture: interface names   */
    char *iface_name;          /* fed frames' one interface, owned */
    const frame_data *ref;     /* time reference frame            */
    frame_data *prev_dis;      /* previous displayed frame        */
    frame_data *prev_cap;      /* previous captured frame         */
    frame_data_sequence *frames; /* two-pass mode: every frame    */
};

/* One epan session, shared (refcounted) by a capture and its kept packets. */
typedef struct cs_session {
    epan_t *epan;
    struct packet_provider_data prov;
    frame_data ref_frame, prev_dis_frame, prev_cap_frame;
    cshark_packet *kept;       /* kept packets still using this session     */
    cshark_packet *spare;      /* a freed kept packet, reused by the capture */
    int reading;               /* its capture still reads into it           */
    int refs;
    cs_resolve resolve;        /* its capture's name resolution             */
} cs_session;

void cs_session_unref(cs_session *s);
/* The capture is done with the session: no more spare packets. */
void cs_session_stop_reading(cs_session *s);
const char *cs_capture_interface_name(cshark_packet *p, guint32 id);

/* packet.c: kept packets of a session */
void cs_packets_freeze(cs_session *s);   /* before the session's epan ends  */

/* ---- filter.c, options.c ------------------------------------------------- */

/* FULL_TREE tells whether the filter names an item that only a whole tree
 * has (see cs_field_needs_full_tree); PROTOCOLS gets the hfids of the
 * protocol fields it names, for cs_filter_guard (NULL if none; the caller
 * frees it). Both may be NULL (then neither is computed). */
int cs_filter_compile(const char *text, dfilter_t **out, const char **warning, int *full_tree,
                      GArray **protocols);
/* Whether the field or protocol NAME (LEN bytes) is one the engine adds only
 * while building other items, so that a primed tree can miss it. */
int cs_field_needs_full_tree(const char *name, size_t len);
/* Makes the values of a filter's protocol fields safe to compare, before it
 * runs on a packet (engine 4.0 strcmp()s a NULL otherwise; see filter.c). */
void cs_filter_guard(epan_dissect_t *edt, const GArray *protocols);
void cs_filter_cleanup(void);

typedef struct {
    GArray *undo;   /* what each change replaced, in order */
    int changed;
} cs_options;

int cs_option_pref(cs_options *o, const char *name_value);
int cs_option_decode_as(cs_options *o, const char *rule);
int cs_option_protocol(cs_options *o, const char *name, int enabled);
void cs_options_apply(cs_options *o);
void cs_options_restore(cs_options *o);

/* ---- capture.c, read.c ---------------------------------------------------- */

/* A capture file, its options, and its dissection session. */
struct cshark_capture {
    char *path;
    wtap *wth;
    int file_type;
    cs_session *session;         /* created by the first cshark_capture_next  */
    cshark_packet *current;      /* the packet being read into; reused        */
    nstime_t elapsed;
    guint32 cum_bytes;
    guint32 count;               /* records read (first pass, in two-pass)    */
    guint32 second;              /* two-pass: frames read in the second pass  */
    guint64 delivered;
    guint64 packet_limit, record_limit; /* 0: none                            */
    dfilter_t *dfcode;
    GArray *filter_protocols;    /* protocol fields it reads (cs_filter_guard) */
    GArray *fields;              /* hfids of the fields of interest, or NULL  */
    int full_tree_fields;        /* ... but one of them needs the whole tree  */
    int full_tree_filter;        /* the filter names such an item             */
    cs_options options;
    int started;                 /* options are frozen once a packet is read  */
    cs_resolve resolve;          /* name resolution                           */
    int two_pass;
    int pipe;                    /* read sequentially: no second pass         */
    int failed;                  /* sticky read error                         */
    int deferred;                /* two-pass: first-pass error, told at end   */
    char *deferred_msg;
    cs_live *live;               /* live capture, else NULL (wth is the file) */
    cs_dump *dump;               /* -w output, or NULL                        */
    cs_feed *feed;               /* fed capture, else NULL                    */
    guint64 reset_every, since_reset; /* session resets (tshark -M)           */
    nstime_t last_ts;            /* the previous record's time stamp           */
    int columns_mode;            /* cshark_columns_mode                       */
    cs_columns *columns;         /* built at start when columns_mode is set   */
};

/* Before a new session: format the strings of the packets kept from the
 * session that is still alive, under its own name resolution, and end it. */
void cs_session_retire_live(void);
cs_session *cs_session_new(wtap *wth, const cs_live *live, const char *iface_name,
                           cs_resolve resolve);
/* A capture of a source other than a file, owning FEED once it succeeds. */
int cs_capture_new_source(cshark_capture **capture, const char *name, cs_feed *feed);
/* CSHARK_OK before the capture's first packet, else CSHARK_ESTATE (set). */
int cs_capture_settable(cshark_capture *cap);

/* ---- view.c: the packet's tree as PDML elements ------------------------ */

/* Strings not computed yet hold this sentinel (NULL means "PDML omits"). */
extern const char cs_unset[];

/* A string and its length (computed once: consumers need both). */
typedef struct {
    const char *s;
    size_t n;
} cs_str;

struct cshark_item {
    proto_node *node;            /* NULL for a fake-field-wrapper           */
    const header_field_info *hf; /* the node's: lookups scan items only     */
    cshark_packet *packet;
    cshark_item *parent, *child, *next;
    uint32_t nchildren;
    uint8_t kind;                /* cshark_kind                        */
    cs_str show, showname, value, unmasked, label, fvalue;
};

typedef struct cs_view {
    cshark_item *items;          /* pre-order; grows, never shrinks          */
    size_t count, cap;
    size_t nlayers;              /* layers are the items with parent NULL    */
    cshark_item **layers;
    int built;
} cs_view;

int cs_view_build(cshark_packet *p);
void cs_view_reset(cs_view *v);
void cs_view_free(cs_view *v);
void cs_view_freeze(cshark_packet *p);   /* format every string now          */

/* ---- packet.c ---------------------------------------------------------- */

/* A copy of a data source's bytes, by position in pinfo->data_src. */
typedef struct {
    const guint8 *data; /* NULL: not copied (the frame's own bytes) */
    gint length;
} cs_src_copy;

struct cshark_packet {
    cs_session *session;
    epan_dissect_t *edt;
    wtap_rec rec;
    Buffer buf;
    frame_data own_fd;           /* single pass: this packet's frame data    */
    frame_data *fd;              /* &own_fd, or the two-pass sequence's entry */
    wmem_allocator_t *pool;      /* strings and arrays; freed per packet     */
    cs_view view;
    const char *iface_name;      /* resolved at keep time, else lazily       */
    char timestamp[40];
    int live;                    /* dissected: needs a reset before reuse    */
    int kept;
    cshark_packet **owner;       /* &capture->current until kept             */
    cshark_packet *kept_prev, *kept_next;
    cs_columns *columns;         /* its capture's, filled for this packet    */
    const char **col_copy;       /* kept: titles then texts, in the pool     */
    int ncols;
    cs_src_copy *frozen_src;     /* after its session: data sources' bytes   */
};

cshark_packet *cs_packet_new(cs_session *s, int tree, int visible, cshark_packet **owner);
void cs_packet_release(cshark_packet *p); /* back to "empty", keeps buffers */
/* The session's spare packet (a kept one freed since), or NULL. */
cshark_packet *cs_packet_take_spare(cs_session *s, cshark_packet **owner);
void cs_packet_destroy(cshark_packet *p);

/* ---- field.c, item.c: all that reads field_info/fvalue (Wireshark 4.0) -- */

#define CS_FI(it) PNODE_FINFO((it)->node)

/* PDML's fake-field-wrapper: a top-level data item. */
static inline int cs_item_is_data(const cshark_item *it)
{
    return it->node && CS_FI(it)->hfinfo->id == cs_proto_data;
}

/* The item's bytes in its data source (NULL when not among the packet's). */
const guint8 *cs_field_bytes(const cshark_item *it, gint *length);
/* Copy the packet's data sources other than the frame (cs_view_freeze). */
void cs_field_freeze_sources(cshark_packet *p);

cs_str cs_field_show(cshark_item *it);
cs_str cs_field_showname(cshark_item *it);
cs_str cs_field_value(cshark_item *it);
cs_str cs_field_unmasked(cshark_item *it);
cs_str cs_field_label(cshark_item *it);
cs_str cs_field_fields_value(cshark_item *it);
int cs_field_pos(const cshark_item *it);
cshark_kind cs_field_kind(proto_node *node, int top_level, int *wrap);

#endif
