"""Live capture helpers (test_live.py, test_binding_api.py): when cshark is
capturing, and free ports on 127.0.0.1.

cshark prints nothing when it starts capturing, so readiness is read from
the kernel: a packet (AF_PACKET) socket of the process, listed in
/proc/PID/net/packet (its network namespace's). cshark opens and closes one socket while it checks the
interfaces (cshark_capture_open_live), then opens the capturing one at the first
read; only a socket that stays open for a while is the capturing one.
"""

import os
import random
import socket
import subprocess
import time

import pytest

from helpers.common import TSHARK, run, tail


def packet_socket_inodes(pid):
    """Inodes of the AF_PACKET sockets process PID holds (in its netns)."""
    try:
        with open(f"/proc/{pid}/net/packet") as f:
            listed = {line.split()[8] for line in f.readlines()[1:] if line.strip()}
    except OSError:
        return set()
    held = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return set()
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in listed:
            held.add(link[8:-1])
    return held


def wait_until_capturing(proc, timeout=20.0, settle=0.25):
    """Wait until PROC has held the same packet socket for SETTLE seconds.

    Returns (time.monotonic() at which that socket was first seen -- the
    capture's start, within the 5 ms polling period --, its inode). Fails the
    test, killing PROC, when it exits first or TIMEOUT passes.
    """
    start = time.monotonic()
    first_seen = {}
    while True:
        now = time.monotonic()
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"cshark exited ({proc.returncode}) before it was capturing: "
                        f"{tail(err)}", pytrace=False)
        held = packet_socket_inodes(proc.pid)
        first_seen = {inode: first_seen.get(inode, now) for inode in held}
        for inode, seen in first_seen.items():
            if now - seen >= settle:
                return seen, inode
        if now - start > timeout:
            proc.kill()
            proc.communicate()
            pytest.fail(f"cshark held no packet socket after {timeout} s", pytrace=False)
        time.sleep(0.005)


def finish(proc, timeout):
    """Wait at most TIMEOUT seconds for PROC; (returncode, stdout, stderr).

    On timeout the process is killed and the test fails."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"cshark did not exit within {timeout} s; stderr: {tail(err)}",
                    pytrace=False)
    return proc.returncode, out, err


_dissected_ports = None


def dissected_ports():
    """The UDP and TCP ports tshark hands to a protocol (tshark -G decodes):
    a test's datagrams there would not be plain data (26000 is Quake's)."""
    global _dissected_ports
    if _dissected_ports is None:
        out = run([TSHARK, "-G", "decodes"]).stdout.decode()
        rows = (line.split("\t") for line in out.splitlines())
        _dissected_ports = {int(r[1]) for r in rows
                            if len(r) >= 2 and r[0] in ("udp.port", "tcp.port") and r[1].isdigit()}
    return _dissected_ports


def free_port(count=1, low=20000, high=32000):
    """A random port P such that P..P+COUNT-1 are free for TCP and UDP on
    127.0.0.1 (below Linux's ephemeral range, so no client takes them) and no
    dissector claims them."""
    taken = dissected_ports()
    for _ in range(200):
        port = random.randrange(low, high - count)
        if any(p in taken for p in range(port, port + count)):
            continue
        socks = []
        try:
            for p in range(port, port + count):
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port found")


def udp_socket():
    """A UDP socket on 127.0.0.1 at a port from free_port(). Senders bind one
    too: UDP hands a datagram to the dissector of either port, and the kernel's
    ephemeral source ports include some that tshark gives to a protocol (37008
    is TZSP's, 44818 EtherNet/IP's), where the payload is no longer data."""
    for _ in range(20):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", free_port()))
            return s
        except OSError:  # taken between free_port()'s check and this bind
            s.close()
    raise RuntimeError("no free port found")


