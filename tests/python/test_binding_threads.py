"""Threads and the Python binding (cshark.h "Threads", issue 19): many
Python threads at once, the engine's calls made with the GIL released.
What the binding serialises (its engine lock) gives the packets one thread
reading the same file gives; what cannot be done (a second capture open in
the engine, a capture closed under a reader, a generator shared by two
threads) raises a Python exception, never a crash or a hang. CSHARK_EBUSY
cannot reach Python: the extension carries its own copy of the library,
and every call into it holds the engine lock (tests/c/test_threads.c checks
the library's refusals)."""
import threading

import pytest

from helpers import DATA_DIR
from helpers.binding import CONNCHECK, DNS_TCP, HTTP

cshark = pytest.importorskip("cshark", reason="the cshark Python binding is not importable")
from cshark import _cshark  # noqa: E402

NTP = str(DATA_DIR / 'tcpdump__ntp.pcap')
THREADS = 8
JOIN = 120  # seconds: a hang fails the test instead of the run


@pytest.fixture
def engine_free():
    """Raw captures (cshark._cshark.Capture) bypass FileCapture's sharing of
    the engine: the capture a FileCapture left open gives it up first."""
    from cshark import _engine
    owner = _engine._owner
    if owner is not None:
        owner.release()
    assert _engine._owner is None


def describe(p):
    """What a reader sees of a packet: structure, strings and typed values."""
    ip = p.ip.src if 'IP' in p else '-'
    return (p.number, p.length, p.highest_layer, ip, [layer.layer_name for layer in p.layers],
            str(p.frame_info.time_epoch))


def run_threads(target, args_list):
    errors = []

    def wrap(*args):
        try:
            target(*args)
        except BaseException as e:  # reported below
            errors.append(e)
    threads = [threading.Thread(target=wrap, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN)
    assert not any(t.is_alive() for t in threads), 'a thread hangs'
    return errors


@pytest.mark.parametrize('read_ahead', [True, False])
def test_threads_each_reading_a_file_get_what_one_thread_gets(read_ahead):
    files = [HTTP, DNS_TCP, CONNCHECK, NTP]
    expected = {f: [describe(p) for p in cshark.FileCapture(f)] for f in files}
    results = {}

    def read(i):
        cap = cshark.FileCapture(files[i % len(files)])
        cap._read_ahead = read_ahead
        results[i] = [describe(p) for p in cap]
        cap.close()
    assert run_threads(read, [(i,) for i in range(THREADS)]) == []
    for i in range(THREADS):
        assert results[i] == expected[files[i % len(files)]], i
    assert len(expected[HTTP]) == 33 and expected[HTTP][3][3] == '192.168.0.4'


def test_threads_reading_the_same_packets():
    packets = list(cshark.FileCapture(HTTP))
    expected = [describe(p) for p in cshark.FileCapture(HTTP)]
    got = {}

    def read(i):
        # Each thread walks them in another order.
        order = list(range(len(packets)))[i:] + list(range(len(packets)))[:i]
        seen = {k: describe(packets[k]) for k in order}
        got[i] = [seen[k] for k in range(len(packets))]
    assert run_threads(read, [(i,) for i in range(THREADS)]) == []
    assert all(got[i] == expected for i in range(THREADS))


def test_threads_sharing_one_raw_capture_take_turns(engine_free):
    # Raw captures: next() from many threads, serialised by the engine lock:
    # every packet once, in the file's order per thread.
    expected = [p.number for p in cshark.FileCapture(CONNCHECK, keep_packets=False)]
    cap = _cshark.Capture.open_file(CONNCHECK)
    got = []

    def read():
        mine = []
        while True:
            p = cap.next()
            if p is None:
                break
            mine.append(p.number)  # an int in raw packets
        assert mine == sorted(mine)
        got.extend(mine)
    assert run_threads(read, [()] * THREADS) == []
    cap.close()
    assert [str(n) for n in sorted(got)] == expected and len(got) == len(set(got))


def test_second_raw_capture_is_refused_in_every_thread(engine_free):
    first = _cshark.Capture.open_file(HTTP)
    messages = []

    def open_second():
        with pytest.raises(cshark.CsharkError) as e:
            _cshark.Capture.open_file(DNS_TCP)
        messages.append(str(e.value))
    assert run_threads(open_second, [()] * THREADS) == []
    assert len(messages) == THREADS
    assert all('is still open, and the engine dissects one capture at a time' in m
               and HTTP in m for m in messages), messages[0]
    assert first.next().number == 1  # untouched
    first.close()


def test_raw_capture_closed_under_readers(engine_free):
    # close() in one thread while others read: each reader ends with the
    # packets so far and then "the capture is closed", never a crash.
    for _ in range(3):
        cap = _cshark.Capture.open_file(CONNCHECK)
        started = threading.Barrier(THREADS + 1)
        outcomes = []

        def read():
            started.wait()
            n = 0
            try:
                while cap.next() is not None:
                    n += 1
                outcomes.append(('end', n))
            except cshark.CsharkError as e:
                assert str(e) == 'the capture is closed', str(e)
                outcomes.append(('closed', n))

        threads = [threading.Thread(target=read) for _ in range(THREADS)]
        for t in threads:
            t.start()
        started.wait()
        cap.close()
        for t in threads:
            t.join(JOIN)
        assert not any(t.is_alive() for t in threads)
        assert len(outcomes) == THREADS
        assert any(kind == 'closed' for kind, _ in outcomes) or \
            sum(n for _, n in outcomes) == 92  # or they all finished first
        with pytest.raises(cshark.CsharkError, match='the capture is closed'):
            cap.next()


def test_one_iterator_shared_by_threads():
    # A generator is not for two threads at once: Python says so
    # (ValueError), and the packets handed out are the file's, once each.
    expected = [p.number for p in cshark.FileCapture(DNS_TCP)]
    it = iter(cshark.FileCapture(DNS_TCP))
    got, refused = [], []

    def read():
        while True:
            try:
                p = next(it)
            except StopIteration:
                return
            except ValueError as e:
                assert 'generator already executing' in str(e)
                refused.append(e)
                continue
            got.append(p.number)
    assert run_threads(read, [()] * THREADS) == []
    assert sorted(got, key=int) == expected


FUZZ = str(DATA_DIR / 'ndpi__fuzz-2006-06-26-2594.pcap')  # 691 packets


def test_strings_the_worker_leaves_are_read_under_the_lock_beside_it():
    # A fields= capture's worker formats show alone, and keeps the engine
    # lock while nobody waits: showname and raw_value are formatted on
    # demand, another thread's engine calls get the lock between packets.
    def strings(p):
        if 'IP' not in p or 'src' not in p.ip.field_names:  # a bogus header
            return None
        f = p.ip.src.main_field
        return (str(p.ip.src), f.showname, f.raw_value)
    expected = [strings(p) for p in cshark.FileCapture(FUZZ)]
    assert sum(e is not None for e in expected) > 600
    assert ('192.168.1.2', 'Source Address: 192.168.1.2', 'c0a80102') in expected  # tshark
    kept = [p for p in cshark.FileCapture(HTTP, fields=['ip.src'])]
    want = [strings(p) for p in cshark.FileCapture(HTTP)]
    got = {}

    def read():
        got['read'] = [strings(p) for p in cshark.FileCapture(FUZZ, fields=['ip.src'])]

    def poke():
        got['poke'] = [strings(p) for _ in range(20) for p in kept]
    assert run_threads(lambda f: f(), [(read,), (poke,)]) == []
    assert got['read'] == expected
    assert got['poke'] == want * 20
