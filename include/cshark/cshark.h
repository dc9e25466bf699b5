/* cshark — Wireshark's dissection engine as a C library.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The complete API reference, in the order a program uses it:
 *   errors -> engine -> opening a capture (file, live, fed) -> options ->
 *   reading -> packet -> item -> field registry -> typed values.
 *
 *     cshark_capture *cap;
 *     cshark_packet *pkt;
 *     int rc;
 *     if (cshark_capture_open(&cap, "trace.pcapng") != CSHARK_OK)
 *         die(cshark_last_error());
 *     while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
 *         const cshark_item *src;
 *         if (cshark_packet_field(pkt, "ip.src", &src) == CSHARK_OK)
 *             puts(cshark_item_show(src));
 *     }
 *     if (rc != CSHARK_DONE)
 *         die(cshark_last_error());
 *     cshark_capture_close(cap);
 *
 * Rules that hold for every function:
 *  - A function returning `int` returns a status: CSHARK_OK (0) or a negative
 *    CSHARK_E* code, with cshark_last_error() naming the file, field, filter
 *    or option at fault. The reading calls (cshark_capture_next*) also return
 *    the positive CSHARK_PACKET and CSHARK_AGAIN. Values come back with other
 *    types: counts `size_t`, numbers fixed-width integers, flags `unsigned`,
 *    yes/no `bool`, text `const char *` (NULL for a NULL handle).
 *  - Handles are opaque. A cshark_capture is yours from its open call until
 *    cshark_capture_close(). A packet belongs to its capture until the next
 *    read or close, unless kept (cshark_packet_keep(): yours until
 *    cshark_packet_free()). Items, strings and byte pointers obtained from a
 *    packet live exactly as long as the packet; never free them.
 *  - Threads: use cshark from one thread at a time (any thread, in turn). A
 *    call made while another thread is inside cshark does nothing and
 *    returns CSHARK_EBUSY (a string or count: NULL or 0), with
 *    cshark_last_error() naming both calls; never a crash or a wait. The
 *    exception for reading ahead: the calls marked [structure], and string
 *    accessors of items already formatted (cshark_item_formatted()), read
 *    kept packets beside a thread inside cshark_capture_next*();
 *    cshark_capture_stop() is safe from any thread or a signal handler.
 *    A closed capture or a freed packet given again is CSHARK_EINVAL (found
 *    without reading freed memory; unless the memory was reused by a new
 *    capture or packet). See docs/API.md, which also holds the design notes
 *    and tshark/PyShark correspondences.
 */
#ifndef CSHARK_H
#define CSHARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSHARK_VERSION "0.1.0"

typedef struct cshark_capture cshark_capture;
typedef struct cshark_packet  cshark_packet;
typedef struct cshark_item    cshark_item;
typedef struct cshark_field   cshark_field;
typedef struct cshark_analysis cshark_analysis;

/* The value types an item or a registered field has. */
typedef enum {
    CSHARK_TYPE_NONE,      /* no value (text items, FT_NONE)        */
    CSHARK_TYPE_PROTOCOL,
    CSHARK_TYPE_UINT,      /* FT_UINT*, FT_CHAR, FT_FRAMENUM        */
    CSHARK_TYPE_INT,       /* FT_INT*                               */
    CSHARK_TYPE_BOOLEAN,
    CSHARK_TYPE_DOUBLE,    /* FT_FLOAT, FT_DOUBLE                   */
    CSHARK_TYPE_STRING,
    CSHARK_TYPE_BYTES,     /* FT_BYTES, FT_UINT_BYTES, FT_ETHER, FT_OID, … */
    CSHARK_TYPE_IPV4,
    CSHARK_TYPE_IPV6,
    CSHARK_TYPE_ABSOLUTE_TIME,
    CSHARK_TYPE_RELATIVE_TIME,
    CSHARK_TYPE_OTHER      /* GUID and the rest: use show            */
} cshark_type;

/* ==== Errors ============================================================= */

enum {
    CSHARK_OK             = 0,
    CSHARK_DONE           = 0,   /* reading: no more packets                  */
    CSHARK_PACKET         = 1,   /* reading: *packet is set                   */
    CSHARK_AGAIN          = 2,   /* reading: no packet yet (live timeout, or a
                                    fed capture with every frame read)        */

    CSHARK_EINVAL         = -1,  /* bad argument (NULL, out of range)         */
    CSHARK_ENOMEM         = -2,  /* out of memory                             */
    CSHARK_EINIT          = -3,  /* the engine could not be initialised       */
    CSHARK_EOPEN          = -4,  /* cannot open: missing, directory, no
                                    permission, unknown interface             */
    CSHARK_EFORMAT        = -5,  /* not a capture file, or a format or
                                    encapsulation wiretap cannot read         */
    CSHARK_EREAD          = -6,  /* read error or a capture cut off mid-record
                                    (packets before it were delivered)        */
    CSHARK_EUNKNOWN_FIELD = -7,  /* no field of that name is registered       */
    CSHARK_ENOTFOUND      = -8,  /* the field is registered but absent from
                                    this packet                               */
    CSHARK_ETYPE          = -9,  /* the item's type has no such typed value   */
    CSHARK_ESTATE         = -10, /* not allowed now (engine shut down, option
                                    after the first packet, capture open)     */
    CSHARK_EFILTER        = -11, /* invalid display or capture filter         */
    CSHARK_EOPTION        = -12, /* invalid option: preference, decode-as rule,
                                    protocol, key or name-resolution letter   */
    CSHARK_EPERM          = -13, /* capturing needs root or CAP_NET_RAW       */
    CSHARK_ENOTPRIMED     = -14, /* the packet's tree cannot hold that field:
                                    it is not among the capture's fields of
                                    interest, or the packet was read without
                                    a tree (cshark_capture_run, columns only) */
    CSHARK_EBUSY          = -15  /* another thread is inside cshark: nothing
                                    was done; the message names both calls
                                    (see Threads above)                       */
};

/* The message of this thread's last error ("" if none yet). Owned by the
 * library; valid until the next cshark call on this thread. */
const char *cshark_last_error(void);

/* ==== Engine (process-wide) ============================================== */

enum {
    /* Ignore ~/.config/wireshark: results depend only on the global
     * configuration and defaults. */
    CSHARK_INIT_NO_PERSONAL_CONFIG = 1u << 0
};

/* Initialise the engine as tshark does (every dissector, plugins,
 * preferences), once per process; later calls return CSHARK_OK and ignore
 * FLAGS. Opening a capture calls cshark_init(0) if nobody did. Costs ~0.45 s
 * of wall time (mostly loading libwireshark); process-wide side effects are
 * listed in docs/API.md. */
int cshark_init(unsigned flags);

/* Free the engine's global state (for leak checkers), after every capture is
 * closed and kept packet freed. The engine cannot start again in this
 * process: later calls that need it return CSHARK_ESTATE. */
void cshark_shutdown(void);

/* Worker processes: the engine is one session per process, so parallel
 * work means processes, and a child forked after cshark_init() starts with
 * a ready engine (copy-on-write) instead of paying for its own. Fork only
 * while no capture is open (the child would share its file offset and
 * session) and while no other thread is inside cshark (a reading-ahead
 * thread; a forked child has no copy of it). Each child then opens, reads
 * and closes its own captures, and ends with _exit() (the parent's stdio
 * buffers are not its to write). cshark_fork_check() says whether forking
 * now is safe: CSHARK_OK, initialising the engine if nobody did, or
 * CSHARK_ESTATE naming the open capture. The cshark CLI's -j N does this. */
int cshark_fork_check(void);

/* This library's version ("0.1.0") and libwireshark's ("4.0.17"). Static. */
const char *cshark_version(void);
const char *cshark_engine_version(void);

/* ==== Opening a capture ================================================== */

/* A capture file in any format wiretap reads (pcap, pcapng, gzip, …), or a
 * pipe ("-" for standard input, a FIFO, /dev/fd/N) read as it arrives. On
 * success *capture is yours until cshark_capture_close(); on failure it is
 * NULL: CSHARK_EOPEN (missing, directory, no permission), CSHARK_EFORMAT
 * (empty, not a capture), CSHARK_ESTATE (another capture is open: the engine
 * dissects one at a time). */
int cshark_capture_open(cshark_capture **capture, const char *path);

/* Live capture through libpcap on COUNT interfaces (names, as `cshark -D`
 * lists them, or tshark -i's numbers and descriptions). Checked now:
 * CSHARK_EOPEN naming an unknown interface, CSHARK_EPERM without root or
 * CAP_NET_RAW. Capturing starts at the first read. */
int cshark_capture_open_live(cshark_capture **capture, const char *const *interfaces,
                             size_t count);

/* Frames the caller hands over (cshark_capture_feed()), dissected as one
 * session as if read from a pcap file of link type LINKTYPE (a LINKTYPE_
 * number: 1 Ethernet, 101 raw IP, 127 radiotap…), with nanosecond time
 * stamps when NANOSECONDS is non-zero, else microsecond ones. Link types
 * whose records begin with a pseudo-header are refused (CSHARK_EINVAL). */
int cshark_capture_open_feed(cshark_capture **capture, int linktype, int nanoseconds);

/* Queue one frame on a fed capture: LENGTH bytes of DATA (copied), captured
 * at SECONDS + NANOSECONDS since the epoch. CSHARK_ESTATE for a capture that
 * is not fed, or after cshark_capture_feed_end(). */
int cshark_capture_feed(cshark_capture *capture, const void *data, size_t length,
                        int64_t seconds, int32_t nanoseconds);

/* No more frames: reading returns CSHARK_DONE after the queued ones. */
int cshark_capture_feed_end(cshark_capture *capture);

/* A network interface, as `cshark -D` lists it. The library allocates each
 * one; fields may be added at the end in later versions. */
typedef struct {
    const char *name;                 /* "eth0", "lo", "any"                */
    const char *description;          /* or NULL                            */
    unsigned flags;                   /* CSHARK_IF_*                        */
    const char *const *addresses;     /* IPv4/IPv6 addresses as text        */
    size_t naddresses;
} cshark_interface;
enum {
    CSHARK_IF_LOOPBACK = 1u << 0,
    CSHARK_IF_UP       = 1u << 1,
    CSHARK_IF_RUNNING  = 1u << 2,
    CSHARK_IF_WIRELESS = 1u << 3
};

/* The interfaces libpcap can capture on: *list is an array of *count
 * pointers, yours until cshark_interfaces_free(*list, *count). */
int cshark_interfaces(cshark_interface ***list, size_t *count);
void cshark_interfaces_free(cshark_interface **list, size_t count);

/* The path given to cshark_capture_open() ("live:eth0,lo" for live, "fed
 * frames" for fed ones). Valid until close. */
const char *cshark_capture_path(const cshark_capture *capture);

/* The file format: wiretap's short name ("pcapng", "pcap", "nsecpcap").
 * Static. */
const char *cshark_capture_format(const cshark_capture *capture);

/* ==== Options ============================================================ */

/* Every option applies to its capture only, must be set before the first
 * read (else CSHARK_ESTATE), and is undone when the capture closes: a
 * capture opened later dissects as if it had never been set. Each returns
 * CSHARK_OK or an error naming the bad value. */

/* Display filter, as tshark -Y (PyShark's display_filter): only matching
 * packets are delivered, with their own frame numbers. Compiled now:
 * CSHARK_EFILTER with tshark's message and a caret under the fault. NULL
 * or "" removes it. */
int cshark_capture_set_display_filter(cshark_capture *capture, const char *filter);

/* Two passes, as tshark -2, so that fields that look forward
 * (http.response_in) are there. Off by default. A pipe, a live or a fed
 * capture cannot be read twice (CSHARK_ESTATE). */
int cshark_capture_set_two_pass(cshark_capture *capture, bool on);

/* Stop after COUNT delivered packets, or after COUNT records read (tshark
 * -c). 0: no limit (the default). */
int cshark_capture_set_packet_limit(cshark_capture *capture, uint64_t count);
int cshark_capture_set_record_limit(cshark_capture *capture, uint64_t count);

/* Fields of interest: the caller reads only these COUNT fields, so the
 * engine builds only them (several times faster). Their show, value and
 * typed values are exact; a dissector's own showname wording falls back to
 * "Name: value". CSHARK_EUNKNOWN_FIELD naming an unknown one. */
int cshark_capture_set_fields(cshark_capture *capture, const char *const *names, size_t count);

/* Summary columns (the preference gui.column.format: No., Time, Source,
 * Destination, Protocol, Length, Info by default), computed by the engine's
 * column code; read them with cshark_packet_column(). */
typedef enum {
    CSHARK_COLUMNS_OFF = 0,  /* none (the default)                          */
    CSHARK_COLUMNS_ON = 1,   /* columns and the full tree                   */
    CSHARK_COLUMNS_ONLY = 2  /* columns, and a tree only where the filter,
                                the fields or a custom column need one: as
                                tshark's summary and -T psml               */
} cshark_columns_mode;
int cshark_capture_set_columns(cshark_capture *capture, cshark_columns_mode mode);

/* Name resolution by tshark's -N letters: m MAC vendors, n network
 * addresses, N external resolvers, t transport ports, d the capture's own
 * DNS answers, v VLAN names. "" resolves nothing (the default, tshark -n);
 * NULL resolves as the preferences say. CSHARK_EOPTION naming a bad letter. */
int cshark_capture_set_name_resolution(cshark_capture *capture, const char *flags);

/* A preference, as tshark -o "name:value": "tcp.desegment_tcp_streams:FALSE",
 * "tls.keylog_file:keys.log", "uat:80211_keys:\"wpa-pwd\",\"pw:ssid\"". */
int cshark_capture_set_preference(cshark_capture *capture, const char *name_value);

/* Add a decode-as rule, as tshark -d "tcp.port==8888,http" (repeatable). */
int cshark_capture_set_decode_as(cshark_capture *capture, const char *rule);

/* Enable or disable a protocol by its filter name (--enable-protocol,
 * --disable-protocol). */
int cshark_capture_set_protocol(cshark_capture *capture, const char *protocol, bool enabled);

/* Add an 802.11 decryption key: TYPE "wep", "wpa-pwd" (KEY "passphrase:ssid")
 * or "wpa-psk" (64 hex digits). Turns wlan.enable_decryption on. */
int cshark_capture_set_wlan_key(cshark_capture *capture, const char *type, const char *key);

/* Start a new dissection session every PACKETS records (tshark -M), keeping
 * memory flat; kept packets stay valid. 0: never (the default for files and
 * fed frames; live captures default to 100000). Never while analyses are
 * attached: they count across the whole capture. */
int cshark_capture_set_session_reset(cshark_capture *capture, uint64_t packets);

/* Fed captures: show the frames as captured on one interface NAME (copied),
 * as dumpcap's pcapng of a pipe does (frame.interface_name). */
int cshark_capture_set_feed_interface(cshark_capture *capture, const char *name);

/* Live captures only (CSHARK_ESTATE on others). A BPF capture filter, as
 * tshark -f, compiled now (CSHARK_EFILTER naming it). */
int cshark_capture_set_capture_filter(cshark_capture *capture, const char *bpf);
int cshark_capture_set_snaplen(cshark_capture *capture, int bytes);       /* 262144 */
int cshark_capture_set_promiscuous(cshark_capture *capture, bool on);     /* on     */
int cshark_capture_set_monitor_mode(cshark_capture *capture, bool on);    /* off    */
int cshark_capture_set_buffer_size(cshark_capture *capture, int bytes);   /* libpcap's */
/* Deliver each packet as it arrives (on), or in batches within 100 ms (off,
 * the default, which a burst overflows less easily). */
int cshark_capture_set_immediate_mode(cshark_capture *capture, bool on);
/* Stop after SECONDS from the first read (tshark -a duration:N). */
int cshark_capture_set_duration(cshark_capture *capture, double seconds);
/* Write every captured frame to a pcapng file (tshark -w), or a ring of FILES
 * files of at most FILE_KB kilobytes (-b filesize:KB -b files:N; 0 KB: one
 * file). Opened at the first read. */
int cshark_capture_set_output(cshark_capture *capture, const char *path, uint64_t file_kb,
                              unsigned files);

/* ==== Reading ============================================================ */

/* Dissect the next packet: CSHARK_PACKET with *packet set (valid until the
 * next read or close unless kept), CSHARK_DONE at the end, CSHARK_AGAIN on a
 * fed capture whose frames are all read (feed more, or end it), or an error
 * (CSHARK_EREAD: the packets before the fault were delivered). The first
 * call starts the session: options are applied, a live capture starts. */
int cshark_capture_next(cshark_capture *capture, cshark_packet **packet);

/* As cshark_capture_next(), waiting at most TIMEOUT_MS for a live packet
 * (CSHARK_AGAIN when none came; -1 waits as long as it takes). */
int cshark_capture_next_timeout(cshark_capture *capture, cshark_packet **packet, int timeout_ms);

/* End a capture from any thread or a signal handler (async-signal safe):
 * live, the pending or next read returns CSHARK_DONE; from a file, the next
 * read does, as at the end of the file (the packet handed out last, and
 * what the analyses counted, stay as they are). */
int cshark_capture_stop(cshark_capture *capture);

/* Counters so far. Set stats->version = CSHARK_STATS_VERSION (or initialise
 * with CSHARK_STATS_INIT) first: fields may be added at the end, and the
 * library fills only those of the version given (CSHARK_EINVAL for an
 * unknown one). */
typedef struct {
    unsigned version;
    uint64_t received;    /* seen by libpcap (ps_recv); 0 for files         */
    uint64_t dropped;     /* dropped for lack of buffer space: the kernel's,
                             and the capture thread's queue when full    */
    uint64_t if_dropped;  /* dropped by the interface or its driver         */
    uint64_t read;        /* records read                                   */
    uint64_t delivered;   /* packets returned by the reading calls          */
} cshark_stats;
#define CSHARK_STATS_VERSION 1
#define CSHARK_STATS_INIT { CSHARK_STATS_VERSION, 0, 0, 0, 0, 0 }
int cshark_capture_stats(cshark_capture *capture, cshark_stats *stats);

/* Summary column titles (cshark_capture_set_columns), known from the first
 * read on, before any packet: 0 and NULL until then and with columns off.
 * Strings live as long as the capture. */
size_t cshark_capture_column_count(const cshark_capture *capture);
const char *cshark_capture_column_title(const cshark_capture *capture, size_t index);

/* Every column of gui.column.format in order, hidden ones included (known
 * from the first read on): its format as the preference spells it ("%m",
 * "%s", "%Cus:ip.ttl:0:R") and in *shown (may be NULL) whether it is among
 * the shown columns above. NULL past the last. Lives as long as the capture. */
size_t cshark_capture_column_format_count(const cshark_capture *capture);
const char *cshark_capture_column_format(const cshark_capture *capture, size_t index,
                                         bool *shown);

/* Close the source and free the capture and its current packet; undo its
 * options. Kept packets stay valid. NULL is allowed (CSHARK_OK). CSHARK_EBUSY
 * while another thread is inside cshark (reading it, say): the capture stays
 * open, close it when that call has returned. CSHARK_EINVAL for a capture
 * closed already. */
int cshark_capture_close(cshark_capture *capture);

/* ==== Analyses across packets =========================================== */

/* What tshark's -z computes over a whole capture, from the engine's own taps:
 * conversation and endpoint tables, the protocol hierarchy, expert info. An
 * analysis counts every packet read, whether or not the display filter
 * passes it (as tshark's do), and only packets of its own capture. */

/* Attach the analysis SPEC, spelt as tshark's -z argument, before the
 * capture's first packet. After it, a capture file takes it too, checked
 * now and run by cshark_capture_retap() (reading its text or rows before
 * that is CSHARK_ESTATE); a pipe, a live or a fed capture answer
 * CSHARK_ESTATE saying their packets cannot be read again:
 *   "conv,TABLE[,FILTER]"       conversations; TABLE is a protocol with a
 *   "endpoints,TABLE[,FILTER]"  table: eth, ip, ipv6, tcp, udp, sctp, wlan, …
 *   "io,phs[,FILTER]"           protocol hierarchy
 *   "io,stat,INTERVAL[,COLUMN...]" I/O statistics per INTERVAL seconds (0:
 *                               the whole capture); COLUMN a filter,
 *                               FRAMES()F, BYTES()F or COUNT|SUM|MIN|MAX|AVG|
 *                               LOAD(FIELD)F (CSHARK_EUNKNOWN_FIELD names an
 *                               unknown FIELD)
 *   "expert[,LEVEL][,FILTER]"   expert info; LEVEL error, warn, note, chat or
 *                               comment (the lowest severity kept)
 *   "follow,PROTO,MODE,STREAM[,SUB][,RANGE]" or
 *   "follow,PROTO,MODE,A:P,B:P[,RANGE]"
 *                               a stream's payload, both ways: PROTO tcp, udp,
 *                               tls, http, http2 or quic (SUB: the HTTP/2 or
 *                               QUIC stream), by index or by its two ends
 *                               ([v6]:port); MODE ascii, hex, raw, ebcdic or
 *                               yaml (the text's form); RANGE chunks N or N-M
 *   "ABBR,tree[,FILTER]"        a statistics tree: http, http_req, dns, plen,
 *                               ptype, ip_hosts, … (tshark -z help lists them)
 *   "objects,PROTO"             export objects: http, imf, smb, tftp, dicom,
 *                               ftp-data (tshark --export-objects; no text)
 *   "credentials"               user names seen by HTTP, FTP, POP, IMAP, SMTP
 *                               and the field that holds each password
 * CSHARK_EOPTION names an unknown analysis or table, CSHARK_EFILTER a bad
 * filter. *analysis belongs to the capture: valid until cshark_capture_close().
 * Expert info depends on the tree the engine builds: a capture read with
 * cshark_capture_run() builds none unless a filter needs it, as tshark -q. */
int cshark_capture_analyze(cshark_capture *capture, const char *spec,
                           cshark_analysis **analysis);

/* Every analysis that can be attached, sorted, by the name its spec starts
 * with ("conv,tcp", "dns,tree", "follow,tcp", "objects,http", "io,phs", …):
 * *count of them. Owned by the library for the life of the process. */
int cshark_analysis_list(const char *const **names, size_t *count);

/* Read the rest of the capture without handing packets out (tshark -q): the
 * analyses see every packet. CSHARK_OK at the end, or the reading error. */
int cshark_capture_run(cshark_capture *capture);

/* Run every analysis of a capture file again, fresh, over the whole file,
 * those attached after its first packet included (sharkd's retap): the
 * file is opened again and read in a session of its own, and the capture
 * is then at its end (packets not yet read are not handed out; kept ones
 * stay valid). Before the first packet: nothing to do, CSHARK_OK. A pipe,
 * live or fed capture: CSHARK_ESTATE saying it cannot be read again.
 * CSHARK_OK at the end of the file, or the reading error. */
int cshark_capture_retap(cshark_capture *capture);

/* The analysis's result as tshark -z prints it after the capture, as of now
 * (running totals while a capture is read). Owned by the analysis; valid
 * until the next call on it or the capture's close. */
const char *cshark_analysis_text(cshark_analysis *analysis);

/* The result as a table, SQLite style. cshark_analysis_rows() takes a
 * snapshot of the results as of now and gives its row count; the cells
 * read that snapshot until the next cshark_analysis_rows(). Columns are
 * fixed per kind of analysis (docs/API.md lists them): a name and a type,
 * CSHARK_TYPE_UINT, _DOUBLE, _STRING or _BYTES. */
int cshark_analysis_rows(cshark_analysis *analysis, size_t *count);
size_t cshark_analysis_column_count(const cshark_analysis *analysis);
const char *cshark_analysis_column_name(const cshark_analysis *analysis, size_t column);
cshark_type cshark_analysis_column_type(const cshark_analysis *analysis, size_t column);
/* *column: the index of the column NAME ("frames", "address_a", …);
 * CSHARK_ENOTFOUND naming it and the analysis when the kind has none. */
int cshark_analysis_column_index(const cshark_analysis *analysis, const char *name,
                                 size_t *column);
/* A cell of the snapshot: CSHARK_EINVAL out of range, CSHARK_ETYPE when the
 * column has another type. Strings are owned by the snapshot ("" when the
 * row has no such value, e.g. the port of an IP conversation). */
int cshark_analysis_uint(const cshark_analysis *analysis, size_t row, size_t column,
                         uint64_t *value);
int cshark_analysis_double(const cshark_analysis *analysis, size_t row, size_t column,
                           double *value);
int cshark_analysis_string(const cshark_analysis *analysis, size_t row, size_t column,
                           const char **value);
/* Bytes (a followed chunk's payload, an object's content), owned by the
 * analysis: valid until the capture's close. */
int cshark_analysis_bytes(const cshark_analysis *analysis, size_t row, size_t column,
                          const uint8_t **data, size_t *length);

/* Export objects: write every object found so far into FOLDER (created
 * with its parents) under tshark's names (the object's own file name made
 * safe, or object<frame>.<extension>; a taken name gets a number).
 * CSHARK_EOPEN names the folder or file that could not be written (no file
 * is left half-written); CSHARK_ETYPE for other analyses. */
int cshark_analysis_save(cshark_analysis *analysis, const char *folder);

/* ==== Packet ============================================================= */

/* Make a packet yours until cshark_packet_free(), valid with its items and
 * strings after later reads and after its capture closes. Idempotent.
 * CSHARK_EINVAL for a packet that is neither kept nor the open capture's
 * (freed already, or its capture closed).
 * Cost: a kept packet holds its dissection (the engine's tree, its strings,
 * its data sources and buffers): about 50 KB a packet with the full tree and
 * 20 KB with fields of interest (cshark_capture_set_fields), measured on the
 * benchmark mix. To keep many, copy out the values you need (the typed
 * getters) and let the packet go; docs/API.md, "Keeping packets". */
int cshark_packet_keep(cshark_packet *packet);

/* Free a kept packet. NULL, and a packet not kept (its capture's current
 * one), are left alone (CSHARK_OK). A packet freed already is CSHARK_EINVAL
 * (looked up among the kept packets, never read), as is a pointer that is
 * neither; CSHARK_EBUSY while another thread is inside cshark. */
int cshark_packet_free(cshark_packet *packet);

/* frame.number, from 1. [structure] */
uint32_t cshark_packet_number(const cshark_packet *packet);

/* Capture time: seconds since the epoch and nanoseconds (0 and 0 for a
 * record without a time stamp). [structure] */
void cshark_packet_time(const cshark_packet *packet, int64_t *seconds, int32_t *nanoseconds);

/* frame.time_relative: the time since the capture's first packet, as the
 * engine set it for this one. 1 when the record has a time stamp (then
 * frame.time and frame.time_relative are in its tree), else 0 and zeros.
 * [structure] */
int cshark_packet_relative_time(const cshark_packet *packet, int64_t *seconds,
                                int32_t *nanoseconds);

/* The same time as PDML's geninfo writes it ("1295981838.356677000",
 * PyShark's sniff_timestamp), without tshark's wrap after 2038. Lives as
 * long as the packet. */
const char *cshark_packet_timestamp(cshark_packet *packet);

/* Length on the wire and captured length. [structure] */
uint32_t cshark_packet_length(const cshark_packet *packet);
uint32_t cshark_packet_captured_length(const cshark_packet *packet);

/* The interface index (pcapng IDB, or the live capture's interface), or
 * CSHARK_NO_INTERFACE when the record has none. */
#define CSHARK_NO_INTERFACE UINT32_MAX
uint32_t cshark_packet_interface_id(const cshark_packet *packet);

/* The interface's name as frame.interface_name (name, else description,
 * else hardware, else "unknown"); NULL without an interface. Lives as long
 * as the packet. */
const char *cshark_packet_interface_name(const cshark_packet *packet);

/* The frame's encapsulation: wiretap's number (0 unknown) and short name
 * ("ether", "linux-sll"; static). */
unsigned cshark_packet_encap(const cshark_packet *packet);
const char *cshark_packet_encap_name(const cshark_packet *packet);

/* The frame's bytes as captured; *length (if not NULL) gets their count.
 * Owned by the packet. */
const uint8_t *cshark_packet_data(const cshark_packet *packet, size_t *length);

/* Summary columns of this packet, exactly as tshark -T psml writes them
 * (before XML escaping): count, title, text; NULL past the last. Live as
 * long as the packet. */
size_t cshark_packet_column_count(const cshark_packet *packet);
const char *cshark_packet_column_title(const cshark_packet *packet, size_t index);
const char *cshark_packet_column(const cshark_packet *packet, size_t index);

/* Layers: the packet's top-level PDML elements in order ("frame", "eth",
 * "ip", …; "fake-field-wrapper" around top-level data), geninfo excluded.
 * NULL past the last. The tree is built on first use. [structure] */
size_t cshark_packet_layer_count(cshark_packet *packet);
const cshark_item *cshark_packet_layer(cshark_packet *packet, size_t index);

/* The first occurrence, in tree order, of a field or protocol by its full
 * name ("ip.src", "http"): CSHARK_OK with *item set, CSHARK_ENOTFOUND when
 * absent from this packet, CSHARK_EUNKNOWN_FIELD when no such name exists,
 * CSHARK_ENOTPRIMED when the packet's tree could not hold it (the capture
 * has fields of interest without it, or read the packet without a tree).
 * The three calls below answer CSHARK_ENOTPRIMED the same way. */
int cshark_packet_field(cshark_packet *packet, const char *name, const cshark_item **item);

/* Every occurrence in tree order: *items is an array of *count items owned
 * by the packet (NULL and 0 when absent). */
int cshark_packet_fields(cshark_packet *packet, const char *name,
                         const cshark_item *const **items, size_t *count);

/* How many times the field occurs (0 when absent). */
int cshark_packet_field_count(cshark_packet *packet, const char *name, size_t *count);

/* cshark_packet_fields() for a name resolved once (cshark_field_lookup()).
 * [structure] */
int cshark_packet_fields_of(cshark_packet *packet, const cshark_field *field,
                            const cshark_item *const **items, size_t *count);

/* The PDML strings, as bits: which ones cshark_packet_format_fields()
 * formats and cshark_item_formatted() asks about. */
#define CSHARK_STR_SHOW      1u
#define CSHARK_STR_SHOWNAME  2u
#define CSHARK_STR_RAW_VALUE 4u
#define CSHARK_STR_UNMASKED  8u
#define CSHARK_STR_PDML      15u /* all four */

/* Format now the STRINGS (CSHARK_STR_* bits) of every occurrence of the N
 * FIELDS, so that a reading-ahead thread's consumer reads them without
 * calling the engine (cshark_item_formatted()). Each string costs the
 * engine a formatting: ask for those the consumer reads (show, most
 * often). */
int cshark_packet_format_fields(cshark_packet *packet, const cshark_field *const *fields,
                                size_t n, unsigned strings);

/* ==== Item =============================================================== */

/* Items are the elements of the packet's PDML (tshark -T pdml): protocols,
 * fields, text-only lines and PDML's fake-field-wrapper. Every pointer and
 * string below is owned by the item's packet. Strings are formatted on first
 * read and cached. */

/* Walk: first child, next sibling, parent (NULL when none); children count.
 * [structure] */
const cshark_item *cshark_item_child(const cshark_item *item);
const cshark_item *cshark_item_next(const cshark_item *item);
const cshark_item *cshark_item_parent(const cshark_item *item);
size_t cshark_item_child_count(const cshark_item *item);
/* The previous sibling (NULL for a first child or the first layer), and the
 * layer holding the item (the top-level item above it; itself for a layer).
 * [structure] */
const cshark_item *cshark_item_prev(const cshark_item *item);
const cshark_item *cshark_item_layer(const cshark_item *item);

/* The first occurrence of field NAME below ITEM (a layer, or any item), in
 * tree order: the inner IP's "ip.src" under the second "ip" layer, the
 * "dns.qry.name" under one query. Errors as cshark_packet_field(). */
int cshark_item_field(const cshark_item *item, const char *name, const cshark_item **found);

/* Which PDML element the item is. [structure] */
typedef enum {
    CSHARK_ITEM_PROTO,    /* <proto name="…">                              */
    CSHARK_ITEM_FIELD,    /* <field name="…">                              */
    CSHARK_ITEM_TEXT,     /* <field name=""> : a text-only line            */
    CSHARK_ITEM_WRAPPER   /* <proto name="fake-field-wrapper">             */
} cshark_kind;
cshark_kind cshark_item_kind(const cshark_item *item);

/* PDML attributes, exactly as tshark writes them and an XML parser reads them
 * (what PyShark returns); NULL where PDML omits the attribute.
 *  name           "ip.src"; "" for text items ([structure])
 *  showname       the tree label, "Source Address: 10.0.0.1"
 *  show           the value as text, "10.0.0.1"; "" for FT_NONE
 *  raw_value      PDML's value: the bytes in hex, or a bit field's masked
 *                 value (PyShark's raw_value)
 *  unmaskedvalue  a bit field's bytes in hex */
const char *cshark_item_name(const cshark_item *item);
const char *cshark_item_showname(const cshark_item *item);
const char *cshark_item_show(const cshark_item *item);
const char *cshark_item_raw_value(const cshark_item *item);
const char *cshark_item_unmaskedvalue(const cshark_item *item);

/* PDML's pos and size, -1 where PDML omits them; hide="yes". [structure] */
int64_t cshark_item_pos(const cshark_item *item);
int64_t cshark_item_size(const cshark_item *item);
bool cshark_item_hidden(const cshark_item *item);

/* True when every string of STRINGS (CSHARK_STR_* bits) is formatted
 * already: reading those then calls nothing in the engine, and they are
 * [structure] on this item, as this call is. */
bool cshark_item_formatted(const cshark_item *item, unsigned strings);

/* Every PDML attribute at once, with the strings' lengths, for writers and
 * bindings. Set pdml->version = CSHARK_PDML_VERSION (CSHARK_PDML_INIT)
 * first; CSHARK_EINVAL for an unknown version. Same values and lifetimes as
 * the calls above. */
typedef struct {
    unsigned version;
    const char *name, *showname, *show, *value, *unmaskedvalue; /* NULL: omitted */
    size_t name_len, showname_len, show_len, value_len, unmaskedvalue_len;
    int pos, size;  /* -1: omitted */
    int hidden;     /* hide="yes" */
} cshark_pdml;
#define CSHARK_PDML_VERSION 1
#define CSHARK_PDML_INIT { CSHARK_PDML_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0 }
int cshark_item_pdml(const cshark_item *item, cshark_pdml *pdml);

/* The tree line as tshark -V prints it (without the brackets of generated
 * items), for every item but wrappers. */
const char *cshark_item_label(const cshark_item *item);

/* One occurrence as tshark -T fields -e NAME prints it (before its CSV
 * escaping): "1" for FT_NONE, the label for protocols, hex for bytes. */
const char *cshark_item_fields_text(const cshark_item *item);

/* How the engine marked the item, whatever PDML shows of it. */
enum {
    CSHARK_FLAG_HIDDEN    = 1u << 0,  /* not in the visible tree (tshark -V
                                         skips it and its children)        */
    CSHARK_FLAG_GENERATED = 1u << 1   /* made up by the dissector, "[…]"   */
};
unsigned cshark_item_flags(const cshark_item *item);

/* The bytes the item covers in its data source (the frame, or a reassembled
 * or decrypted buffer); NULL and 0 for items without bytes. */
int cshark_item_data(const cshark_item *item, const uint8_t **data, size_t *length);

/* The data source the item's position (cshark_item_pos) refers to: its name
 * as Wireshark's byte tabs show it ("Frame (74 bytes)", "Reassembled TCP
 * (1434 bytes)", "Decrypted TLS (517 bytes)") and all its bytes. Owned by the
 * packet. CSHARK_ENOTFOUND for an item without bytes (wrappers, text-only
 * items of no source). */
int cshark_item_source(const cshark_item *item, const char **name, const uint8_t **data,
                       size_t *length);

/* ==== Field registry ===================================================== */

/* Every call here initialises the engine if needed. */

/* CSHARK_OK if NAME is a registered field or protocol ("ip.src", "dns"),
 * else CSHARK_EUNKNOWN_FIELD naming it. */
int cshark_field_check(const char *name);

/* The value type of the field or protocol NAME (CSHARK_TYPE_PROTOCOL for
 * "ip"); CSHARK_EUNKNOWN_FIELD when no such name exists. */
int cshark_field_type(const char *name, cshark_type *type);

/* Resolve NAME once for cshark_packet_fields_of(). *field is the engine's,
 * valid while the engine is up; resolve again after opening a capture whose
 * preferences register fields (custom HTTP headers). */
int cshark_field_lookup(const char *name, const cshark_field **field);

/* CSHARK_OK if FILTER is a valid display filter, else CSHARK_EFILTER with
 * tshark's message, the filter and a caret line. *warning (may be NULL)
 * gets NULL or a deprecation notice, valid until the next call on this
 * thread. */
int cshark_filter_check(const char *filter, const char **warning);

/* ==== Typed values ======================================================= */

/* The item's value type, Wireshark's type name ("FT_IPv4"; static, NULL for
 * wrappers) and the field's display name ("Source Address"; static, NULL for
 * text items and wrappers). [structure] */
cshark_type cshark_item_type(const cshark_item *item);
const char *cshark_item_type_name(const cshark_item *item);
const char *cshark_item_display_name(const cshark_item *item);

/* The value as a C type: CSHARK_OK, or CSHARK_ETYPE naming the field when
 * its type has no such value (cshark_item_uint on an IPv4 address). */
int cshark_item_uint(const cshark_item *item, uint64_t *value);  /* UINT, BOOLEAN */
int cshark_item_int(const cshark_item *item, int64_t *value);    /* INT, UINT that fit */
int cshark_item_double(const cshark_item *item, double *value);  /* DOUBLE */
/* BYTES (FT_ETHER, FT_GUID, … too); the bytes are owned by the packet. */
int cshark_item_bytes(const cshark_item *item, const uint8_t **data, size_t *length);
int cshark_item_ipv4(const cshark_item *item, uint8_t address[4]);   /* network order */
int cshark_item_ipv6(const cshark_item *item, uint8_t address[16]);
/* ABSOLUTE_TIME since the epoch, or a RELATIVE_TIME. A negative duration has
 * both parts negative or zero (-1.5 s is -1 and -500000000). */
int cshark_item_time(const cshark_item *item, int64_t *seconds, int32_t *nanoseconds);
/* STRING: the raw value, not the escaped show; owned by the packet. */
int cshark_item_string(const cshark_item *item, const char **value);
/* A time (ABSOLUTE_TIME since the epoch, or RELATIVE_TIME) as seconds. */
int cshark_item_seconds(const cshark_item *item, double *seconds);

/* The label the field's value strings give its value ("No error" for
 * dns.flags.rcode 0, "TCP" for ip.proto 6, "Set" for a set flag); NULL when
 * the field has none, or none for this value. Static. */
const char *cshark_item_value_label(const cshark_item *item);

/* The first occurrence of field NAME in the packet as a C value, in one
 * call: cshark_packet_field(), then the cshark_item_* getter above, with
 * their errors (CSHARK_ENOTFOUND when the packet has none). */
int cshark_packet_field_uint(cshark_packet *packet, const char *name, uint64_t *value);
int cshark_packet_field_int(cshark_packet *packet, const char *name, int64_t *value);
int cshark_packet_field_double(cshark_packet *packet, const char *name, double *value);
int cshark_packet_field_string(cshark_packet *packet, const char *name, const char **value);
int cshark_packet_field_seconds(cshark_packet *packet, const char *name, double *seconds);
int cshark_packet_field_time(cshark_packet *packet, const char *name, int64_t *seconds,
                             int32_t *nanoseconds);
/* Any type, as text: the first occurrence's show (PDML's "192.168.0.4",
 * "80", "GET"), owned by the packet. */
int cshark_packet_field_show(cshark_packet *packet, const char *name, const char **show);

/* ==== Endpoints ========================================================== */

/* Who talks to whom in a packet, from the headers that carry its transport:
 * the last transport layer of the tree (tcp, udp, sctp, dccp, icmp, icmpv6)
 * and the network layer (ip, ipv6) just before it. So an IP-in-IP or GRE
 * tunnel, or a VXLAN/Geneve inner packet, gives the inner addresses and
 * ports, and an ICMP error gives its own addresses, not those of the packet
 * it quotes. Strings are owned by the packet (tshark -n's ip.src show). */
typedef struct {
    unsigned version;      /* CSHARK_ENDPOINTS_VERSION (CSHARK_ENDPOINTS_INIT) */
    const char *network;   /* "ip", "ipv6"; NULL without a network layer   */
    const char *src, *dst; /* network addresses; NULL without one          */
    const char *transport; /* "tcp", "udp", "sctp", "dccp", "icmp", "icmpv6";
                              NULL without a transport layer               */
    uint32_t src_port, dst_port; /* 0 for icmp, icmpv6 and none            */
    int64_t stream;        /* tcp.stream, udp.stream, sctp.assoc_index,
                              dccp.stream: the conversation index that
                              follow,PROTO,MODE,STREAM takes; -1 when none */
} cshark_endpoints;
#define CSHARK_ENDPOINTS_VERSION 1
#define CSHARK_ENDPOINTS_INIT { CSHARK_ENDPOINTS_VERSION, NULL, NULL, NULL, NULL, 0, 0, -1 }

/* Set endpoints->version first (CSHARK_EINVAL for an unknown one). CSHARK_OK
 * with *endpoints set (NULL members for what the packet lacks, e.g. ARP);
 * CSHARK_ENOTFOUND when it has neither a network nor a transport layer, and
 * then every member is NULL, 0 or -1. Reads the packet's layers: with fields
 * of interest, add cshark_endpoint_fields() to them, else CSHARK_ENOTPRIMED
 * naming the one missing (and without a tree, CSHARK_ENOTPRIMED). */
int cshark_packet_endpoints(cshark_packet *packet, cshark_endpoints *endpoints);

/* The names cshark_packet_endpoints() reads ("ip", "ip.src", ..., "tcp.stream"),
 * to add to cshark_capture_set_fields() on the fast path. Static. */
void cshark_endpoint_fields(const char *const **names, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* CSHARK_H */
