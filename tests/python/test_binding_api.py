"""The PyShark API of the Python binding: capture options (checked against
tshark), reading (iteration, next, [i], len, load_packets, apply_on_packets,
async), packets and fields as PyShark has them, pickling, threads, the
pyshark module alias, InMemCapture, PipeCapture and live capture on lo."""
import asyncio
import os
import pickle
import subprocess
import sys
import threading
import time

import pytest

from conftest import DATA_DIR, TSHARK, Y2105, changed_copy, python_env, udp_socket

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")

HTTP = str(DATA_DIR / 'ndpi__http_auth.pcap')      # 33 packets, HTTP + TCP
DNS_TCP = str(DATA_DIR / 'tcpdump__dns_tcp.pcap')  # DNS over TCP
TLS = str(DATA_DIR / 'rtshark__test_tls.pcap')
TLS_KEYS = str(DATA_DIR / 'rtshark__test_tls.keylog')
WPA = str(DATA_DIR / 'libpcap__wpa2linkuppassphraseiswireshark.pcap')
CONNCHECK = str(DATA_DIR / 'ndpi__conncheck.pcap')


def tshark_fields(capture, fields, *args):
    cmd = [TSHARK, '-n', '-r', capture, '-T', 'fields', '-E', 'occurrence=f', *args]
    for field in fields:
        cmd += ['-e', field]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert out.returncode == 0, out.stderr
    return [line.split('\t') for line in out.stdout.decode().splitlines()]


def protocols(packet):
    return packet.frame_info.protocols


# ---- options, against tshark -------------------------------------------------------

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
    oracle = subprocess.run([TSHARK, '-n', '-Y', text, '-r', HTTP], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120)
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
    pdml = subprocess.run([TSHARK, '-n', '-T', 'pdml', '-c', '1', '-r', DNS_TCP],
                          stdout=subprocess.PIPE, check=True).stdout.decode()
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


# ---- reading ------------------------------------------------------------------------

def test_next_getitem_len_and_iteration():
    cap = cshark.FileCapture(HTTP)
    assert len(cap) == 0
    assert cap[3].number == '4'
    assert len(cap) == 4
    assert cap.next().number == '5'  # cap[3] read through next(), as PyShark
    numbers = [p.number for p in cap]  # a new read from the start, not kept
    assert numbers == [str(i) for i in range(1, 34)]
    assert len(cap) == 5
    with pytest.raises(KeyError):
        cap[500]
    cap.close()
    nokeep = cshark.FileCapture(HTTP, keep_packets=False)
    assert nokeep.next().number == '1' and nokeep.next().number == '2'
    with pytest.raises(NotImplementedError):
        nokeep[0]


def test_load_packets_counts_delivered_packets():
    cap = cshark.FileCapture(CONNCHECK, display_filter='http')
    cap.load_packets(3)  # PyShark would count 3 records read (tshark -c) and keep none
    assert [p.number for p in cap] == [n for (n,) in tshark_fields(CONNCHECK, ['frame.number'],
                                                                   '-Y', 'http')][:3]
    assert cap.loaded and len(cap) == 3
    cap.load_packets()
    assert len(cap) == 3 + len(tshark_fields(CONNCHECK, ['frame.number'], '-Y', 'http'))


def test_apply_on_packets():
    seen = []
    cshark.FileCapture(HTTP).apply_on_packets(lambda p: seen.append(p.number))
    assert seen == [str(i) for i in range(1, 34)]

    seen = []

    async def callback(packet):
        seen.append(packet.number)
        if len(seen) == 5:
            raise cshark.StopCapture()
    cshark.FileCapture(HTTP).apply_on_packets(callback)
    assert seen == ['1', '2', '3', '4', '5']

    seen = []
    cshark.FileCapture(HTTP).apply_on_packets(lambda p: seen.append(p), packet_count=7)
    assert len(seen) == 7


def test_apply_on_packets_timeout():
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        cshark.FileCapture(HTTP).apply_on_packets(lambda p: time.sleep(0.02), timeout=0.1)

    async def slow(packet):
        await asyncio.sleep(0.02)
    with pytest.raises(asyncio.TimeoutError):
        cshark.FileCapture(HTTP).apply_on_packets(slow, timeout=0.1)
    assert time.monotonic() - started < 2


def test_async_iteration_and_context_managers():
    async def read():
        numbers = []
        async with cshark.FileCapture(HTTP, display_filter='http') as cap:
            async for packet in cap:
                numbers.append(packet.number)
        return numbers
    assert asyncio.run(read()) == ['4', '28']
    with cshark.FileCapture(HTTP) as cap:
        assert cap.next().number == '1'


def test_two_captures_interleaved_in_one_thread():
    # The engine dissects one capture at a time: the binding takes turns.
    a = [(p.number, p.highest_layer) for p in cshark.FileCapture(DNS_TCP)]
    b = [(p.number, p.highest_layer) for p in cshark.FileCapture(HTTP)]
    pairs = list(zip(cshark.FileCapture(DNS_TCP), cshark.FileCapture(HTTP)))
    assert [(x.number, x.highest_layer) for x, _ in pairs] == a[:len(pairs)]
    assert [(y.number, y.highest_layer) for _, y in pairs] == b[:len(pairs)]
    cap = cshark.FileCapture(HTTP)
    first = cap[0]
    assert [p.number for p in cap][:3] == ['1', '2', '3']
    assert cap[1].number == '2' and first.ip.src == '192.168.0.4'


def test_threads():
    expected = {f: [(p.number, str(p)) for p in cshark.FileCapture(f)] for f in (HTTP, DNS_TCP, CONNCHECK)}
    results = {}
    errors = []

    def read(f):
        try:
            results[f] = [(p.number, str(p)) for p in cshark.FileCapture(f)]
        except Exception as e:  # pragma: no cover
            errors.append(e)
    threads = [threading.Thread(target=read, args=(f,)) for f in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and results == expected


@pytest.mark.parametrize('read_ahead', [True, False])
def test_close_from_another_thread_while_iterating(read_ahead):
    # close() releases the engine, but a read going on in another thread
    # keeps it and its loop goes on: every packet, no error (it raised
    # "the capture is closed", or read a freed capture).
    expected = [p.number for p in cshark.FileCapture(CONNCHECK, keep_packets=False)]
    for _ in range(3):
        cap = cshark.FileCapture(CONNCHECK, keep_packets=False)
        cap._read_ahead = read_ahead
        got, errors = [], []

        def read():
            try:
                got.extend(p.number for p in cap)
            except Exception as e:  # pragma: no cover
                errors.append(e)
        reader = threading.Thread(target=read)
        reader.start()
        while reader.is_alive():
            cap.close()
            time.sleep(0.0005)
        reader.join()
        assert not errors and got == expected


def test_typed_value_while_the_collector_frees_a_capture():
    # Reading a time field builds a tuple: a garbage collection may run
    # there and free a capture, whose close needs the engine lock. typed()
    # used to hold that lock while building it, and hung.
    code = f"""if True:
        import gc
        from cshark import _cshark as C
        cap = C.Capture.open_file({str(DATA_DIR / 'tcpdump__ntp.pcap')!r})
        pkt = cap.next()
        cap.close()
        item = pkt.field('frame.time')
        other = C.Capture.open_file({str(DATA_DIR / 'tcpdump__ntp.pcap')!r})
        class Holder: pass
        gc.disable()
        gc.set_threshold(1)
        keep = [(i, -i) for i in range(5000)]  # no 2-tuple left to reuse
        h = Holder(); h.me = h; h.raw = other  # freed only by the collector
        del h, other
        enable, typed = gc.enable, item.typed
        enable(); print(typed())
    """
    out = subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=60, env=python_env())
    assert out.returncode == 0, out.stderr
    # tshark -T pdml: frame.time of frame 1 is 1497881530.230949000 (epoch).
    assert out.stdout.decode().strip() == '(1497881530, 230949000)'


# ---- reading ahead --------------------------------------------------------------------
# FileCapture dissects the next packets in a C thread while Python reads this
# one (the conformance tests against tshark run that way too).

def test_read_ahead_gives_the_packets_of_a_read_in_turn():
    def values(cap):
        # Attribute reads too: after the first packet the worker formats
        # the fields read (ip.src, tcp.srcport) ahead.
        return [(p.number, p.sniff_timestamp, p.highest_layer, p.get('ip.src'),
                 p.get_all('tcp.port'), [l.layer_name for l in p.layers],
                 (p.ip.src, p.ip.src.showname, p.ip.src.raw_value) if 'ip' in p else None,
                 (p.tcp.srcport, p.tcp.srcport.showname) if 'tcp' in p else None)
                for p in cap]
    ahead = cshark.FileCapture(DNS_TCP, keep_packets=False)
    in_turn = cshark.FileCapture(DNS_TCP, keep_packets=False)
    in_turn._read_ahead = False
    assert ahead._read_ahead and values(ahead) == values(in_turn)
    # Not with name resolution: a name learned from a later packet could
    # show in an earlier one's strings.
    assert not cshark.FileCapture(DNS_TCP, custom_parameters=['-N', 'n'])._read_ahead
    assert cshark.FileCapture(DNS_TCP, custom_parameters=['-N', ''])._read_ahead


def test_name_resolution_letters_stay_with_their_capture():
    """custom_parameters -N takes tshark's letters; a packet read from a
    capture with names keeps them after another capture, without, has read
    (values from tshark -n -N mt -T pdml and tshark -n -T pdml, frame 1)."""
    named = cshark.FileCapture(HTTP, custom_parameters={'-N': 'mt'})
    first = named[0]
    plain = cshark.FileCapture(HTTP)
    other = plain[0]
    assert other.eth.src.showname == 'Source: 28:cf:e9:21:3c:2b'
    assert other.tcp.dstport.showname == 'Destination Port: 80'
    assert first.eth.src.showname == 'Source: Apple_21:3c:2b (28:cf:e9:21:3c:2b)'
    assert first.tcp.dstport.showname == 'Destination Port: http (80)'
    named.close()
    plain.close()
    with pytest.raises(cshark.OptionError, match="unknown resolving option 'q'"):
        cshark.FileCapture(HTTP, custom_parameters={'-N': 'mq'})[0]


def test_read_ahead_stats_count_what_python_has():
    cap = cshark.FileCapture(HTTP, display_filter='tcp.flags.push == 1')
    expected = [n for (n,) in tshark_fields(HTTP, ['frame.number'], '-Y', 'tcp.flags.push == 1')]
    packets = iter(cap)
    got = [next(packets).number for _ in range(3)]
    assert got == expected[:3]
    st = cap.stats()
    # The engine has read further ahead; the counters are those of the third packet.
    assert (st['delivered'], st['read']) == (3, int(got[-1]))
    packets.close()


def test_read_ahead_close_mid_read_and_error_at_the_right_packet():
    cap = cshark.FileCapture(CONNCHECK)
    kept = []
    for p in cap:
        kept.append(p)
        if len(kept) == 2:
            break
    cap.close()
    assert [p.number for p in kept] == ['1', '2'] and kept[1].ip.src == kept[1].get('ip.src')
    # A file cut short: frame 1, then the error, as reading in turn (and tshark).
    bad = cshark.FileCapture(str(DATA_DIR / 'bad' / 'ndpi__fuzz-2021-10-13.pcap'))
    seen = []
    with pytest.raises(cshark.CsharkError, match='cut short'):
        for p in bad:
            seen.append(p.number)
    assert seen == ['1']


def test_exit_while_reading_ahead():
    # The interpreter leaves with a capture half read and not closed: its
    # worker is stopped before the process's exit handlers run.
    code = ('import cshark\n'
            f'cap = cshark.FileCapture({CONNCHECK!r})\n'
            'packets = iter(cap)\n'
            'print(next(packets).number, next(packets).ip.src)\n')
    out = subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=60, env=python_env())
    assert out.returncode == 0, out.stderr
    second_src = tshark_fields(CONNCHECK, ['ip.src'])[1][0]
    assert out.stdout.decode().split() == ['1', second_src]


def test_read_ahead_falls_back_to_reading_in_turn():
    # On a machine whose cores are busy, the worker leaves and the rest of the
    # file is read in turn (forced here after 5 packets): the packets, their
    # strings and the counters go on as before.
    expected = tshark_fields(CONNCHECK, ['frame.number', 'ip.src'])
    cap = cshark.FileCapture(CONNCHECK, keep_packets=False, fields=['ip.src'])
    cap._read_ahead = False
    open_raw = cap._open_raw

    def open_then_read_ahead():
        raw = open_raw()
        raw.set_read_ahead(True, ['ip.src'], 5)
        return raw
    cap._open_raw = open_then_read_ahead
    got = []
    for p in cap:
        got.append([p.number, p.ip.src if 'ip' in p else ''])
        if p.number == '12':
            st = cap.stats()
            assert (st['read'], st['delivered']) == (12, 12)
    assert got == expected


def test_fork_while_reading_ahead():
    # A child forked in the middle of a read (the worker dissecting ahead)
    # finds the engine free: it reads another capture, and the one that was
    # being read goes on where it was (reopened); so does the parent's.
    import ast
    expected = [p.number for p in cshark.FileCapture(CONNCHECK, keep_packets=False)]
    cap = cshark.FileCapture(CONNCHECK, keep_packets=False)
    packets = iter(cap)
    first = [next(packets).number for _ in range(3)]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            other = [p.number for p in cshark.FileCapture(HTTP, keep_packets=False)]
            rest = [p.number for p in packets]
            os.write(w, repr((other, rest)).encode())
        finally:
            os._exit(0)
    os.close(w)
    rest = [p.number for p in packets]
    deadline = time.monotonic() + 60
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail('the forked child hung')
        time.sleep(0.05)
    with os.fdopen(r, 'rb') as f:
        other, child_rest = ast.literal_eval(f.read().decode())
    assert first + rest == expected and first + child_rest == expected
    assert other == [str(i) for i in range(1, 34)]


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
    with open(ntp, 'rb') as f:
        pdml = subprocess.run([TSHARK, '-n', '-i', '-', '-T', 'pdml'], stdin=f,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60).stdout
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
