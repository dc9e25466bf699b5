/* Check suites of the C API. Expected values were taken from tshark 4.0.17
 * (`tshark -n -T pdml` / `-T fields`) on the same captures.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_TESTS_H
#define CSHARK_TESTS_H

#include <check.h>

#include "cshark/cshark.h"

Suite *api_suite(void);
Suite *tree_suite(void);
Suite *errors_suite(void);
Suite *session_suite(void);
Suite *live_suite(void);
Suite *sources_suite(void);
Suite *ahead_suite(void);
Suite *analysis_suite(void);
Suite *helpers_suite(void);
Suite *iostat_suite(void);
Suite *threads_suite(void);

/* Path of a file in tests/data (static buffer, valid until the next call). */
const char *data_file(const char *name);

/* The capture a test works on; the teardown fixture closes it even when an
 * assertion fails (tests run without fork: the engine is process-global). */
extern cshark_capture *tcap;
void close_tcap(void);

/* Open NAME from tests/data into tcap and read up to frame NUMBER; the packet
 * is the capture's (valid until the next read or close). */
cshark_packet *read_frame(const char *name, uint32_t number);

/* Show of the first occurrence of FIELD, or NULL. */
const char *show_of(cshark_packet *pkt, const char *field);

#endif
