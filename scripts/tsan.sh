#!/usr/bin/env bash
# The threaded tests under ThreadSanitizer (issue 19, "Threads"): builds
# build-tsan/ with clang (-fsanitize=thread; libwireshark, GLib and libpcap
# are Debian's, not instrumented, so what TSan watches is cshark's code and
# the tests') and runs the Check suites that use threads: "threads" (the
# busy guard, many threads allowed and refused: tests/c/test_threads.c)
# and "ahead" (reading ahead beside cshark_capture_next). Any report fails
# (TSan exits 66). No suppressions are needed today; tests/tsan.supp says
# why and takes any that come. docs/RELIABILITY.md, "Threads", has figures.
set -euo pipefail
cd "$(dirname "$0")/.."
tsan=(-Db_sanitize=thread -Db_lundef=false -Dpython=disabled)
if [ -d build-tsan ]; then meson setup --reconfigure build-tsan "${tsan[@]}" >/dev/null
else CC=clang meson setup build-tsan "${tsan[@]}" >/dev/null; fi
ninja -C build-tsan tests/test_api
export CSHARK_TEST_DATA="$PWD/tests/data" WIRESHARK_CONFIG_DIR=/nonexistent/cshark-tests \
       LC_ALL=C.UTF-8 TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
for suite in threads ahead; do
    CK_RUN_SUITE=$suite build-tsan/tests/test_api
done
