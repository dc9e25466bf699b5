"""The CLI's -T brief output, one line per packet (PyShark's conversation
header): "PROTO  SRC:PORT --> DST:PORT  local date and time  epoch".  Every
value is derived from tshark -n -T fields on the same capture: the transport
is UDP before TCP (PyShark's transport_layer), else the last protocol of
frame.protocols; the address is the first of ip, ipv6, ARP, Ethernet, 802.11
and Linux cooked addresses that the packet has."""
import datetime
import re
import time

import pytest

from helpers import (DATA_DIR, TSHARK, Y2105, assert_no_crash, captures, changed_copy,
                     require_cshark, run, run_parallel, short)

CSHARK = require_cshark()

SOURCES = ["ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src", "wlan.sa", "sll.src.eth"]
DESTINATIONS = ["ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst", "wlan.da"]
PORTS = ["udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport"]
FIELDS = ["frame.protocols", "frame.time_epoch", *SOURCES, *DESTINATIONS, *PORTS]
EPOCH = re.compile(r"^(\d+)\.(\d{9})$")


@pytest.fixture(autouse=True)
def odd_time_zone(monkeypatch):
    """Local time at UTC+3:30 (a POSIX TZ, no tzdata needed), for the CLI and
    for the expected lines, so that a UTC shortcut would show."""
    monkeypatch.setenv("TZ", "CSH-3:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def local(seconds):
    return datetime.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def expected_line(row):
    value = dict(zip(FIELDS, row))
    layers = value["frame.protocols"].split(":") if value["frame.protocols"] else []
    transport = "udp" if "udp" in layers else "tcp" if "tcp" in layers else None
    proto = transport or (layers[-1] if layers else "?")

    def endpoint(names, port):
        addr = next((value[n] for n in names if value[n]), "-")
        port = value[f"{transport}.{port}"] if transport else ""
        return f"{addr}:{port}" if port else addr

    match = EPOCH.match(value["frame.time_epoch"])
    if not match:  # an invalid time stamp: see test_invalid_time_stamps
        return None
    seconds, nanos = match.groups()
    return (f"{proto.upper()}  {endpoint(SOURCES, 'srcport')} --> "
            f"{endpoint(DESTINATIONS, 'dstport')}  {local(int(seconds))}.{nanos[:6]}  "
            f"{seconds}.{nanos}")


@pytest.mark.parametrize("path", captures(), ids=lambda p: p.name)
def test_summary_lines(path):
    args = ["-T", "fields", "-E", "occurrence=f", "-r", path]
    for name in FIELDS:
        args += ["-e", name]
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, "-T", "brief", "-r", path]])
    assert oracle.returncode == 0, oracle.stderr.decode(errors="replace")
    assert_no_crash(result)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    rows = [line.split("\t") for line in oracle.stdout.decode().splitlines()]
    lines = result.stdout.decode().splitlines()
    assert len(lines) == len(rows), f"{len(lines)} lines for {len(rows)} packets"
    for number, (row, line) in enumerate(zip(rows, lines), 1):
        expected = expected_line(row)
        if expected is not None:
            assert line == expected, f"frame {number}: {short(line, 300)}"


def test_invalid_time_stamps():
    """Nanoseconds out of range (a fuzzed pcap) are printed as the capture
    has them, as PDML's geninfo timestamp does, not normalised."""
    path = DATA_DIR / "tcpdump__timestamp_invalid_nano.pcap"
    result = run([CSHARK, "-T", "brief", "-r", path])
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    when = local(1418145370)
    assert result.stdout.decode().splitlines()[1:] == [
        f"TCP  137.116.81.94:80 --> 131.155.215.69:46656  {when}.1000000  1418145370.1000000000",
        f"TCP  131.155.215.69:46656 --> 137.116.81.94:80  {when}.-2147483  1418145370.-2147483648",
    ]


def test_time_after_2038(tmp_path):
    """The true time, as frame.time_epoch has it, where PDML's geninfo (and so
    PyShark's sniff_timestamp) wraps around."""
    test_summary_lines(changed_copy(tmp_path, "y2105.pcap", 0, Y2105))
    first = run([CSHARK, "-T", "brief", "-c", "1", "-r", tmp_path / "y2105.pcap"]).stdout.decode()
    assert first.rstrip().endswith("  4290980367.720289000"), first
