"""Faults and hostile shapes (issue 19): what a capture from a hostile host
or a dying writer can do, each bounded in time and memory and answered as
tshark answers it. Inputs are built here, byte by byte."""
import os
import resource
import struct
import subprocess
import time

import pytest

from helpers import DATA_DIR, TSHARK, assert_no_crash, require_cshark, tail

CSHARK = require_cshark()


def pcap(frames, linktype=1):
    out = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame
    return bytes(out)


def ipv4(payload, proto):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                       bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + payload


ETH = bytes.fromhex("001122334455" "66778899aabb" "0800")


def both(args, stdin=None, timeout=120):
    """tshark -n ARGS and cshark ARGS on the same input: (tshark, cshark)."""
    out = []
    for prog in (TSHARK, CSHARK):
        out.append(subprocess.run([prog, "-n", *args], input=stdin, capture_output=True,
                                  timeout=timeout))
    assert_no_crash(out[1])
    return out


def test_pipe_writer_dies_mid_record():
    """The writer of a pipe goes away in the middle of a record: the whole
    records before it are printed, then tshark's error and exit status."""
    data = (DATA_DIR / "ndpi__http_auth.pcap").read_bytes()
    cut = data[:len(data) // 2 + 7]
    oracle, result = both(["-r", "-"], stdin=cut)
    assert result.stdout == oracle.stdout and oracle.stdout.count(b"\n") > 3
    assert result.returncode == oracle.returncode != 0
    assert b"cut short in the middle of a packet" in result.stderr, tail(result.stderr)


def test_filter_of_100_kb():
    flt = " or ".join(f"ip.len == {n}" for n in range(1, 5700))
    assert len(flt) > 100_000
    start = time.monotonic()
    oracle, result = both(["-Y", flt, "-r", DATA_DIR / "ndpi__http_auth.pcap"])
    assert time.monotonic() - start < 60
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout and result.stdout


@pytest.mark.parametrize("mode", [["-V"], ["-T", "pdml"], ["-T", "fields", "-e", "ip.src"]])
def test_three_thousand_nested_tunnels(tmp_path, mode):
    """IP in IP 3,000 deep: the engine stops at its tree depth limit (a
    dissector-bug item), in bounded time, and the output is tshark's."""
    inner = ipv4(struct.pack("!HHHH", 1234, 5678, 12, 0) + b"abcd", 17)
    for _ in range(3000):
        inner = ipv4(inner, 4)
    path = tmp_path / "deep.pcap"
    path.write_bytes(pcap([ETH + inner]))
    oracle, result = both([*mode, "-r", path], timeout=60)
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    if mode[-1] == "pdml":  # tshark's stylesheet comment; the run's time
        for r in (oracle, result):
            r.stdout = b"\n".join(line for line in r.stdout.split(b"\n")
                                  if not line.startswith((b"<!-- You can find", b"<pdml ")))
    assert result.stdout == oracle.stdout


def test_million_tiny_records_in_bounded_memory(tmp_path):
    """A million 14-byte frames: every one read, memory bounded (tshark
    peaks at ~160 MB on the same file, for its per-frame data)."""
    frame = bytes.fromhex("001122334455" "66778899aabb" "88b5")
    header = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    record = struct.Struct("<IIII")
    path = tmp_path / "tiny.pcap"
    with open(path, "wb") as f:
        f.write(header)
        f.write(b"".join(record.pack(1700000000 + i // 1000, i % 1000 * 1000, 14, 14) + frame
                         for i in range(1_000_000)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([CSHARK, "-n", "-T", "fields", "-e", "frame.number", "-r", path],
                            capture_output=True, timeout=300)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert_no_crash(result)
    assert result.returncode == 0, tail(result.stderr)
    assert result.stdout.endswith(b"\n1000000\n")
    # AddressSanitizer's shadow memory and quarantine add their own.
    bound = 2_000_000 if "ASAN_OPTIONS" in os.environ else 400_000
    assert max(peak_kb, before) < bound, f"peak RSS {peak_kb} KB"


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_during_a_read(sig):
    """A signal while reading (a pipe whose writer is still there): the
    reading stops after whole packets, the output is flushed, and the exit
    status is tshark's (2), without a read error."""
    import signal
    path = DATA_DIR / "ndpi__webdav.pcap"
    data = path.read_bytes()
    proc = subprocess.Popen([CSHARK, "-n", "-r", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(data[:len(data) // 2])
    proc.stdin.flush()
    time.sleep(1.0)  # it has read what there is and waits for more
    proc.send_signal(getattr(signal, sig))
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 2, f"status {proc.returncode}: {tail(err)}"
    assert err == b"", tail(err)
    lines = out.decode().splitlines()
    whole = subprocess.run([TSHARK, "-n", "-r", path], capture_output=True).stdout
    assert len(lines) > 10 and lines == whole.decode().splitlines()[:len(lines)]


def udp_records(first, count):
    """COUNT Ethernet/IPv4/UDP frames numbered from FIRST in their payload."""
    return [ETH + ipv4(struct.pack("!HHHH", 40000, 5999, 16, 0) + b"%08d" % n, 17)
            for n in range(first, first + count)]


def blocked_reader(path):
    """cshark reading PATH into a pipe nobody drains: it blocks on its
    output long before the end of the file. (proc, file position read)."""
    proc = subprocess.Popen([CSHARK, "-n", "-T", "fields", "-e", "data.data", "-r", path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    first = proc.stdout.readline()  # it is reading (unbuffered: nothing read ahead here)
    assert first, tail(proc.stderr.read())
    fd_of_file = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.2)
        state = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()[0]
        fds = {fd: os.readlink(f"/proc/{proc.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{proc.pid}/fd")}
        fd_of_file = next(fd for fd, target in fds.items() if target == str(path))
        if state == "S":  # asleep: the pipe is full
            break
    pos = int(open(f"/proc/{proc.pid}/fdinfo/{fd_of_file}").read().split()[1])
    return proc, first, pos


RECORD = 16 + len(udp_records(0, 1)[0])  # pcap record header + frame
PAYLOADS = [(b"%08d" % n).hex() for n in range(100_000)]


def test_file_truncated_while_read(tmp_path):
    """The file is cut (mid-record) behind the reader's back: every whole
    record before the cut is delivered, then the error naming the file."""
    path = tmp_path / "shrinks.pcap"
    path.write_bytes(pcap(udp_records(0, 60_000)))
    proc, first, pos = blocked_reader(path)
    cut_records = 40_000
    cut = 24 + cut_records * RECORD + RECORD // 2
    assert pos < cut - 1_000_000, f"the reader is already at {pos}"
    os.truncate(path, cut)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, tail(err)
    assert (first + out).decode().split() == PAYLOADS[:cut_records]
    assert err.decode() == (f'cshark: the file "{path}" appears to have been cut short in the '
                            f'middle of a packet (after frame {cut_records})\n'), tail(err)


@pytest.mark.parametrize("tail_bytes", [0, RECORD // 2])
def test_file_extended_while_read(tmp_path, tail_bytes):
    """Records are appended while the file is read (a capture still being
    written): the reader goes on to the new end, as tshark does; a half
    record at that end is reported as a cut."""
    path = tmp_path / "grows.pcap"
    path.write_bytes(pcap(udp_records(0, 30_000)))
    proc, first, pos = blocked_reader(path)
    more = b"".join(struct.pack("<IIII", 1700001000, 0, len(f), len(f)) + f
                    for f in udp_records(30_000, 30_000))
    with open(path, "ab") as f:
        f.write(more[:len(more) - tail_bytes])
    out, err = proc.communicate(timeout=60)
    whole = 60_000 if not tail_bytes else 59_999
    assert (first + out).decode().split() == PAYLOADS[:whole]
    if tail_bytes:
        assert proc.returncode == 2 and b"cut short in the middle of a packet" in err, tail(err)
    else:
        assert proc.returncode == 0 and err == b"", tail(err)


@pytest.mark.parametrize("to", ["parent", "group"])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_during_a_read_in_workers(tmp_path, sig, to):
    """-j 2 over three files, a signal to the parent alone (kill) or to the
    whole process group (Ctrl-C): as one process reading the files in turn,
    the output stops after a whole packet of the file being printed, the
    later files' output (read ahead) is dropped, status 2, nothing on
    stderr, no worker left behind."""
    import signal
    paths = []
    for k in range(3):
        paths.append(tmp_path / f"f{k}.pcap")
        paths[-1].write_bytes(pcap(udp_records(k * 100_000, 100_000)))
    args = ["-n", "-T", "fields", "-e", "frame.number", "-e", "data.data"]
    proc = subprocess.Popen([CSHARK, *args, "-j", "2", *[a for p in paths for a in ("-r", p)]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                            start_new_session=True)
    first = proc.stdout.readline()
    time.sleep(1.0)  # every process blocked on a full pipe
    if to == "parent":
        proc.send_signal(getattr(signal, sig))
    else:
        os.killpg(proc.pid, getattr(signal, sig))
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2 and err == b"", f"status {proc.returncode}: {tail(err)}"
    lines = (first + out).decode().split("\n")
    assert lines.pop() == ""  # whole lines only
    expected = [f"{n % 100_000 + 1}\t{(b'%08d' % n).hex()}" for n in range(100_000)]
    assert 1 < len(lines) < 100_000 and lines == expected[:len(lines)]
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True).stdout
    assert left == b"", f"workers left: {left}"


def test_address_space_limit(tmp_path):
    """ulimit -v: GLib aborts (or overflows its stack) where an engine
    allocation fails; cshark turns each such death into an out-of-memory
    error naming the limit and the file, status 2 — never a signal — and
    reads the file whole where the limit allows (limits from where the
    engine's libraries map to where the file fits)."""
    if "ASAN_OPTIONS" in os.environ:
        pytest.skip("AddressSanitizer reserves terabytes of address space")
    frame = bytes.fromhex("001122334455" "66778899aabb" "88b5")
    path = tmp_path / "tiny.pcap"
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        f.write(b"".join(struct.pack("<IIII", 1700000000, i, 14, 14) + frame
                         for i in range(400_000)))
    outcomes = set()
    for mib in range(200, 520, 40):
        def limit(mib=mib):
            resource.setrlimit(resource.RLIMIT_AS, (mib << 20, mib << 20))
        result = subprocess.run([CSHARK, "-n", "-T", "fields", "-e", "frame.number", "-r", path],
                                capture_output=True, timeout=120, preexec_fn=limit)
        assert result.returncode in (0, 2), f"{mib} MiB: status {result.returncode}: " \
                                             f"{tail(result.stderr)}"
        if result.returncode == 0:
            assert result.stdout.endswith(b"\n400000\n")
        else:
            said = (f"cshark: out of memory: the address space limit (ulimit -v) of {mib} MiB "
                    f"was reached").encode()
            assert said in result.stderr, tail(result.stderr)
        outcomes.add(result.returncode)
    assert outcomes == {0, 2}
