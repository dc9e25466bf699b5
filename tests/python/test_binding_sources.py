"""The Python binding's other sources: InMemCapture, PipeCapture and live
capture on lo (as root)."""
import asyncio
import os
import threading
import time

import pytest

from helpers import DATA_DIR, tshark, tshark_fields, udp_socket
from helpers.binding import DNS_TCP, HTTP

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


# ---- other sources -------------------------------------------------------------------

def test_inmem_capture():
    originals = list(cshark.FileCapture(HTTP))[:4]
    cap = cshark.InMemCapture()
    parsed = cap.parse_packets([p.get_raw_packet() for p in originals],
                               [float(p.sniff_timestamp) for p in originals])
    assert [p.highest_layer for p in parsed] == [p.highest_layer for p in originals]
    assert parsed[3].http.request_full_uri == originals[3].http.request_full_uri
    assert parsed[0].sniff_timestamp == originals[0].sniff_timestamp
    one = cap.parse_packet(originals[1].get_raw_packet())
    assert one.ip.src == originals[1].ip.src
    filtered = cshark.InMemCapture(display_filter='http').parse_packets(
        [p.get_raw_packet() for p in originals])
    assert [p.highest_layer for p in filtered] == ['HTTP']


def test_inmem_frame_info_as_tshark_reads_a_pipe():
    # PyShark's InMemCapture feeds `tshark -i -`: the frame layer is that of
    # dumpcap's pcapng, interface "-" (section_number, interface_id and
    # interface_name included), every field as tshark -i - -T pdml shows it.
    from lxml import etree
    ntp = DATA_DIR / 'tcpdump__ntp.pcap'
    pdml = tshark('-i', '-', '-T', 'pdml', input=ntp.read_bytes()).stdout
    expected = [[(e.get('name'), e.get('show')) for e in packet.find('proto[@name="frame"]').iter('field')]
                for packet in etree.fromstring(pdml).findall('packet')]
    originals = list(cshark.FileCapture(str(ntp)))
    cap = cshark.InMemCapture()
    got = []
    for p in originals:
        frame = cap.parse_packet(p.get_raw_packet(), float(p.sniff_timestamp)).frame_info
        got.append([(f.name, f.show) for name in frame.field_names
                    for f in frame.get_field(name).all_fields])
    cap.close()
    assert len(expected) == len(originals) == 8  # capinfos
    assert [sorted(g) for g in got] == [sorted(e) for e in expected]
    assert ('frame.interface_name', '-') in got[0]


def test_inmem_session_lasts_across_calls():
    """One packet per call, as a PyShark user feeding a stream does: frame
    numbers, conversations and HTTP request/response matching carry on, and
    every layer equals the file's."""
    originals = list(cshark.FileCapture(HTTP))
    cap = cshark.InMemCapture()
    parsed = [cap.parse_packet(p.get_raw_packet(), float(p.sniff_timestamp)) for p in originals]
    assert [p.number for p in parsed] == [str(i) for i in range(1, 34)]
    assert parsed[27].http.request_in == '4'
    for a, b in zip(originals, parsed):
        assert str(a) == str(b)
    # Another capture read in between takes the engine: a new session.
    assert len(list(cshark.FileCapture(DNS_TCP))) == 11
    again = cap.parse_packet(originals[0].get_raw_packet())
    assert again.number == '1'
    cap.close()
    # feed_packets (PyShark: a new tshark per call).
    fed = cshark.InMemCapture().feed_packets([p.get_raw_packet() for p in originals[:5]])
    assert [p.number for p in fed] == ['1', '2', '3', '4', '5']
    with pytest.raises(ValueError, match='pseudo-header'):
        cshark.InMemCapture(linktype=123).parse_packet(b'\0' * 8)


def _pcap_records(path):
    """The pcap global header and each record's bytes."""
    data = open(path, 'rb').read()
    header, off, records = data[:24], 24, []
    while off < len(data):
        caplen = int.from_bytes(data[off + 8:off + 12], 'little')
        records.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return header, records


def test_pipe_capture():
    read_fd, write_fd = os.pipe()
    data = open(HTTP, 'rb').read()

    def writer():
        with os.fdopen(write_fd, 'wb') as w:
            w.write(data)
    threading.Thread(target=writer).start()
    cap = cshark.PipeCapture(read_fd, display_filter='http')
    assert [p.number for p in cap.sniff_continuously()] == ['4', '28']
    cap.close()


def test_pipe_capture_streams():
    """The first packet arrives while the writer still holds the rest back:
    the pipe is read as it comes, not spooled to its end first."""
    header, records = _pcap_records(HTTP)
    read_fd, write_fd = os.pipe()
    first_seen = threading.Event()
    held_back = []

    def writer():
        with os.fdopen(write_fd, 'wb') as w:
            w.write(header + b''.join(records[:4]))
            w.flush()
            held_back.append(not first_seen.wait(30))
            w.write(b''.join(records[4:]))
    t = threading.Thread(target=writer)
    t.start()
    cap = cshark.PipeCapture(read_fd)
    numbers = []
    for p in cap.sniff_continuously():
        numbers.append(p.number)
        first_seen.set()
    t.join()
    cap.close()
    assert held_back == [False], 'the first packet only came after the whole pipe'
    assert numbers == [str(i) for i in range(1, 34)]


def test_pipe_capture_from_file_object_without_descriptor():
    import io
    cap = cshark.PipeCapture(io.BytesIO(open(DNS_TCP, 'rb').read()), display_filter='dns')
    assert [p.number for p in cap.sniff_continuously()] == \
        [r[0] for r in tshark_fields(DNS_TCP, ['frame.number'], '-Y', 'dns')]
    cap.close()


# ---- live capture on lo -------------------------------------------------------------

def _live_possible():
    if os.geteuid() != 0:
        return False
    try:
        return any(i['name'] == 'lo' for i in cshark._cshark.interfaces())
    except Exception:
        return False


live = pytest.mark.skipif(not _live_possible(), reason='live capture on lo needs root')


class _Sender:
    """Sends numbered UDP datagrams to 127.0.0.1:PORT every 20 ms until stopped."""

    def __init__(self):
        self.sock = udp_socket()
        probe = udp_socket()
        self.port = probe.getsockname()[1]
        self.probe = probe  # keeps the port ours (and ICMP unreachable away)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        n = 0
        while not self.stopped.wait(0.02) and n < 1000:
            self.sock.sendto(b'cshark-%d' % n, ('127.0.0.1', self.port))
            n += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
        self.sock.close()
        self.probe.close()


@live
def test_live_sniff_continuously():
    with _Sender() as sender:
        cap = cshark.LiveCapture('lo', bpf_filter=f'udp dst port {sender.port}')
        packets = list(cap.sniff_continuously(packet_count=3))
        cap.close()
    assert len(packets) == 3
    assert all(p.udp.dstport == str(sender.port) for p in packets)
    assert all(p.interface_captured == 'lo' for p in packets)
    assert packets[0].data.data.binary_value.startswith(b'cshark-')


@live
def test_live_sniff_timeout_and_display_filter():
    with _Sender() as sender:
        cap = cshark.LiveCapture('lo', display_filter=f'udp.dstport == {sender.port}')
        started = time.monotonic()
        cap.sniff(timeout=0.5)
        assert 0.4 < time.monotonic() - started < 3
    assert len(cap) >= 3 and all(p.udp.dstport == str(sender.port) for p in cap)


@live
def test_live_apply_on_packets_timeout_and_stop_from_thread():
    with _Sender() as sender:
        cap = cshark.LiveCapture('lo', bpf_filter=f'udp dst port {sender.port}')
        seen = []
        with pytest.raises(asyncio.TimeoutError):
            cap.apply_on_packets(seen.append, timeout=0.5)
        assert seen
        cap = cshark.LiveCapture('lo', bpf_filter='udp dst port 9')  # nothing comes
        threading.Timer(0.3, cap.close).start()
        started = time.monotonic()
        assert list(cap.sniff_continuously()) == []
        assert time.monotonic() - started < 3
