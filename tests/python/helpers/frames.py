"""Data frames against tshark -T fields (test_binding_frames.py,
test_corpus_frames.py): a list of fields of every type, tshark's text of
each occurrence (computed once per capture, through tshark_ref), and the
documented conversion of each column type checked against that text.

The reference is one tshark run per capture with every field and
-E occurrence=a, the occurrences joined by \\x1f (no field's text holds
it): the first, the last, the N-th and all of them come from the same run.
"""
import datetime
import re
from decimal import Decimal

from helpers.common import TSHARK, run

AGGREGATOR = "\x1f"

# 239 fields that the shared corpus dissects, the most common of each type
# first, tests/data's before the others' (tshark -G fields for the types).
FIELDS = [
    # FT_BOOLEAN
    'frame.marked', 'frame.ignored', 'ip.flags.rb', 'ip.flags.mf', 'ip.flags.df', 'eth.src.lg',
    'eth.src.ig', 'eth.lg', 'eth.ig', 'eth.dst.lg', 'eth.dst.ig', 'tcp.flags.urg',
    'tcp.flags.syn', 'tcp.flags.reset', 'tcp.flags.res', 'tcp.flags.push', 'tcp.flags.fin',
    'tcp.flags.ece', 'tcp.flags.cwr', 'tcp.flags.ae', 'tcp.flags.ack', 'dns.flags.truncated',
    'dns.flags.response', 'dns.flags.z', 'dns.flags.recdesired',
    # FT_UINT8
    'ip.version', 'ip.ttl', 'ip.proto', 'ip.hdr_len', 'ip.flags', 'ip.dsfield.ecn',
    'ip.dsfield.dscp', 'ip.dsfield', 'ip.checksum.status', 'udp.checksum.status', 'tcp.hdr_len',
    'tcp.completeness', 'tcp.checksum.status', 'tcp.option_len', 'tcp.option_kind',
    'tcp.options.wscale.shift', 'ipv6.version', 'ipv6.nxt', 'ipv6.hlim', 'arp.proto.size',
    # FT_UINT16
    'ip.len', 'ip.id', 'ip.frag_offset', 'ip.checksum', 'eth.type', 'udp.srcport', 'udp.port',
    'udp.length', 'udp.dstport', 'udp.checksum', 'tcp.window_size_value', 'tcp.urgent_pointer',
    'tcp.srcport', 'tcp.port', 'tcp.flags', 'tcp.dstport', 'tcp.checksum',
    'tcp.options.mss_val', 'tcp.options.wscale.multiplier', 'ipv6.plen',
    # FT_UINT32
    'frame.number', 'frame.len', 'frame.cap_len', '_ws.expert.severity', '_ws.expert.group',
    'udp.stream', 'tcp.window_size', 'tcp.stream', 'tcp.seq_raw', 'tcp.seq', 'tcp.nxtseq',
    'tcp.len', 'tcp.ack_raw', 'tcp.ack', 'tcp.analysis.push_bytes_sent',
    'tcp.analysis.bytes_in_flight', 'tcp.options.timestamp.tsval',
    'tcp.options.timestamp.tsecr', 'frame.section_number', 'frame.interface_id',
    # FT_STRING
    'frame.protocols', 'ip.src_host', 'ip.host', 'ip.dst_host', 'eth.src_resolved',
    'eth.dst_resolved', 'eth.addr_resolved', 'eth.src.oui_resolved', 'eth.addr.oui_resolved',
    'eth.dst.oui_resolved', '_ws.expert.message', 'tcp.flags.str', 'frame.interface_name',
    'ipv6.src_host', 'ipv6.host',
    # FT_BYTES
    'udp.payload', 'tcp.options', 'tcp.payload', 'data.data', 'tcp.segment_data', 'eth.padding',
    'tcp.reassembled.data', 'tls.handshake.random', 'eth.trailer', 'dhcp.hw.addr_padding',
    'tls.handshake.random_bytes', 'tls.handshake.extensions_key_share_key_exchange',
    # FT_NONE
    'tcp.analysis', 'tcp.connection.synack', 'tcp.connection.syn', 'tcp.connection.fin_active',
    'tcp.connection.fin', 'tcp.connection.fin_passive', 'tcp.segments', 'tcp.analysis.flags',
    # FT_UINT64
    'http.content_length', 'wlan_radio.timestamp', 'wlan_radio.start_tsf', 'wlan_radio.end_tsf',
    'wlan.fixed.timestamp', 'quic.token_length', 'quic.packet_number', 'quic.length',
    'quic.frame_type', 'quic.crypto.offset',
    # FT_IPv4
    'ip.src', 'ip.dst', 'ip.addr', 'dns.a', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4',
    'dhcp.ip.your', 'dhcp.ip.server',
    # FT_ABSOLUTE_TIME
    'frame.time', 'tls.handshake.random_time', 'dns.rrsig.signature_inception',
    'dns.rrsig.signature_expiration', 'icmp.data_time', 'dhcpv6.duidllt.time', 'ntp.xmt',
    'ntp.reftime', 'ntp.rec', 'ntp.org',
    # FT_UINT24
    'eth.src.oui', 'eth.dst.oui', 'eth.addr.oui', 'ipv6.flow', 'tls.handshake.length',
    'llc.oui',
    # FT_FRAMENUM
    'tcp.analysis.acks_frame', 'dns.response_to', 'tcp.segment', 'http.request_in',
    'tcp.analysis.rto_frame', 'http.prev_request_in', 'icmp.resp_to',
    'dns.retransmit_request_in',
    # FT_ETHER
    'eth.src', 'eth.dst', 'eth.addr', 'arp.src.hw_mac', 'arp.dst.hw_mac', 'dhcp.hw.mac_addr',
    # FT_INT32
    'tcp.window_size_scalefactor', 'data.len', 'wlan_radio.snr', 'pkcs1.publicExponent',
    'x509af.version', 'snmp.version', 'snmp.specific_trap', 'snmp.request_id',
    # FT_RELATIVE_TIME
    'frame.time_relative', 'frame.time_epoch', 'frame.time_delta_displayed', 'frame.time_delta',
    'frame.offset_shift', 'udp.time_relative', 'udp.time_delta', 'tcp.time_relative',
    'tcp.time_delta', 'tcp.analysis.ack_rtt',
    # FT_STRINGZ
    'browser.comment', 'dhcp.option.hostname', 'dhcp.option.vendor_class_id',
    'cdp.software_version', 'browser.response_computer_name', 'image-jfif.identifier',
    # FT_IPv6
    'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'dns.aaaa', 'dns.opt.client.addr6',
    'icmpv6.mldr.mar.multicast_address',
    # FT_INT8
    'wlan_radio.signal_dbm', 'wlan_radio.noise_dbm', 'wlan.powercap.min', 'wlan.powercap.max',
    'radiotap.dbm_antsignal',
    # FT_OID
    'x509if.oid', 'x509af.algorithm.id', 'x509af.extension.id', 'x509ce.KeyPurposeId',
    'snmp.value.oid',
    # FT_FLOAT
    'wlan_radio.data_rate', 'radiotap.datarate', 'radiotap.vht.datarate.0', 'png.chrm.white.y',
    'png.chrm.white.x',
    # FT_SYSTEM_ID
    'isis.hello.source_id', 'isis.lsp.lsp_id', 'isis.lsp.eis_neighbors.is_neighbor',
    # FT_DOUBLE
    'icmp.resptime', 'icmpv6.resptime', 'stp.msg_age', 'stp.max_age', 'stp.hello',
    # FT_GUID
    'smb2.lease.parent_lease_key', 'smb2.lease.lease_key', 'smb2.fid',
    # FT_INT16
    'frame.encap_type', 'smb.server_timezone', 'ptp.v2.an.origincurrentutcoffset',
    'dnp3.al.ana.int',
    # FT_INT64
    'wlan_radio.ifs', 'snmp.value.int', 'resp.integer', 'resp.array.length',
    # FT_IPXNET
    'ipx.src.net', 'ipx.net',
    # FT_UINT_STRING
    'afs.fs.symlink.name', 'afs.fs.symlink.content',
    # FT_UINT_BYTES
    'image-gif.data_block',
    # FT_UINT48
    'bgp.ext_com.value_raw',
    # FT_CHAR
    'eap.identity.prefix',
]

# Protocols: their value is the tree line, which needs the full tree.
PROTOCOL_FIELDS = ["eth", "ip", "tcp", "udp", "dns", "http"]

_MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
_ABS = re.compile(r"([A-Z][a-z]{2}) +(\d+), (-?\d+) (\d\d):(\d\d):(\d\d)(?:\.(-?\d+))? UTC")
_DOY = re.compile(r"(-?\d+)/(\d+) (\d\d):(\d\d):(\d\d)(?:\.(-?\d+))? UTC")
_EPOCH = datetime.datetime(1970, 1, 1)


def escape(text):
    """tshark's escaping of one occurrence in -T fields (print.c)."""
    for c, e in (("\\b", "\b"), ("\\f", "\f"), ("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t")):
        text = text.replace(e, c)
    return text


def reference(capture, fields, *args):
    """tshark's rows for CAPTURE: per packet, per field, the list of its
    occurrences' texts; None when tshark fails on the capture."""
    cmd = [TSHARK, "-n", "-r", str(capture), *args, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=" + AGGREGATOR]
    for f in fields:
        cmd += ["-e", f]
    result = run(cmd)
    if result.returncode != 0:
        return None
    rows = []
    for line in result.stdout.decode("utf-8", "surrogateescape").split("\n")[:-1]:
        cells = line.split("\t")
        assert len(cells) == len(fields), f"{capture}: a row of {len(cells)} cells"
        rows.append([c.split(AGGREGATOR) if c else [] for c in cells])
    return rows


_SECONDS = re.compile(r"(-?)(\d+)\.(-?\d+)")


def _fraction_ns(frac):
    """tshark prints a time's nanoseconds with %09d: nine digits, more (or
    a sign) when a record's nanoseconds are out of range."""
    return int(frac) if len(frac) >= 9 or frac.startswith("-") else int(frac.ljust(9, "0"))


def seconds_ns(text):
    """The nanoseconds of tshark's S.NNNNNNNNN (a relative time, or an
    absolute one displayed as Unix time): a set of candidates, as tshark
    writes a negative time's sign before the seconds whichever part is
    negative."""
    m = _SECONDS.fullmatch(text)
    if not m:
        return {int(Decimal(text) * 1_000_000_000)}
    sign, secs, frac = m.groups()
    ns, secs = _fraction_ns(frac), int(secs)
    if not sign:
        return {secs * 10**9 + ns}
    return {-(secs * 10**9 + ns), secs * 10**9 - ns, -secs * 10**9 - ns}


def absolute_ns(text):
    """Nanoseconds since the epoch of tshark's text of an FT_ABSOLUTE_TIME
    (its displays: local time here is UTC, UTC, day of year, Unix; "NULL"
    for NTP's zero time), a set of candidates."""
    if text == "NULL":
        return {0}
    m = _ABS.fullmatch(text)
    if m:
        mon, day, year, hh, mm, ss, frac = m.groups()
        days = (datetime.date(int(year), _MONTHS[mon], int(day)) - _EPOCH.date()).days
        return {(((days * 24 + int(hh)) * 60 + int(mm)) * 60 + int(ss)) * 10**9 +
                _fraction_ns(frac or "0")}
    m = _DOY.fullmatch(text)
    if m:
        year, doy, hh, mm, ss, frac = m.groups()
        days = (datetime.date(int(year), 1, 1) - _EPOCH.date()).days + int(doy) - 1
        return {(((days * 24 + int(hh)) * 60 + int(mm)) * 60 + int(ss)) * 10**9 +
                _fraction_ns(frac or "0")}
    return seconds_ns(text)


def int_of(text):
    """An integer as tshark prints it: decimal, 0x hex, 0 octal, or a
    character in quotes (FT_CHAR)."""
    if text.startswith("'") and text.endswith("'") and len(text) >= 3:
        body = text[1:-1]
        return ord(body) if len(body) == 1 else int(body.lstrip("\\x"), 16)
    if text.lower().startswith("0x"):
        return int(text, 16)
    if len(text) > 1 and text.startswith("0") and text.isdigit():
        return int(text, 8)
    return int(text)


def matches(value, text):
    """Whether VALUE (a cell's value, one occurrence, as a Python object)
    is the documented conversion of tshark's TEXT."""
    import pandas as pd
    if isinstance(value, bool):  # before int: bool is an int
        return text in (("1", "True", "TRUE") if value else ("0", "False", "FALSE"))
    if isinstance(value, int):
        return int_of(text) == value
    if isinstance(value, float):
        return text in ("%.15g" % value, "%.6g" % value, "%.9g" % value) or \
            float(text) == value
    if isinstance(value, pd.Timestamp):
        return value.value in absolute_ns(text)
    if isinstance(value, pd.Timedelta):
        return value.value in seconds_ns(text)
    if isinstance(value, bytes):
        if text in ("<MISSING>", "<none>"):
            return value == b""
        return bytes.fromhex(re.sub(r"[:.\- ]", "", text)) == value
    if isinstance(value, str):
        return escape(value) == text
    return False


def cell_values(cell):
    """A cell as a list of Python values (one, a list's, or none)."""
    import pandas as pd
    if isinstance(cell, list):
        return [_plain(v) for v in cell]
    if cell is None or cell is pd.NA or (not isinstance(cell, (str, bytes)) and pd.isna(cell)):
        return []
    return [_plain(cell)]


def _plain(v):
    import numpy as np
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def pick(occurrences, occurrence):
    """The reference occurrences a cell of OCCURRENCE holds."""
    if not occurrences:
        return []
    if occurrence == "all":
        return occurrences
    index = {"first": 1, "last": -1}.get(occurrence, occurrence)
    n = len(occurrences)
    if index > 0:
        return [occurrences[index - 1]] if index <= n else []
    return [occurrences[n + index]] if -index <= n else []


def differences(frame, rows, fields, occurrence, limit=20):
    """Cells of FRAME that are not tshark's ROWS after the conversion, as
    messages (at most LIMIT)."""
    out = []
    if len(frame) != len(rows):
        return [f"{len(frame)} rows, tshark has {len(rows)}"]
    for j, name in enumerate(fields):
        column = frame[name].tolist()
        for i, (cell, row) in enumerate(zip(column, rows)):
            expected = pick(row[j], occurrence)
            values = cell_values(cell)
            if not expected and values in ([""], [b""]):
                continue  # one empty occurrence: tshark prints nothing
            if len(values) != len(expected) or not all(
                    matches(v, t) for v, t in zip(values, expected)):
                out.append(f"row {i} {name}: {values!r} (tshark {expected!r})")
                if len(out) >= limit:
                    return out
    return out
