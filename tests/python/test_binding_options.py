"""The Python binding's capture options, checked against tshark on the same
capture: display filters, decode-as, preferences, protocols, decryption,
custom parameters, fields of interest, only_summaries."""
import pickle

import pytest

from helpers import DATA_DIR, Y2105, changed_copy, tshark, tshark_fields
from helpers.binding import CONNCHECK, DNS_TCP, HTTP, TLS, TLS_KEYS, WPA, protocols

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


def test_display_filter():
    expected = [n for (n,) in tshark_fields(CONNCHECK, ['frame.number'], '-Y', 'dns || http')]
    got = [p.number for p in cshark.FileCapture(CONNCHECK, display_filter='dns || http')]
    assert got == expected and got


def test_invalid_display_filter_raises_at_construction():
    with pytest.raises(cshark.FilterError) as info:
        cshark.FileCapture(HTTP, display_filter='ip.src == ')
    # PyShark code catches tshark failures as TSharkCrashException.
    from cshark.capture.capture import TSharkCrashException
    assert isinstance(info.value, TSharkCrashException)
    with pytest.raises(cshark.FilterError):
        cshark.FileCapture(HTTP, custom_parameters=['-Y', 'nosuchfield.x == 1'])


def test_filter_error_message_with_a_byte_that_is_not_utf8():
    # The engine quotes the filter's string as bytes: "\377" is byte 0xFF,
    # which is not UTF-8. The message used to be lost (an empty exception).
    text = 'frame.len === "\\377"'
    oracle = tshark('-Y', text, '-r', HTTP)
    wanted = b'Unsigned integer (4 bytes) cannot be converted from a string ("\xff").'
    assert oracle.returncode != 0 and wanted in oracle.stderr, oracle.stderr
    with pytest.raises(cshark.FilterError) as info:
        cshark.check_filter(text)
    assert wanted.decode('utf-8', 'replace') in str(info.value)
    with pytest.raises(cshark.FilterError) as info:
        cshark.FileCapture(HTTP, display_filter=text)
    assert 'cannot be converted from a string' in str(info.value)


def test_packet_without_layers_with_fields():
    # NFLOG adds its own item only when asked for, so a frame that is only an
    # NFLOG header (AF_INET, version 0, resource 0) has no layer at all when
    # just frame.number is built. highest_layer and repr() used to raise
    # IndexError on it.
    data = bytes.fromhex('02000000')
    with cshark.InMemCapture(linktype=239) as full:
        packet = full.parse_packet(data)
        assert [layer.layer_name for layer in packet.layers] == ['nflog']
        assert packet.highest_layer == 'NFLOG' and repr(packet) == '<NFLOG Packet>'
    with cshark.InMemCapture(linktype=239, fields=['frame.number']) as fields:
        packet = fields.parse_packet(data)
        assert packet.layers == [] and packet.highest_layer is None
        assert packet.transport_layer is None and repr(packet) == '<Packet>'
        assert str(packet).startswith('Packet (Length: 4)')
        assert pickle.loads(pickle.dumps(packet)).highest_layer is None


def test_sniff_timestamp_after_2038(tmp_path):
    # tshark's PDML writes the seconds as a C int, so PyShark's sniff_timestamp
    # wraps after 2038 ("-3986929.720289000", sniff_time in 1969); the binding
    # gives the true time (README: deliberate differences).
    path = str(changed_copy(tmp_path, 'y2105.pcap', 0, Y2105))
    (epoch,), (_,) = tshark_fields(path, ['frame.time_epoch'])[:2]
    packet = next(iter(cshark.FileCapture(path)))
    assert packet.sniff_timestamp == epoch == '4290980367.720289000'
    assert packet.sniff_time.year == 2105


def test_decode_as():
    expected = tshark_fields(HTTP, ['frame.protocols'], '-d', 'tcp.port==80,telnet')
    cap = cshark.FileCapture(HTTP, decode_as={'tcp.port==80': 'telnet'})
    assert [[protocols(p)] for p in cap] == expected
    assert any('telnet' in p for (p,) in expected)
    with pytest.raises(cshark.OptionError):
        cshark.FileCapture(HTTP, decode_as={'tcp.port==80': 'nosuchprotocol'})


@pytest.mark.parametrize('name', ['tls.keylog_file', 'ssl.keylog_file'])
def test_override_prefs_tls_keylog(name):
    # 'ssl.keylog_file' is the name most PyShark code still uses: the engine
    # converts it (tshark warns), and it must end with its capture as well.
    expected = tshark_fields(TLS, ['frame.protocols', 'http2.header.name'],
                             '-o', f'{name}:{TLS_KEYS}')
    cap = cshark.FileCapture(TLS, override_prefs={name: TLS_KEYS})
    got = [[protocols(p), p.get('http2.header.name') or ''] for p in cap]
    assert got == expected
    assert any('http2' in row[0] for row in got)
    # Without the keys, nothing is decrypted: the preference was this capture's only.
    assert not any('http2' in protocols(p) for p in cshark.FileCapture(TLS))


def test_empty_attribute_name_is_the_text_items():
    # '' is in most layers' field_names (PyShark gathers text-only items
    # under it): getattr(layer, '') gives them, so the common loop over
    # field_names, hasattr() and inspect.getmembers() work (IndexError before).
    import inspect
    oracle = tshark('-T', 'pdml', '-c', '1', '-r', DNS_TCP)
    assert oracle.returncode == 0, oracle.stderr
    pdml = oracle.stdout.decode()
    tcp = pdml[pdml.index('<proto name="tcp"'):]
    first_text = tcp[tcp.index('<field name="" show="'):].split('"')[3]
    p = cshark.FileCapture(DNS_TCP)[0]
    assert '' in p.tcp.field_names and hasattr(p.tcp, '')
    assert getattr(p.tcp, '') == p.tcp.get('') == first_text == 'Timestamps'
    assert inspect.getmembers(p.tcp)
    for layer in p.layers:
        assert all(getattr(layer, name) is not None for name in layer.field_names)
    # dir() lists layer_name, as PyShark: 'DATA' for PDML's fake-field-wrapper.
    wrapped = next(p for p in cshark.FileCapture(HTTP) if 'DATA' in
                   [layer.layer_name for layer in p.layers])
    assert 'DATA' in dir(wrapped) and hasattr(wrapped, 'DATA')


def test_disable_protocol():
    expected = tshark_fields(HTTP, ['frame.protocols'], '--disable-protocol', 'http')
    got = [[protocols(p)] for p in cshark.FileCapture(HTTP, disable_protocol='http')]
    assert got == expected
    assert not any('http' in p.split(':') for (p,) in got)
    assert any('http' in p for p in cshark.FileCapture(HTTP))


def test_wlan_decryption():
    got = [p.highest_layer for p in cshark.FileCapture(
        WPA, decryption_key='wireshark:ikeriri-5g', encryption_type='wpa-pwd')]
    assert 'DHCP' in got and 'ARP' in got
    # PyShark's default encryption_type, 'wpa-pwk', is read as wpa-pwd or wpa-psk.
    assert [p.highest_layer for p in cshark.FileCapture(WPA, decryption_key='wireshark:ikeriri-5g')] == got
    with pytest.raises(cshark.capture.capture.UnknownEncryptionStandardException):
        cshark.FileCapture(WPA, decryption_key='x', encryption_type='wpa3')


def test_custom_parameters():
    expected = [n for (n,) in tshark_fields(CONNCHECK, ['frame.number'], '-Y', 'http', '-2')]
    cap = cshark.FileCapture(CONNCHECK, custom_parameters=['-Y', 'http', '-2'])
    assert [p.number for p in cap] == expected
    cap = cshark.FileCapture(CONNCHECK, custom_parameters={'-Y': 'http', '-c': '20'})
    assert [p.number for p in cap] == [n for n in expected if int(n) <= 20]
    with pytest.raises(cshark.UnsupportedParameterError):
        cshark.FileCapture(CONNCHECK, custom_parameters=['-G', 'fields'])


def test_fields_of_interest():
    expected = tshark_fields(CONNCHECK, ['ip.src', 'dns.qry.name'])
    got = [[p.get('ip.src') or '', p.get('dns.qry.name') or '']
           for p in cshark.FileCapture(CONNCHECK, fields=['ip.src', 'dns.qry.name'])]
    assert got == expected
    # The attribute path, with the strings a read-ahead worker made.
    sources = [src for src, _ in expected if src]
    got = [(p.ip.src, p.ip.src.raw_value, p.ip.src.showname, p.ip.src.pos)
           for p in cshark.FileCapture(CONNCHECK, fields=['ip.src']) if 'ip' in p]
    assert got == [(s, ''.join(f'{int(b):02x}' for b in s.split('.')), f'Source Address: {s}', '26')
                   for s in sources]
    with pytest.raises(cshark.FieldError):
        cshark.FileCapture(CONNCHECK, fields=['no.such.field'])


def test_fields_of_interest_expert_items():
    # Raised only while a string item is built: fields= alone must not lose
    # them (22 packets in tshark -T fields, 0 in a primed tree).
    fuzz = str(DATA_DIR / 'ndpi__fuzz-2006-06-26-2594.pcap')
    name = '_ws.string.trailing_stray_characters'
    expected = [n for n, v in tshark_fields(fuzz, ['frame.number', name]) if v]
    assert len(expected) == 22
    got = [p.number for p in cshark.FileCapture(fuzz, fields=[name]) if p.get(name) is not None]
    assert got == expected


def test_debug_logs_filter_warnings(capsys):
    # PyShark's debug=True: the capture's logger writes to stdout. Quiet
    # without it (the logger is made on first use).
    cshark.FileCapture(HTTP, display_filter='ssl')
    assert capsys.readouterr().out == ''
    cap = cshark.FileCapture(HTTP, display_filter='ssl', debug=True)
    assert '"ssl" is deprecated in favour of "tls"' in capsys.readouterr().out
    assert cap._log.name == 'FileCapture'


def test_only_summaries():
    summaries = list(cshark.FileCapture(HTTP, only_summaries=True))
    rows = tshark_fields(HTTP, ['frame.number', 'ip.src', 'ip.dst', 'frame.len'])
    assert [(s.no, s.source, s.destination, s.length) for s in summaries] == [tuple(r) for r in rows]
    # PyShark reads Time 0.000000 as the float 0.0 (lxml.objectify).
    assert summaries[0].time == '0.0' and summaries[0].protocol == 'TCP'
    assert type(summaries[0]).__name__ == 'PacketSummary'
    assert 'TCP: 192.168.0.4 to 192.254.189.169' in repr(summaries[0])
