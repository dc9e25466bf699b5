/* cshark: read a capture and print it, tshark-style, through libcshark.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { EXIT_USAGE = 1, EXIT_CAPTURE = 2 };
enum output { OUT_SUMMARY, OUT_TREE, OUT_FIELDS, OUT_JSON };

static void usage(FILE *out)
{
    fputs("Usage: cshark -r FILE [options]\n"
          "  -r FILE            read packets from FILE (any format Wireshark reads)\n"
          "  -c N               stop after N packets\n"
          "  -V                 print each packet's protocol tree (as tshark -V)\n"
          "  -T summary|text|fields|json\n"
          "                     output: one line per packet (default), the tree,\n"
          "                     the -e fields (tshark -T fields), or JSON Lines of\n"
          "                     each packet's PDML items\n"
          "  -e NAME            a field for -T fields (repeatable)\n"
          "  -E KEY=VALUE       -T fields format: header=y|n, separator=/t|/s|C,\n"
          "                     occurrence=a|f|l, aggregator=,|/s|C, quote=d|s|n\n"
          "  -n                 no name resolution (the default)\n"
          "  -N, --resolve-names  resolve names as the Wireshark preferences say\n"
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

static char separator_char(const char *v)
{
    if (strcmp(v, "/t") == 0)
        return '\t';
    if (strcmp(v, "/s") == 0)
        return ' ';
    return v[0] && !v[1] ? v[0] : 0;
}

/* -E KEY=VALUE; returns 0 when understood. */
static int fields_option(cli_fields *f, const char *opt)
{
    const char *eq = strchr(opt, '=');
    if (!eq)
        return -1;
    size_t klen = (size_t)(eq - opt);
    const char *v = eq + 1;
    if (strncmp(opt, "header", klen) == 0 && klen == 6)
        return (f->header = (v[0] == 'y')), (v[0] == 'y' || v[0] == 'n') ? 0 : -1;
    if (strncmp(opt, "separator", klen) == 0 && klen == 9)
        return (f->separator = separator_char(v)) ? 0 : -1;
    if (strncmp(opt, "aggregator", klen) == 0 && klen == 10)
        return (f->aggregator = separator_char(v)) ? 0 : -1;
    if (strncmp(opt, "occurrence", klen) == 0 && klen == 10) {
        f->occurrence = v[0];
        return strchr("afl", v[0]) && v[0] && !v[1] ? 0 : -1;
    }
    if (strncmp(opt, "quote", klen) == 0 && klen == 5) {
        f->quote = v[0] == 'd' ? '"' : v[0] == 's' ? '\'' : 0;
        return strchr("dsn", v[0]) && v[0] && !v[1] ? 0 : -1;
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long limit = -1;
    enum output output = OUT_SUMMARY;
    int verbose = 0, resolve = 0;
    unsigned init_flags = 0;
    cli_fields fields = { .separator = '\t', .aggregator = ',', .occurrence = 'a' };
    fields.names = calloc((size_t)argc, sizeof *fields.names);

    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { "resolve-names", no_argument, NULL, 'N' },
        { "no-personal-config", no_argument, NULL, 'P' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    /* Like tshark: the user's locale for the engine's text. */
    setlocale(LC_ALL, "");
    while ((c = getopt_long(argc, argv, "r:c:VT:e:E:nNvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            path = optarg;
            break;
        case 'c': {
            char *end;
            limit = strtol(optarg, &end, 10);
            if (*end || limit <= 0)
                return fail(EXIT_USAGE, "-c needs a positive packet count, not \"%s\"", optarg);
            break;
        }
        case 'V':
            verbose = 1;
            break;
        case 'T':
            if (strcmp(optarg, "fields") == 0)
                output = OUT_FIELDS;
            else if (strcmp(optarg, "json") == 0)
                output = OUT_JSON;
            else if (strcmp(optarg, "text") == 0 || strcmp(optarg, "summary") == 0)
                output = OUT_SUMMARY;
            else
                return fail(EXIT_USAGE, "unknown output format \"%s\" (use text, fields or json)",
                            optarg);
            break;
        case 'e':
            fields.names[fields.count++] = optarg;
            break;
        case 'E':
            if (fields_option(&fields, optarg) != 0)
                return fail(EXIT_USAGE, "bad -E option \"%s\"", optarg);
            break;
        case 'n':
            resolve = 0;
            break;
        case 'N':
            resolve = 1;
            break;
        case 'P':
            init_flags |= CSHARK_INIT_NO_PERSONAL_CONFIG;
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
    if (optind < argc)
        return fail(EXIT_USAGE, "unexpected argument \"%s\" (read a file with -r FILE)",
                    argv[optind]);
    if (!path) {
        usage(stderr);
        return fail(EXIT_USAGE, "%s", "no capture file given (-r FILE)");
    }
    if (output == OUT_SUMMARY && verbose)
        output = OUT_TREE;
    if (output == OUT_FIELDS && fields.count == 0)
        return fail(EXIT_USAGE, "%s", "-T fields needs at least one -e NAME");
    if (output != OUT_FIELDS && fields.count > 0)
        return fail(EXIT_USAGE, "%s", "-e needs -T fields");

    if (cshark_init(init_flags) != CSHARK_OK)
        return fail(EXIT_CAPTURE, "%s", cshark_last_error());
    for (size_t i = 0; i < fields.count; i++)
        if (cshark_check_field(fields.names[i]) != CSHARK_OK)
            return fail(EXIT_USAGE, "%s", cshark_last_error());

    cshark_capture *cap;
    if (cshark_capture_open(&cap, path) != CSHARK_OK)
        return fail(EXIT_CAPTURE, "%s", cshark_last_error());
    cshark_capture_set_resolve_names(cap, resolve);

    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (output == OUT_FIELDS && fields.header)
        print_fields_header(stdout, &fields);

    cshark_packet *pkt;
    int rc;
    long n = 0;
    while ((rc = cshark_capture_next(cap, &pkt)) == CSHARK_PACKET) {
        switch (output) {
        case OUT_SUMMARY: print_summary(stdout, pkt); break;
        case OUT_TREE: print_tree(stdout, pkt); break;
        case OUT_FIELDS: print_fields(stdout, pkt, &fields); break;
        case OUT_JSON: print_json(stdout, pkt); break;
        }
        if (++n == limit)
            break;
    }
    fflush(stdout);
    int status = 0;
    if (rc < 0)
        status = fail(EXIT_CAPTURE, "%s", cshark_last_error());
    else if (ferror(stdout))
        status = fail(EXIT_CAPTURE, "%s", "error writing to standard output");
    cshark_capture_close(cap);
    cshark_shutdown();
    free(fields.names);
    return status;
}
