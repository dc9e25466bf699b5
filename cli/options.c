/* The command line: tshark's options read into a cli_options, then checked
 * together, with tshark's error texts and exit statuses.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("Usage: cshark -r FILE [options]   or   cshark -i IFACE [options]\n"
          "  -r FILE            read packets from FILE (any format Wireshark reads;\n"
          "                     - or a FIFO: read from a pipe as it comes); repeated,\n"
          "                     each file in turn, as one tshark run per file\n"
          "  -j N|auto          read the -r files in N worker processes (0 or auto:\n"
          "                     one per core); the output keeps the files' order\n"
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
          "  -T text|tabs|brief|fields|json|pdml|psml\n"
          "                     output: the summary columns as tshark prints them\n"
          "                     (text, the default; tabs: tab-delimited), one\n"
          "                     PyShark-style line per packet (brief: \"UDP  SRC:PORT\n"
          "                     --> DST:PORT  local time  epoch\"), the -e fields\n"
          "                     (tshark -T fields), JSON Lines of each packet's PDML\n"
          "                     items, PDML (tshark -T pdml), or the summary columns\n"
          "                     as tshark -T psml\n"
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
          "  -q                 print no packets (with -z: only the analyses)\n"
          "  -z SPEC            an analysis across packets, printed after the last\n"
          "                     packet as tshark -z prints it: conv,TABLE and\n"
          "                     endpoints,TABLE[,FILTER], io,phs[,FILTER],\n"
          "                     expert[,LEVEL][,FILTER], follow,PROTO,MODE,STREAM,\n"
          "                     ABBR,tree[,FILTER], credentials; -z help lists them\n"
          "  --export-objects PROTO,DIR  write the http, imf, smb, tftp, dicom or\n"
          "                     ftp-data objects into DIR, as tshark\n"
          "  -v, --version      print versions and exit\n"
          "  -h, --help         this help\n",
          out);
}

int cli_fail(int code, const char *fmt, const char *arg)
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
    return cli_fail(EXIT_USAGE, msg, arg);
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

/* -T NAME; 0 when known. "summary" is the old name of "brief". */
static int output_option(cli_options *o, const char *name)
{
    static const struct {
        const char *name;
        enum output output;
    } names[] = {
        { "text", OUT_TEXT }, { "tabs", OUT_TABS }, { "brief", OUT_BRIEF },
        { "summary", OUT_BRIEF }, { "fields", OUT_FIELDS }, { "json", OUT_JSON },
        { "pdml", OUT_PDML }, { "psml", OUT_PSML },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i].name) == 0)
            return (o->output = names[i].output), 0;
    return -1;
}

/* Live options (live.c's) and the numbers; -1 when understood, else the
 * exit status. */
static int numeric_or_live_option(cli_options *o, int c, const char *arg)
{
    long number;
    switch (c) {
    case 'c':
        return number_arg("packet count", arg, 1, INT_MAX, &o->limit) ? EXIT_USAGE : -1;
    case 'M':
        return number_arg("epan reset count", arg, 1, INT_MAX, &o->reset) ? EXIT_USAGE : -1;
    case 's':
        if (number_arg("snapshot length", arg, 0, INT_MAX, &number) != 0)
            return EXIT_USAGE;
        o->live.snaplen = (int)number;
        return -1;
    case 'B': /* MiB, as bytes in an int */
        if (number_arg("buffer size", arg, 1, INT_MAX / (1024 * 1024), &number) != 0)
            return EXIT_USAGE;
        o->live.buffer_mib = (int)number;
        return -1;
    case 'i': o->live.interfaces[o->live.count++] = arg; return -1;
    case 'f': o->live.bpf = arg; return -1;
    case 'p': o->live.no_promisc = 1; return -1;
    case 'I': o->live.monitor = 1; return -1;
    case 'w': o->live.write = arg; return -1;
    default: /* -a, -b */
        if (live_option(&o->live, c, arg) != 0)
            return cli_fail(EXIT_USAGE, "bad -a/-b option \"%s\"", arg);
        return -1;
    }
}

/* One option of the output side or of dissection; -1 when understood, else
 * the exit status (0 for -D, -v and -h, which end the run). */
static int option(cli_options *o, int c, const char *arg)
{
    switch (c) {
    case 'r': o->paths[o->npaths++] = o->path = arg; return -1;
    case 'j':
        if (strcmp(arg, "auto") == 0)
            return (o->jobs = 0), -1;
        return number_arg("number of workers", arg, 0, 1024, &o->jobs) ? EXIT_USAGE : -1;
    case 'V': o->verbose = 1; return -1;
    case 'l': o->flush_each = 1; return -1;
    case 'Y': o->filter = arg; return -1;
    case '2': o->two_pass = 1; return -1;
    case OPT_CHECK: o->check = arg; return -1;
    case OPT_PERSONAL: o->init_flags |= CSHARK_INIT_NO_PERSONAL_CONFIG; return -1;
    case 'T':
        if (o->t_given++)
            return cli_fail(EXIT_USAGE, "%s", "multiple -T parameters are unsupported");
        if (output_option(o, arg) != 0)
            return cli_fail(EXIT_USAGE, "unknown output format \"%s\" (use text, tabs, brief, "
                            "fields, json, pdml or psml)", arg);
        return -1;
    case 'e': o->fields.names[o->fields.count++] = arg; return -1;
    case 'E':
        return fields_option(&o->fields, arg) ? cli_fail(EXIT_USAGE, "bad -E option \"%s\"", arg)
                                              : -1;
    /* The last of -n, -N and --resolve-names counts, as in tshark. */
    case 'n': o->resolve = ""; return -1;
    case OPT_RESOLVE: o->resolve = NULL; return -1;
    case 'N':
        if (arg[0] == '-') /* "-N -r FILE": the letters were left out */
            return cli_fail(EXIT_USAGE, "-N needs tshark's name resolution letters "
                            "(e.g. -N mnt), not \"%s\"", arg);
        o->resolve = arg;
        return -1;
    case 'o':
    case 'd':
    case OPT_DISABLE:
    case OPT_ENABLE:
        o->dissect[o->ndissect].kind = c;
        o->dissect[o->ndissect++].arg = arg;
        return -1;
    case 'q':
    case 'z':
    case OPT_EXPORT: return analyses_option(&o->z, c, arg);
    case 'D': return list_interfaces(stdout);
    case 'v':
        printf("cshark %s (Wireshark engine %s)\n", cshark_version(), cshark_engine_version());
        return 0;
    case 'h': usage(stdout); return 0;
    case 'c': case 'M': case 's': case 'B': case 'i': case 'f':
    case 'p': case 'I': case 'w': case 'a': case 'b':
        return numeric_or_live_option(o, c, arg);
    default: usage(stderr); return EXIT_USAGE;
    }
}

int parse_args(int argc, char **argv, cli_options *o)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { "resolve-names", no_argument, NULL, OPT_RESOLVE },
        { "no-personal-config", no_argument, NULL, OPT_PERSONAL },
        { "check-filter", required_argument, NULL, OPT_CHECK },
        { "disable-protocol", required_argument, NULL, OPT_DISABLE },
        { "enable-protocol", required_argument, NULL, OPT_ENABLE },
        { "export-objects", required_argument, NULL, OPT_EXPORT },
        { NULL, 0, NULL, 0 },
    };
    *o = (cli_options){ .limit = -1, .reset = -1, .jobs = 1, .resolve = "", .output = OUT_TEXT,
                        .fields = { .separator = '\t', .aggregator = ',', .occurrence = 'a' } };
    /* Each repeatable option's list has room for every argument. */
    o->live.interfaces = calloc((size_t)argc, sizeof *o->live.interfaces);
    o->fields.names = calloc((size_t)argc, sizeof *o->fields.names);
    o->dissect = calloc((size_t)argc, sizeof *o->dissect);
    o->paths = calloc((size_t)argc, sizeof *o->paths);
    o->z.specs = calloc((size_t)argc, sizeof *o->z.specs);
    o->z.folders = calloc((size_t)argc, sizeof *o->z.folders);
    int c, status;
    while ((c = getopt_long(argc, argv, "r:j:c:VT:e:E:Y:2o:d:nN:vhi:f:s:pIB:a:w:b:M:Dlqz:", longopts,
                            NULL)) != -1)
        if ((status = option(o, c, optarg)) >= 0)
            return status;
    if (optind < argc)
        o->trailing = joined_args(argc, argv, optind);
    return -1;
}

/* Live options tshark refuses when reading a file (-s, -p, -I and -B it
 * ignores, and so do we), and those that need one another. */
static int check_live_options(const cli_options *o)
{
    const live_opts *l = &o->live;
    if (o->path && l->bpf)
        return cli_fail(EXIT_USAGE, "%s", "only display filters, not capture filters (-f), can "
                        "be used when reading a capture file");
    if (o->path && l->duration > 0)
        return cli_fail(EXIT_USAGE, "%s", "-a duration: needs a live capture (-i)");
    if (o->path && (l->file_kb || l->files))
        return cli_fail(EXIT_USAGE, "%s", "-b needs a live capture (-i) written with -w");
    if (o->path && l->write)
        return cli_fail(EXIT_USAGE, "%s", "-w writes live captures only; to copy packets from a "
                        "file, use editcap, or tshark -r IN -w OUT");
    if ((l->file_kb || l->files) && !l->write)
        return cli_fail(EXIT_USAGE, "%s", "a ring buffer (-b) needs an output file (-w)");
    if (l->files && !l->file_kb)
        return cli_fail(EXIT_USAGE, "%s", "a ring buffer of -b files:N needs -b filesize:KB");
    return 0;
}

int check_options(cli_options *o)
{
    if (!o->path && !o->live.count) {
        usage(stderr);
        return cli_fail(EXIT_USAGE, "%s", "no capture file (-r FILE) or interface (-i IFACE) "
                        "given");
    }
    if (o->path && o->live.count)
        return cli_fail(EXIT_USAGE, "%s", "-r and -i cannot be combined");
    if (o->jobs != 1 && !o->path)
        return cli_fail(EXIT_USAGE, "%s", "-j needs capture files (-r FILE)");
    /* As tshark: what follows the options is a display filter when reading a
     * file, a capture filter when capturing. */
    if (o->trailing && (o->path ? o->filter != NULL : o->live.bpf != NULL))
        return cli_fail(EXIT_USAGE, "%s filters were specified both with an option and with "
                        "additional command-line arguments", o->path ? "display" : "capture");
    if (o->trailing && o->path)
        o->filter = o->trailing;
    else if (o->trailing)
        o->live.bpf = o->trailing;
    int status = check_live_options(o);
    if (status)
        return status;
    /* -V prints the tree whatever one-line format was asked for. */
    if ((o->output == OUT_TEXT || o->output == OUT_TABS || o->output == OUT_BRIEF) && o->verbose)
        o->output = OUT_TREE;
    if (o->output == OUT_FIELDS && o->fields.count == 0)
        return cli_fail(EXIT_USAGE, "%s", "-T fields needs at least one -e NAME");
    if (o->output != OUT_FIELDS && o->fields.count > 0)
        return cli_fail(EXIT_USAGE, "%s", "-e needs -T fields");
    return 0;
}

void cli_options_free(cli_options *o)
{
    free(o->live.interfaces);
    free(o->fields.names);
    free(o->fields.handles);
    free(o->fields.from_packet);
    free(o->dissect);
    free(o->paths);
    for (size_t i = 0; i < o->z.count; i++)
        if (o->z.folders[i]) /* --export-objects: its "objects,PROTO" */
            free((char *)o->z.specs[i]);
    free(o->z.specs);
    free(o->z.folders);
    free(o->trailing);
}
