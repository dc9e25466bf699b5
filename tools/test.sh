#!/usr/bin/env bash
# Runs every test: the Check suite, the conformance suite against tshark and
# the Valgrind runs (build/), then the same suites under AddressSanitizer
# (build-asan/). Builds what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs
# The Python binding is not built here: an ASan-instrumented extension cannot
# load into the uninstrumented /usr/bin/python3.
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address -Db_lundef=false -Dpython=disabled
meson compile -C build-asan
meson test -C build-asan --print-errorlogs
