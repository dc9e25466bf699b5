"""Options that change dissection: -o NAME:VALUE, -d LAYER==SELECTOR,PROTO,
--disable-protocol / --enable-protocol, TLS and 802.11 keys (given with -o),
and -N.  For each case, cshark -T json FLAGS must equal tshark -n -T pdml
FLAGS item for item, and the case must matter: tshark's tree with FLAGS must
differ from its tree without them.  The same flags must steer -Y.  Bad
options must fail cleanly, naming what is wrong.

Whether an option stays with the capture it was given for (scoping) cannot be
seen from the command line, where there is one capture per run; the C tests
check it.
"""

import json

import pytest

from helpers import (DATA_DIR, TSHARK, assert_exits_zero, assert_fails_naming,
                     frame_numbers, frames_difference, json_lines_difference,
                     pdml_packets, require_cshark, run_parallel, short, tail)

CSHARK = require_cshark()

KEYLOG = DATA_DIR / "rtshark__test_tls.keylog"
WPA_CAPTURE = "libpcap__wpa2linkuppassphraseiswireshark.pcap"
# The capture's SSID, as tshark -T fields -e wlan.ssid prints it, is the hex
# of "ikeriri-5g"; the pass phrase is in the file name.
WPA_FLAGS = ["-o", "wlan.enable_decryption:TRUE",
             "-o", 'uat:80211_keys:"wpa-pwd","wireshark:ikeriri-5g"']
WPA_WRONG_SSID = ["-o", "wlan.enable_decryption:TRUE",
                  "-o", 'uat:80211_keys:"wpa-pwd","wireshark:not-the-ssid"']


def tshark_command(flags, *args):
    """tshark with FLAGS, as cshark would dissect with them.

    cshark resolves no names unless told, like tshark -n.  With
    --resolve-names it resolves what the preferences ask for, which is what
    tshark does when given neither -n nor -N: with the default preferences
    (the tests run with WIRESHARK_CONFIG_DIR pointing nowhere) that is MAC
    vendor names (nameres.mac_name) and names learnt from DNS packets, with
    nameres.network_name and nameres.transport_name off.  -N LETTERS means
    what it means to tshark, after its -n.  No case uses the letter N
    (external resolvers): without it no DNS query leaves the machine and the
    result does not depend on the network (strace shows tshark -N mntdv
    opening no AF_INET socket).
    """
    if "--resolve-names" in flags:
        return [TSHARK, *[f for f in flags if f != "--resolve-names"], *args]
    return [TSHARK, "-n", *flags, *args]


def item_names(packets):
    """Every item name in a list of packets (item model), layers included."""
    names, stack = set(), [item for p in packets for item in p["layers"]]
    while stack:
        item = stack.pop()
        names.add(item.get("name"))
        stack.extend(item.get("fields", []))
    return names


# (id, flags, capture, names that must appear in the tree with the flags,
#  names that must not)
TREE_CASES = [
    ("tcp-desegment-off", ["-o", "tcp.desegment_tcp_streams:FALSE"],
     "ndpi__http_auth.pcap", {"_ws.unreassembled"}, {"tcp.segments", "tcp.reassembled.data"}),
    ("ip-defragment-off", ["-o", "ip.defragment:FALSE"],
     "ndpi__dns_fragmented.pcap", {"_ws.unreassembled"}, {"ip.fragments", "ip.reassembled.data"}),
    ("tcp-absolute-seq-and-checksum",
     ["-o", "tcp.relative_sequence_numbers:FALSE", "-o", "tcp.check_checksum:TRUE"],
     "tcpdump__dns_tcp.pcap", {"tcp.checksum_calculated"}, set()),
    ("decode-udp-as-rtp", ["-d", "udp.port==6000,rtp"],
     "ndpi__rtp.pcapng", {"rtp", "h263"}, set()),
    ("decode-two-ports-as-rtp", ["-d", "udp.port==6000,rtp", "-d", "udp.port==50003,rtp"],
     "ndpi__rtp.pcapng", {"rtp", "rtcp", "rtpevent", "h263"}, set()),
    ("disable-dns", ["--disable-protocol", "dns"],
     "tcpdump__edns-opts.pcap", {"data"}, {"dns"}),
    ("disable-http", ["--disable-protocol", "http"],
     "ndpi__webdav.pcap", {"data"}, {"http", "xml"}),
    # Community ID is one of the few protocols 4.0 disables by default
    # (proto_disable_by_default); enabled, it adds a field to every packet.
    ("enable-communityid", ["--enable-protocol", "communityid"],
     "ndpi__http_auth.pcap", {"communityid"}, set()),
    ("tls-keylog", ["-o", f"tls.keylog_file:{KEYLOG}"],
     "rtshark__test_tls.pcap", {"http2", "http2.header.name"}, set()),
    ("wpa-passphrase", WPA_FLAGS,
     WPA_CAPTURE, {"llc", "ip", "udp", "dhcp", "arp"}, set()),
    ("resolve-names-eth", ["--resolve-names"],
     "ndpi__http_auth.pcap", set(), set()),
    ("resolve-names-dns", ["--resolve-names"],
     "tcpdump__dns_tcp.pcap", set(), set()),
    # tshark -N letters: MAC vendors and port names; addresses from the
    # capture's DNS answers; everything but external resolvers.
    ("resolve-mac-and-ports", ["-N", "mt"],
     "ndpi__http_auth.pcap", set(), set()),
    ("resolve-from-dns-packets", ["-N", "dn"],
     "tcpdump__dns_tcp.pcap", set(), set()),
    ("resolve-all-local", ["-N", "mntdv"],
     "tcpdump__dns_tcp.pcap", set(), set()),
    ("resolve-last-option-wins", ["-N", "mt", "-n", "-N", "t"],
     "ndpi__http_auth.pcap", set(), set()),
]


@pytest.mark.parametrize("flags,name,present,absent",
                         [pytest.param(f, c, p, a, id=i) for i, f, c, p, a in TREE_CASES])
def test_option_tree(flags, name, present, absent):
    cap = DATA_DIR / name
    oracle, baseline, result = run_parallel([
        tshark_command(flags, "-T", "pdml", "-r", cap),
        tshark_command([], "-T", "pdml", "-r", cap),
        [CSHARK, *flags, "-T", "json", "-r", cap]])
    assert oracle.returncode == 0, f"tshark {flags} failed: {tail(oracle.stderr)}"
    expected = list(pdml_packets(oracle.stdout))
    assert expected != list(pdml_packets(baseline.stdout)), \
        f"tshark's trees of {name} are the same with and without {flags}: the case proves nothing"
    assert_exits_zero(result, f"cshark {flags}")
    diff = json_lines_difference(oracle.stdout, result.stdout, f"{' '.join(flags)} on {name}")
    if diff:
        pytest.fail(diff, pytrace=False)
    names = item_names(json.loads(line) for line in result.stdout.splitlines())
    assert present <= names, f"{flags} on {name}: no {sorted(present - names)} in cshark's trees"
    assert not absent & names, f"{flags} on {name}: cshark's trees still have {sorted(absent & names)}"


def test_wpa_wrong_ssid_does_not_decrypt():
    """The pass phrase is bound to the SSID: with another SSID nothing decrypts."""
    cap = DATA_DIR / WPA_CAPTURE
    oracle, result = run_parallel([tshark_command(WPA_WRONG_SSID, "-T", "pdml", "-r", cap),
                                   [CSHARK, *WPA_WRONG_SSID, "-T", "json", "-r", cap]])
    assert oracle.returncode == 0, f"tshark failed: {tail(oracle.stderr)}"
    assert "ip" not in item_names(pdml_packets(oracle.stdout)), "tshark decrypts with a wrong SSID"
    assert_exits_zero(result)
    diff = json_lines_difference(oracle.stdout, result.stdout, f"wrong SSID on {cap.name}")
    if diff:
        pytest.fail(diff, pytrace=False)


# (id, flags, filter, capture): the flags change which frames the filter shows.
FILTER_CASES = [
    ("tcp-desegment-off", ["-o", "tcp.desegment_tcp_streams:FALSE"], "http",
     "ndpi__http_auth.pcap"),
    ("decode-as-rtp", ["-d", "udp.port==6000,rtp"], "rtp", "ndpi__rtp.pcapng"),
    ("disable-dns", ["--disable-protocol", "dns"], "udp.port == 53 && !dns",
     "tcpdump__edns-opts.pcap"),
    ("enable-communityid", ["--enable-protocol", "communityid"], "communityid",
     "ndpi__http_auth.pcap"),
    ("tls-keylog", ["-o", f"tls.keylog_file:{KEYLOG}"], "http2.header",
     "rtshark__test_tls.pcap"),
    ("wpa-passphrase", WPA_FLAGS, "ip", WPA_CAPTURE),
    ("resolve-names", ["--resolve-names"], 'eth.src_resolved contains "Apple"',
     "ndpi__http_auth.pcap"),
    ("resolve-mac", ["-N", "m"], 'eth.src_resolved contains "Apple"', "ndpi__http_auth.pcap"),
]


@pytest.mark.parametrize("flags,text,name",
                         [pytest.param(f, t, c, id=i) for i, f, t, c in FILTER_CASES])
def test_option_steers_filter(flags, text, name):
    cap = DATA_DIR / name
    args = ["-Y", text, "-T", "fields", "-e", "frame.number", "-r", cap]
    oracle, baseline, result = run_parallel([tshark_command(flags, *args),
                                             tshark_command([], *args),
                                             [CSHARK, *flags, *args]])
    assert oracle.returncode == 0, f"tshark failed: {tail(oracle.stderr)}"
    expected = frame_numbers(oracle.stdout)
    assert expected != frame_numbers(baseline.stdout), \
        f"tshark -Y {text!r} shows the same frames of {name} with and without {flags}"
    assert_exits_zero(result)
    diff = frames_difference(expected, frame_numbers(result.stdout))
    if diff:
        pytest.fail(f"{' '.join(flags)} -Y {text!r} on {name}: {diff}", pytrace=False)


# (id, flags, what stderr must name, whether tshark 4.0.17 fails too)
ERROR_CASES = [
    ("unknown-pref", ["-o", "no.such.pref:1"], "no.such.pref", True),
    ("pref-without-value", ["-o", "tcp.desegment_tcp_streams"], "tcp.desegment_tcp_streams", True),
    ("bad-number", ["-o", "dns.retransmission_timer:abc"], "dns.retransmission_timer", True),
    # tshark 4.0.17 silently reads "maybe" as FALSE; cshark refuses it.
    ("bad-boolean", ["-o", "tcp.desegment_tcp_streams:maybe"], "tcp.desegment_tcp_streams", False),
    ("unknown-pref-after-a-good-one", ["-o", "ip.defragment:FALSE", "-o", "bogus.pref:1"],
     "bogus.pref", True),
    ("decode-as-unknown-proto", ["-d", "tcp.port==80,nosuchproto"], "nosuchproto", True),
    ("decode-as-unknown-table", ["-d", "nosuchtable==1,http"], "nosuchtable", True),
    ("decode-as-bad-selector", ["-d", "tcp.port==abc,http"], "abc", True),
    ("decode-as-no-proto", ["-d", "tcp.port==80"], "tcp.port==80", True),
    # tshark 4.0.17 ignores an unknown name here; cshark refuses it.
    ("disable-unknown-proto", ["--disable-protocol", "nosuchproto"], "nosuchproto", False),
    ("unknown-resolve-letter", ["-N", "mx"], "-N specifies unknown resolving option 'x'", True),
]

GOOD = DATA_DIR / "tcpdump__dns_tcp.pcap"


@pytest.mark.parametrize("flags,name,tshark_fails",
                         [pytest.param(f, n, t, id=i) for i, f, n, t in ERROR_CASES])
def test_bad_option(flags, name, tshark_fails):
    args = ["-T", "fields", "-e", "frame.number", "-r", GOOD]
    oracle, result = run_parallel([tshark_command(flags, *args), [CSHARK, *flags, *args]])
    assert (oracle.returncode != 0) == tshark_fails, \
        f"tshark {flags} exited {oracle.returncode}, the test expects it to " \
        f"{'fail' if tshark_fails else 'accept it'}: {tail(oracle.stderr)}"
    assert_fails_naming(result, name)
    assert result.stdout == b"", f"cshark {flags} printed on stdout: {short(result.stdout)}"
