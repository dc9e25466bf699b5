"""Display filters with the other outputs (-T fields deltas, -T json, -V),
-c with -Y, invalid filters (cshark must fail like tshark, before any packet,
with tshark's message in cshark's stderr), --check-filter, and comparisons
tshark 4.0.17 crashes on (the table of filters against tshark:
test_conformance_filters.py)."""

import re

import pytest

from helpers import (DATA_DIR, TSHARK, assert_exits_zero, assert_no_crash,
                     fields_difference, first_line_difference, frame_numbers,
                     json_lines_difference, missing_error_lines, require_cshark, run,
                     run_parallel, short, tail, tshark_error_lines)

CSHARK = require_cshark()

# (filter, what is wrong with it).  tshark 4.0.17 refuses each one.
INVALID_FILTERS = [
    ("foo", "unknown field"),
    ("tcp.port ==", "syntax: missing value"),
    ("tcp.port > > 1", "syntax: operator twice"),
    ("(tcp", "syntax: unbalanced parenthesis"),
    ('http.host == "abc', "unterminated string"),
    ('ip.src == "abc"', "type mismatch"),
    ("tcp.port contains 80", "operator not defined for the type"),
    ('ip.addr matches "x"', "matches on an address"),
    ("eth.src[1:x] == 00", "bad slice"),
    ("frobnicate(tcp.port) == 1", "unknown function"),
    ("tcp.port == 99999999999", "value out of range"),
    ("tcp.port in {80 443}", "set without commas (required in 4.0)"),
    ("eth.src[0:3] == 00:0c:2", "bad byte string"),
    ('http.host matches "(unclosed"', "bad regular expression"),
]

GOOD = DATA_DIR / "tcpdump__dns_tcp.pcap"


# ---------------------------------------------------------------------------
# The displayed set in other outputs, and -c
# ---------------------------------------------------------------------------

def filter_cases(cases):
    """(filter, capture, two_pass) cases as parameters named "[-2 ]FILTER@CAPTURE"."""
    return [pytest.param(t, n, p, id=f"{'-2 ' if p else ''}{t}@{n}") for t, n, p in cases]


DELTA_FIELDS = ["frame.number", "frame.time_delta_displayed", "frame.time_delta",
                "frame.time_relative"]

DELTA_CASES = [
    ("dns", "ndpi__dns_fragmented.pcap", False),
    ("tcp.port == 80", "ndpi__conncheck.pcap", False),
    ("frame.time_delta_displayed > 0.1 || frame.number == 1", "ndpi__badpackets.pcap", False),
    # Displays nothing in tshark: the first frame's delta is 0, and each later
    # one is compared with the last displayed frame, of which there is none.
    ("frame.time_delta_displayed > 0.1", "ndpi__conncheck.pcap", False),
    ("http", "ndpi__webdav.pcap", True),
]


@pytest.mark.parametrize("text,name,two_pass", filter_cases(DELTA_CASES))
def test_time_delta_displayed(text, name, two_pass):
    """-Y with -T fields: deltas follow the displayed frames, as in tshark."""
    cap = DATA_DIR / name
    args = (["-2"] if two_pass else []) + ["-Y", text, "-T", "fields"]
    args += [a for f in DELTA_FIELDS for a in ("-e", f)] + ["-r", cap]
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert oracle.returncode == 0, f"tshark failed: {tail(oracle.stderr)}"
    assert_exits_zero(result)
    diff = fields_difference(DELTA_FIELDS, oracle.stdout, result.stdout)
    if diff:
        pytest.fail(f"-Y {text!r} on {name}: {diff}", pytrace=False)


JSON_CASES = [
    ("http", "ndpi__webdav.pcap", False),
    ("dns", "ndpi__dns_fragmented.pcap", False),
    ("http", "ndpi__http_auth.pcap", True),
]


@pytest.mark.parametrize("text,name,two_pass", filter_cases(JSON_CASES))
def test_filter_json(text, name, two_pass):
    """-Y with -T json: the displayed packets' trees equal tshark's PDML."""
    cap = DATA_DIR / name
    mode = ["-2"] if two_pass else []
    oracle, result, everything = run_parallel([
        [TSHARK, "-n", *mode, "-Y", text, "-T", "pdml", "-r", cap],
        [CSHARK, *mode, "-Y", text, "-T", "json", "-r", cap],
        [TSHARK, "-n", "-T", "fields", "-e", "frame.number", "-r", cap]])
    assert oracle.returncode == 0, f"tshark failed: {tail(oracle.stderr)}"
    shown = oracle.stdout.count(b"<packet>")
    assert 0 < shown < len(frame_numbers(everything.stdout)), \
        f"{text!r} displays {shown} packets of {name}: the case proves nothing"
    assert_exits_zero(result)
    diff = json_lines_difference(oracle.stdout, result.stdout, f"-Y {text!r} on {name}")
    if diff:
        pytest.fail(diff, pytrace=False)


def test_filter_verbose():
    """-Y with -V: byte for byte tshark's trees of the displayed packets."""
    args = ["-Y", "http", "-V", "-r", DATA_DIR / "ndpi__http_auth.pcap"]
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert oracle.returncode == 0 and oracle.stdout, f"tshark failed: {tail(oracle.stderr)}"
    assert_exits_zero(result)
    diff = first_line_difference(oracle.stdout, result.stdout)
    if diff:
        index, expected, actual = diff
        pytest.fail(f"-Y http -V, line {index + 1}: tshark {short(expected)} "
                    f"!= cshark {short(actual)}", pytrace=False)


def test_count_counts_records_read():
    """-c 10 -Y dns stops after 10 packets READ, so fewer than 10 are shown."""
    args = ["-c", "10", "-Y", "dns", "-T", "fields", "-e", "frame.number", "-e", "dns.qry.name",
            "-r", DATA_DIR / "ndpi__dns_fragmented.pcap"]
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert oracle.returncode == 0, f"tshark failed: {tail(oracle.stderr)}"
    shown = len(oracle.stdout.splitlines())
    assert 0 < shown < 10, f"tshark shows {shown} packets: the case proves nothing"
    assert_exits_zero(result)
    diff = fields_difference(["frame.number", "dns.qry.name"], oracle.stdout, result.stdout)
    if diff:
        pytest.fail(f"-c 10 -Y dns: {diff}", pytrace=False)


# ---------------------------------------------------------------------------
# Invalid filters and --check-filter
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,problem",
                         [pytest.param(t, p, id=t) for t, p in INVALID_FILTERS])
def test_invalid_filter(text, problem):
    args = ["-Y", text, "-T", "fields", "-e", "frame.number", "-r", GOOD]
    oracle, result, check = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args],
                                          [CSHARK, "--check-filter", text]])
    expected = tshark_error_lines(oracle.stderr)
    assert oracle.returncode != 0 and expected, \
        f"tshark accepts {text!r} ({problem}); the test assumes an error"
    for what, res in (("-Y", result), ("--check-filter", check)):
        assert_no_crash(res)
        # tshark's status for a bad filter, 2 (1 is a bad option).
        assert res.returncode == oracle.returncode == 2, \
            f"cshark {what} {text!r} ({problem}) exited {res.returncode}"
        assert res.stdout == b"", \
            f"cshark {what} {text!r} printed on stdout: {short(res.stdout)}"
        missing = missing_error_lines(expected, res.stderr)
        if missing:
            pytest.fail(f"{what} {text!r} ({problem}): {missing}", pytrace=False)


VALID_CHECKS = ["tcp.port == 80", "http.response_in",
                'upper(http.request.method) == "GET" && ip.addr in {10.0.0.0/8, 192.168.0.4}']


@pytest.mark.parametrize("text", VALID_CHECKS)
def test_check_filter_valid(text):
    result = run([CSHARK, "--check-filter", text])
    assert_no_crash(result)
    assert result.returncode == 0, \
        f"--check-filter {text!r} exited {result.returncode}: {tail(result.stderr)}"
    assert result.stdout == b"", f"--check-filter printed on stdout: {short(result.stdout)}"


# ---------------------------------------------------------------------------
# Comparisons tshark 4.0.17 crashes on
# ---------------------------------------------------------------------------

# The expert-info items (_ws.expert) are protocol items without bytes, and
# the engine's ==, !=, ordering and `in` on them strcmp() a NULL: tshark -Y
# '_ws.expert == "x"' dies of SIGSEGV on any capture with expert info. cshark
# compares them as no bytes (src/filter.c). The expected frames derive from
# tshark's own -Y _ws.expert.
NO_BYTES_CASES = [
    ('_ws.expert == "x"', "none"),
    ('_ws.expert != "x"', "all"),
    ('_ws.expert < 01', "all"),
    ('_ws.expert == ""', "all"),
    ('_ws.expert == _ws.expert', "all"),
    ('_ws.expert in {01, 02}', "none"),
    ('_ws.expert in {"", 02}', "all"),
    ('_ws.expert == 01 || dns', "dns"),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=t) for t, e in NO_BYTES_CASES])
def test_protocol_without_bytes_compared(text, expected):
    cap = DATA_DIR / "ndpi__http_auth.pcap"
    args = ["-T", "fields", "-e", "frame.number", "-r", cap]
    with_expert, dns, result = run_parallel([[TSHARK, "-n", "-Y", "_ws.expert", *args],
                                             [TSHARK, "-n", "-Y", "dns", *args],
                                             [CSHARK, "-Y", text, *args]])
    frames = {"none": [], "all": frame_numbers(with_expert.stdout),
              "dns": frame_numbers(dns.stdout)}[expected]
    assert frame_numbers(with_expert.stdout), "the capture no longer has expert info"
    assert_no_crash(result)
    assert result.returncode == 0, tail(result.stderr)
    assert frame_numbers(result.stdout) == frames


# The engine logs `matches` on those items (a NULL subject) in tshark and in
# cshark alike. Its log lines name the program as tshark's do: "** (cshark:PID)"
# where tshark writes "** (tshark:PID)", the message after the time equal.
def test_engine_log_lines_name_the_program():
    args = ["-Y", '_ws.expert matches "x"', "-T", "fields", "-e", "frame.number",
            "-r", DATA_DIR / "ndpi__http_auth.pcap"]
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    # Not assert_no_crash: these CRITICAL lines are expected, and compared.
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    assert frame_numbers(result.stdout) == frame_numbers(oracle.stdout) == []
    line = re.compile(r" \*\* \((\w+):\d+\) [\d:.]+ (.*)")

    def logged(stderr, program):
        found = [line.match(text) for text in stderr.decode("utf-8", "replace").splitlines()]
        found = [m for m in found if m]
        assert found and {m.group(1) for m in found} == {program}, tail(stderr)
        return [m.group(2) for m in found]

    assert logged(result.stderr, "cshark") == logged(oracle.stderr, "tshark")
