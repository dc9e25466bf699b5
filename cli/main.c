/* cshark: read a capture and print it, tshark-style, through libcshark.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { EXIT_USAGE = 1, EXIT_CAPTURE = 2 };
enum output { OUT_SUMMARY, OUT_TREE, OUT_FIELDS, OUT_JSON, OUT_PDML, OUT_PSML };
enum { OPT_CHECK = 256, OPT_DISABLE, OPT_ENABLE, OPT_PERSONAL, OPT_RESOLVE };

/* A dissection option from the command line: -o, -d, --disable/enable-protocol. */
typedef struct {
    int kind;
    const char *arg;
} dissect_opt;

static void usage(FILE *out)
{
    fputs("Usage: cshark -r FILE [options]   or   cshark -i IFACE [options]\n"
          "  -r FILE            read packets from FILE (any format Wireshark reads;\n"
          "                     - or a FIFO: read from a pipe as it comes)\n"
          "  -i IFACE           capture live on IFACE (repeatable; needs root or\n"
          "                     CAP_NET_RAW); -D lists the interfaces\n"
          "  -f BPF             capture filter (libpcap syntax)\n"
          "  -s N, -p, -I, -B MIB  snap length, no promiscuous mode, monitor mode,\n"
          "                     kernel buffer size\n"
          "  -a duration:N      stop a live capture after N seconds\n"
          "  -w FILE            also write the captured frames to FILE (pcapng)\n"
          "  -b filesize:KB -b files:N  ring buffer of N files of KB kilobytes\n"
          "  -M N               new dissection session every N packets (flat memory)\n"
          "  -c N               stop after N records read (as tshark; with -Y fewer\n"
          "                     may be printed)\n"
          "  -Y FILTER          display filter (tshark -Y): print matching packets\n"
          "  -2                 two passes, for filters that look forward\n"
          "  --check-filter FILTER  check a display filter and exit\n"
          "  -V                 print each packet's protocol tree (as tshark -V)\n"
          "  -l                 flush the output after each packet (as tshark -l)\n"
          "  -T summary|text|fields|json|pdml|psml\n"
          "                     output: one line per packet (default), the tree,\n"
          "                     the -e fields (tshark -T fields), JSON Lines of\n"
          "                     each packet's PDML items, PDML (tshark -T pdml),\n"
          "                     or the summary columns as tshark -T psml\n"
          "  -e NAME            a field for -T fields (repeatable)\n"
          "  -E KEY=VALUE       -T fields format: header=y|n, separator=/t|/s|C,\n"
          "                     occurrence=a|f|l, aggregator=,|/s|C, quote=d|s|n,\n"
          "                     bom=y|n\n"
          "  -o NAME:VALUE      override a preference (repeatable)\n"
          "  -d LAYER==SELECTOR,PROTO  decode as (repeatable)\n"
          "  --disable-protocol P, --enable-protocol P\n"
          "  -n                 no name resolution (the default)\n"
          "  -N FLAGS           resolve names as tshark -N: m MAC vendors, n network\n"
          "                     addresses, N external resolvers (DNS), t ports,\n"
          "                     d from the capture's DNS packets, v VLAN names\n"
          "  --resolve-names    resolve names as the Wireshark preferences say\n"
          "  --no-personal-config  ignore ~/.config/wireshark\n"
          "  -v, --version      print versions and exit\n"
          "  -h, --help         this help\n",
          out);
}

static int fail(int code, const char *fmt, const char *arg)
{
    fputs("cshark: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return code;
}

/* A decimal number from MIN to MAX for option WHAT, refused as tshark does;
 * 0 when *OUT is set. */
static int number_arg(const char *what, const char *arg, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    char msg[160];
    if (end == arg || *end)
        snprintf(msg, sizeof msg, "the specified %s \"%%s\" isn't a decimal number", what);
    else if (errno == ERANGE || v > max)
        snprintf(msg, sizeof msg, "the specified %s %%s is too large (greater than %ld)", what,
                 max);
    else if (v < min)
        snprintf(msg, sizeof msg, "the specified %s is %s", what, v == 0 ? "zero" : "negative");
    else
        return (*out = v), 0;
    return fail(EXIT_USAGE, msg, arg);
}

/* The arguments after the options, as one filter (tshark's way). */
static char *joined_args(int argc, char **argv, int from)
{
    size_t len = 1;
    for (int i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = calloc(len, 1);
    for (int i = from; i < argc; i++) {
        if (i > from)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* Everything that shapes dissection, in the order given. */
static int configure(cshark_capture *cap, const char *resolve, const char *filter, int two_pass,
                     long limit, const dissect_opt *opts, size_t nopts)
{
    int rc = cshark_capture_set_name_resolution(cap, resolve);
    for (size_t i = 0; rc == CSHARK_OK && i < nopts; i++) {
        switch (opts[i].kind) {
        case 'o': rc = cshark_capture_set_preference(cap, opts[i].arg); break;
        case 'd': rc = cshark_capture_set_decode_as(cap, opts[i].arg); break;
        default: rc = cshark_capture_set_protocol(cap, opts[i].arg, opts[i].kind == OPT_ENABLE); break;
        }
    }
    if (rc == CSHARK_OK && filter)
        rc = cshark_capture_set_display_filter(cap, filter);
    if (rc == CSHARK_OK)
        rc = cshark_capture_set_two_pass(cap, two_pass);
    /* -c counts records read, as tshark's does. */
    if (rc == CSHARK_OK && limit > 0)
        rc = cshark_capture_set_record_limit(cap, (uint64_t)limit);
    return rc;
}

/* The fast path: when only some fields are printed, build only those. A
 * protocol's -T fields value is its tree line, which only a full tree has. */
static int prime_fields(cshark_capture *cap, int output, const cli_fields *f)
{
    if (output == OUT_SUMMARY)
        return cshark_capture_set_fields(cap, summary_fields, summary_field_count);
    /* Columns as tshark -T fields computes them: with a protocol tree (a
     * few malformed packets' Info differs without one). */
    int rc = f->columns ? cshark_capture_set_columns(cap, CSHARK_COLUMNS_ON) : CSHARK_OK;
    const char **tree_names = calloc(f->count + 1, sizeof *tree_names);
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (!f->handles[i])
            continue;
        cshark_type type;
        if (cshark_field_type(f->names[i], &type) == CSHARK_OK && type == CSHARK_TYPE_PROTOCOL) {
            free(tree_names);
            return rc;
        }
        tree_names[n++] = f->names[i];
    }
    if (rc == CSHARK_OK)
        rc = cshark_capture_set_fields(cap, tree_names, n);
    free(tree_names);
    return rc;
}

/* tshark's reading of -E values: the first character decides; "/t" (the
 * separator only) and "/s" name a tab and a space, any other "/x" is a
 * backslash. */
static char separator_char(const char *v, int tab)
{
    if (v[0] != '/')
        return v[0];
    if (tab && v[1] == 't')
        return '\t';
    return v[1] == 's' ? ' ' : '\\';
}

/* -E KEY=VALUE; returns 0 when understood. */
static int fields_option(cli_fields *f, const char *opt)
{
    const char *eq = strchr(opt, '=');
    if (!eq || !eq[1])
        return -1;
    size_t klen = (size_t)(eq - opt);
    const char *v = eq + 1;
#define KEY(k) (klen == sizeof k - 1 && strncmp(opt, k, klen) == 0)
    if (KEY("header") || KEY("bom")) {
        if (v[0] != 'y' && v[0] != 'n')
            return -1;
        *(KEY("header") ? &f->header : &f->bom) = v[0] == 'y';
        return 0;
    }
    if (KEY("separator"))
        return (f->separator = separator_char(v, 1)), 0;
    if (KEY("aggregator"))
        return (f->aggregator = separator_char(v, 0)), 0;
    if (KEY("occurrence"))
        return strchr("afl", v[0]) ? (f->occurrence = v[0]), 0 : -1;
    if (KEY("quote")) {
        if (!strchr("dsn", v[0]))
            return -1;
        f->quote = v[0] == 'd' ? '"' : v[0] == 's' ? '\'' : 0;
        return 0;
    }
#undef KEY
    return -1;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long limit = -1, reset = -1;
    live_opts live = { 0 };
    live.interfaces = calloc((size_t)argc, sizeof *live.interfaces);
    enum output output = OUT_SUMMARY;
    int verbose = 0, flush_each = 0;
    const char *resolve = ""; /* -N letters; NULL: as the preferences say */
    unsigned init_flags = 0;
    cli_fields fields = { .separator = '\t', .aggregator = ',', .occurrence = 'a' };
    fields.names = calloc((size_t)argc, sizeof *fields.names);

    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { "resolve-names", no_argument, NULL, OPT_RESOLVE },
        { "no-personal-config", no_argument, NULL, OPT_PERSONAL },
        { "check-filter", required_argument, NULL, OPT_CHECK },
        { "disable-protocol", required_argument, NULL, OPT_DISABLE },
        { "enable-protocol", required_argument, NULL, OPT_ENABLE },
        { NULL, 0, NULL, 0 },
    };
    /* Dissection options, applied in order once the capture is open. */
    dissect_opt *opts = calloc((size_t)argc, sizeof *opts);
    size_t nopts = 0;
    const char *filter = NULL, *check = NULL;
    int two_pass = 0, t_given = 0;
    long number;
    int c;
    /* Like tshark: the user's locale for the engine's text. */
    setlocale(LC_ALL, "");
    while ((c = getopt_long(argc, argv, "r:c:VT:e:E:Y:2o:d:nN:vhi:f:s:pIB:a:w:b:M:Dl", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            path = optarg;
            break;
        case 'c':
            if (number_arg("packet count", optarg, 1, INT_MAX, &limit) != 0)
                return EXIT_USAGE;
            break;
        case 'V':
            verbose = 1;
            break;
        case 'T':
            if (t_given++)
                return fail(EXIT_USAGE, "%s", "multiple -T parameters are unsupported");
            if (strcmp(optarg, "fields") == 0)
                output = OUT_FIELDS;
            else if (strcmp(optarg, "json") == 0)
                output = OUT_JSON;
            else if (strcmp(optarg, "pdml") == 0)
                output = OUT_PDML;
            else if (strcmp(optarg, "psml") == 0)
                output = OUT_PSML;
            else if (strcmp(optarg, "text") == 0 || strcmp(optarg, "summary") == 0)
                output = OUT_SUMMARY;
            else
                return fail(EXIT_USAGE, "unknown output format \"%s\" (use text, fields, json, pdml or psml)",
                            optarg);
            break;
        case 'e':
            fields.names[fields.count++] = optarg;
            break;
        case 'E':
            if (fields_option(&fields, optarg) != 0)
                return fail(EXIT_USAGE, "bad -E option \"%s\"", optarg);
            break;
        case 'l':
            flush_each = 1;
            break;
        /* The last of -n, -N and --resolve-names counts, as in tshark. */
        case 'n':
            resolve = "";
            break;
        case 'N':
            if (optarg[0] == '-') /* "-N -r FILE": the letters were left out */
                return fail(EXIT_USAGE, "-N needs tshark's name resolution letters "
                            "(e.g. -N mnt), not \"%s\"", optarg);
            resolve = optarg;
            break;
        case OPT_RESOLVE:
            resolve = NULL;
            break;
        case OPT_PERSONAL:
            init_flags |= CSHARK_INIT_NO_PERSONAL_CONFIG;
            break;
        case 'Y':
            filter = optarg;
            break;
        case 'i':
            live.interfaces[live.count++] = optarg;
            break;
        case 'f':
            live.bpf = optarg;
            break;
        case 's':
            if (number_arg("snapshot length", optarg, 0, INT_MAX, &number) != 0)
                return EXIT_USAGE;
            live.snaplen = (int)number;
            break;
        case 'p':
            live.no_promisc = 1;
            break;
        case 'I':
            live.monitor = 1;
            break;
        case 'B': /* MiB, as bytes in an int */
            if (number_arg("buffer size", optarg, 1, INT_MAX / (1024 * 1024), &number) != 0)
                return EXIT_USAGE;
            live.buffer_mib = (int)number;
            break;
        case 'w':
            live.write = optarg;
            break;
        case 'M':
            if (number_arg("epan reset count", optarg, 1, INT_MAX, &reset) != 0)
                return EXIT_USAGE;
            break;
        case 'a':
        case 'b':
            if (live_option(&live, c, optarg) != 0)
                return fail(EXIT_USAGE, "bad -a/-b option \"%s\"", optarg);
            break;
        case 'D':
            return list_interfaces(stdout);
        case '2':
            two_pass = 1;
            break;
        case OPT_CHECK:
            check = optarg;
            break;
        case 'o':
        case 'd':
        case OPT_DISABLE:
        case OPT_ENABLE:
            opts[nopts].kind = c;
            opts[nopts++].arg = optarg;
            break;
        case 'v':
            printf("cshark %s (Wireshark engine %s)\n", cshark_version(),
                   cshark_engine_version());
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (check) {
        if (cshark_init(init_flags) != CSHARK_OK)
            return fail(EXIT_CAPTURE, "%s", cshark_last_error());
        const char *warning;
        if (cshark_filter_check(check, &warning) != CSHARK_OK)
            return fail(EXIT_CAPTURE, "%s", cshark_last_error()); /* tshark -Y's status */
        if (warning)
            fprintf(stderr, "cshark: warning: %s\n", warning);
        return 0;
    }
    if (!path && !live.count) {
        usage(stderr);
        return fail(EXIT_USAGE, "%s", "no capture file (-r FILE) or interface (-i IFACE) given");
    }
    if (path && live.count)
        return fail(EXIT_USAGE, "%s", "-r and -i cannot be combined");
    /* As tshark: what follows the options is a display filter when reading a
     * file, a capture filter when capturing. */
    char *trailing = optind < argc ? joined_args(argc, argv, optind) : NULL;
    if (trailing && (path ? filter != NULL : live.bpf != NULL))
        return fail(EXIT_USAGE, "%s filters were specified both with an option and with "
                    "additional command-line arguments", path ? "display" : "capture");
    if (trailing && path)
        filter = trailing;
    else if (trailing)
        live.bpf = trailing;
    /* Live options tshark refuses when reading a file (-s, -p, -I and -B it
     * ignores, and so do we). */
    if (path && live.bpf)
        return fail(EXIT_USAGE, "%s", "only display filters, not capture filters (-f), can be "
                    "used when reading a capture file");
    if (path && live.duration > 0)
        return fail(EXIT_USAGE, "%s", "-a duration: needs a live capture (-i)");
    if (path && (live.file_kb || live.files))
        return fail(EXIT_USAGE, "%s", "-b needs a live capture (-i) written with -w");
    if (path && live.write)
        return fail(EXIT_USAGE, "%s", "-w writes live captures only; to copy packets from a "
                    "file, use editcap, or tshark -r IN -w OUT");
    if ((live.file_kb || live.files) && !live.write)
        return fail(EXIT_USAGE, "%s", "a ring buffer (-b) needs an output file (-w)");
    if (live.files && !live.file_kb)
        return fail(EXIT_USAGE, "%s", "a ring buffer of -b files:N needs -b filesize:KB");
    if (output == OUT_SUMMARY && verbose)
        output = OUT_TREE;
    if (output == OUT_FIELDS && fields.count == 0)
        return fail(EXIT_USAGE, "%s", "-T fields needs at least one -e NAME");
    if (output != OUT_FIELDS && fields.count > 0)
        return fail(EXIT_USAGE, "%s", "-e needs -T fields");

    if (cshark_init(init_flags) != CSHARK_OK)
        return fail(EXIT_CAPTURE, "%s", cshark_last_error());
    /* Resolved once: a lookup by name per field and packet was a visible
     * share of the -T fields profile. */
    fields.handles = calloc(fields.count + 1, sizeof *fields.handles);
    for (size_t i = 0; i < fields.count; i++) {
        if (column_field_title(fields.names[i]))
            fields.columns = 1; /* any title, as tshark: unknown ones print nothing */
        else if (cshark_field_lookup(fields.names[i], &fields.handles[i]) != CSHARK_OK)
            return fail(EXIT_USAGE, "%s", cshark_last_error());
    }

    cshark_capture *cap;
    if ((path ? cshark_capture_open(&cap, path)
              : cshark_capture_open_live(&cap, live.interfaces, live.count)) != CSHARK_OK)
        return fail(EXIT_CAPTURE, "%s", cshark_last_error());
    int rc = configure(cap, resolve, filter, two_pass, limit, opts, nopts);
    if (rc == CSHARK_OK && live.count)
        rc = live_configure(cap, &live);
    if (rc == CSHARK_OK && reset >= 0)
        rc = cshark_capture_set_session_reset(cap, (uint64_t)reset);
    if (rc == CSHARK_OK && (output == OUT_FIELDS || output == OUT_SUMMARY))
        rc = prime_fields(cap, output, &fields);
    /* The columns alone, with no tree unless the filter needs one: tshark
     * -T psml's Info of a few malformed packets depends on it. */
    if (rc == CSHARK_OK && output == OUT_PSML)
        rc = cshark_capture_set_columns(cap, CSHARK_COLUMNS_ONLY);
    if (rc != CSHARK_OK) {
        /* tshark's statuses: 2 for a bad filter, 1 for a bad option. */
        int code = rc == CSHARK_EFILTER || rc == CSHARK_ESTATE ? EXIT_CAPTURE : EXIT_USAGE;
        int status = fail(code, "%s", cshark_last_error());
        cshark_capture_close(cap);
        return status;
    }
    free(opts);

    static char outbuf[1 << 16];
    /* Live output is read as it comes: a line at a time. */
    setvbuf(stdout, outbuf, live.count ? _IOLBF : _IOFBF, sizeof outbuf);
    if (output == OUT_FIELDS)
        print_fields_preamble(stdout, &fields);
    else if (output == OUT_PDML)
        print_pdml_preamble(stdout, path);

    if (live.count)
        live_catch_signals(cap);
    cshark_packet *pkt;
    int psml_started = 0;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        if (output == OUT_PSML && !psml_started++)
            print_psml_preamble(stdout, cap);
        switch (output) {
        case OUT_SUMMARY: print_summary(stdout, pkt); break;
        case OUT_TREE: print_tree(stdout, pkt); break;
        case OUT_FIELDS: print_fields(stdout, pkt, &fields); break;
        case OUT_JSON: print_json(stdout, pkt); break;
        case OUT_PDML: print_pdml(stdout, pkt); break;
        case OUT_PSML: print_psml(stdout, pkt); break;
        }
        if (flush_each)
            fflush(stdout);
    }
    if (output == OUT_PDML)
        print_pdml_finale(stdout);
    if (output == OUT_PSML) {
        if (!psml_started)
            print_psml_preamble(stdout, cap);
        print_psml_finale(stdout);
    }
    fflush(stdout);
    int status = 0;
    if (rc < 0)
        status = fail(EXIT_CAPTURE, "%s", cshark_last_error());
    else if (ferror(stdout))
        status = fail(EXIT_CAPTURE, "%s", "error writing to standard output");
    if (live.count) {
        live_report(cap);
        live_release_signals();
    }
    cshark_capture_close(cap);
    free(live.interfaces);
    /* No cshark_shutdown(): the engine's teardown costs more than the exit
     * that frees everything anyway. */
    free(fields.names);
    free(fields.handles);
    return status;
}
