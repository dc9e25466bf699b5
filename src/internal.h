/* Internal structures shared by the library's files.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_INTERNAL_H
#define CSHARK_INTERNAL_H

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>

#include <epan/column-info.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/frame_data_sequence.h>
#include <epan/dfilter/dfilter.h>
#include <epan/proto.h>
#include <epan/tap.h>
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

/* ---- guard.c: one thread inside cshark at a time ------------------------ */

/* Enter the guard as CALL (a public function's name): 1, or 0 with this
 * thread's error set to CSHARK_EBUSY naming CALL and the holder's call.
 * The same thread may enter again (nesting). */
int cs_guard_enter(const char *call);
typedef struct {
    int held;
} cs_guard_hold;
void cs_guard_leave(const cs_guard_hold *hold);
/* First line of an entry point that touches the engine: hold the guard
 * until the function returns (any return), or return FAIL (CSHARK_EBUSY
 * for a status, NULL or 0 for a value, nothing for void) when another
 * thread holds it. CS_ENTER_AS names another call in the message. */
#define CS_ENTER_AS(call, fail)                                                    cs_guard_hold cs_hold_ __attribute__((cleanup(cs_guard_leave))) = {               cs_guard_enter(call)                                                       };                                                                             if (!cs_hold_.held)                                                            return fail
#define CS_ENTER_OR(fail) CS_ENTER_AS(__func__, fail)
#define CS_ENTER() CS_ENTER_OR(CSHARK_EBUSY)

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

/* ---- registry.c --------------------------------------------------------- */

/* *HF: the registered field or protocol NAME; CSHARK_EUNKNOWN_FIELD (set)
 * when there is none. Initialises the engine if needed. */
int cs_registry_find(const char *name, header_field_info **hf);

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

/* ---- source_file.c, live.c, feed.c: where records come from ------------- */

/* A packet source: a wiretap file, libpcap handles, or fed frames. The read
 * loop and the session's packet provider see only this interface. */
typedef struct cs_source cs_source;
typedef struct {
    /* The next record into REC/BUF (*OFFSET: its file offset, else 0): 1, 0
     * at the end, CSHARK_AGAIN when nothing came within TIMEOUT_MS (-1:
     * wait) or nothing is fed yet, or an error (set, naming the source). */
    int (*read)(cs_source *s, wtap_rec *rec, Buffer *buf, gint64 *offset, int timeout_ms);
    /* The record at OFFSET again (two passes); NULL: cannot read twice. */
    int (*reread)(cs_source *s, gint64 offset, wtap_rec *rec, Buffer *buf);
    /* frame.interface_name and _description of interface ID (NULL: none). */
    const char *(*interface_name)(cs_source *s, guint32 id);
    const char *(*interface_description)(cs_source *s, guint32 id);
    /* At the first read, after the session exists (NULL: nothing to do). */
    int (*start)(cs_source *s);
    void (*free)(cs_source *s);
} cs_source_ops;

struct cs_source {
    const cs_source_ops *ops;
    int file_type;   /* the wiretap file type the engine dissects it as */
    guint32 count;   /* records read, for error messages                */
};

/* source_file.c: a capture file or pipe through wiretap. */
int cs_source_file_open(const char *path, cs_source **out);
int cs_source_is_pipe(const cs_source *s);

/* live.c, dump.c: libpcap handles, and pcapng output of what they capture. */
typedef struct cs_live cs_live;
int cs_live_open(const char *const *names, size_t n, cs_source **out);
cs_live *cs_source_live(cs_source *s); /* NULL unless S is live */
int cs_live_set(cs_live *l, const char *what, int value);
int cs_live_set_filter(cs_live *l, const char *bpf);
void cs_live_set_duration(cs_live *l, double seconds);
void cs_live_set_output(cs_live *l, const char *path, guint64 file_kb, unsigned files);
void cs_live_stop(cs_live *l);
void cs_live_stats(cs_live *l, cshark_stats *st);

typedef struct cs_dump cs_dump;
cs_dump *cs_dump_new(const char *path, guint64 file_kb, unsigned files);
void cs_dump_add_interface(cs_dump *d, const char *name, int encap, int nanos, int snaplen);
int cs_dump_start(cs_dump *d); /* open the (first) file: at activation */
int cs_dump_write(cs_dump *d, const wtap_rec *rec, const guint8 *data);
int cs_dump_free(cs_dump *d);

/* feed.c: frames handed over by the caller. */
typedef struct cs_feed cs_feed;
cs_feed *cs_source_feed(cs_source *s); /* NULL unless S is fed */
/* 1 for link types whose pcap records start with a pseudo-header that
 * wiretap's file readers take off and decode (fed and live frames refuse
 * them). */
int cs_inline_pseudo_header(int encap);
/* The pseudo-header wiretap's pcap reader gives frames of this encap. */
void cs_pseudo_header(wtap_rec *rec, int encap);

/* ---- session.c: the engine's dissection session -------------------------- */

/* Wireshark's opaque packet provider: our definition. It lives in the
 * session, so kept packets can outlive the capture that made them. */
struct packet_provider_data {
    cs_source *src;            /* NULL once the capture is closed */
    const frame_data *ref;     /* time reference frame            */
    frame_data *prev_dis;      /* previous displayed frame        */
    frame_data *prev_cap;      /* previous captured frame         */
    frame_data_sequence *frames; /* two-pass mode: every frame    */
};

/* One epan session, shared (refcounted) by a capture and its kept packets.
 * The engine keeps dissection state in globals: one is alive at a time. */
typedef struct cs_session {
    epan_t *epan;
    struct packet_provider_data prov;
    frame_data ref_frame, prev_dis_frame, prev_cap_frame;
    cshark_packet *kept;       /* kept packets still using this session     */
    cshark_packet *spare;      /* freed kept packets, reused by the capture */
    unsigned nspare;           /* (a stack through kept_next)               */
    int reading;               /* its capture still reads into it           */
    int refs;
    cs_resolve resolve;        /* its capture's name resolution             */
    GArray *fields;            /* its capture's fields of interest (a ref)  */
    GPtrArray *iface_names;    /* interface names by id, copied at first use */
} cs_session;

/* Before a new session: format the strings of the packets kept from the
 * session that is still alive, under its own name resolution, and end it. */
void cs_session_retire_live(void);
cs_session *cs_session_new(cs_source *src, cs_resolve resolve);
/* A new session that carries on OLD's time references (tshark -M). */
cs_session *cs_session_renew(cs_session *old);
void cs_session_unref(cs_session *s);
/* The capture is done with the session: no more spare packets, no source. */
void cs_session_stop_reading(cs_session *s);
const char *cs_session_interface_name(cs_session *s, guint32 id);

/* packet.c: kept packets of a session */
void cs_packets_freeze(cs_session *s);   /* before the session's epan ends  */

/* ---- filter.c, prefs.c --------------------------------------------------- */

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

/* Preferences, decode-as rules and protocols of one capture, undone at its
 * close (the engine keeps them in globals). */
typedef struct {
    GArray *undo;   /* what each change replaced, in order */
    int changed;
} cs_prefs;

int cs_prefs_set(cs_prefs *o, const char *name_value);
int cs_prefs_decode_as(cs_prefs *o, const char *rule);
int cs_prefs_protocol(cs_prefs *o, const char *name, int enabled);
void cs_prefs_apply(cs_prefs *o);
void cs_prefs_restore(cs_prefs *o);

/* ---- capture.c, options.c, read.c: the capture handle ------------------- */

/* A source, its options, and its dissection session. */
struct cshark_capture {
    char *path;
    cs_source *src;
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
    cs_prefs prefs;
    int started;                 /* options are frozen once a packet is read  */
    cs_resolve resolve;          /* name resolution                           */
    int two_pass;
    int failed;                  /* sticky read error                         */
    int deferred;                /* two-pass: first-pass error, told at end   */
    char *deferred_msg;
    guint64 reset_every, since_reset; /* session resets (tshark -M)           */
    nstime_t last_ts;            /* the previous record's time stamp           */
    cshark_columns_mode columns_mode;
    cs_columns *columns;         /* built at start when columns_mode is set   */
    cshark_analysis *analyses;   /* attached analyses, newest first           */
    int taps_need_tree;          /* one has a filter or reads the tree        */
    int quiet;                   /* cshark_capture_run(): tshark -q's tree    */
    volatile sig_atomic_t stop;  /* cshark_capture_stop() on a file          */
};

/* A capture of SRC (owned from then on) named NAME, now the open one; or
 * CSHARK_ESTATE (set; SRC freed) while another capture is open. */
int cs_capture_new(cshark_capture **capture, const char *name, cs_source *src);
/* CSHARK_OK before the capture's first packet, else CSHARK_ESTATE (set);
 * CSHARK_EINVAL for a handle that is not the open capture. */
int cs_capture_settable(cshark_capture *cap);
/* CSHARK_OK when CAP is the open capture, else CSHARK_EINVAL (set, naming
 * CALL): NULL, or closed (the pointer is compared, never read). */
int cs_capture_check(const cshark_capture *cap, const char *call);
#define CS_CHECK_CAP(cap)                                                      \
    do {                                                                       \
        int rc_ = cs_capture_check((cap), __func__);                           \
        if (rc_ != CSHARK_OK)                                                  \
            return rc_;                                                        \
    } while (0)
/* Whether P is the open capture's current packet (compared, never read). */
int cs_capture_owns(const cshark_packet *p);
/* read.c: cshark_capture_run() without dissection when nothing sees it;
 * 1 when it must dissect. */
int cs_capture_skim(cshark_capture *cap);

/* ---- analysis*.c: analyses across packets (the engine's taps) ----------- */

typedef struct {
    const char *name;
    cshark_type type;
} cs_column;

typedef union {
    guint64 u;
    double d;
    const char *s;
    struct {
        const guint8 *data; /* owned by the analysis's state */
        size_t length;
    } b;
} cs_cell;

typedef struct {
    const cs_column *columns;
    size_t ncolumns;
    /* Register the listeners for ARGS (what follows "NAME,", or NULL):
     * CSHARK_OK, or an error (set) with nothing left registered. */
    int (*attach)(cshark_analysis *a, const char *args);
    void (*text)(cshark_analysis *a, GString *out); /* tshark's -z text    */
    void (*rows)(cshark_analysis *a);                /* cs_analysis_add_row */
    void (*detach)(cshark_analysis *a);              /* remove and free     */
    /* Once the session exists, before the first packet (NULL: nothing). */
    void (*start)(cshark_analysis *a);
} cs_analysis_kind;

struct cshark_analysis {
    cshark_capture *cap;
    const cs_analysis_kind *kind;
    char *spec;
    const char *args;            /* in spec: what attach takes              */
    int pending;                 /* attached after the first packet: waits
                                    for cshark_capture_retap()              */
    void *state;                 /* the kind's                               */
    GString *text;
    GArray *cells;               /* the snapshot: nrows * ncolumns cs_cell   */
    GStringChunk *strings;       /* its strings                              */
    size_t nrows;
    cshark_analysis *next;
};

extern const cs_analysis_kind cs_analysis_conv, cs_analysis_endpoints, cs_analysis_phs,
    cs_analysis_expert, cs_analysis_follow, cs_analysis_stats, cs_analysis_objects,
    cs_analysis_credentials, cs_analysis_iostat;
/* register_tap_listener for A, with its error as CSHARK_EFILTER naming A. */
int cs_analysis_listen(cshark_analysis *a, const char *tap, void *tapdata, const char *filter,
                       unsigned flags, tap_reset_cb reset, tap_packet_cb packet);
cs_cell *cs_analysis_add_row(cshark_analysis *a);   /* zeroed cells        */
const char *cs_analysis_keep(cshark_analysis *a, const char *s); /* a copy */
void cs_analyses_start(cshark_capture *cap);         /* the session exists  */
/* Retap: every analysis's listeners and state go (detach), then come back
 * fresh (attach), pending ones included. */
void cs_analyses_detach(cshark_capture *cap);
int cs_analyses_attach(cshark_capture *cap);
/* CSHARK_OK, or CSHARK_ESTATE (set) while A waits for a retap. */
int cs_analysis_ready(const cshark_analysis *a);
/* CSHARK_OK when CAP's records can be read again (a file), else
 * CSHARK_ESTATE saying why not, about WHAT ("analysis \"conv,tcp\""). */
int cs_capture_rereadable(const cshark_capture *cap, const char *what);
void cs_analyses_free(cshark_capture *cap);          /* at close            */

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
    const cshark_item *self;     /* itself: a one-item fields_of() answer,
                                  * with no allocation (nor lock if kept)   */
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
    const char *name;   /* "Reassembled TCP (1434 bytes)"                */
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
/* A spare packet of the session (a kept one freed since), or NULL. */
cshark_packet *cs_packet_take_spare(cs_session *s, cshark_packet **owner);
void cs_packet_destroy(cshark_packet *p);
/* At shutdown: the kept packets' registry, if none is left. */
void cs_packets_forget(void);

/* ---- item_strings.c, item.c: all that reads field_info (Wireshark 4.0) --- */

#define CS_FI(it) PNODE_FINFO((it)->node)

/* PDML's fake-field-wrapper: a top-level data item. */
static inline int cs_item_is_data(const cshark_item *it)
{
    return it->node && CS_FI(it)->hfinfo->id == cs_proto_data;
}

/* The item's bytes in its data source (NULL when not among the packet's). */
const guint8 *cs_field_bytes(const cshark_item *it, gint *length);
/* Whether P's tree cannot hold field HF: P was read without a tree, or with
 * one pruned to fields of interest that HF (any registration of its name)
 * is not among; with HF NULL, whether the tree is pruned at all. */
int cs_field_not_primed(const cshark_packet *p, const header_field_info *hf);
/* N bytes from P's pool, under the kept packets' lock when P is kept. */
void *cs_packet_alloc(cshark_packet *p, size_t n);
/* Copy the packet's data sources other than the frame (cs_view_freeze). */
void cs_field_freeze_sources(cshark_packet *p);

/* SLOT's string, computed by COMPUTE on first use and cached (item.c). */
cs_str cs_item_cached(const cshark_item *it, cs_str *slot, cs_str (*compute)(cshark_item *));
/* The API's value type of a Wireshark field type (item.c). */
cshark_type cs_type_of(enum ftenum t);

cs_str cs_field_show(cshark_item *it);
cs_str cs_field_showname(cshark_item *it);
cs_str cs_field_value(cshark_item *it);
cs_str cs_field_unmasked(cshark_item *it);
cs_str cs_field_label(cshark_item *it);
cs_str cs_field_fields_value(cshark_item *it);
int cs_field_pos(const cshark_item *it);
cshark_kind cs_field_kind(proto_node *node, int top_level, int *wrap);

#endif
