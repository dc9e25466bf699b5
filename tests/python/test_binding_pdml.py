"""The Python binding against tshark, packet by packet, on every capture of
tests/data: each layer's PyShark view (`_all_fields`: show, showname,
raw_value, unmaskedvalue, pos, size, hide), the layer list, frame_info and
the packet attributes equal what PyShark builds from `tshark -n -T pdml`.

PyShark's rules are implemented here from the PDML with lxml, independently
of the binding: layers are the packet's top-level <proto> elements but
geninfo, frame and pkt_comment (fake-field-wrapper being the layer DATA);
a layer's fields are all its <field> descendants in document order, grouped
by name; attribute lookup is the exact name, else the first name whose
sanitised form (layer prefix removed, '.'/'-' as '_', lower case) matches.

Attribute lookups are also checked one by one on fresh layer objects, so
that the binding's direct path (by full name through the engine's index)
is compared with the rule, not only its flattened dictionary.
"""
import io

import pytest
from lxml import etree

from helpers import DATA_DIR, capture_params, tshark

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")
from cshark._tree import _class_dir as class_dir  # noqa: E402  dir() without installed names

ATTRS = ('show', 'showname', 'value', 'unmaskedvalue', 'pos', 'size', 'hide')


def pdml_of(capture, *args):
    result = tshark('-T', 'pdml', *args, '-r', capture)
    assert result.returncode == 0, result.stderr.decode(errors='replace')[-500:]
    data = result.stdout
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        # Raw bytes tshark copies into PDML: read as U+FFFD, as the binding does.
        data = data.decode('utf-8', 'replace').encode('utf-8')
    return data


def reference_layer(proto):
    """PyShark's XmlLayer._all_fields of a <proto>: name -> [attribute tuples]."""
    fields = {}
    for field in proto.iter('field'):
        a = field.attrib
        fields.setdefault(a['name'], []).append((
            a.get('show'), a.get('showname'), a.get('value'), a.get('unmaskedvalue'),
            a.get('pos'), a.get('size'), a.get('hide') == 'yes'))
    return fields


def reference_packets(pdml):
    """Per packet: (info, [(layer name, fields)], frame fields)."""
    out = []
    for _, packet in etree.iterparse(io.BytesIO(pdml), events=('end',), tag='packet',
                                     huge_tree=True):
        protos = [p for p in packet if p.tag == 'proto']
        geninfo = {f.get('name'): f for f in protos[0]} if protos[0].get('name') == 'geninfo' else {}
        info = {k: geninfo[k].get('show') for k in ('num', 'len', 'caplen')}
        info['timestamp'] = geninfo['timestamp'].get('value')
        frame = next((p for p in packet.iter('proto') if p.get('name') == 'frame'), None)
        layers = [(p.get('name'), reference_layer(p)) for p in protos
                  if p.get('name') not in ('geninfo', 'frame', 'pkt_comment')]
        out.append((info, layers, None if frame is None else reference_layer(frame)))
        packet.clear()
    return out


def sanitize(layer_name, name):
    prefix = 'DATA.' if layer_name == 'fake-field-wrapper' else layer_name + '.'
    return name.replace(prefix, '').replace('.', '_').replace('-', '_').lower()


def reference_lookup(layer_name, fields, query):
    if query in fields:
        return query
    target = sanitize(layer_name, query)
    for name in fields:
        if sanitize(layer_name, name) == target:
            return name
    return None


def actual_fields(layer):
    return {name: [(f.show, f.showname, f.raw_value, f.unmaskedvalue, f.pos, f.size, f.hide)
                   for f in container.all_fields]
            for name, container in layer._all_fields.items()}


def first_difference(expected, actual):
    if list(expected) != list(actual):
        missing = [n for n in expected if n not in actual]
        extra = [n for n in actual if n not in expected]
        return f'field names differ: missing {missing[:5]}, extra {extra[:5]}'
    for name in expected:
        if expected[name] != actual[name]:
            for i, (e, a) in enumerate(zip(expected[name], actual[name])):
                if e != a:
                    which = [ATTRS[k] for k in range(len(e)) if e[k] != a[k]]
                    return f'{name}#{i + 1} {which}: tshark {e!r} != cshark {a!r}'
            return f'{name}: {len(expected[name])} occurrences != {len(actual[name])}'
    return None


def check_lookups(layer, name, fields, where):
    """Every full and sanitised name, looked up on a fresh layer object, finds
    the container PyShark's rule picks."""
    queries = set(fields)
    queries.update(sanitize(name, n) for n in fields)
    for query in sorted(queries):
        fresh = type(layer)._new(layer._item, layer._layer_name, layer._raw)
        found = fresh.get_field(query)
        expected = reference_lookup(name, fields, query)
        got = None if found is None else found.main_field.name
        assert got == expected, f'{where}: get_field({query!r}) found {got!r}, PyShark {expected!r}'
        if found is not None:
            assert [f.show for f in found.all_fields] == [t[0] for t in fields[expected]], \
                f'{where}: get_field({query!r}) occurrences differ'
        if query.isidentifier() and not query.startswith('__') and query not in class_dir(type(layer)):
            # Twice: the first lookup of a name may go through __getattr__
            # and install the class attribute the second one goes through.
            for _ in range(2):
                fresh = type(layer)._new(layer._item, layer._layer_name, layer._raw)
                value = getattr(fresh, query, None)
                assert (value is None) == (expected is None), f'{where}: attribute {query!r}'
                if value is not None:
                    assert value.main_field.name == expected, f'{where}: attribute {query!r}'


@pytest.mark.parametrize('capture', capture_params())
def test_layers_equal_pdml(capture):
    expected = reference_packets(pdml_of(capture))
    packets = list(cshark.FileCapture(str(capture)))
    assert len(packets) == len(expected), f'{len(packets)} packets, tshark {len(expected)}'
    for packet, (info, layers, frame) in zip(packets, expected):
        where = f'{capture.name} frame {info["num"]}'
        assert (packet.number, packet.length, packet.captured_length) == \
            (info['num'], info['len'], info['caplen']), where
        assert packet.sniff_timestamp == info['timestamp'], where
        assert [l._layer_name for l in packet.layers] == [n for n, _ in layers], where
        for layer, (name, fields) in zip(packet.layers, layers):
            diff = first_difference(fields, actual_fields(layer))
            assert diff is None, f'{where}, layer {name}: {diff}'
        if frame is not None:
            diff = first_difference(frame, actual_fields(packet.frame_info))
            assert diff is None, f'{where}, frame_info: {diff}'


# The direct lookup path on a few captures with varied layers (the rest of the
# corpus goes through the same code; every capture would take too long).
LOOKUP_CAPTURES = ['ndpi__http_auth.pcap', 'tcpdump__dns_tcp.pcap', 'tcpdump__icmpv6.pcap',
                   'tcpdump__vxlan.pcap', 'ndpi__smb_deletefile.pcap', 'tcpdump__quic_handshake.pcap',
                   'libpcap__wpa2linkuppassphraseiswireshark.pcap', 'ndpi__badpackets.pcap',
                   # camelCase field names (snmp, sip) and other protocols' names
                   # inside a layer (mptcp.* in tcp, tls.quic.* in quic)
                   'ndpi__snmp.pcap', 'ndpi__fuzz-2006-06-26-2594.pcap', 'tcpdump__mptcp-v1.pcap']


@pytest.mark.parametrize('name', LOOKUP_CAPTURES)
def test_attribute_lookup_follows_pyshark(name):
    capture = DATA_DIR / name
    expected = reference_packets(pdml_of(capture))
    for index, packet in enumerate(cshark.FileCapture(str(capture))):
        if index >= 40:
            break
        info, layers, _ = expected[index]
        for layer, (layer_name, fields) in zip(packet.layers, layers):
            check_lookups(layer, layer_name, fields, f'{name} frame {info["num"]} {layer_name}')
