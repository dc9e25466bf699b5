"""Analyses across packets from Python (Capture.analyze, conversations,
endpoints, protocol_hierarchy, expert_info, follow, statistics, credentials,
export_objects): tshark's text and typed rows with tshark's numbers, whether
or not the capture was iterated."""
import datetime
import filecmp
import subprocess

import pytest

from helpers import DATA_DIR, TSHARK, tshark
from helpers.binding import CONNCHECK, DNS_TCP, HTTP

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


def tshark_text(capture, *specs, options=()):
    """tshark -q's output for SPECS, one string per spec (in the order given)."""
    out = []
    for spec in specs:
        result = tshark("-q", *options, "-z", spec, "-r", capture)
        assert result.returncode == 0, result.stderr
        out.append(result.stdout.decode())
    return out


@pytest.mark.parametrize("name", ["tcpdump__dns_tcp.pcap", "ndpi__webdav.pcap",
                                  "ndpi__conncheck.pcap", "tcpdump__icmpv6.pcap"])
def test_texts_are_tsharks(name):
    capture = DATA_DIR / name
    specs = ("conv,tcp", "endpoints,ip", "conv,udp", "io,phs", "expert", "dns,tree",
             "follow,tcp,ascii,0", "credentials")
    with cshark.FileCapture(capture) as cap:
        results = cap.analyze(*specs)
    assert [r.spec for r in results] == list(specs)
    assert [r.text for r in results] == tshark_text(capture, *specs)


def test_conversations_and_endpoints_typed():
    with cshark.FileCapture(DNS_TCP) as cap:
        [conv] = cap.conversations("tcp")
        ends = cap.endpoints("tcp")
        [ip] = cap.conversations("ip")
    assert (conv.address_a, conv.port_a, conv.address_b, conv.port_b) == \
        ("192.168.1.11", 33779, "209.87.249.18", 53)
    assert (conv.frames_a_to_b, conv.bytes_a_to_b, conv.frames_b_to_a, conv.bytes_b_to_a) == \
        (6, 402, 5, 520)
    assert (conv.frames, conv.bytes, conv.stream) == (11, 922, 0)
    assert conv.start == 0.0 and abs(conv.duration - 0.3810) < 5e-5
    # frame 1's time, from tshark
    first = tshark("-r", DNS_TCP, "-c", "1", "-T", "fields", "-e", "frame.time_epoch")
    assert conv.start_time == datetime.datetime.fromtimestamp(
        float(first.stdout.decode()), datetime.timezone.utc)
    assert ip.port_a is None and ip.frames == 11
    assert [(e.address, e.port, e.tx_frames, e.rx_bytes) for e in ends] == \
        [("192.168.1.11", 33779, 6, 520), ("209.87.249.18", 53, 5, 402)]


def test_follow_bytes_equal_tsharks_raw():
    with cshark.FileCapture(HTTP) as cap:
        followed = cap.follow("tcp", 0)
    raw = tshark("-q", "-z", "follow,tcp,raw,0", "-r", HTTP).stdout.decode().splitlines()
    chunks = [line for line in raw if line and not line.startswith(("=", "Follow", "Filter",
                                                                     "Node"))]
    assert len(chunks) == len(followed.chunks)
    for line, chunk in zip(chunks, followed.chunks):
        assert chunk.peer == (1 if line.startswith("\t") else 0)
        assert bytes.fromhex(line.strip()) == chunk.data
    assert followed.client == ("192.168.0.4", 54337)
    assert followed.server == ("192.254.189.169", 80)
    assert followed.client_bytes.startswith(b"GET /password-ok.php HTTP/1.1\r\n")
    assert isinstance(followed.chunks[0].time, datetime.datetime)


def test_hierarchy_expert_statistics_credentials():
    with cshark.FileCapture(HTTP) as cap:
        phs = cap.protocol_hierarchy()
        expert = cap.expert_info()
        notes = cap.expert_info(min_severity="note")
        plen = cap.statistics("plen")
        creds = cap.credentials()
    assert [(n.depth, n.protocol, n.frames, n.bytes) for n in phs[:4]] == \
        [(0, "eth", 33, 20574), (1, "ip", 33, 20574), (2, "tcp", 33, 20574), (3, "http", 2, 1794)]
    assert len(expert) == 8 and sum(e.severity == "Chat" for e in expert) == 6
    assert [e.severity for e in notes] == ["Note", "Note"]
    assert plen[0].name == "Packet Lengths" and plen[0].count == 33
    assert [(c.frame, c.protocol, c.username, c.password_field) for c in creds] == \
        [(4, "HTTP basic auth", "test", "http.authbasic")]


def test_export_objects_like_tshark(tmp_path):
    theirs, ours = tmp_path / "tshark", tmp_path / "cshark"
    subprocess.run([TSHARK, "-n", "-q", "--export-objects", f"http,{theirs}", "-r", CONNCHECK],
                   capture_output=True, check=True)
    with cshark.FileCapture(CONNCHECK) as cap:
        objects = cap.export_objects("http", folder=ours)
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    for p in theirs.iterdir():
        assert filecmp.cmp(p, ours / p.name, shallow=False)
    assert [o.frame for o in objects] == [8, 18, 30, 38, 50, 55]
    assert objects[0].size == len(objects[0].data) == 553
    single = tmp_path / "single"
    path = objects[0].save(single)
    assert path.read_bytes() == objects[0].data and path.name == objects[0].file_name
    with pytest.raises(FileExistsError):
        objects[0].save(single)


def test_analysis_while_iterating():
    """An analysis in the middle of an iteration reads the file on its own;
    the iteration then goes on where it was."""
    cap = cshark.FileCapture(DNS_TCP)
    it = iter(cap)
    first = [next(it).number for _ in range(3)]
    [conv] = cap.conversations("tcp")
    rest = [p.number for p in it]
    assert first + rest == [str(i) for i in range(1, 12)]
    assert conv.frames == 11
    cap.close()


def test_display_filter_does_not_limit_analyses():
    with cshark.FileCapture(DNS_TCP, display_filter="frame.number == 1") as cap:
        [conv] = cap.conversations("tcp")
        [filtered] = cap.conversations("tcp", filter="frame.len > 100")
    assert conv.frames == 11
    assert filtered.frames == 2  # the 112- and 280-byte frames (tshark -z plen,tree)


def test_bad_analyses_raise_naming_them():
    with cshark.FileCapture(DNS_TCP) as cap:
        with pytest.raises(cshark.OptionError, match="nope"):
            cap.conversations("nope")
        with pytest.raises(cshark.OptionError, match="Invalid display mode"):
            cap.follow("tcp", 0, mode="bin")
        with pytest.raises(cshark.FilterError, match="tcp.port =="):
            cap.protocol_hierarchy(filter="tcp.port ==")
        with pytest.raises(ValueError):
            cap.expert_info(min_severity="loud")
    with pytest.raises(cshark.UnsupportedParameterError):
        cshark.LiveCapture("lo").conversations("tcp")


def test_packet_endpoints_from_the_carrying_headers():
    """Inner headers of VXLAN, the ICMP error's own; ports and streams as
    tshark's fields give them (the last ip.src / udp.srcport of the frame)."""
    vxlan = DATA_DIR / "tcpdump__vxlan.pcap"
    with cshark.FileCapture(vxlan) as cap:
        got = [p.endpoints() for p in cap]
    oracle = tshark("-r", vxlan, "-T", "fields", "-e", "ip.src", "-e", "ip.dst",
                    "-e", "frame.protocols", "-e", "udp.srcport", "-e", "udp.stream")
    rows = [line.split("\t") for line in oracle.stdout.decode().splitlines()]
    assert len(got) == len(rows) > 5
    for e, (src, dst, protocols, sport, stream) in zip(got, rows):
        if protocols.endswith(":icmp:data"):  # the inner ICMP's header
            assert (e.src, e.dst, e.transport, e.src_port, e.stream) == \
                (src.split(",")[-1], dst.split(",")[-1], "icmp", None, None)
        else:  # ARP inside: the outer UDP carries it
            assert (e.src, e.dst, e.transport, e.src_port, e.stream) == \
                (src, dst, "udp", int(sport), int(stream))
    with cshark.FileCapture(DATA_DIR / "libpcap__rarp_req_reply.pcapng") as cap:
        assert next(iter(cap)).endpoints() is None
