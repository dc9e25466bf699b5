/* I/O statistics (io,stat): the text and the rows. Values from tshark
 * 4.0.17 (-n -q -z io,stat,...) on the same captures.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tests.h"

static cshark_analysis *attach_run(const char *name, const char *spec)
{
    cshark_analysis *a = NULL;
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file(name)), CSHARK_OK);
    ck_assert_msg(cshark_capture_analyze(tcap, spec, &a) == CSHARK_OK, "%s: %s", spec,
                  cshark_last_error());
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
    return a;
}

/* Column COLUMN of ROW: a uint, a double or a string. */
static uint64_t u(cshark_analysis *a, size_t row, size_t column)
{
    uint64_t v;
    ck_assert_int_eq(cshark_analysis_uint(a, row, column, &v), CSHARK_OK);
    return v;
}

static double d(cshark_analysis *a, size_t row, size_t column)
{
    double v;
    ck_assert_int_eq(cshark_analysis_double(a, row, column, &v), CSHARK_OK);
    return v;
}

static const char *s(cshark_analysis *a, size_t row, size_t column)
{
    const char *v;
    ck_assert_int_eq(cshark_analysis_string(a, row, column, &v), CSHARK_OK);
    return v;
}

enum { INTERVAL, START, END, COLUMN, SPEC, CALC, FRAMES, BYTES, VALUE };

START_TEST(text_and_rows)
{
    cshark_analysis *a = attach_run("tcpdump__dns_tcp.pcap",
                                    "io,stat,0.1,FRAMES BYTES,MAX(tcp.len)tcp.len");
    static const char want[] =
        "\n"
        "=====================================\n"
        "| IO Statistics                     |\n"
        "|                                   |\n"
        "| Duration: 0.4 secs                |\n"
        "| Interval: 0.1 secs                |\n"
        "|                                   |\n"
        "| Col 1: FRAMES BYTES               |\n"
        "|     2: MAX(tcp.len)tcp.len        |\n"
        "|-----------------------------------|\n"
        "|            |1               |2    |\n"
        "| Interval   | Frames | Bytes | MAX |\n"
        "|-----------------------------------|\n"
        "| 0.0 <> 0.1 |      1 |    74 |   0 |\n"
        "| 0.1 <> 0.2 |      4 |   286 |  58 |\n"
        "| 0.2 <> 0.3 |      4 |   448 | 226 |\n"
        "| 0.3 <> 0.4 |      2 |   114 |   0 |\n"
        "=====================================\n";
    ck_assert_str_eq(cshark_analysis_text(a), want);
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 8); /* 4 intervals x 2 columns */
    ck_assert_uint_eq(cshark_analysis_column_count(a), 9);
    ck_assert_str_eq(cshark_analysis_column_name(a, VALUE), "value");
    ck_assert_uint_eq(u(a, 2, INTERVAL), 1);
    ck_assert_double_eq_tol(d(a, 2, START), 0.1, 1e-9);
    ck_assert_double_eq_tol(d(a, 2, END), 0.2, 1e-9);
    ck_assert_uint_eq(u(a, 2, COLUMN), 1);
    ck_assert_str_eq(s(a, 2, SPEC), "FRAMES BYTES");
    ck_assert_str_eq(s(a, 2, CALC), "FRAMES BYTES");
    ck_assert_uint_eq(u(a, 2, FRAMES), 4);
    ck_assert_uint_eq(u(a, 2, BYTES), 286);
    ck_assert_double_eq_tol(d(a, 2, VALUE), 286, 1e-9);
    ck_assert_str_eq(s(a, 5, CALC), "MAX");
    ck_assert_double_eq_tol(d(a, 5, VALUE), 226, 1e-9);
    ck_assert_double_eq_tol(d(a, 7, END), 0.4, 1e-9); /* the rounded duration */
    ck_assert_int_eq(cshark_analysis_uint(a, 0, VALUE, &(uint64_t){ 0 }), CSHARK_ETYPE);
}
END_TEST

START_TEST(every_calc)
{
    /* tshark -z io,stat,1,COUNT(tcp.len),...: the last row is "7 <> Dur". */
    cshark_analysis *a = attach_run(
        "ndpi__http_auth.pcap",
        "io,stat,1,COUNT(tcp.len),COUNT(tcp.len)tcp.len,AVG(frame.time_delta)frame.time_delta,"
        "SUM(tcp.len)tcp.len,LOAD(frame.time_delta)frame.time_delta,MIN(tcp.len)tcp.len,"
        "MAX(frame.time_delta)frame.time_delta,BYTES()http,FRAMES()tcp");
    const char *text = cshark_analysis_text(a);
    ck_assert_ptr_nonnull(strstr(text, "| Duration: 7. 98356 secs"));
    ck_assert_ptr_nonnull(strstr(text, "|  7 <> Dur|"));
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 8 * 9);
    /* Interval 0: column by column. */
    ck_assert_double_eq_tol(d(a, 0, VALUE), 29, 1e-9);        /* primed by column 2's filter */
    ck_assert_double_eq_tol(d(a, 1, VALUE), 29, 1e-9);
    ck_assert_double_eq_tol(d(a, 2, VALUE), 0.026944, 1e-9);
    ck_assert_double_eq_tol(d(a, 3, VALUE), 18376, 1e-9);
    ck_assert_double_eq_tol(d(a, 4, VALUE), 0.781368, 1e-9);
    ck_assert_str_eq(s(a, 5, CALC), "MIN");
    ck_assert_double_eq_tol(d(a, 5, VALUE), 0, 1e-9);
    ck_assert_double_eq_tol(d(a, 6, VALUE), 0.206403, 1e-9);
    ck_assert_double_eq_tol(d(a, 7, VALUE), 1794, 1e-9);
    ck_assert_uint_eq(u(a, 8, FRAMES), 29);
    /* Interval 5 and the last: LOAD is spread over the intervals it covers. */
    ck_assert_double_eq_tol(d(a, 5 * 9 + 2, VALUE), 2.430915, 1e-9);
    ck_assert_double_eq_tol(d(a, 5 * 9 + 4, VALUE), 1.861829, 1e-9);
    ck_assert_double_eq_tol(d(a, 1 * 9 + 4, VALUE), 1.0, 1e-9);
    ck_assert_double_eq_tol(d(a, 7 * 9 + 4, VALUE), 1.892543, 1e-9);
    ck_assert_double_eq_tol(d(a, 7 * 9, END), 7.098356, 1e-9);
    ck_assert_double_eq_tol(d(a, 5 * 9 + 6, VALUE), 4.861773, 1e-9);
}
END_TEST

START_TEST(whole_capture)
{
    cshark_analysis *a = attach_run("tcpdump__dns_tcp.pcap", "io,stat,0,,udp,tcp");
    ck_assert_ptr_nonnull(strstr(cshark_analysis_text(a), "| Interval: 0.381 secs"));
    size_t n;
    ck_assert_int_eq(cshark_analysis_rows(a, &n), CSHARK_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(s(a, 0, SPEC), "");
    ck_assert_uint_eq(u(a, 0, FRAMES), 11);
    ck_assert_uint_eq(u(a, 0, BYTES), 922);
    ck_assert_uint_eq(u(a, 1, FRAMES), 0);
    ck_assert_uint_eq(u(a, 2, FRAMES), 11);
    ck_assert_double_eq_tol(d(a, 2, END), 0.381, 1e-9);
}
END_TEST

START_TEST(bad_specs)
{
    static const struct {
        const char *spec;
        int rc;
        const char *named;
    } bad[] = {
        { "io,stat", CSHARK_EOPTION, "io,stat,INTERVAL" },
        { "io,stat,x", CSHARK_EOPTION, "io,stat,INTERVAL" },
        { "io,stat,1,", CSHARK_EOPTION, "no comma at the end" },
        { "io,stat,-1", CSHARK_EOPTION, "\"-1\"" },
        { "io,stat,0.0000001", CSHARK_EOPTION, "0.000001" },
        { "io,stat,1,COUNT(nope.nope)", CSHARK_EUNKNOWN_FIELD, "nope.nope" },
        { "io,stat,1,COUNT(tcp.len", CSHARK_EOPTION, "no \")\"" },
        { "io,stat,1,COUNT()tcp", CSHARK_EOPTION, "needs a field" },
        { "io,stat,1,FRAMES(ip)", CSHARK_EOPTION, "takes no field" },
        { "io,stat,1,SUM(ip.src)", CSHARK_EOPTION, "ip.src" },
        { "io,stat,1,LOAD(tcp.len)", CSHARK_EOPTION, "relative times" },
        { "io,stat,1,ip,tcp.port ==", CSHARK_EFILTER, "tcp.port ==" },
    };
    ck_assert_int_eq(cshark_capture_open(&tcap, data_file("tcpdump__dns_tcp.pcap")), CSHARK_OK);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cshark_analysis *a = (cshark_analysis *)&a;
        ck_assert_msg(cshark_capture_analyze(tcap, bad[i].spec, &a) == bad[i].rc, "%s: %s",
                      bad[i].spec, cshark_last_error());
        ck_assert_ptr_null(a);
        ck_assert_msg(strstr(cshark_last_error(), bad[i].named), "%s: %s", bad[i].spec,
                      cshark_last_error());
    }
    /* Nothing was left attached: the capture reads as without them. */
    ck_assert_int_eq(cshark_capture_run(tcap), CSHARK_OK);
}
END_TEST

Suite *iostat_suite(void)
{
    Suite *s = suite_create("iostat");
    TCase *tc = tcase_create("io,stat");
    tcase_add_checked_fixture(tc, NULL, close_tcap);
    tcase_add_test(tc, text_and_rows);
    tcase_add_test(tc, every_calc);
    tcase_add_test(tc, whole_capture);
    tcase_add_test(tc, bad_specs);
    suite_add_tcase(s, tc);
    return s;
}
