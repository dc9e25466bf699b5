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
