/* cshark — Wireshark's dissection engine as a C library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The flow is one direction, SQLite-style:
 *
 *     cshark_capture *cap;
 *     cshark_packet *pkt;
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
 * Engine (process-wide) -> capture (a wiretap file and its dissection session)
 * -> packet (one dissected frame) -> items (the protocol tree, as PDML sees it).
 *
 * Threads: the Wireshark engine is process-global and single-threaded. Use
 * cshark from one thread at a time (any thread, but serialised). The last-error
 * message is per thread. One exception lets a program dissect ahead: while a
 * thread is inside cshark_capture_next() (or _next_timeout()), another may
 * read the structure of kept packets (cshark_packet_keep(), not yet freed)
 * through the functions marked "[structure]" below: they read only the
 * packet's own memory and the registered field tables, and call nothing in
 * the engine. A string is formatted through the engine the first time it is
 * read, so the string accessors are not among them, except on an item whose
 * strings are formatted already (cshark_item_formatted(), which the reading
 * thread can arrange with cshark_packet_format_fields()). Freeing a packet
 * is not among them either. It holds when cshark_capture_next() ends the
 * session those packets came from (the first next() of a later capture, or
 * a session reset) and formats their strings meanwhile: that takes a lock
 * which the structure calls also take where they write (the first build of
 * a packet's tree, an array of occurrences). tests/c/test_ahead.c shows the
 * pattern; the Python binding reads files that way.
 *
 * Ownership and lifetimes, in one place:
 *  - A cshark_capture is yours from cshark_capture_open() until
 *    cshark_capture_close().
 *  - A cshark_packet returned by cshark_capture_next() belongs to the capture
 *    and stays valid until the next cshark_capture_next() or
 *    cshark_capture_close() on that capture, unless you call
 *    cshark_packet_keep(): then it is yours until cshark_packet_free(), even
 *    after the capture is closed.
 *  - Every cshark_item, every `const char *` and every byte pointer obtained
 *    from a packet (or from its items) stays valid exactly as long as that
 *    packet. Never free them.
 *  - Strings returned by cshark_last_error() stay valid until the next cshark
 *    call on the same thread.
 */
#ifndef CSHARK_H
#define CSHARK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSHARK_VERSION "0.1.0"

/* ---- Return codes ------------------------------------------------------ */

/* Every int-returning function returns CSHARK_OK (0) or a negative error code,
 * except cshark_capture_next(), which returns CSHARK_PACKET or CSHARK_DONE on
 * success. On every error, cshark_last_error() says what went wrong and names
 * the file, field or argument at fault. */
enum {
    CSHARK_OK             = 0,
    CSHARK_DONE           = 0,   /* cshark_capture_next(): no more packets   */
    CSHARK_PACKET         = 1,   /* cshark_capture_next(): *packet is set    */
    CSHARK_AGAIN          = 2,   /* cshark_capture_next_timeout(): no packet
                                    arrived in time; call again              */

    CSHARK_EINVAL         = -1,  /* bad argument (NULL, out of range)        */
    CSHARK_ENOMEM         = -2,  /* out of memory                            */
    CSHARK_EINIT          = -3,  /* the engine could not be initialised      */
    CSHARK_EOPEN          = -4,  /* the file cannot be opened (missing,
                                    directory, permission)                   */
    CSHARK_EFORMAT        = -5,  /* not a capture file, or a format or
                                    encapsulation wiretap cannot read         */
    CSHARK_EREAD          = -6,  /* read error or a capture cut off mid-record
                                    (packets before it were delivered)        */
    CSHARK_EUNKNOWN_FIELD = -7,  /* no field of that name is registered      */
    CSHARK_ENOTFOUND      = -8,  /* the field is registered but absent from
                                    this packet                               */
    CSHARK_ETYPE          = -9,  /* the item's type has no such typed value  */
    CSHARK_ESTATE         = -10, /* call not allowed now (e.g. engine shut
                                    down, option set after the first packet)  */
    CSHARK_EFILTER        = -11, /* invalid display filter                   */
    CSHARK_EOPTION        = -12, /* invalid option: unknown preference, bad
                                    value, decode-as rule or protocol name    */
    CSHARK_EPERM          = -13  /* capturing needs root or CAP_NET_RAW      */
};

/* The message of the last error on this thread ("" if none yet). Owned by the
 * library; valid until the next cshark call on this thread. */
const char *cshark_last_error(void);

/* ---- Engine ------------------------------------------------------------ */

/* Flags for cshark_init(). */
enum {
    /* Do not read the personal Wireshark configuration (~/.config/wireshark):
     * results then depend only on the global configuration and defaults. */
    CSHARK_INIT_NO_PERSONAL_CONFIG = 1u << 0
};

/* Initialise wiretap and epan the way tshark does: register every dissector,
 * load plugins, read preferences. Done once per process; later calls return
 * CSHARK_OK and ignore their flags. cshark_capture_open() calls cshark_init(0)
 * itself if nobody did, so calling this is only needed to pass flags or to pay
 * the start-up cost (~0.1 s) at a chosen time.
 * Side effects of the engine, for the whole process: SIGPIPE is ignored;
 * gcrypt, gnutls and libxml2 are initialised. And ours: when TZ is unset it
 * becomes ":/etc/localtime", the zone glibc uses then anyway, so that
 * localtime() stops re-reading that file for every packet's time.
 * The engine logs to stderr ("** (NAME:PID) …", level set by the environment
 * variable WIRESHARK_LOG_LEVEL as for tshark); NAME is GLib's g_get_prgname(),
 * and when the application set none it becomes the program's own name. */
int cshark_init(unsigned flags);

/* CSHARK_OK if NAME is a registered field or protocol name ("ip.src",
 * "dns"), else CSHARK_EUNKNOWN_FIELD with a message naming it. Initialises the
 * engine if needed. Use it to reject a bad field list before reading. */
int cshark_check_field(const char *name);

/* CSHARK_OK if FILTER is a valid display filter, else CSHARK_EFILTER with the
 * engine's message as tshark prints it (message, then the filter and a caret
 * line under the fault). On success *warning (if not NULL) is NULL or a
 * deprecation notice (e.g. for "~=" or an old field name), valid until the
 * next call on this thread. */
int cshark_check_filter(const char *filter, const char **warning);

/* Free the engine's global state (useful before exit under leak checkers).
 * Every capture and kept packet must be closed/freed first. The engine cannot
 * be initialised again in this process afterwards: every later call that
 * needs it returns CSHARK_ESTATE ("the Wireshark engine is shut down"), and
 * after a failed cshark_init() such calls return CSHARK_EINIT. */
void cshark_shutdown(void);

/* Version strings. Static; never free. */
const char *cshark_version(void);         /* this library, e.g. "0.1.0"   */
const char *cshark_engine_version(void);  /* libwireshark, e.g. "4.0.17"  */

/* ---- Capture files ----------------------------------------------------- */

typedef struct cshark_capture cshark_capture;
typedef struct cshark_packet  cshark_packet;
typedef struct cshark_item    cshark_item;

/* Open a capture file in any format wiretap reads (pcap, pcapng, nanosecond
 * pcap, gzip-compressed files, …). On success *capture is yours until
 * cshark_capture_close(). On failure *capture is NULL and the error names the
 * file: CSHARK_EOPEN (missing, a directory, no permission), CSHARK_EFORMAT (empty,
 * not a capture, unsupported), CSHARK_EINVAL (NULL argument).
 * PATH may also be a pipe (a FIFO, /dev/fd/N of a pipe, or "-" for standard
 * input, as tshark -r -): it is read as it arrives, each
 * cshark_capture_next() blocking until its record is there; two-pass mode
 * needs a file it can read twice and is refused for a pipe. */
int cshark_capture_open(cshark_capture **capture, const char *path);

/* Options; each applies to this capture only and must be set before the
 * first cshark_capture_next() (else CSHARK_ESTATE). A capture's session
 * (preferences applied, dissector state) starts at that first call. */

/* Name resolution (MAC vendors, transport port names, addresses seen in the
 * capture's own DNS traffic and hosts files). Off by default, as `tshark -n`.
 * On: as the loaded preferences say. */
int cshark_capture_set_resolve_names(cshark_capture *capture, int on);

/* Name resolution by `tshark -N FLAGS` letters, which replace what the
 * preferences say: m MAC vendor names, n network addresses (from hosts files
 * and, with d, from the capture's own DNS answers), N external resolvers
 * (DNS queries leave the machine), t transport port names, d addresses in the
 * capture's DNS packets, v VLAN names. "" resolves nothing (the default);
 * NULL is as cshark_capture_set_resolve_names(capture, 1). An unknown letter
 * fails with CSHARK_EOPTION, naming it. The names a packet's strings show are
 * its own capture's, even when they are read after another capture started. */
int cshark_capture_set_name_resolution(cshark_capture *capture, const char *flags);

/* Display filter, as `tshark -Y FILTER` (PyShark's display_filter): only
 * matching packets are delivered, with their original frame numbers, and
 * fields such as frame.time_delta_displayed follow the delivered set.
 * Compiled now: an invalid filter fails here (CSHARK_EFILTER, message as tshark
 * prints it, with the filter and a caret line under the fault), never later.
 * NULL or "" removes it. The filter sees the tree PyShark's PDML and tshark
 * -V see: with fields of interest, a filter that names the engine's own
 * expert items (_ws.expert, _ws.malformed, _ws.string, _ws.type_length, ...)
 * makes the whole tree be built, as some of those items are raised only
 * while other items are built (tshark's summary output, which primes its
 * tree, misses those: -Y _ws.string.trailing_stray_characters finds none). */
int cshark_capture_set_display_filter(cshark_capture *capture, const char *filter);

/* Two passes, as `tshark -2`: every record is dissected once first, so that
 * filters and fields that look forward (http.response_in, tcp.analysis.*)
 * see later frames. Off by default (PyShark's single pass). */
int cshark_capture_set_two_pass(cshark_capture *capture, int on);

/* Stop after COUNT delivered packets (those passing the filter), or after
 * COUNT records read (tshark's -c). 0: no limit (the default). */
int cshark_capture_set_packet_limit(cshark_capture *capture, uint64_t count);
int cshark_capture_set_record_limit(cshark_capture *capture, uint64_t count);

/* Fields of interest: the caller will only read these fields (full names;
 * an unknown one is CSHARK_EUNKNOWN_FIELD). The engine then builds only them,
 * as tshark primes a display filter, which is several times faster. The tree
 * holds just those items (plus what the display filter needs), attached to
 * their nearest built ancestor; their show, value and typed values are
 * exact, but a showname the dissector would have written in its own words
 * falls back to "Name: value", and a protocol's item has no summary text.
 * Naming one of the engine's own expert items (see the display filter above)
 * builds the whole tree, so that they are all there.
 * Several occurrences of a field come in the order the dissector added them,
 * which is the full tree's order except where a dissector fills an earlier
 * subtree after a later one (one packet in the shared corpus: the Exif
 * next_ifd_offset of a JPEG, "0,280,0" where the tree and tshark say
 * "280,0,0"). */
int cshark_capture_set_fields(cshark_capture *capture, const char *const *names, size_t count);

/* Summary columns, computed by the engine's own column code: the packet list
 * of Wireshark, `tshark -T psml` (PyShark's only_summaries). The columns are
 * the preference gui.column.format (default No., Time, Source, Destination,
 * Protocol, Length, Info; -o applies), hidden ones left out; read them with
 * cshark_packet_column().
 *  - CSHARK_COLUMNS_ON: columns as well as the full tree.
 *  - CSHARK_COLUMNS_ONLY: as tshark -T psml, no protocol tree is built unless
 *    the display filter, the fields of interest or a custom column need one;
 *    the packet then has no layers. It is also the fastest way to summaries,
 *    and a few malformed packets' Info differs with and without a tree, so
 *    this is the mode that equals tshark -T psml.
 * CSHARK_COLUMNS_OFF (the default) computes none. */
typedef enum {
    CSHARK_COLUMNS_OFF = 0,
    CSHARK_COLUMNS_ON = 1,
    CSHARK_COLUMNS_ONLY = 2
} cshark_columns_mode;
int cshark_capture_set_columns(cshark_capture *capture, int mode);

/* The columns' titles, known before any packet is (tshark -T psml writes them
 * first, packets or not): 0 and NULL until the first cshark_capture_next()
 * has been called, and with columns off. The strings live as long as the
 * capture. */
size_t cshark_capture_column_count(const cshark_capture *capture);
const char *cshark_capture_column_title(const cshark_capture *capture, size_t index);

/* Dissection options, PyShark's constructor parameters. The engine keeps them
 * in process-wide state: they are applied for this capture and undone when
 * it closes, so a capture opened later dissects as if they were never set.
 * Errors are CSHARK_EOPTION with a message naming the preference, rule or
 * protocol. */

/* A preference, as tshark's -o "name:value" (PyShark override_prefs), e.g.
 * "tcp.desegment_tcp_streams:FALSE", "tls.keylog_file:/path/keys.log", or a
 * user-table record "uat:80211_keys:\"wpa-pwd\",\"secret:ssid\"". */
int cshark_capture_set_pref(cshark_capture *capture, const char *name_value);

/* Decode-as, as tshark's -d "layer==selector,protocol" (PyShark decode_as),
 * e.g. "tcp.port==8888,http", "udp.port==5000-5010,rtp". */
int cshark_capture_decode_as(cshark_capture *capture, const char *rule);

/* Enable or disable a protocol's dissector by filter name (tshark's
 * --enable-protocol / --disable-protocol, PyShark disable_protocol). */
int cshark_capture_set_protocol(cshark_capture *capture, const char *protocol, int enabled);

/* 802.11 decryption (PyShark decryption_key / encryption_type): TYPE is
 * "wep", "wpa-pwd" (KEY "passphrase:ssid" or "passphrase") or "wpa-psk" (KEY
 * the 64 hex digits). Turns wlan.enable_decryption on. */
int cshark_capture_add_wlan_key(cshark_capture *capture, const char *type, const char *key);

/* Dissect the next packet. Returns CSHARK_PACKET and sets *packet, CSHARK_DONE
 * at the end of the file (*packet = NULL), or a negative error (CSHARK_EREAD for
 * a read error or truncated record: the packets before it were delivered).
 * The previous packet is released unless it was kept. */
int cshark_capture_next(cshark_capture *capture, cshark_packet **packet);

/* The file name given to cshark_capture_open(). Valid until close. */
const char *cshark_capture_path(const cshark_capture *capture);

/* The file format, e.g. "pcapng", "pcap", "nsecpcap" (wiretap's short name).
 * Static string. */
const char *cshark_capture_format(const cshark_capture *capture);

/* Close the file and free the capture and its current packet. Kept packets
 * stay valid until cshark_packet_free(). NULL is allowed. */
void cshark_capture_close(cshark_capture *capture);

/* ---- Fed frames ---------------------------------------------------------- */

/* A capture of frames you hand over one at a time (PyShark's InMemCapture):
 * one continuous dissection session, so conversations, reassembly and frame
 * numbers carry on from frame to frame, exactly as if the frames were read
 * from a pcap file of link type LINKTYPE (a pcap LINKTYPE_ value: 1 Ethernet,
 * 101 raw IP, 127 radiotap…) with microsecond time stamps, or nanosecond ones
 * when NANOSECONDS is non-zero. Link types whose pcap records begin with a
 * pseudo-header (SunATM, IrDA, LAPD, ERF…) are refused (CSHARK_EINVAL). The
 * capture is yours until cshark_capture_close(); every option of a file
 * capture applies except two passes.
 *
 * cshark_capture_next() dissects the oldest frame not yet read and returns
 * CSHARK_PACKET, or CSHARK_AGAIN at once when every fed frame has been read
 * (more may be fed), or CSHARK_DONE once cshark_feed_end() was called and
 * every frame was read. A display filter drops frames as for files. */
int cshark_feed_open(cshark_capture **capture, int linktype, int nanoseconds);

/* Queue one frame: LENGTH bytes from DATA (copied: yours again on return),
 * captured at SECONDS + NANOSECONDS since the epoch (cut to microseconds
 * unless the feed is nanosecond). CSHARK_ESTATE for a capture that is not
 * fed or after cshark_feed_end(). */
int cshark_feed_packet(cshark_capture *capture, const void *data, size_t length,
                       int64_t seconds, int32_t nanoseconds);

/* No more frames: cshark_capture_next() returns CSHARK_DONE after the queued
 * ones. */
int cshark_feed_end(cshark_capture *capture);

/* Present the fed frames as captured on one interface named NAME (copied),
 * as dumpcap's pcapng of a pipe does: frame.section_number 1,
 * frame.interface_id 0, frame.interface_name NAME. PyShark's InMemCapture
 * feeds `tshark -i -`, whose frames read so with NAME "-". Before the first
 * cshark_capture_next() (else CSHARK_ESTATE). */
int cshark_feed_set_interface(cshark_capture *capture, const char *name);

/* ---- Live capture (libpcap) -------------------------------------------- */

/* A network interface, as `cshark -D` lists it. */
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

/* The interfaces libpcap can capture on. *list is yours: free it with
 * cshark_interfaces_free(*list, *count). */
int cshark_interfaces(cshark_interface **list, size_t *count);
void cshark_interfaces_free(cshark_interface *list, size_t count);

/* Open a live capture on COUNT interfaces. The interfaces are checked now:
 * an unknown one is CSHARK_EOPEN naming it and listing the valid ones, and
 * missing privileges are CSHARK_EPERM ("capturing on eth0 needs root or
 * CAP_NET_RAW"). Capturing starts at the first cshark_capture_next(); every
 * option above (display filter, fields, preferences…) applies as for files,
 * except two passes. Packets carry their interface id (the index in
 * INTERFACES) and name. The same packet API as files. An interface may also
 * be named as tshark -i takes it: by its number in cshark_interfaces()'s
 * list (from 1, as -D prints it), by its description, or "Loopback". */
int cshark_live_open(cshark_capture **capture, const char *const *interfaces, size_t count);

/* Live options, set before the first packet (CSHARK_ESTATE on a file). */
/* A BPF capture filter (tshark -f), compiled now by libpcap: an invalid one is
 * CSHARK_EFILTER naming it. Applied in the kernel, before dissection. */
int cshark_capture_set_capture_filter(cshark_capture *capture, const char *bpf);
int cshark_capture_set_snaplen(cshark_capture *capture, int bytes);       /* 262144 */
int cshark_capture_set_promiscuous(cshark_capture *capture, int on);      /* on     */
int cshark_capture_set_monitor_mode(cshark_capture *capture, int on);     /* off    */
int cshark_capture_set_buffer_size(cshark_capture *capture, int bytes);   /* libpcap's */
/* Deliver each packet as it arrives (on) or in batches within 100 ms (off,
 * the default: immediate mode on Linux reserves a snaplen-sized slot per
 * packet, so a burst overflows the buffer unless the snap length is small or
 * the buffer large). */
int cshark_capture_set_immediate_mode(cshark_capture *capture, int on);
/* Stop after SECONDS from the first cshark_capture_next() (tshark -a
 * duration:N); cshark_capture_next() then returns CSHARK_DONE. */
int cshark_capture_set_duration(cshark_capture *capture, double seconds);

/* Write every captured frame to a pcapng file (tshark -w), or to a ring of
 * FILES files of at most FILE_KB kilobytes each (tshark -b filesize:KB -b
 * files:N; names PATH's stem + _NNNNN_YYYYmmddHHMMSS + extension, oldest
 * removed). FILE_KB 0: one file. */
int cshark_capture_set_output(cshark_capture *capture, const char *path, uint64_t file_kb,
                              unsigned files);

/* Keep memory flat over long captures: every PACKETS packets read, the
 * dissection session (conversations, reassembly state) is dropped and a new
 * one started, as tshark -M. Packets kept from before stay valid. 0: never
 * (the default for files); live captures default to 100000. */
int cshark_capture_set_session_reset(cshark_capture *capture, uint64_t packets);

/* As cshark_capture_next(), but waits at most TIMEOUT_MS milliseconds for a
 * live packet: CSHARK_AGAIN when none came (the capture goes on). -1 waits
 * as long as it takes. Files never wait. */
int cshark_capture_next_timeout(cshark_capture *capture, cshark_packet **packet, int timeout_ms);

/* End a live capture from any thread or a signal handler (async-signal
 * safe): the pending or next cshark_capture_next() returns CSHARK_DONE
 * promptly. */
int cshark_capture_stop(cshark_capture *capture);

typedef struct {
    uint64_t received;    /* seen by the capture (libpcap ps_recv)           */
    uint64_t dropped;     /* dropped by the kernel for lack of buffer space  */
    uint64_t if_dropped;  /* dropped by the interface or its driver          */
    uint64_t read;        /* records read by cshark                          */
    uint64_t delivered;   /* packets returned by cshark_capture_next()       */
} cshark_stats;
/* Counters so far: read and delivered for every capture; received, dropped
 * and if_dropped are libpcap's (zero for files). */
int cshark_capture_stats(cshark_capture *capture, cshark_stats *stats);

/* ---- Packets ----------------------------------------------------------- */

/* Take ownership of a packet from cshark_capture_next(): it stays valid (with
 * all its items and strings) until cshark_packet_free(), even after the next
 * packet is read or the capture is closed. Costs one fresh dissection buffer
 * for the capture. Calling it twice is harmless. */
int cshark_packet_keep(cshark_packet *packet);

/* Free a kept packet. NULL is allowed; a packet not kept is left alone (it
 * belongs to its capture). */
void cshark_packet_free(cshark_packet *packet);

/* [structure]: number, time, length and captured length. */
uint32_t cshark_packet_number(const cshark_packet *packet);  /* frame.number, from 1 */

/* Absolute capture time: seconds since the Unix epoch and nanoseconds; both 0
 * for a record without a time stamp (as PDML's geninfo). */
void cshark_packet_time(const cshark_packet *packet, int64_t *seconds, int32_t *nanoseconds);

/* The same time as PDML's geninfo writes it, e.g. "1295981838.356677000"
 * (PyShark's sniff_timestamp), but always the true time: tshark writes the
 * seconds as a C int, so after 2038-01-19 03:14:07 UTC its PDML wraps around
 * ("-3986929.720289000" for "4290980367.720289000", in 2105). The string is
 * the packet's, valid as long as the packet is. */
const char *cshark_packet_timestamp(cshark_packet *packet);

uint32_t cshark_packet_length(const cshark_packet *packet);          /* on the wire */
uint32_t cshark_packet_captured_length(const cshark_packet *packet); /* in the file */

/* Interface the packet was captured on (pcapng), or -1 / NULL when the file
 * does not say. The name is the IDB name, else its description, else its
 * hardware string, else "unknown" — as frame.interface_name. */
int cshark_packet_interface_id(const cshark_packet *packet);
const char *cshark_packet_interface_name(const cshark_packet *packet);

/* Encapsulation of the frame: wiretap's number and short name ("ether",
 * "linux-sll", "ieee-802-11-radiotap", …; static string). */
int cshark_packet_encap(const cshark_packet *packet);
const char *cshark_packet_encap_name(const cshark_packet *packet);

/* The raw frame bytes as captured; *length gets the captured length. */
const uint8_t *cshark_packet_data(const cshark_packet *packet, size_t *length);

/* Summary columns (see cshark_capture_set_columns; 0 columns when off): how
 * many, each one's title ("No.", "Info", ...) and its text for this packet,
 * exactly as tshark -T psml writes it (before XML escaping). NULL past the
 * last column. The strings live as long as the packet. */
size_t cshark_packet_column_count(const cshark_packet *packet);
const char *cshark_packet_column_title(const cshark_packet *packet, size_t index);
const char *cshark_packet_column(const cshark_packet *packet, size_t index);

/* ---- The protocol tree ------------------------------------------------- */

/* The items are the elements of the packet's PDML (`tshark -T pdml`), without
 * geninfo: top-level protocols ("layers"), fields, text-only items (empty
 * name), hidden fields, and PDML's "fake-field-wrapper" around top-level items
 * that are not protocols. The tree is built from the engine's tree the first
 * time it is asked for; strings are formatted on first use and cached. */

/* Layers: the top-level PDML <proto> elements in order ("frame", "eth", "ip",
 * …, and "fake-field-wrapper" ones). Index from 0; NULL when out of range.
 * [structure] */
size_t cshark_packet_layer_count(cshark_packet *packet);
const cshark_item *cshark_packet_layer(cshark_packet *packet, size_t index);

/* A field or protocol by its full Wireshark name ("ip.src", "dns.qry.name",
 * "http"): the first occurrence in tree order. CSHARK_OK and *item set;
 * CSHARK_ENOTFOUND if absent from this packet; CSHARK_EUNKNOWN_FIELD if no such
 * name is registered in Wireshark. *item is NULL unless CSHARK_OK. */
int cshark_packet_field(cshark_packet *packet, const char *name, const cshark_item **item);

/* Every occurrence in tree order. *items points to an array of *count items
 * owned by the packet (valid as long as the packet). CSHARK_OK with *count = 0
 * and *items = NULL when absent; CSHARK_EUNKNOWN_FIELD when the name is
 * unknown. */
int cshark_packet_fields(cshark_packet *packet, const char *name,
                         const cshark_item *const **items, size_t *count);

/* How many times the field occurs (0 when absent). */
int cshark_packet_field_count(cshark_packet *packet, const char *name, size_t *count);

/* A field or protocol name resolved once, for lookups in many packets without
 * hashing the name each time. Opaque: the engine owns it. It stays valid while
 * the engine is up, except that a preference which registers fields (custom
 * HTTP header fields, say) may replace them when a capture sets it: resolve
 * names again after opening a capture with options. CSHARK_EUNKNOWN_FIELD as
 * cshark_check_field(). Not [structure]: it asks the engine's registry. */
typedef struct cshark_field cshark_field;
int cshark_field_lookup(const char *name, const cshark_field **field);

/* cshark_packet_fields() for a resolved field. [structure] */
int cshark_packet_fields_of(cshark_packet *packet, const cshark_field *field,
                            const cshark_item *const **items, size_t *count);

/* Format now the PDML strings (show, showname, value, unmaskedvalue) of every
 * occurrence of FIELDS in the packet: a thread that reads ahead calls it for
 * the fields its consumer will read, so that reading them later calls
 * nothing in the engine (see cshark_item_formatted()). */
int cshark_packet_format_fields(cshark_packet *packet, const cshark_field *const *fields,
                                size_t n);

/* Walk: first child, next sibling, parent (NULL when there is none).
 * [structure], as cshark_item_kind_of() and cshark_item_name(). */
const cshark_item *cshark_item_child(const cshark_item *item);
const cshark_item *cshark_item_next(const cshark_item *item);
const cshark_item *cshark_item_parent(const cshark_item *item);
size_t cshark_item_child_count(const cshark_item *item);

/* What a PDML element an item is. */
typedef enum {
    CSHARK_ITEM_PROTO,    /* <proto name="…">                               */
    CSHARK_ITEM_FIELD,    /* <field name="…">                               */
    CSHARK_ITEM_TEXT,     /* <field name=""> : a text-only line             */
    CSHARK_ITEM_WRAPPER   /* <proto name="fake-field-wrapper"> (synthetic)  */
} cshark_item_kind;
cshark_item_kind cshark_item_kind_of(const cshark_item *item);

/* PDML attributes, exactly as `tshark -T pdml` writes them and an XML parser
 * reads them (what PyShark returns): NULL when PDML omits the attribute.
 * Strings are owned by the packet.
 *  name          "ip.src"; "" for text items; "fake-field-wrapper"
 *  showname      the tree label, "Source Address: 10.0.0.1"
 *  show          the value as text, "10.0.0.1"; "" for FT_NONE
 *  value         the item's bytes in hex, or the masked value for bit fields
 *  unmaskedvalue for bit fields, the bytes in hex
 * pos and size are -1 when omitted; hidden is 1 for PDML's hide="yes". */
const char *cshark_item_name(const cshark_item *item);
const char *cshark_item_showname(const cshark_item *item);
/* 1 when the item's show, showname, value and unmaskedvalue are formatted
 * already (each is formatted once, on first use): reading them then calls
 * nothing in the engine, and those four calls on the item are [structure],
 * as this one is. */
int cshark_item_formatted(const cshark_item *item);
const char *cshark_item_show(const cshark_item *item);
const char *cshark_item_value(const cshark_item *item);
const char *cshark_item_unmaskedvalue(const cshark_item *item);
int cshark_item_pos(const cshark_item *item);
int cshark_item_size(const cshark_item *item);
int cshark_item_hidden(const cshark_item *item);

/* All PDML attributes of an item at once, with the strings' lengths (for
 * writers and bindings that would otherwise strlen each one). Same values
 * and lifetimes as the calls above. */
typedef struct {
    const char *name, *showname, *show, *value, *unmaskedvalue; /* NULL: omitted */
    size_t name_len, showname_len, show_len, value_len, unmaskedvalue_len;
    int pos, size;  /* -1: omitted */
    int hidden;     /* hide="yes" */
} cshark_pdml;
int cshark_item_pdml(const cshark_item *item, cshark_pdml *pdml);

/* The tree line as `tshark -V` prints it (without the brackets it puts around
 * generated items), for every item but wrappers. */
const char *cshark_item_label(const cshark_item *item);

/* How the engine marked the item, whatever PDML shows of it. */
enum {
    CSHARK_FLAG_HIDDEN    = 1u << 0,  /* not shown in the tree (tshark -V skips
                                         it and its children); PDML writes
                                         hide="yes" only on fields/protocols */
    CSHARK_FLAG_GENERATED = 1u << 1   /* made up by the dissector, "[…]"    */
};
unsigned cshark_item_flags(const cshark_item *item);

/* The value as `tshark -T fields -e NAME` prints one occurrence (before its
 * CSV escaping): "1" for FT_NONE, the label for protocols, hex for bytes. */
const char *cshark_item_field_value(const cshark_item *item);

/* The bytes the item covers in its data source (the frame, or a reassembled
 * or decrypted buffer): *length is 0 and *data NULL for items without bytes
 * (generated fields, wrappers). Owned by the packet. */
int cshark_item_data(const cshark_item *item, const uint8_t **data, size_t *length);

/* ---- Types and typed values -------------------------------------------- */

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

cshark_type cshark_item_type(const cshark_item *item);

/* The type of the field or protocol NAME (CSHARK_TYPE_PROTOCOL for "ip"), or
 * CSHARK_TYPE_NONE with CSHARK_EUNKNOWN_FIELD in cshark_last_error() when no
 * such name is registered. */
cshark_type cshark_field_type(const char *name);

/* Wireshark's type name, e.g. "FT_IPv4" (static); NULL for wrappers. */
const char *cshark_item_type_name(const cshark_item *item);
/* The field's display name, e.g. "Source Address" (static); NULL for
 * text items and wrappers. */
const char *cshark_item_display_name(const cshark_item *item);

/* Typed values. CSHARK_OK, or CSHARK_ETYPE when the item's type has no such
 * value (e.g. cshark_item_uint on an IPv4 address), CSHARK_EINVAL for NULLs. */
int cshark_item_uint(const cshark_item *item, uint64_t *value);  /* UINT, BOOLEAN */
int cshark_item_int(const cshark_item *item, int64_t *value);    /* INT, and UINT that fit */
int cshark_item_double(const cshark_item *item, double *value);  /* DOUBLE */
/* BYTES (and FT_ETHER, FT_GUID…): pointer owned by the packet. */
int cshark_item_bytes(const cshark_item *item, const uint8_t **data, size_t *length);
int cshark_item_ipv4(const cshark_item *item, uint8_t address[4]);   /* network order */
int cshark_item_ipv6(const cshark_item *item, uint8_t address[16]);
/* ABSOLUTE_TIME (epoch) and RELATIVE_TIME (a duration). */
int cshark_item_time(const cshark_item *item, int64_t *seconds, int32_t *nanoseconds);
/* STRING: the raw string value (not the escaped `show`), owned by the packet. */
int cshark_item_string(const cshark_item *item, const char **value);

#ifdef __cplusplus
}
#endif

#endif /* CSHARK_H */
