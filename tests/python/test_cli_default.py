"""The CLI's default output is tshark's: `cshark -r F` prints byte for byte
what `tshark -n -r F` prints (the summary columns, padded as tshark pads
them, with its arrows), also with -Y, -2 -Y, -c, -T tabs, custom columns
(-o gui.column.format) and live on lo; over tests/data and, when present,
the shared corpus (../shared/corpus beside the repository, or
$CSHARK_CORPUS). One tshark run per capture and mode, beside cshark's.

The PyShark-style line that was the default is -T brief."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import (DATA_DIR, ROOT, TSHARK, assert_no_crash, capture_params, finish,
                      free_port, require_cshark, run, run_parallel, short, tail, udp_socket,
                      wait_until_capturing)

CSHARK = require_cshark()
CORPUS = Path(os.environ.get("CSHARK_CORPUS", ROOT.parent / "shared" / "corpus"))
# A frame whose dissection changes from run to run, in tshark too (see
# test_corpus.py): its line is left out of the comparison.
UNSTABLE = {"ndpi__fuzz-2020-02-16-11740.pcap": 359}

MODES = {
    "default": [],
    "filter-tcp": ["-Y", "tcp"],
    "filter-dns-or-http": ["-Y", "dns || http || frame.len > 300"],
    "two-pass": ["-2", "-Y", "tcp.analysis.flags || dns.response_in"],
    "count": ["-c", "7"],
    "tabs": ["-T", "tabs"],
}

# Column layouts that exercise every rule: arrows both ways and per address
# family, each time format, ports and a custom column (unpadded), escapes.
COLUMN_FORMATS = [
    '"No.","%m","Dst","%d","Src","%s","TTL","%Cus:ip.ttl:0:R","Info","%i"',
    '"Time","%Yt","S","%uhs","D","%uhd","N","%uns","ND","%und","P","%S","Delta","%Tt"',
    '"T","%At","U","%Aut","R","%Rt","DS","%rhd","SS","%rhs","Len","%L"',
    'No.,%m,Source,%s,Destination,%d',
    '"N\\"o", "%m", "Proto", "%p", "Info", "%i", "No.", "%m"',
]

# Hidden columns (gui.column.hidden): skipped, but tshark still decides the
# separator after a column by the next one in gui.column.format, hidden or
# not; custom columns match with occurrence 0 and resolution R by default.
CUSTOM = ('"No.","%m","Time","%t","TTL","%Cus:ip.ttl:0:R","TTL2","%Cus:ip.ttl:0:U",'
          '"Src","%s","Dst","%d","N2","%m"')
HIDDEN = [(None, "%t"), (None, "%i"), (None, "%d"), (None, "%t, %s"), (None, '"%d"'),
          (CUSTOM, "%Cus:ip.ttl"), (CUSTOM, "%m"), (CUSTOM, " %d ,%Cus:ip.ttl:0:U")]


def without_line(stdout, number):
    """STDOUT without the line of frame NUMBER (the first column)."""
    lines = stdout.split(b"\n")
    return b"\n".join(l for l in lines if l.split(None, 1)[:1] != [str(number).encode()])


def assert_same(args, capture, unstable=None):
    """tshark -n ARGS and cshark ARGS print the same bytes and exit alike."""
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert_no_crash(result)
    assert result.returncode == oracle.returncode, \
        f"tshark exited {oracle.returncode}, cshark {result.returncode}: {tail(result.stderr)}"
    expected, actual = oracle.stdout, result.stdout
    if unstable:
        expected, actual = without_line(expected, unstable), without_line(actual, unstable)
    if actual != expected:
        want, got = expected.splitlines(), actual.splitlines()
        for i, (a, b) in enumerate(zip(want, got)):
            if a != b:
                pytest.fail(f"{capture.name} {args[:-2]}: line {i + 1}\n tshark {short(a, 300)}"
                            f"\n cshark {short(b, 300)}", pytrace=False)
        pytest.fail(f"{capture.name} {args[:-2]}: tshark prints {len(want)} lines, cshark "
                    f"{len(got)}", pytrace=False)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("capture", capture_params())
def test_like_tshark(capture, mode):
    assert_same([*MODES[mode], "-r", capture], capture)


@pytest.mark.parametrize("fmt", COLUMN_FORMATS, ids=range(len(COLUMN_FORMATS)))
@pytest.mark.parametrize("name", ["tcpdump__dns_tcp.pcap", "ndpi__rtp.pcapng",
                                  "libpcap__rarp_req_reply.pcapng", "tcpdump__icmpv6.pcap"])
def test_column_formats(name, fmt):
    capture = DATA_DIR / name
    assert_same(["-o", f"gui.column.format:{fmt}", "-r", capture], capture)


@pytest.mark.parametrize("fmt,hidden", HIDDEN, ids=range(len(HIDDEN)))
@pytest.mark.parametrize("name", ["tcpdump__dns_tcp.pcap", "ndpi__rtp.pcapng"])
def test_hidden_columns(name, fmt, hidden):
    capture = DATA_DIR / name
    options = ["-o", f"gui.column.format:{fmt}"] if fmt else []
    assert_same([*options, "-o", f"gui.column.hidden:{hidden}", "-r", capture], capture)


@pytest.mark.parametrize("fmt,hidden", HIDDEN[:3], ids=range(3))
def test_columns_of_a_preferences_file(tmp_path, fmt, hidden):
    """Columns set in the profile's preferences file, not with -o: the
    layout still follows their formats."""
    prefs = [f"gui.column.hidden: {hidden}"]
    if fmt:
        prefs.append(f"gui.column.format: {fmt}")
    (tmp_path / "preferences").write_text("\n".join(prefs) + "\n")
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=str(tmp_path))
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    oracle = subprocess.run([TSHARK, "-n", "-r", capture], capture_output=True, env=env)
    result = subprocess.run([CSHARK, "-r", capture], capture_output=True, env=env)
    assert oracle.returncode == 0 and oracle.stdout
    assert result.stdout == oracle.stdout, tail(result.stderr)


def test_brief_keeps_the_old_line():
    """-T brief (and its old name, -T summary) is the PyShark-style line."""
    capture = DATA_DIR / "tcpdump__ntp.pcap"
    brief, summary = (run([CSHARK, "-T", t, "-r", capture]) for t in ("brief", "summary"))
    assert brief.returncode == 0, tail(brief.stderr)
    first = brief.stdout.decode().splitlines()[0]
    assert re.fullmatch(r"UDP  192\.168\.100\.2:58054 --> 192\.168\.100\.1:123  "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.230949  1497881530\.230949000", first), \
        first
    assert summary.stdout == brief.stdout


def test_help_names_the_outputs():
    out = run([CSHARK, "--help"]).stdout.decode()
    assert "text|tabs|brief|" in out and "brief:" in out, out


def corpus_captures():
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.name.endswith((".pcap", ".pcapng")))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("capture", corpus_captures(), ids=lambda p: p.name)
@pytest.mark.parametrize("mode", ["default", "filter-tcp"])
def test_corpus_like_tshark(capture, mode):
    assert_same([*MODES[mode], "-r", capture], capture, UNSTABLE.get(capture.name))


def test_live_lines_like_tshark(tmp_path):
    """Live on lo, cshark's lines are tshark's lines for the frames it wrote
    (-w): the same time column (relative to the first frame) and all."""
    if os.geteuid() != 0:
        pytest.skip("live capture needs root (or CAP_NET_RAW)")
    port, count, pcap = free_port(), 6, tmp_path / "live.pcapng"
    proc = subprocess.Popen([CSHARK, "-i", "lo", "-f", f"udp port {port}", "-c", str(count),
                             "-w", str(pcap)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until_capturing(proc)
    with udp_socket() as s:
        for i in range(count):
            s.sendto(f"cshark-default-{i}".encode(), ("127.0.0.1", port))
    status, out, err = finish(proc, 20)
    assert status == 0, f"cshark exited {status}: {tail(err)}"
    oracle = run([TSHARK, "-n", "-r", pcap])
    assert oracle.returncode == 0, tail(oracle.stderr)
    assert len(out.splitlines()) == count, short(out, 600)
    assert out == oracle.stdout, f"cshark {short(out, 600)}\ntshark {short(oracle.stdout, 600)}"
