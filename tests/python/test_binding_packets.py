"""Packets, layers and fields of the Python binding as PyShark has them,
pickling and copying, and the pyshark module alias."""
import os
import pickle
import subprocess
import sys

import pytest

from helpers import python_env
from helpers.binding import DNS_TCP, HTTP

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


# ---- packets, layers, fields ----------------------------------------------------------

def test_packet_attributes():
    cap = cshark.FileCapture(HTTP)
    p = cap[3]
    assert (p.number, p.length, p.captured_length) == ('4', '805', '805')
    assert isinstance(p.number, str) and p.number.raw_value == '4'
    assert p.sniff_timestamp == '1381844050.402794000'
    import datetime
    assert p.sniff_time == datetime.datetime.fromtimestamp(1381844050.402794)
    assert p.highest_layer == 'HTTP' and p.transport_layer == 'TCP'
    assert repr(p) == '<TCP/HTTP Packet>' and len(p) == 805
    assert [l.layer_name for l in p.layers] == ['eth', 'ip', 'tcp', 'http']
    assert 'ip' in p and 'IP' in p and 'udp' not in p and 'frame' not in p
    assert p['ip'] is p.ip and p[1] is p.ip and p[-1] is p.http
    with pytest.raises(KeyError):
        p['udp']
    with pytest.raises(AttributeError):
        p.udp
    assert p.frame_info.protocols == 'eth:ethertype:ip:tcp:http'
    assert p.get_multiple_layers('tcp') == [p.tcp]
    assert p.get_raw_packet() == bytes.fromhex(p.eth.dst.raw_value) + p.get_raw_packet()[6:]
    assert len(p.get_raw_packet()) == 805
    assert p.interface_captured is None  # a pcap file does not name it
    assert str(p).startswith('Packet (Length: 805)' + os.linesep + 'Layer ETH' + os.linesep + ':')


def test_layer_and_fields():
    p = cshark.FileCapture(HTTP)[3]
    ip = p.ip
    assert ip.src == '192.168.0.4' and ip.get_field('ip.src') is ip.src
    src = ip.src
    assert src.showname == 'Source Address: 192.168.0.4' and src.raw_value == 'c0a80004'
    assert src.pos == '26' and src.size == '4' and src.hide is False
    assert (src.showname_key, src.showname_value) == ('Source Address', '192.168.0.4')
    assert src.binary_value == bytes([192, 168, 0, 4]) and src.hex_value == 0xc0a80004
    assert ip.get_field_value('src', raw=True) == 'c0a80004'
    assert int(ip.ttl) == 64 and ip.ttl.hex_value == 64  # int_value reads raw_value as decimal (PyShark)
    assert ip.get_field_by_showname('Source Address') == '192.168.0.4'
    assert ip.has_field('src') and ip.has_field('ip.src') and not ip.has_field('nothere')
    assert ip.get('nothere', 'x') == 'x'
    assert 'src' in ip.field_names and 'flags_df' in ip.field_names
    assert ip.flags_df == '1' and ip.flags_df.unmaskedvalue == '40'
    # ip.addr occurs twice (hidden): the container holds both.
    assert [f.show for f in ip.addr.all_fields] == ['192.168.0.4', '192.254.189.169']
    assert ip.addr.main_field.hide is True and ip.addr.alternate_fields[0].show == '192.254.189.169'
    assert p.http.request_full_uri == 'http://browserspy.dk/password-ok.php'
    assert p.tcp.flags_syn.showname == '.... .... ..0. = Syn: Not set'
    # Text-only lines gather under '' (PyShark's rule).
    assert '' in p.tcp._all_fields
    ip.raw_mode = True
    assert ip.src == 'c0a80004'
    ip.raw_mode = False
    # Beyond PyShark: the tree, and fields by name anywhere in the packet.
    flags = p.tcp.get_field('tcp.flags')
    assert [c.name for c in flags.children][:3] == ['tcp.flags.res', 'tcp.flags.ae', 'tcp.flags.cwr']
    assert [f.name for f in p.ip.get_tree()][:3] == ['ip.version', 'ip.hdr_len', 'ip.dsfield']
    assert p.ip.src.typed_value == bytes([192, 168, 0, 4]) and p.ip.ttl.typed_value == 64
    assert p.get('http.host') == 'browserspy.dk' and p.get('dns.qry.name') is None
    assert p.get_all('tcp.port') == ['54337', '80']
    with pytest.raises(cshark.FieldError):
        p.get('no.such.field')


def test_laziness():
    # Names are compared without building layers; a field by name builds one
    # container; the whole layer is flattened only for _all_fields (and once
    # per protocol, to learn its field names: done here on packet 1).
    cap = cshark.FileCapture(HTTP)
    cap[0].ip.src
    p = cap[3]
    assert 'ip' in p and p.highest_layer == 'HTTP' and p.transport_layer == 'TCP'
    assert p._objs == [None] * 4
    ip = p.ip
    assert ip.src == '192.168.0.4'
    assert ip._index is None and not ip._flat and list(ip._by_name) == ['ip.src']
    assert p._objs[0] is None and p._objs[2] is None
    ip._all_fields
    assert ip._flat and ip._index is not None


def test_answered_names_become_class_attributes():
    # pkt.ip and layer.src, once answered, are class attributes of the tree
    # classes (a descriptor running the same lookup): they must answer per
    # packet and per layer, never leak into dir(), and never shadow the
    # instance's own attributes or the classes' methods.
    from cshark._tree import TreeLayer, TreePacket
    packets = list(cshark.FileCapture(DNS_TCP))
    ip_packet = next(p for p in packets if 'ip' in p)
    arp_like = cshark.InMemCapture().parse_packet(bytes.fromhex(
        'ffffffffffff000102030405080600010800060400010001020304050a000001000000000000'
        '0a000002'))
    assert ip_packet.ip.src and isinstance(TreePacket.__dict__.get('ip'), cshark._cshark.Attr)
    assert isinstance(TreeLayer.__dict__.get('src'), cshark._cshark.Attr)
    assert not hasattr(arp_like, 'ip') and 'ip' not in dir(arp_like)
    with pytest.raises(AttributeError, match='No attribute named ip'):
        arp_like.ip
    assert arp_like.arp.src_proto_ipv4 == '10.0.0.1'
    with pytest.raises(AttributeError, match='src does not exist in Layer'):
        arp_like.arp.src  # 'src' is installed, but an ARP layer has no such field
    assert 'src' not in dir(arp_like.arp) and 'src' in dir(ip_packet.ip)
    # Layers named in another case, and raw_mode, go through the same lookup.
    assert ip_packet.IP is ip_packet.ip and ip_packet.IP.src == ip_packet.ip.src
    layer = ip_packet.ip
    raw = layer.src.raw_value
    layer.raw_mode = True
    assert layer.src == raw and len(raw) == 8
    layer.raw_mode = False
    # A method keeps its name even when a field sanitises to it.
    assert callable(ip_packet.ip.get) and not isinstance(TreeLayer.__dict__.get('get'),
                                                         cshark._cshark.Attr)
    # The instance's own attribute wins, as it would over __getattr__.
    ip_packet.__dict__['ip'] = 'mine'
    assert ip_packet.ip == 'mine'


def test_data_layer_and_layer_repr():
    p = cshark.FileCapture(HTTP)[27]
    assert [l.layer_name for l in p.layers] == ['eth', 'ip', 'tcp', 'DATA', 'http', 'data-text-lines']
    assert p.DATA.layer_name == 'DATA' and 'data' in p and repr(p.DATA) == '<DATA Layer>'
    assert str(p.DATA) == 'DATA'
    assert p.DATA.tcp_segments.showname.startswith('15 Reassembled TCP Segments')


def test_layerfield_by_hand():
    from cshark.packet.fields import LayerField, LayerFieldsContainer
    f = LayerField(name='ip.ttl', showname='Time to Live: 64', value='40', show='64',
                   hide='yes', pos='22', size='1')
    assert f.hide is True and f.raw_value == '40' and f.hex_value == 64 and f.int_value == 40
    assert repr(f) == '<LayerField ip.ttl: 64>' and f.children == []
    c = LayerFieldsContainer(f)
    c.add_field(LayerField(name='ip.ttl', show='32'))
    assert c == '64' and c.showname == 'Time to Live: 64' and [x.show for x in c.all_fields] == ['64', '32']
    assert LayerFieldsContainer(LayerField(name='x', value='ab')) == 'ab'
    assert LayerFieldsContainer(LayerField(name='x', showname='only')) == 'only'
    assert LayerField(name='x').hide is False


def test_pickle_and_copy():
    import copy
    p = cshark.FileCapture(HTTP)[3]
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is cshark.Packet
    assert str(q) == str(p) and repr(q) == repr(p)
    assert q.ip.src == '192.168.0.4' and q.ip.src.showname == p.ip.src.showname
    assert q.http.request_full_uri == p.http.request_full_uri
    assert (q.number, q.length, q.sniff_timestamp, q.sniff_time) == \
        (p.number, p.length, p.sniff_timestamp, p.sniff_time)
    assert q.frame_info.protocols == p.frame_info.protocols
    assert q.get_raw_packet() == p.get_raw_packet()
    assert 'tcp' in q and q.transport_layer == 'TCP'
    layer = pickle.loads(pickle.dumps(p.tcp))
    assert type(layer).__name__ == 'XmlLayer' and layer.srcport == '54337'
    assert copy.deepcopy(p).ip.dst == p.ip.dst
    summary = next(iter(cshark.FileCapture(HTTP, only_summaries=True)))
    assert pickle.loads(pickle.dumps(summary)).summary_line == summary.summary_line


def test_packets_outlive_their_capture():
    cap = cshark.FileCapture(HTTP)
    packets = list(cap)
    cap.close()
    other = list(cshark.FileCapture(DNS_TCP))
    assert packets[3].http.request_full_uri == 'http://browserspy.dk/password-ok.php'
    assert other[0].tcp.dstport == '53'


def test_pyshark_module_alias():
    code = ("import sys, cshark; sys.modules['pyshark'] = cshark\n"
            "import pyshark\n"
            # As after PyShark's import: its live_capture imports pyshark.tshark.tshark.
            "assert 'lo' in pyshark.tshark.tshark.get_tshark_interfaces()\n"
            "from pyshark.packet.packet import Packet\n"
            "from pyshark.packet.fields import LayerField, LayerFieldsContainer\n"
            "from pyshark.packet.packet_summary import PacketSummary\n"
            "from pyshark.capture.capture import TSharkCrashException, StopCapture, Capture\n"
            "from pyshark.capture.file_capture import FileCapture\n"
            "from pyshark.capture.live_capture import LiveCapture\n"
            "from pyshark.packet.layers.base import BaseLayer\n"
            "from pyshark.packet.layers.xml_layer import XmlLayer\n"
            "from pyshark.tshark.tshark import TSharkNotFoundException\n"
            "import pyshark.capture.inmem_capture\n"
            "assert Packet is cshark.Packet and FileCapture is cshark.FileCapture\n"
            "p = pyshark.FileCapture(sys.argv[1])[0]\n"
            "assert isinstance(p, Packet) and isinstance(p.ip, XmlLayer) and isinstance(p.ip, BaseLayer)\n"
            "assert isinstance(p.ip.src, LayerFieldsContainer)\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, '-c', code, HTTP], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=60, env=python_env())
    assert out.stdout.decode().strip() == 'ok', out.stderr.decode()
