"""Capture.io_stat(): tshark's -z io,stat as typed rows (IoStatRow), one per
interval and column, whose numbers are those of tshark's table."""
import os
import re
import subprocess

import pytest

from helpers import DATA_DIR, TSHARK

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")

DELTA = "frame.time_delta"
CASES = [
    ("ndpi__http_auth.pcap", 1,
     ["COUNT(tcp.len)tcp.len", f"AVG({DELTA}){DELTA}", "SUM(tcp.len)tcp.len",
      f"LOAD({DELTA}){DELTA}", "MIN(tcp.len)tcp.len && tcp.len > 0", f"MAX({DELTA}){DELTA}",
      "BYTES()http", "FRAMES()tcp", "tcp"]),
    ("tcpdump__dns_tcp.pcap", 0.1, ["FRAMES BYTES", "MAX(tcp.len)tcp.len", None, "udp"]),
    ("tcpdump__dns_tcp.pcap", 0, None),
    ("tcpdump__vxlan.pcap", "0.25",
     ["MAX(icmp.resptime)icmp.resptime && frame.number < 3", "SUM(icmp.resptime)icmp.resptime",
      "SUM(frame.encap_type)frame.encap_type", "AVG(ip.ttl)ip.ttl"]),
    ("ndpi__webdav.pcap", "0", ["SUM(tcp.len)tcp.len", "MIN(ip.ttl)ip.ttl", "COUNT(ip.ttl)"]),
]


def tshark_table(capture, interval, columns):
    """tshark's table: [(start, end, [cell strings])] per row."""
    spec = f"io,stat,{interval}" + "".join(
        "," + (c if c is not None else "") for c in columns or [])
    # Not through the reference cache, and without meson's MALLOC_PERTURB_:
    # tshark's double columns (icmp.resptime) lay out from memory it never
    # set, which that pattern fills (docs/API.md; test_cli_iostat.py's
    # test_double_columns).
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
    out = subprocess.run([TSHARK, "-n", "-q", "-z", spec, "-r", str(capture)],
                         capture_output=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = []
    for line in out.stdout.decode().splitlines():
        m = re.match(r"\| *([0-9.]+) <> *([0-9.]+|Dur) *\|(.*)\|$", line)
        if m:
            rows.append((m.group(1), m.group(2), [c.strip() for c in m.group(3).split("|")]))
    return rows


def decimals(text):
    return len(text.partition(".")[2])


@pytest.mark.parametrize("name,interval,columns", CASES)
def test_rows_are_tsharks_numbers(name, interval, columns):
    capture = DATA_DIR / name
    with cshark.FileCapture(capture) as cap:
        rows = cap.io_stat(interval, columns)
    table = tshark_table(capture, interval, columns)
    ncols = len(columns or [None])
    assert len(rows) == len(table) * ncols and table
    for i, (start, end, cells) in enumerate(table):
        mine = rows[i * ncols:(i + 1) * ncols]
        assert [r.interval for r in mine] == [i] * ncols
        assert [r.column for r in mine] == list(range(1, ncols + 1))
        assert abs(mine[0].start - float(start)) <= 0.5 * 10 ** -decimals(start) + 1e-9
        if end != "Dur":
            assert abs(mine[0].end - float(end)) <= 0.5 * 10 ** -decimals(end) + 1e-9
        for r in mine:
            if r.calc == "FRAMES BYTES":
                assert int(cells.pop(0)) == r.frames, (i, r)
            shown = cells.pop(0)
            if r.calc == "FRAMES":
                assert int(shown) == r.frames == r.value, (i, r)
            elif r.frames == 0 and r.calc != "LOAD":
                # Nothing counted: 0, where tshark's table may show a stale
                # double (docs/API.md: tshark's printf there reads an unset register).
                assert r.value == 0 and (float(shown) == 0 or r.calc != "COUNT"), (i, r)
            elif isinstance(r.value, int):
                assert int(shown) == r.value, (i, r)
            else:
                assert f"{r.value:.6f}" == shown or float(shown) == r.value, (i, r, shown)
        assert all(not c for c in cells)  # the filler, if any


def test_row_types_and_columns():
    with cshark.FileCapture(DATA_DIR / "tcpdump__dns_tcp.pcap") as cap:
        rows = cap.io_stat(0.1, ["FRAMES BYTES", "AVG(tcp.len)tcp.len", ""])
    first = rows[0]
    assert type(first) is cshark.capture.analyses.IoStatRow
    assert first._fields == ("interval", "start", "end", "column", "spec", "calc", "frames",
                             "bytes", "value")
    assert (first.spec, first.calc, first.frames, first.bytes, first.value) == \
        ("FRAMES BYTES", "FRAMES BYTES", 1, 74, 74)
    assert isinstance(first.value, int) and isinstance(rows[1].value, float)
    assert isinstance(first.start, float) and isinstance(first.end, float)
    # A last column left empty is frames and bytes of every packet.
    assert (rows[2].spec, rows[2].calc, rows[2].frames) == ("", "FRAMES BYTES", 1)
    assert rows[-1].end == pytest.approx(0.4)  # the duration, rounded as tshark shows it


def test_bad_arguments():
    with cshark.FileCapture(DATA_DIR / "tcpdump__dns_tcp.pcap") as cap:
        with pytest.raises(cshark.FieldError, match="nope.nope"):
            cap.io_stat(1, ["COUNT(nope.nope)"])
        with pytest.raises(cshark.OptionError, match="io,stat,INTERVAL"):
            cap.io_stat("x")
        with pytest.raises(cshark.FilterError, match="tcp.port =="):
            cap.io_stat(1, ["tcp.port =="])
        with pytest.raises(TypeError):
            cap.io_stat(None)
