#!/usr/bin/env bash
# Runs every test: every suite in build/ (the Check suite, the pytest suites
# against tshark, the Valgrind runs), then under AddressSanitizer in
# build-asan/ the suites where ASan can find something (tests/meson.build:
# unit, cli, binding, live, modes), then the pip install. Builds what is
# missing first. tshark's reference outputs are computed once, in build/,
# and build-asan/ reads them from there (-Dtshark_refs).
# The edit loop is shorter: meson test -C build --suite unit --suite cli
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs
# The binding is built here too; its tests preload ASan's runtime into the
# uninstrumented /usr/bin/python3 (tests/meson.build).
asan=(-Db_sanitize=address -Db_lundef=false -Dtshark_refs="$PWD/build/tests/tshark-refs")
if [ -d build-asan ]; then meson setup --reconfigure build-asan "${asan[@]}"
else meson setup build-asan "${asan[@]}"; fi
meson compile -C build-asan
meson test -C build-asan --print-errorlogs
# The binding installs with pip through meson-python (no network: Debian's
# meson-python, no build isolation) and imports from the installed copy.
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$venv"
# (The C tests are not built there: they ran above.)
"$venv/bin/pip" install -q --no-build-isolation --config-settings=setup-args=-Dtests=disabled .
repo=$PWD
(cd "$venv" && "$venv/bin/python" - "$repo" <<'PY'
import sys, cshark
assert cshark.__file__.startswith(sys.prefix), cshark.__file__  # the installed copy
path = sys.argv[1] + "/tests/data/ndpi__http_auth.pcap"
got = [(p.number, p.http.host) for p in cshark.FileCapture(path, display_filter="http.request")]
assert got == [("4", "browserspy.dk")] or got == [(4, "browserspy.dk")], got
print("pip install: 1 passed, 0 failed")
PY
)
