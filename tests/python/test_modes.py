"""The CLI on every test capture (the bad ones too) in every output mode,
for what a sanitizer sees: each run must end by itself with tshark's exit
status for the capture (0, or 2 for a capture cut short) and no crash or
sanitizer report on stderr. Outputs are not compared: the conformance
suite does that, byte for byte, in the plain build; this one runs in
build-asan/ (tests/meson.build), where every C path of the printers is
worth running once more under AddressSanitizer and UBSan-like checks."""

import pytest

from helpers import BAD_DIR, assert_no_crash, captures, require_cshark, run_parallel, tail

CSHARK = require_cshark()

# One run per printer (cli/print_*.c): the summary line, the tree (-V),
# -T fields on the fast path and with a tree (a protocol, the engine's own
# items and the columns), JSON, PDML and PSML; a second pass (-2) and a
# display filter ride along on some of them.
MODES = {
    "summary": [],
    "verbose": ["-V"],
    "fields": ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "tcp.flags",
               "-e", "dns.qry.name", "-e", "data.data"],
    "fields-tree": ["-T", "fields", "-E", "header=y", "-E", "occurrence=a", "-e", "ip",
                    "-e", "_ws.expert.message", "-e", "_ws.col.Info", "-e", "frame.time_epoch"],
    "json-filter": ["-Y", "frame.number > 1", "-T", "json"],
    "pdml-two-pass": ["-2", "-T", "pdml"],
    "psml": ["-T", "psml"],
}
BAD = sorted(BAD_DIR.iterdir())
# tshark's exit status on each capture of tests/data/bad.
BAD_STATUS = {"libpcap__pcap-invalid-version-2.pcap": 0, "ndpi__fuzz-2021-10-13.pcap": 2}


@pytest.mark.parametrize("capture", [pytest.param(p, id=p.name) for p in captures() + BAD])
def test_every_mode_runs_clean(capture):
    status = BAD_STATUS[capture.name] if capture.parent == BAD_DIR else 0
    results = run_parallel([[CSHARK, *flags, "-r", capture] for flags in MODES.values()])
    failures = []
    for mode, result in zip(MODES, results):
        assert_no_crash(result)
        if result.returncode != status:
            failures.append(f"{mode}: exit {result.returncode} (expected {status}): "
                            f"{tail(result.stderr, 300)}")
    assert not failures, f"{capture.name}: " + "; ".join(failures)
