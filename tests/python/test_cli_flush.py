"""-l flushes the output after each packet, as tshark -l (PyShark runs tshark
with it): a reader of the pipe sees a packet's line while the capture is
still coming in. Without -l the line waits in the output buffer."""
import os
import select
import struct
import subprocess

import pytest

from helpers import DATA_DIR, require_cshark, tshark

CSHARK = require_cshark()
CAPTURE = DATA_DIR / "tcpdump__dns_tcp.pcap"  # pcap, microsecond, little-endian


def first_record(data):
    """The pcap file header and the first record of a classic pcap file."""
    caplen = struct.unpack_from("<I", data, 24 + 8)[0]
    return data[:24 + 16 + caplen]


def line_while_open(flag, wait):
    """Feed cshark one packet through stdin, keep the pipe open, and return
    what it wrote within WAIT seconds (b"" when nothing came)."""
    args = [CSHARK, *flag, "-T", "fields", "-e", "frame.number", "-e", "ip.src", "-r", "-"]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        proc.stdin.write(first_record(CAPTURE.read_bytes()))
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], wait)
        return os.read(proc.stdout.fileno(), 4096) if ready else b""
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("flag", [["-l"], []], ids=["-l", "buffered"])
def test_flush_each_packet(flag):
    expected = tshark("-T", "fields", "-e", "frame.number", "-e", "ip.src", "-c", "1",
                      "-r", CAPTURE).stdout
    assert expected.startswith(b"1\t")
    # Generous for -l (start-up under ASan is slow); 3 s for the buffered
    # run, which can only come back empty.
    assert line_while_open(flag, 20.0 if flag else 3.0) == (expected if flag else b"")
