"""Display filters: cshark -Y FILTER must display exactly the frames that
tshark -n -Y FILTER displays (single pass), and cshark -2 -Y FILTER those of
tshark -n -2 -Y FILTER, for a table of filters over the test captures (the
other display filter tests, invalid filters among them: test_cli_filters.py).

Running every filter over all the captures would take thousands of runs, so
each filter runs on a few of them, chosen when the test runs:

- the captures named in the table, where tshark displays something for the
  filter (the test checks that they still do);
- other captures that contain one of the filter's protocols (from tshark's
  frame.protocols, computed once per session), up to PRESENT in all;
- ABSENT captures that contain none of them (or, for filters on frame or
  _ws fields, any other captures), where cshark must display what tshark
  displays too, which is usually nothing.

The choice among candidates is a stable hash of filter and capture name, so
it is the same on every run but spread over the whole corpus.
"""

import functools
import re
import zlib

import pytest

from helpers import (DATA_DIR, TSHARK, assert_no_crash, captures, frame_numbers,
                     frames_difference, require_cshark, run_parallel, short, tail)

CSHARK = require_cshark()

PRESENT = 2  # captures where the filter's protocols appear, named ones included
ABSENT = 1   # captures where they do not

# (filter, captures where tshark 4.0.17 -n displays at least one frame for it)
# Each filter was checked against all captures of tests/data: it matches
# something in the named captures, and (but for a few protocol names) not
# every packet of them.
FILTERS = [
    # protocol names and boolean logic
    ("dns", ["ndpi__dns_fragmented.pcap"]),
    ("tcp", ["ndpi__conncheck.pcap"]),
    ("!tcp", ["ndpi__dns_fragmented.pcap"]),
    ("not ip and not ipv6", ["libpcap__gateway_or_not.pcap"]),
    ("ipv6", ["ndpi__dns_fragmented.pcap"]),
    ("arp", ["tcpdump__dhcp-rfc4388.pcap"]),
    ("http", ["ndpi__webdav.pcap"]),
    ("tls", ["rtshark__test_tls.pcap"]),
    ("icmp || icmpv6", ["libpcap__gateway_or_not.pcap"]),
    ("dhcp", ["tcpdump__dhcp-rfc4388.pcap"]),
    ("vlan", ["ndpi__rtp.pcapng"]),
    ("smb || smb2", ["ndpi__smb_deletefile.pcap", "ndpi__dos_win98_smb_netbeui.pcap"]),
    ("eapol", ["libpcap__wpa2linkuppassphraseiswireshark.pcap"]),
    ("quic", ["tcpdump__quic_handshake.pcap"]),
    ("lldp or cdp", ["tcpdump__LLDP_and_CDP.pcap"]),
    ("(dns or arp) and not udp.port == 53", ["tcpdump__dns_tcp.pcap", "tcpdump__dhcp-rfc4388.pcap"]),
    # comparisons: integers, addresses and subnets, booleans, times, strings,
    # value strings, field against field, bitwise and arithmetic
    ("tcp.port == 80", ["ndpi__conncheck.pcap", "libpcap__http_PPI.pcap"]),
    ("ip.src == 192.168.0.4", ["ndpi__http_auth.pcap"]),
    ("ip.src == 10.0.0.0/8", ["ndpi__conncheck.pcap"]),
    ("ipv6.dst == ff02::/16", ["tcpdump__dhcpv6-ia-na.pcap"]),
    ("eth.dst == ff:ff:ff:ff:ff:ff", ["ndpi__dos_win98_smb_netbeui.pcap"]),
    ("frame.len > 1000", ["ndpi__http_auth.pcap"]),
    ("ip.ttl < 64", ["ndpi__badpackets.pcap"]),
    ('ip.proto == "UDP"', ["ndpi__conncheck.pcap"]),
    ("tcp.flags.syn == 1 && tcp.flags.ack == 0", ["ndpi__conncheck.pcap"]),
    ("tcp.srcport < tcp.dstport", ["ndpi__conncheck.pcap"]),
    ("tcp.dstport + 1 == 81", ["ndpi__webdav.pcap"]),
    ("dns.flags.response == 1", ["ndpi__dns_fragmented.pcap"]),
    ('http.request.method == "GET"', ["ndpi__conncheck.pcap"]),
    ("http.response.code >= 400", ["ndpi__webdav.pcap"]),
    ("icmpv6.type == 143", ["tcpdump__icmpv6.pcap"]),
    ("vlan.id == 1508", ["ndpi__rtp.pcapng"]),
    ("wlan.fc.type_subtype == 8", ["libpcap__Network_Join_Nokia_Mobile.pcap"]),
    ("frame.interface_id == 1", ["ndpi__rtp.pcapng", "gopacket__pcapng-test-le-test202.pcapng"]),
    ("frame.time_delta > 1", ["ndpi__conncheck.pcap"]),
    # sets, with ranges and subnets
    ("ip.addr in {192.168.0.4, 10.1.0.60, 192.168.1.2}", ["ndpi__conncheck.pcap", "ndpi__http_auth.pcap"]),
    ("tcp.port in {80, 443, 8000..8100}", ["ndpi__conncheck.pcap", "rtshark__test_tls.pcap"]),
    ('http.request.method in {"GET", "POST", "PROPFIND"}', ["ndpi__webdav.pcap"]),
    ("udp.port in {53, 67..68, 123}", ["gopacket__pcapng-test-le-test202.pcapng"]),
    ("ip.src in {10.0.0.0/8, 172.16.0.0/12}", ["ndpi__rtp.pcapng"]),
    # slices: [start:len], [first-last], [index], negative, of frame/proto/string
    ("eth.src[0:3] == 00:0c:29", ["ndpi__dns_fragmented.pcap"]),
    ("eth.src[1-3] == 0c:29:7c", ["ndpi__dns_fragmented.pcap"]),
    ("eth.dst[0] & 1", ["ndpi__dos_win98_smb_netbeui.pcap"]),
    ("eth.src[0:3] == eth.dst[0:3]", ["ndpi__dns_fragmented.pcap"]),
    ("ip.src[0:2] == c0:a8", ["ndpi__http_auth.pcap"]),
    ("frame[12:2] == 08:00", ["libpcap__gateway_or_not.pcap"]),
    ("frame[-4:] == 00:00:00:00", ["ndpi__dns_fragmented.pcap"]),
    ("tcp.payload[0:4] == 47:45:54:20", ["ndpi__conncheck.pcap"]),
    ('dns.qry.name[0:3] == "www"', ["tcpdump__dns_tcp.pcap"]),
    # contains and matches, on protocols, frame, strings and bytes
    ('tcp contains "GET"', ["ndpi__conncheck.pcap"]),
    ('frame contains "HTTP/1.1"', ["ndpi__ssdp-m-search-ua.pcap", "ndpi__webdav.pcap"]),
    ("udp contains 00:00:00:00", ["ndpi__dns_fragmented.pcap"]),
    ('dns.qry.name contains "weberlab"', ["ndpi__dns_fragmented.pcap"]),
    ('http.authorization contains "Basic"', ["ndpi__http_auth.pcap"]),
    ('http.host matches "^browser"', ["ndpi__http_auth.pcap"]),
    ('http.user_agent matches "(?i)mozilla"', ["ndpi__conncheck.pcap"]),
    (r'dns.qry.name matches "\\.com$"', ["ndpi__conncheck.pcap"]),
    ('frame.protocols matches "eth:ethertype:ip:udp:dns$"', ["ndpi__dns_fragmented.pcap"]),
    # functions
    ("len(http.host) > 5", ["ndpi__webdav.pcap"]),
    ('upper(http.request.method) == "GET"', ["ndpi__conncheck.pcap"]),
    ("len(dns.qry.name) > 20", ["ndpi__dns_fragmented.pcap"]),
    ("len(frame) > 1400", ["ndpi__http_auth.pcap"]),
    ("count(dns.a) >= 2", ["ndpi__dns_fragmented.pcap"]),
    ("count(ip.addr) > 2", ["tcpdump__vxlan.pcap"]),
    ('string(frame.number) matches "0$"', ["ndpi__conncheck.pcap"]),
    # fields that occur several times in a packet (answers, tunnelled IP):
    # == is "any equal", != "all not equal", ~= and !== "any not equal",
    # === "all equal", #N picks a layer
    ("dns.a", ["ndpi__dns_fragmented.pcap"]),
    ("dns.a == 193.24.227.238", ["ndpi__dns_fragmented.pcap"]),
    ("dns.a != 193.24.227.238", ["ndpi__dns_fragmented.pcap"]),
    ("dns.a ~= 193.24.227.238", ["ndpi__dns_fragmented.pcap"]),
    ("ip.addr != 192.168.203.5", ["tcpdump__vxlan.pcap"]),
    ("ip.addr ~= 192.168.203.5", ["tcpdump__vxlan.pcap"]),
    ("ip.addr !== 192.168.203.5", ["tcpdump__vxlan.pcap"]),
    ("ip.addr == 192.168.203.1 && ip.addr == 192.168.203.5", ["tcpdump__vxlan.pcap"]),
    ("ip.addr#2 == 192.168.203.5", ["tcpdump__vxlan.pcap"]),
    ("ip.ttl != 64", ["tcpdump__vxlan.pcap"]),
    ("ip.ttl ~= 64", ["tcpdump__vxlan.pcap"]),
    ("tcp.port != 80", ["ndpi__dns_fragmented.pcap"]),
    ("tcp.port ~= 80", ["ndpi__conncheck.pcap"]),
    ("udp.port === 138", ["ndpi__dos_win98_smb_netbeui.pcap"]),
    # expert info and TCP analysis (known in a single pass)
    ("_ws.malformed", ["tcpdump__dhcp-rfc4388.pcap"]),
    ("_ws.expert.severity == error", ["tcpdump__dhcp-rfc4388.pcap"]),
    ("_ws.expert.group == sequence", ["ndpi__dns_fragmented.pcap"]),
    # raised only while the engine builds a string item (tshark's summary
    # output, which primes the tree, sees none of these; -T fields does)
    ("_ws.string.trailing_stray_characters", ["ndpi__fuzz-2006-06-26-2594.pcap"]),
    ('_ws.expert.message contains "stray"', ["ndpi__fuzz-2006-06-26-2594.pcap"]),
    ("_ws.expert", ["ndpi__fuzz-2006-06-26-2594.pcap"]),
    ("tcp.analysis.retransmission", ["ndpi__conncheck.pcap"]),
    ("tcp.analysis.flags", ["ndpi__conncheck.pcap", "ndpi__tls_2_reasms.pcapng"]),
    ("tcp.analysis.ack_rtt > 0.05", ["ndpi__http_auth.pcap"]),
    # the displayed set: in a single pass, the delta is to the previous frame
    # DISPLAYED so far, so the filter's own result feeds back into it
    ("frame.time_delta_displayed > 0.1 || frame.number == 1", ["ndpi__conncheck.pcap"]),
    ("frame.time_delta_displayed < 0.001", ["libpcap__http_PPI.pcap"]),
]

# (filter, captures where tshark -2 displays something, whether tshark's
# single pass displays other frames on some of them).  Each runs in both
# modes; a single pass cannot know what a later packet says.
TWO_PASS_FILTERS = [
    ("http.response_in", ["ndpi__http_auth.pcap", "ndpi__webdav.pcap"], True),
    ("http.next_request_in", ["ndpi__webdav.pcap"], True),
    ("dns.response_in", ["ndpi__dns_fragmented.pcap"], True),
    ("tcp.reassembled_in", ["ndpi__http_auth.pcap", "ndpi__tls_2_reasms.pcapng"], True),
    ("ip.reassembled_in", ["ndpi__dns_fragmented.pcap"], True),
    ("smb2.response_in", ["ndpi__smb_deletefile.pcap"], True),
    ("smb.response_in", ["ndpi__dos_win98_smb_netbeui.pcap"], True),
    ("tcp.completeness == 31", ["ndpi__conncheck.pcap"], True),
    ("tcp.analysis.acks_frame", ["ndpi__http_auth.pcap"], False),
    ("dns.time > 0.01", ["tcpdump__edns-opts.pcap"], False),
    ("http.time > 0.01", ["ndpi__webdav.pcap"], False),
]


# ---------------------------------------------------------------------------
# Choosing captures
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def protocols_by_capture():
    """{capture: set of protocol names in its frame.protocols}, once per session."""
    caps = captures()
    results = run_parallel([[TSHARK, "-n", "-T", "fields", "-e", "frame.protocols", "-r", c]
                            for c in caps])
    table = {}
    for cap, result in zip(caps, results):
        assert result.returncode == 0, f"tshark failed on {cap.name}: {tail(result.stderr)}"
        table[cap] = set(result.stdout.decode("utf-8", "replace").replace("\n", ":").split(":")) - {""}
    return table


STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")


def filter_protocols(text, known):
    """Protocol names (from `known`) that the filter's field names start with."""
    names = NAME.findall(STRING_LITERAL.sub(" ", text))
    wanted = set()
    for name in names:
        parts = name.split(".")
        wanted.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return wanted & known


def select_captures(text, named, present=PRESENT, absent=ABSENT):
    table = protocols_by_capture()
    known = set().union(*table.values())
    wanted = filter_protocols(text, known)
    chosen = [DATA_DIR / name for name in named]
    for path in chosen:
        assert path in table, f"the table names {path.name}, which is not a test capture"
    others = sorted((c for c in table if c not in chosen),
                    key=lambda c: zlib.crc32(f"{text}|{c.name}".encode()))
    with_protocol = [c for c in others if wanted and table[c] & wanted]
    without = [c for c in others if c not in with_protocol]
    return chosen + with_protocol[:max(0, present - len(chosen))] + without[:absent]


# ---------------------------------------------------------------------------
# Running both tools
# ---------------------------------------------------------------------------

def frame_args(text, two_pass):
    return (["-2"] if two_pass else []) + ["-Y", text, "-T", "fields", "-e", "frame.number"]


def displayed_frames(text, caps, two_pass_modes):
    """{(capture, two_pass): (tshark result, cshark result)}, run in parallel."""
    keys, commands = [], []
    for cap in caps:
        for two_pass in two_pass_modes:
            args = frame_args(text, two_pass) + ["-r", cap]
            keys.append((cap, two_pass))
            commands += [[TSHARK, "-n", *args], [CSHARK, *args]]
    results = run_parallel(commands)
    return {key: (results[2 * i], results[2 * i + 1]) for i, key in enumerate(keys)}


def compare_frames(text, cap, two_pass, oracle, result):
    """Message for one capture, or None; tshark must have succeeded."""
    mode = "-2 " if two_pass else ""
    assert oracle.returncode == 0, \
        f"tshark {mode}-Y {text!r} failed on {cap.name}: {tail(oracle.stderr)}"
    assert_no_crash(result)
    if result.returncode != 0:
        return f"{cap.name}: cshark {mode}-Y exited {result.returncode}: {tail(result.stderr, 300)}"
    try:
        actual = frame_numbers(result.stdout)
    except ValueError:
        return f"{cap.name}: cshark printed something else than frame numbers: {short(result.stdout)}"
    diff = frames_difference(frame_numbers(oracle.stdout), actual)
    return f"{cap.name}: {diff}" if diff else None


def report(text, failures, two_pass=False):
    if failures:
        more = f" (and {len(failures) - 1} other capture(s))" if len(failures) > 1 else ""
        mode = "-2 " if two_pass else ""
        pytest.fail(f"{mode}-Y {text!r}: {failures[0]}{more}", pytrace=False)


@pytest.mark.parametrize("text,named", [pytest.param(t, n, id=t) for t, n in FILTERS])
def test_filter(text, named):
    caps = select_captures(text, named)
    runs = displayed_frames(text, caps, [False])
    failures = [msg for cap in caps
                if (msg := compare_frames(text, cap, False, *runs[cap, False]))]
    report(text, failures)
    for name in named:
        oracle = runs[DATA_DIR / name, False][0]
        assert frame_numbers(oracle.stdout), \
            f"tshark displays nothing for {text!r} on {name}: the table is stale"


@pytest.mark.parametrize("text,named,differs",
                         [pytest.param(t, n, d, id=t) for t, n, d in TWO_PASS_FILTERS])
def test_two_pass_filter(text, named, differs):
    caps = select_captures(text, named, present=len(named), absent=1)
    runs = displayed_frames(text, caps, [True, False])
    for two_pass in (True, False):
        report(text, [msg for cap in caps
                      if (msg := compare_frames(text, cap, two_pass, *runs[cap, two_pass]))],
               two_pass)
    for name in named:
        assert frame_numbers(runs[DATA_DIR / name, True][0].stdout), \
            f"tshark -2 displays nothing for {text!r} on {name}: the table is stale"
    changed = [cap.name for cap in caps
               if runs[cap, True][0].stdout != runs[cap, False][0].stdout]
    if differs:
        assert changed, f"tshark displays the same frames for {text!r} with and without -2"
    else:
        assert not changed, f"tshark -2 changes what {text!r} displays on {changed}"

