/* What the fuzz targets share: the engine started once per process, inputs
 * turned into files and strings, and a packet walked through every public
 * reading call.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CSHARK_FUZZ_COMMON_H
#define CSHARK_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cshark/cshark.h"

/* LLVMFuzzerInitialize's work: quiet engine logs, cshark_init() without the
 * user's profile, and one capture read to the end (the engine's first-use
 * state, so that it is not counted against the first input). */
void fuzz_init(void);

/* The small checked-in capture (fuzz/data/small.pcap) the filter, option and
 * analysis targets run on. */
const char *fuzz_small_capture(void);

/* A path whose contents are DATA (a memfd, reused by every call). */
const char *fuzz_file(const uint8_t *data, size_t size);

/* DATA as a NUL-terminated string (NULs inside end it); free() it. */
char *fuzz_string(const uint8_t *data, size_t size);

/* /dev/null, for the printers. */
FILE *fuzz_null(void);

/* Every public call that reads a packet: its facts, columns, layers, every
 * item (attributes, strings, typed values) and field look-ups by the items'
 * names. */
void fuzz_walk_packet(cshark_packet *pkt);

/* Known leaks of libwireshark 4.0.17 (docs/RELIABILITY.md, "Engine
 * findings"), which tshark has too: allocations made while
 * fuzz_engine_leaks_begin() is in force are not reported by LeakSanitizer.
 * TEXT is what the input asks for: only an input with a known trigger in it
 * is let off, so that leaks of cshark's own stay visible everywhere else.
 *   "plen,tree"  the stats_tree plugin's plen init drops its range array
 *                (80 bytes a capture)
 *   "uat:"       a user-table record given as a preference: the record
 *                parser drops a string (8 bytes)
 *   "dfilter:"   a display filter the engine refuses: its compiler drops an
 *                error message on some syntax errors ("frame[0:=2] == 1"),
 *                which cannot be told from the text beforehand; the targets
 *                pass "dfilter:" around cshark_filter_check() only */
int fuzz_engine_leaks_begin(const char *text);
void fuzz_engine_leaks_end(int begun);

/* Whether the engine refuses a display filter, or the -z SPEC for its
 * filter, asked with leak checks off (the "dfilter:" leak above). The
 * targets pass on only what these accept, so that the calls that follow are
 * leak-checked; the refusal paths in cshark are run here and by
 * fuzz_filter's check. No capture may be open. */
int fuzz_filter_refused(const char *filter);
int fuzz_spec_refused(const char *spec);

/* Read CAP to the end, walking each packet when WALK; the last status. */
int fuzz_read_all(cshark_capture *cap, int walk);

#endif
