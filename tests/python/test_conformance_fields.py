"""cshark -T fields -e ... must print byte for byte what tshark -n -T fields
-e ... prints for the same capture and fields, on every test capture (the
-E options and a field named twice: test_cli_fields.py)."""

import pytest

from helpers import TSHARK, capture_params, fields_difference, require_cshark, run_parallel, tail

CSHARK = require_cshark()

# Every name is a field tshark 4.0.17 accepts (tshark -G fields).
FIELDS = [
    "frame.number", "frame.time_epoch", "frame.time_relative", "frame.len",
    "frame.cap_len", "frame.protocols", "frame.interface_id", "frame.comment",
    "eth.src", "eth.dst", "vlan.id", "sll.pkttype",
    "ip.src", "ip.dst", "ip.addr", "ip.flags", "ip.ttl", "ip.id",
    "ip.frag_offset", "ip.reassembled_in",
    "ipv6.src", "ipv6.dst", "ipv6.nxt",
    "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq", "tcp.len",
    "tcp.stream", "tcp.analysis.ack_rtt", "tcp.segment",
    "udp.srcport", "udp.dstport",
    "dns.qry.name", "dns.a", "dns.aaaa",
    "http.request.method", "http.request.full_uri", "http.host",
    "http.response.code",
    "tls.handshake.type", "tls.handshake.extensions_server_name",
    "quic.long.packet_type",
    "icmp.type", "icmpv6.type", "arp.opcode", "arp.src.proto_ipv4",
    "dhcp.option.dhcp", "dhcpv6.msgtype", "snmp.name", "nbns.name",
    "wlan.sa", "wlan.fc.type_subtype", "smb.cmd", "smb2.cmd",
    "data.data",
]
# No protocol and none of the engine's own items among FIELDS, so that
# test_fields runs the fast path (only these fields built); either would
# build the whole tree, which test_engine_items runs.
ENGINE_ITEMS = ["frame.number", "ip.src", "_ws.malformed", "_ws.expert.message"]

PROTOCOLS_AS_FIELDS = ["ip", "tcp"]

# tshark's column fields, _ws.col.TITLE: the summary columns' text (the
# default columns, a title no column has, and Info twice, as an occurrence).
COLUMNS = ["frame.number", "_ws.col.No.", "_ws.col.Time", "_ws.col.Source",
           "_ws.col.Destination", "_ws.col.Protocol", "_ws.col.Length",
           "_ws.col.Info", "_ws.col.nonesuch", "ip.src"]

# Columns of one's own, one of them a custom column (a field's value).
CUSTOM_COLUMNS = ['gui.column.format:"No.","%m","Src","%s","TTL","%Cus:ip.ttl or ipv6.hlim",'
                  '"Info","%i"']


def check_fields(capture, fields, options=()):
    args = [arg for field in fields for arg in ("-e", field)]
    args += [arg for option in options for arg in ("-o", option)]
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "fields", *args, "-r", capture],
                                   [CSHARK, "-T", "fields", *args, "-r", capture]])
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    if result.returncode != 0:
        pytest.fail(f"{capture.name}: cshark exited with {result.returncode}: "
                    f"{tail(result.stderr)}", pytrace=False)
    diff = fields_difference(fields, oracle.stdout, result.stdout)
    if diff:
        pytest.fail(f"{capture.name}: {diff}", pytrace=False)


@pytest.mark.parametrize("capture", capture_params())
def test_fields(capture):
    check_fields(capture, FIELDS)


@pytest.mark.parametrize("capture", capture_params())
def test_engine_items(capture):
    check_fields(capture, ENGINE_ITEMS)


@pytest.mark.parametrize("capture", capture_params())
def test_protocols_as_fields(capture):
    check_fields(capture, PROTOCOLS_AS_FIELDS)


@pytest.mark.parametrize("capture", capture_params())
def test_column_fields(capture):
    check_fields(capture, COLUMNS)


@pytest.mark.parametrize("capture", capture_params())
def test_column_fields_only(capture):
    """Columns alone: no field of the tree is asked for."""
    check_fields(capture, ["_ws.col.Info", "_ws.col.Protocol"])


@pytest.mark.parametrize("capture", capture_params())
def test_custom_column_fields(capture):
    check_fields(capture, ["frame.number", "_ws.col.TTL", "_ws.col.Src", "_ws.col.Info",
                           "_ws.col.Time"], CUSTOM_COLUMNS)


@pytest.mark.parametrize("capture", capture_params())
def test_expert_fields_alone(capture):
    """Expert items that the engine raises while building other items (a
    string's trailing stray characters) exist only in a whole tree: asked
    for alone (no protocol among them, which would build the whole tree
    anyway), they still come out as tshark prints them."""
    check_fields(capture, ["frame.number", "_ws.expert.message", "_ws.expert.severity",
                           "_ws.string.trailing_stray_characters"])
