"""The programs in examples/ print what tshark says about the same capture."""

import base64
import codecs
import collections
import datetime
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from helpers import DATA_DIR, require_cshark, run, tail, tshark, tshark_fields

require_cshark()
EXAMPLES = Path(os.environ.get("CSHARK_EXAMPLES", ""))
if not (EXAMPLES / "ip_src").exists():
    pytest.skip("CSHARK_EXAMPLES does not point at the built examples", allow_module_level=True)


@pytest.mark.parametrize("name", ["ndpi__http_auth.pcap", "ndpi__dns_fragmented.pcap",
                                  "tcpdump__vxlan.pcap"])
def test_ip_src(name):
    path = DATA_DIR / name
    oracle = tshark("-T", "fields", "-E", "occurrence=f", "-e", "frame.number", "-e", "ip.src",
                    "-r", path)
    expected = [line.replace("\t", " ") for line in oracle.stdout.decode().splitlines()
                if not line.endswith("\t")]
    result = run([EXAMPLES / "ip_src", path])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stdout.decode().splitlines() == expected


def test_dns_names():
    path = DATA_DIR / "ndpi__dns_fragmented.pcap"
    oracle = tshark("-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name",
                    "-r", path)
    counts = collections.Counter(n for line in oracle.stdout.decode().splitlines()
                                 for n in line.split(",") if n)
    result = run([EXAMPLES / "dns_names", path])
    assert result.returncode == 0, tail(result.stderr)
    got = {}
    for line in result.stdout.decode().splitlines():
        count, name = line.split()
        got[name] = int(count)
    assert got == dict(counts)
    assert len(got) > 1


def run_example(name, *args):
    """An example's stdout lines; it must exit 0 and print nothing on stderr."""
    result = run([EXAMPLES / name, *args])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stderr == b"", tail(result.stderr)
    return result.stdout.decode().splitlines()


def ns(seconds):
    """tshark's "0.000589000" as integer nanoseconds."""
    whole, _, frac = seconds.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])


def nearest_rank(values, p):
    """The percentile rule of dns_latency.c: the value at rank ceil(p*n/100)."""
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


@pytest.mark.parametrize("name", ["ndpi__dns_fragmented.pcap", "tcpdump__edns-opts.pcap",
                                  "ndpi__conncheck.pcap", "tcpdump__dns_tcp.pcap",
                                  "libpcap__http_PPI.pcap"])
def test_dns_latency(name):
    path = DATA_DIR / name
    rows = tshark_fields(path, ["frame.number", "dns.flags.response", "dns.retransmission",
                                "dns.response_in", "dns.response_to", "dns.time",
                                "dns.qry.name"], "-2", "-Y", "dns")
    names = {int(r[0]): r[6] for r in rows}
    answered = [(int(r[4]), int(r[0]), r[5], names[int(r[4])]) for r in rows if r[5]]
    unanswered = {int(r[0]) for r in rows
                  if r[1] == "0" and r[2] != "1" and not r[3]}
    assert answered, "the capture has no answered DNS query"

    lines = run_example("dns_latency", path)
    assert lines[0].split() == ["query", "response", "latency_s", "name"]
    got_answered, got_unanswered = [], set()
    for line in lines[1:-2]:
        query, response, latency, qname = line.split(None, 3)
        if response == "-":
            got_unanswered.add(int(query))
        else:
            got_answered.append((int(query), int(response), latency, qname))
    assert got_answered == answered
    assert got_unanswered == unanswered
    assert lines[-2].split() == ["answered", str(len(answered)), "unanswered",
                                 str(len(unanswered)), "unmatched", "responses", "0"]
    latencies = [ns(a[2]) for a in answered]
    p50, p99 = nearest_rank(latencies, 50), nearest_rank(latencies, 99)
    label, _, got50, _, got99 = lines[-1].split()
    assert label == "latency_s"
    assert (ns(got50), ns(got99)) == (p50, p99)


def utc(epoch):
    """tshark's frame.time_epoch as http_access_log.c writes it."""
    whole, _, frac = epoch.partition(".")
    stamp = datetime.datetime.fromtimestamp(int(whole), datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + (frac + "000000")[:6] + "Z"


def expected_access_log(path):
    """The log lines from tshark -2: each request with the status of the
    frame its http.response_in names, and responses without http.request_in."""
    fields = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
              "http.request", "http.request.method", "http.host", "http.request.uri",
              "http.response_in", "http.response.code", "http.request_in"]
    rows = [dict(zip(fields, r)) for r in
            tshark_fields(path, fields, "-2", "-Y", "http.request || http.response")]
    status = {r["frame.number"]: r["http.response.code"] for r in rows}
    lines = []
    for r in rows:
        if r["http.request"]:
            lines.append(" ".join([utc(r["frame.time_epoch"]), r["ip.src"] or r["ipv6.src"],
                                   r["http.request.method"], r["http.host"] or "-",
                                   r["http.request.uri"],
                                   status.get(r["http.response_in"], "-")]))
        elif not r["http.request_in"]:
            lines.append(" ".join([utc(r["frame.time_epoch"]), r["ip.dst"] or r["ipv6.dst"],
                                   "-", "-", "-", r["http.response.code"]]))
    return lines


@pytest.mark.parametrize("name", ["ndpi__http_auth.pcap", "ndpi__webdav.pcap",
                                  "ndpi__conncheck.pcap", "ndpi__ssdp-m-search-ua.pcap"])
def test_http_access_log(name):
    path = DATA_DIR / name
    expected = expected_access_log(path)
    got = run_example("http_access_log", path)
    assert sorted(got) == sorted(expected)
    # Answered requests come as their responses do, the unanswered ones last.
    assert [line.endswith(" -") for line in got] == sorted(line.endswith(" -") for line in got)


def test_http_access_log_lone_response(tmp_path):
    # ndpi__conncheck.pcap without its first 6 frames: the response in
    # frame 8 (now 2) has lost its request.
    editcap = shutil.which("editcap")
    if editcap is None:
        pytest.skip("editcap (Wireshark's) is not installed")
    cut = tmp_path / "conncheck-from-7.pcap"
    result = run([editcap, "-r", DATA_DIR / "ndpi__conncheck.pcap", cut, "7-1000"])
    assert result.returncode == 0, tail(result.stderr)
    expected = expected_access_log(cut)
    assert "2024-06-06T13:30:38.907392Z 10.1.0.60 - - - 302" in expected
    assert sorted(run_example("http_access_log", cut)) == sorted(expected)


def tcp_end(address, port):
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


@pytest.mark.parametrize("name", ["ndpi__conncheck.pcap", "ndpi__dns_fragmented.pcap",
                                  "ndpi__webdav.pcap", "ndpi__smb_deletefile.pcap",
                                  "tcpdump__mptcp-v1.pcap", "tcpdump__dns_tcp.pcap"])
def test_tcp_conversations(name):
    path = DATA_DIR / name
    # Each stream from its packets: A is the source of the first one.
    streams = {}
    for r in tshark_fields(path, ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
                                  "ipv6.dst", "tcp.dstport", "frame.len", "frame.time_epoch",
                                  "tcp.analysis.retransmission"], "-Y", "tcp"):
        src, dst = tcp_end(r[1] or r[2], r[3]), tcp_end(r[4] or r[5], r[6])
        s = streams.setdefault(int(r[0]), {"a": src, "b": dst, "ab": [0, 0], "ba": [0, 0],
                                           "times": [], "retrans": 0})
        way = s["ab"] if src == s["a"] else s["ba"]
        way[0] += 1
        way[1] += int(r[7])
        s["times"].append(ns(r[8]))
        s["retrans"] += r[9] == "1"
    assert streams
    # The frame counts of tshark -z conv,tcp, by the two ends.
    conv = {}
    text = tshark("-q", "-z", "conv,tcp", "-r", path).stdout.decode()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[1] == "<->":
            # A <-> B, then "<-" (B to A) and "->" frames, each with its bytes and unit
            conv[(parts[0], parts[2])] = (int(parts[6]), int(parts[3]))

    lines = run_example("tcp_conversations", path)
    assert lines[0].split() == ["stream", "A", "B", "A>B", "pkts", "A>B", "bytes", "B>A", "pkts",
                                "B>A", "bytes", "duration_s", "retrans"]
    got = {}
    for line in lines[1:]:
        stream, a, b, ab_pkts, ab_bytes, ba_pkts, ba_bytes, duration, retrans = line.split()
        got[int(stream)] = (a, b, [int(ab_pkts), int(ab_bytes)], [int(ba_pkts), int(ba_bytes)],
                            duration, int(retrans))
    assert sorted(got) == sorted(streams)
    assert [int(line.split()[0]) for line in lines[1:]] == sorted(streams)
    for index, s in streams.items():
        a, b, ab, ba, duration, retrans = got[index]
        assert (a, b, ab, ba, retrans) == (s["a"], s["b"], s["ab"], s["ba"], s["retrans"]), index
        assert abs(float(duration) - (max(s["times"]) - min(s["times"])) / 1e9) < 1e-6, index
        plain = (a.replace("[", "").replace("]", ""), b.replace("[", "").replace("]", ""))
        assert conv[plain] == (ab[0], ba[0]), index
    assert sum(s["retrans"] for s in streams.values()) == (17 if name == "ndpi__conncheck.pcap"
                                                           else 0)


def follow_yaml(path, spec, *args):
    """tshark -z follow,…,yaml's chunks as (frame, peer, bytes)."""
    out = tshark("-q", *args, "-z", spec, "-r", path)
    assert out.returncode == 0, tail(out.stderr)
    chunks, in_packets = [], False
    for line in out.stdout.decode().splitlines():
        if line == "packets:":
            in_packets = True
        elif in_packets and line.startswith("  - packet: "):
            chunks.append([int(line.split()[-1]), None, ""])
        elif in_packets and line.startswith("    peer: "):
            chunks[-1][1] = int(line.split()[-1])
        elif in_packets and line.startswith("      "):
            chunks[-1][2] += line.strip()
    return [(frame, peer, base64.b64decode(data)) for frame, peer, data in chunks]


@pytest.mark.parametrize("name,proto,index,keylog", [
    ("ndpi__http_auth.pcap", "tcp", 0, None),
    ("ndpi__http_auth.pcap", "http", 0, None),
    ("ndpi__webdav.pcap", "tcp", 3, None),
    ("ndpi__dns_fragmented.pcap", "udp", 1, None),
    ("ndpi__dns_fragmented.pcap", "tcp", 0, None),
    ("rtshark__test_tls.pcap", "tls", 0, "rtshark__test_tls.keylog"),
])
def test_follow_stream(name, proto, index, keylog):
    path = DATA_DIR / name
    args = ["-o", f"tls.keylog_file:{DATA_DIR / keylog}"] if keylog else []
    expected = follow_yaml(path, f"follow,{proto},yaml,{index}", *args)
    assert len(expected) > 1 and {peer for _, peer, _ in expected} == {0, 1}

    lines = run_example("follow_stream", path, proto, str(index),
                        *([DATA_DIR / keylog] if keylog else []))
    assert lines[0] == f"{proto} stream {index}"
    assert len(lines) == 1 + 2 * len(expected)
    got = []
    for head, body in zip(lines[1::2], lines[2::2]):
        word, frame, direction, length, unit, _sender = head.split()
        assert (word, unit) == ("frame", "bytes")
        assert body.startswith("  ")
        data = codecs.escape_decode(body[2:].encode())[0]
        assert len(data) == int(length)
        got.append((int(frame), {"client>server": 0, "server>client": 1}[direction], data))
    assert got == expected


def test_follow_stream_errors():
    path = DATA_DIR / "ndpi__http_auth.pcap"
    result = run([EXAMPLES / "follow_stream", path, "nosuchproto", "0"])
    assert result.returncode == 1
    assert b"nosuchproto" in result.stderr and result.stdout == b""
    result = run([EXAMPLES / "follow_stream", path, "tcp", "zero"])
    assert result.returncode == 1 and b"zero" in result.stderr
    result = run([EXAMPLES / "follow_stream", DATA_DIR / "no-such.pcap", "tcp", "0"])
    assert result.returncode == 1 and b"no-such.pcap" in result.stderr


TRANSPORTS = {"tcp": ("tcp.srcport", "tcp.dstport", "tcp.stream"),
              "udp": ("udp.srcport", "udp.dstport", "udp.stream"),
              "sctp": ("sctp.srcport", "sctp.dstport", "sctp.assoc_index"),
              "dccp": ("dccp.srcport", "dccp.dstport", "dccp.stream"),
              "icmp": None, "icmpv6": None}


def summary_from_pdml(path):
    """packet_summary's rows from tshark -T pdml: the last transport among a
    packet's top-level protocols and the last ip/ipv6 before it (the last
    one at all when there is no transport), fields read inside them."""
    out = tshark("-T", "pdml", "-r", path)
    assert out.returncode == 0, tail(out.stderr)

    def show(proto, name):
        for field in proto.iter("field"):
            if field.get("name") == name:
                return field.get("show")
        return "-"

    rows = []
    for packet in ElementTree.fromstring(out.stdout).iter("packet"):
        protos = packet.findall("proto")
        fields = {f.get("name"): f for p in protos[:2] for f in p.iter("field")}
        number = fields["num"].get("show")
        stamp = fields["timestamp"].get("value")
        highest = fields["frame.protocols"].get("show").split(":")[-1]
        network = transport = None
        for proto in protos:
            name = proto.get("name")
            if name in ("ip", "ipv6"):
                network = proto
            elif name in TRANSPORTS:
                transport, transport_net = proto, network
        if transport is not None:
            network = transport_net
        row = [number, stamp, highest, "-", "-", "-", "-", "-", "-", "-"]
        if network is not None:
            net = network.get("name")
            row[3:6] = [net, show(network, net + ".src"), show(network, net + ".dst")]
        if transport is not None:
            row[6] = transport.get("name")
            names = TRANSPORTS[row[6]]
            if names:
                row[7:10] = [show(transport, n) for n in names]
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", ["ndpi__http_auth.pcap", "tcpdump__vxlan.pcap",
                                  "tcpdump__dhcp-rfc4388.pcap", "libpcap__gateway_or_not.pcap",
                                  "ndpi__dns_fragmented.pcap", "tcpdump__icmpv6.pcap",
                                  "gopacket__pcapng-test-le-test202.pcapng"])
def test_packet_summary(name):
    path = DATA_DIR / name
    expected = summary_from_pdml(path)
    lines = run_example("packet_summary", path)
    assert lines[0].split() == ["no", "time", "protocol", "network", "src", "dst", "transport",
                                "sport", "dport", "stream"]
    assert [line.split() for line in lines[1:]] == expected


def test_packet_summary_tunnels_and_icmp_errors():
    # VXLAN: the inner IP's addresses (the outer UDP's when the inner packet
    # is ARP); an ICMP error: its own addresses, not those it quotes.
    vxlan = {r[0]: r for r in summary_from_pdml(DATA_DIR / "tcpdump__vxlan.pcap")}
    assert vxlan["1"][3:7] == ["ip", "192.168.203.3", "192.168.203.5", "icmp"]
    assert vxlan["2"][3:10] == ["ip", "192.168.202.1", "192.168.203.1", "udp", "42710",
                                "4789", "1"]
    errors = {r[0]: r for r in summary_from_pdml(DATA_DIR / "tcpdump__dhcp-rfc4388.pcap")}
    assert errors["6"][3:10] == ["ip", "10.40.1.1", "10.40.2.3", "icmp", "-", "-", "-"]
    lines = run_example("packet_summary", DATA_DIR / "tcpdump__vxlan.pcap")
    assert lines[1].split()[3:7] == vxlan["1"][3:7]
