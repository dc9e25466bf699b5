"""Reading with the Python binding: iteration, next, [i], len, load_packets,
apply_on_packets, async, threads, captures closed or freed while read, and
the read-ahead worker (its packets, stats, exit and fork)."""
import asyncio
import os
import subprocess
import sys
import threading
import time

import pytest

from helpers import DATA_DIR, python_env, tshark_fields
from helpers.binding import CONNCHECK, DNS_TCP, HTTP

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")


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
