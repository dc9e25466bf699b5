"""Data frames (cshark.read_dataframe, Capture.to_dataframe) and Dask
(cshark.dask.read_pcaps) on tests/data: every cell against tshark -n -T
fields after the documented conversion (helpers/frames.py), the column
types, the options, bad input, pandas missing, and a dask.distributed
cluster of two worker processes."""
import glob
import os
import subprocess
import sys

import pytest

from helpers import BAD_DIR, DATA_DIR, captures, python_env
from helpers.binding import HTTP, TLS, TLS_KEYS
from helpers.frames import FIELDS, PROTOCOL_FIELDS, differences, reference

pd = pytest.importorskip("pandas")
cshark = pytest.importorskip("cshark")

from cshark.dataframe import DTYPES, field_kinds  # noqa: E402

def test_fields_cover_every_type():
    """At least 200 fields, and every column kind among them."""
    assert len(FIELDS) >= 200 and len(set(FIELDS)) == len(FIELDS)
    assert set(field_kinds(FIELDS)) == set(DTYPES)


@pytest.mark.parametrize("capture", [pytest.param(p, id=p.name) for p in captures()])
def test_cells_equal_tshark_fields(capture):
    rows = reference(capture, FIELDS)
    if rows is None:
        pytest.skip("tshark fails on this capture")
    for occurrence in ("first", "last", "all", 2, -2):
        frame = cshark.read_dataframe(str(capture), FIELDS, occurrence=occurrence)
        diff = differences(frame, rows, FIELDS, occurrence)
        assert not diff, f"occurrence={occurrence!r}: " + "\n".join(diff)


@pytest.mark.parametrize("capture", [pytest.param(p, id=p.name) for p in captures()])
def test_frame_fields_from_the_packet(capture):
    """frame.number, .len, .cap_len, .time and .time_relative are read from
    the packet's own data when nothing else needs the frame's subtree: the
    same cells as tshark's, which builds it (with another field, and alone)."""
    rows = reference(capture, FIELDS)
    if rows is None:
        pytest.skip("tshark fails on this capture")
    meta = list(cshark._cshark.FRAME_META_FIELDS)
    assert meta == ["frame.number", "frame.len", "frame.cap_len", "frame.time",
                    "frame.time_relative"]
    for fields in (meta + ["ip.src"], meta):
        at = [FIELDS.index(f) for f in fields]
        sub = [[row[i] for i in at] for row in rows]
        for occurrence in ("first", "last", 2):
            frame = cshark.read_dataframe(str(capture), fields, occurrence=occurrence)
            diff = differences(frame, sub, fields, occurrence)
            assert not diff, f"{fields} occurrence={occurrence!r}: " + "\n".join(diff)


def test_column_types():
    frame = cshark.read_dataframe(HTTP, FIELDS)
    meta = cshark.dataframe.frame_meta(FIELDS)
    assert list(frame.columns) == FIELDS
    assert frame.dtypes.to_dict() == meta.dtypes.to_dict()
    for name, kind in zip(FIELDS, field_kinds(FIELDS)):
        assert str(frame[name].dtype) == DTYPES[kind], name
    assert str(frame["frame.time"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["frame.time_relative"].dtype) == "timedelta64[ns]"
    assert frame["ip.src"].map(type).eq(str).all()
    assert frame["tcp.options"].dropna().map(type).eq(bytes).all()
    absent = cshark.read_dataframe(HTTP, ["http.request.method", "udp.length", "ip.src"])
    assert absent.loc[0, "http.request.method"] is pd.NA
    assert absent["http.request.method"].notna().any()
    assert absent["udp.length"].isna().all() and absent.loc[0, "udp.length"] is pd.NA
    every = cshark.read_dataframe(HTTP, ["ip.src", "tcp.seq"], occurrence="all")
    assert (every.dtypes == object).all()
    assert every.loc[0, "tcp.seq"] == [0]


def test_64_bit_values_are_exact():
    """UInt64 holds values past 2**53 (where a float would round) as the
    engine has them: tshark's text, digit for digit."""
    capture = DATA_DIR / "libpcap__http_PPI.pcap"
    fields = ["wlan_radio.timestamp", "wlan_radio.start_tsf", "wlan_radio.end_tsf",
              "frame.time_epoch"]
    frame = cshark.read_dataframe(str(capture), fields)
    rows = reference(capture, fields)
    assert str(frame["wlan_radio.start_tsf"].dtype) == "UInt64"
    for i, row in enumerate(rows):
        for j in range(3):
            cell = frame.iloc[i, j]
            assert (cell is pd.NA) == (not row[j])
            if row[j]:
                assert str(cell) == row[j][0]
    # The time stamps in nanoseconds, exact (a float would lose them).
    epoch = reference(capture, ["frame.time_epoch"])
    assert [int(v.value) for v in frame["frame.time_epoch"]] == [
        int(r[0][0].replace(".", "")) for r in epoch]


def test_protocol_fields_are_tree_lines():
    """A protocol's value is its tree line (as tshark -T fields), which
    needs the full tree: with protocols among them, every field is read."""
    fields = PROTOCOL_FIELDS + ["ip.src", "tcp.len"]
    frame = cshark.read_dataframe(HTTP, fields, occurrence="all")
    assert not differences(frame, reference(HTTP, fields), fields, "all")


def test_display_filter_and_options():
    fields = ["frame.number", "http.request.method", "http.request.uri", "ip.dst"]
    frame = cshark.read_dataframe(HTTP, fields, display_filter="http.request")
    assert not differences(frame, reference(HTTP, fields, "-Y", "http.request"), fields, "first")
    assert len(frame) > 0 and frame["http.request.method"].notna().all()
    # Decryption keys (a preference naming a key log): decrypted HTTP/2.
    fields = ["tls.handshake.type", "http2.type", "http2.streamid", "http2.header.name"]
    keyed = cshark.read_dataframe(TLS, fields, override_prefs={"tls.keylog_file": TLS_KEYS})
    ref = reference(TLS, fields, "-o", f"tls.keylog_file:{TLS_KEYS}")
    assert not differences(keyed, ref, fields, "first")
    assert keyed["http2.type"].notna().any()
    # Decode-as and two passes, as tshark -d and -2.
    fields = ["frame.number", "http.request.method", "http.response_in"]
    two = cshark.read_dataframe(HTTP, fields, two_pass=True,
                                decode_as={"tcp.port==8080": "http"})
    ref = reference(HTTP, fields, "-2", "-d", "tcp.port==8080,http")
    assert not differences(two, ref, fields, "first")
    assert two["http.response_in"].notna().any()
    custom = cshark.read_dataframe(HTTP, fields, custom_parameters=["-2"])
    pd.testing.assert_frame_equal(custom, two)


def test_to_dataframe_equals_read_dataframe():
    fields = FIELDS[:60]
    expected = cshark.read_dataframe(HTTP, fields)
    with cshark.FileCapture(HTTP) as cap:
        pd.testing.assert_frame_equal(cap.to_dataframe(fields), expected)
        # Packets read as objects before and after: the frame is a read of its own.
        first = cap.next()
        pd.testing.assert_frame_equal(cap.to_dataframe(fields), expected)
        assert cap.next().number == str(int(first.number) + 1)
    # Fields of interest of its own (other names) do not matter.
    with cshark.FileCapture(HTTP, fields=["dns.qry.name"]) as cap:
        pd.testing.assert_frame_equal(cap.to_dataframe(fields), expected)
    # A count, and batches that add up to the whole.
    with cshark.FileCapture(HTTP) as cap:
        pd.testing.assert_frame_equal(cap.to_dataframe(fields, packet_count=7),
                                      expected.iloc[:7])
        batches = list(cap.iter_dataframes(fields, batch_size=10))
    assert [len(b) for b in batches] == [10, 10, 10, len(expected) - 30]
    whole = pd.concat(batches, ignore_index=True)
    pd.testing.assert_frame_equal(whole, expected)


def test_another_capture_in_between():
    """A FileCapture read half-way keeps its place while a frame is read."""
    with cshark.FileCapture(HTTP) as cap:
        numbers = [cap.next().number for _ in range(3)]
        frame = cshark.read_dataframe(TLS, ["frame.number"])
        numbers.append(cap.next().number)
    assert numbers == ["1", "2", "3", "4"]
    assert frame["frame.number"].tolist() == list(range(1, len(frame) + 1))


# ---- bad input ---------------------------------------------------------------

def test_bad_input_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.pcap"):
        cshark.read_dataframe(str(tmp_path / "no-such.pcap"), ["ip.src"])
    with pytest.raises(cshark.FieldError, match="ip.nosuchfield"):
        cshark.read_dataframe(HTTP, ["ip.src", "ip.nosuchfield"])
    with pytest.raises(cshark.FilterError, match="tcp.port =="):
        cshark.read_dataframe(HTTP, ["ip.src"], display_filter="tcp.port ==")
    with pytest.raises(ValueError, match="occurrence"):
        cshark.read_dataframe(HTTP, ["ip.src"], occurrence="middle")
    with pytest.raises(ValueError, match="ip.src named twice"):
        cshark.read_dataframe(HTTP, ["ip.src", "ip.src"])
    with pytest.raises(ValueError, match="at least one field"):
        cshark.read_dataframe(HTTP, [])
    with pytest.raises(cshark.OptionError, match="no.such.pref"):
        cshark.read_dataframe(HTTP, ["ip.src"], override_prefs={"no.such.pref": "1"})
    text = tmp_path / "notes.txt"
    text.write_text("not a capture\n")
    with pytest.raises(cshark.CsharkError, match="notes.txt"):
        cshark.read_dataframe(str(text), ["ip.src"])


def test_cut_off_capture_fails_naming_it():
    """A capture cut off mid-record: an error naming it, never a short frame."""
    cut = BAD_DIR / "ndpi__fuzz-2021-10-13.pcap"
    with pytest.raises(cshark.CaptureReadError, match="ndpi__fuzz-2021-10-13.pcap"):
        cshark.read_dataframe(str(cut), ["frame.number", "ip.src"])


def test_without_pandas():
    """`import cshark` works without pandas; the frame functions name it."""
    code = ("import sys; sys.modules['pandas'] = None\n"
            "import cshark\n"
            "try:\n"
            f"    cshark.read_dataframe({HTTP!r}, ['ip.src'])\n"
            "except ImportError as e:\n"
            "    print('ImportError:', e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=python_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "ImportError:" in result.stdout and "python3-pandas" in result.stdout


def test_pandas_imported_beside_the_read():
    """In a process that has not imported pandas, the first frame imports it
    in a thread of its own while the read runs; the frame is the same as
    this process's (pandas already imported), every cell and dtype."""
    fields = ["frame.number", "frame.time", "ip.src", "tcp.options", "http.request.uri",
              "tcp.flags.syn", "dns.qry.name"]
    code = ("import sys, threading, pickle\n"
            "import cshark\n"
            "assert 'pandas' not in sys.modules\n"
            "seen = []\n"
            "start = threading.Thread.start\n"
            "threading.Thread.start = lambda t: (seen.append(t.name), start(t))[1]\n"
            f"df = cshark.read_dataframe({HTTP!r}, {fields!r})\n"
            "assert seen == ['cshark-import-pandas'], seen\n"
            "sys.stdout.buffer.write(pickle.dumps(df))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            env=python_env(), timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    import pickle
    theirs = pickle.loads(result.stdout)
    ours = cshark.read_dataframe(HTTP, fields)
    pd.testing.assert_frame_equal(theirs, ours)
    assert ours["http.request.uri"].notna().any() and ours["tcp.options"].notna().any()


# ---- Dask ----------------------------------------------------------------------

def _per_file(paths, fields, **kw):
    return pd.concat([cshark.read_dataframe(p, fields, **kw) for p in paths])


DASK_FIELDS = ["frame.number", "frame.time", "frame.time_relative", "eth.src", "ip.src",
               "ipv6.src", "ip.flags.df", "tcp.srcport", "udp.length", "tcp.options",
               "dns.qry.name", "tcp.analysis.flags", "icmp.resptime", "tcp.window_size_scalefactor"]


def test_dask_local_scheduler():
    dd = pytest.importorskip("dask.dataframe")
    import cshark.dask as cdask
    paths = [str(p) for p in captures()]
    ddf = cdask.read_pcaps(paths, DASK_FIELDS, display_filter="frame.len > 60")
    assert isinstance(ddf, dd.DataFrame) and ddf.npartitions == len(paths)
    assert ddf.dtypes.to_dict() == cshark.dataframe.frame_meta(DASK_FIELDS).dtypes.to_dict()
    computed = ddf.compute(scheduler="sync")
    pd.testing.assert_frame_equal(computed, _per_file(paths, DASK_FIELDS,
                                                      display_filter="frame.len > 60"))
    # A glob, in sorted order.
    pattern = str(DATA_DIR / "tcpdump__*.pcap")
    by_glob = cdask.read_pcaps(pattern, ["frame.len"]).compute(scheduler="sync")
    pd.testing.assert_frame_equal(by_glob, _per_file(sorted(glob.glob(pattern)), ["frame.len"]))


def test_dask_bad_input_at_construction(tmp_path):
    pytest.importorskip("dask.dataframe")
    import cshark.dask as cdask
    with pytest.raises(FileNotFoundError, match=r"no capture file matches .*nothing-\*\.pcap"):
        cdask.read_pcaps(str(tmp_path / "nothing-*.pcap"), ["ip.src"])
    with pytest.raises(FileNotFoundError, match="missing.pcap"):
        cdask.read_pcaps([HTTP, str(tmp_path / "missing.pcap")], ["ip.src"])
    with pytest.raises(cshark.FieldError, match="ip.nosuchfield"):
        cdask.read_pcaps(HTTP, ["ip.nosuchfield"])
    with pytest.raises(cshark.FilterError, match="ip.src =="):
        cdask.read_pcaps(HTTP, ["ip.src"], display_filter="ip.src ==")
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        cdask.read_pcaps(str(tmp_path), ["ip.src"])


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import dask
    # Under ASan the worker processes (spawned interpreters) need its
    # runtime preloaded, as this one has (helpers.common took it out of
    # the environment for the other children).
    preload = python_env().get("LD_PRELOAD")
    saved = os.environ.get("LD_PRELOAD")
    if preload:
        os.environ["LD_PRELOAD"] = preload
    # A worker that dies fails its task at once (no retry on another one).
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                          dashboard_address=None) as lc, \
                    distributed.Client(lc) as client:
                yield client
    finally:
        if preload:
            if saved is None:
                os.environ.pop("LD_PRELOAD", None)
            else:
                os.environ["LD_PRELOAD"] = saved


def _worker_stats():
    import os
    import cshark.dataframe
    return dict(cshark.dataframe.engine_stats, pid=os.getpid())


def test_dask_cluster_reads_every_capture(cluster):
    import cshark.dask as cdask
    paths = [str(p) for p in captures()]
    before = cluster.run(_worker_stats)
    computed = cdask.read_pcaps(paths, DASK_FIELDS).compute()
    pd.testing.assert_frame_equal(computed, _per_file(paths, DASK_FIELDS))
    after = cluster.run(_worker_stats)
    assert set(after) == set(before) and len(after) == 2
    # Each worker: the same process, one engine start, several files read.
    read = 0
    for worker, stats in after.items():
        assert stats["pid"] == before[worker]["pid"]
        assert stats["engine_inits"] == 1, (worker, stats)
        read += stats["captures"] - before[worker]["captures"]
    assert read == len(paths)


def _kill_on(name):
    """In a worker: die (SIGKILL) when reading a file named NAME."""
    import os
    import signal
    import cshark.dataframe as frames
    read = frames.read_dataframe

    def dying(path, *args, **kw):
        if os.path.basename(path) == name:
            os.kill(os.getpid(), signal.SIGKILL)
        return read(path, *args, **kw)
    frames.read_dataframe = dying


def test_dask_worker_killed_names_the_file(cluster):
    import distributed
    import cshark.dask as cdask
    victim = "ndpi__webdav.pcap"
    cluster.run(_kill_on, victim)
    with pytest.raises(distributed.KilledWorker, match=victim):
        cdask.read_pcaps([HTTP, str(DATA_DIR / victim)], ["ip.src"]).compute()


def _pcapng_at(path, micros):
    """A pcapng file of one Ethernet frame captured MICROS µs after the epoch."""
    import struct

    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", kind, n) + body + struct.pack("<I", n)
    frame = bytes(14)
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 65535))
    epb = block(6, struct.pack("<IIIII", 0, micros >> 32, micros & 0xFFFFFFFF, len(frame),
                               len(frame)) + frame)
    path.write_bytes(shb + idb + epb)
    return str(path)


def test_time_out_of_range_is_an_error(tmp_path):
    """Year 2300 does not fit datetime64[ns]: an error naming the field and
    the frame, not a changed value."""
    micros = (2300 - 1970) * 365 * 86400 * 10**6
    path = _pcapng_at(tmp_path / "y2300.pcapng", micros)
    with pytest.raises(OverflowError, match=r"frame\.time in frame 1"):
        cshark.read_dataframe(path, ["frame.time"])
    # Other fields of the same capture read.
    assert cshark.read_dataframe(path, ["frame.len"])["frame.len"].tolist() == [14]
