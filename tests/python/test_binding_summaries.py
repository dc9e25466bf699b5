"""only_summaries=True against `tshark -n -T psml` (what PyShark parses for
it), on every capture of tests/data: the column titles, and for each packet
every column's text, computed by the engine's own column code.

PyShark's PacketSummary takes the <structure> sections as attribute names
(lower case, '.' and ',' dropped) and the <packet> sections as values. It
parses the PSML with lxml.objectify and keeps str() of each section, so a
number is normalised ("0.000020" reads "2e-05"): the reference here is read
the same way, with lxml.objectify, independently of the binding.
"""
import pytest
from lxml import etree, objectify

from helpers import DATA_DIR, captures, tshark

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


def psml_of(capture, *args):
    out = tshark('-T', 'psml', *args, '-r', capture)
    assert out.returncode in (0, 2), out.stderr  # 2: a truncated capture's error at the end
    root = etree.fromstring(out.stdout)
    titles = [s.text or '' for s in root.find('structure').findall('section')]
    # PyShark's reading of each <packet> (tshark_xml.packet_from_xml_packet).
    packets = [objectify.fromstring(etree.tostring(p)) for p in root.findall('packet')]
    rows = [[str(s) for s in p.findall('section')] for p in packets]
    return titles, rows


def summaries_of(capture, **kw):
    titles, rows = None, []
    with cshark.FileCapture(capture, only_summaries=True, keep_packets=False, **kw) as cap:
        for s in cap:
            assert type(s).__name__ == 'PacketSummary'
            if titles is None:
                titles = list(s._field_order)
            assert s._field_order == titles
            rows.append([s._fields[t] for t in titles])
    return titles, rows


def first_row_difference(expected, actual):
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            return f"packet {i + 1}: tshark {e!r}, cshark {a!r}"
    return f"{len(expected)} packets in tshark, {len(actual)} in cshark"


@pytest.mark.parametrize('capture', [str(c) for c in captures()],
                         ids=[c.name for c in captures()])
def test_summaries_equal_psml(capture):
    titles, rows = psml_of(capture)
    got_titles, got_rows = summaries_of(capture)
    assert got_rows == rows, first_row_difference(rows, got_rows)
    if rows:
        assert got_titles == titles


def test_numbers_read_as_pyshark_reads_them():
    # tcpdump__ntp.pcap, frames 1 and 2 (tshark -n -T psml): Time 0.000000 and
    # 0.000133, which PyShark's objectify reading turns into floats.
    cap = cshark.FileCapture(str(DATA_DIR / 'tcpdump__ntp.pcap'), only_summaries=True)
    first, second = cap[0], cap[1]
    assert (first.time, second.time, first.no, first.length) == ('0.0', '0.000133', '1', '114')
    assert first.summary_line.startswith('1 0.0 192.168.100.2 192.168.100.1 NTP 114 ')
    cap.close()


def test_summary_attributes():
    # ndpi__http_auth.pcap, frame 4 (tshark -n -T psml).
    cap = cshark.FileCapture(str(DATA_DIR / 'ndpi__http_auth.pcap'), only_summaries=True)
    s = cap[3]
    assert (s.no, s.time, s.source, s.destination, s.protocol, s.length) == \
        ('4', '0.180279', '192.168.0.4', '192.254.189.169', 'HTTP', '805')
    assert s.info == 'GET /password-ok.php HTTP/1.1 '
    assert s.summary_line == ('4 0.180279 192.168.0.4 192.254.189.169 HTTP 805 '
                              'GET /password-ok.php HTTP/1.1 ')
    assert repr(s) == '<PacketSummary HTTP: 192.168.0.4 to 192.254.189.169>'
    cap.close()


def test_summaries_with_display_filter():
    # A filter makes tshark build a tree, which changes a few malformed
    # packets' Info: the binding must follow.
    capture = str(DATA_DIR / 'ndpi__badpackets.pcap')
    titles, rows = psml_of(capture, '-Y', 'dns')
    assert rows
    got_titles, got_rows = summaries_of(capture, display_filter='dns')
    assert (got_titles, got_rows) == (titles, rows), first_row_difference(rows, got_rows)


def test_summaries_follow_column_preference():
    capture = str(DATA_DIR / 'tcpdump__dns_tcp.pcap')
    fmt = '"No.","%m","Delta","%Tt","Host","%uns","Query","%Cus:dns.qry.name:0:R"'
    titles, rows = psml_of(capture, '-o', f'gui.column.format:{fmt}')
    assert titles == ['No.', 'Delta', 'Host', 'Query']
    got_titles, got_rows = summaries_of(capture, override_prefs={'gui.column.format': fmt})
    assert (got_titles, got_rows) == (titles, rows), first_row_difference(rows, got_rows)


def test_displayed_delta_column_follows_filter():
    capture = str(DATA_DIR / 'tcpdump__dns_tcp.pcap')
    fmt = '"No.","%m","Delta shown","%Gt","Cumulative bytes","%B"'
    titles, rows = psml_of(capture, '-Y', 'dns', '-o', f'gui.column.format:{fmt}')
    assert len(rows) > 1
    got_titles, got_rows = summaries_of(capture, display_filter='dns',
                                        override_prefs={'gui.column.format': fmt})
    assert (got_titles, got_rows) == (titles, rows), first_row_difference(rows, got_rows)
