"""Faults during a live capture (issue 19): -w onto a disk that fills up.
The test mounts its own small tmpfs and sends its datagrams to 127.0.0.1.
Needs root (capture, mount)."""
import os
import subprocess
import time

import pytest

from helpers import (free_port, python_env, require_cshark, tail, tshark, udp_socket,
                     wait_until_capturing)

CSHARK = require_cshark()

if os.geteuid() != 0:
    pytest.skip("live capture and mount need root", allow_module_level=True)


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)])


def test_write_onto_a_full_disk(small_disk):
    """The disk fills: a clear error naming the file, the capture ends, and
    the file holds whole packets (tshark reads it without error)."""
    port = free_port()
    out = small_disk / "out.pcapng"
    proc = subprocess.Popen([CSHARK, "-i", "lo", "-f", f"udp dst port {port}", "-w", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until_capturing(proc)
    deadline = time.monotonic() + 30
    with udp_socket() as s:
        while proc.poll() is None and time.monotonic() < deadline:
            for _ in range(20):
                s.sendto(b"x" * 1000, ("127.0.0.1", port))
            time.sleep(0.005)
    if proc.poll() is None:
        proc.kill()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode not in (None, -9), "the capture did not stop on a full disk"
    assert proc.returncode != 0
    assert f'cannot write "{out}": No space left on device'.encode() in err, tail(err)
    check = tshark("-r", out, "-T", "fields", "-e", "udp.dstport")
    assert check.returncode == 0, tail(check.stderr)
    ports = check.stdout.decode().split()
    assert len(ports) > 100 and set(ports) == {str(port)}


NS = "cshark-faults"
SENDER = """
import socket, struct, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vb", 0))
for n in range(count):
    payload = b"cshark %06d" % n
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                     bytes([10, 99, 0, 2]), bytes([10, 99, 0, 1])) + udp
    s.send(b"\\xff" * 6 + b"\\x02\\x00\\x00\\x00\\x00\\x02" + b"\\x08\\x00" + ip)
"""


def netns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *map(str, cmd)], **kw)


@pytest.fixture
def veth():
    """A namespace of the test's own with a veth pair va–vb, both up."""
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    if subprocess.run(["ip", "netns", "add", NS]).returncode:
        pytest.skip("cannot create a network namespace here")
    try:
        netns("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", check=True)
        netns("ip", "link", "set", "va", "up", check=True)
        netns("ip", "link", "set", "vb", "up", check=True)
        yield
    finally:
        subprocess.run(["ip", "netns", "del", NS])


def capture_until_va_goes(command, count=50, env=None):
    """Run COMMAND (capturing on va, in the namespace), send COUNT frames
    from vb, delete va: (status, stdout, stderr)."""
    port = 5999
    proc = subprocess.Popen(["ip", "netns", "exec", NS, *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wait_until_capturing(proc)
    netns("/usr/bin/python3", "-c", SENDER, port, count, check=True)
    time.sleep(1.0)  # the frames are in the socket's ring, delivered or not yet
    netns("ip", "link", "del", "va", check=True)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the capture did not end when its interface went away")
    return proc.returncode, out, err


GONE = b'the network adapter "va" is no longer attached; the capture has stopped'


def test_interface_disappears_while_writing(veth, tmp_path):
    """va is deleted mid-capture: the error names it, the capture ends, and
    the -w file holds every frame sent before, whole (tshark reads it)."""
    out = tmp_path / "out.pcapng"
    status, _, err = capture_until_va_goes([CSHARK, "-i", "va", "-f", "udp port 5999",
                                            "-w", out])
    assert status == 2 and GONE in err, tail(err)
    assert b"50 packets captured" in err, tail(err)
    check = tshark("-r", out, "-T", "fields", "-e", "data.data")
    assert check.returncode == 0, tail(check.stderr)
    sent = [(b"cshark %06d" % n).hex() for n in range(50)]
    assert check.stdout.decode().split() == sent


def test_interface_disappears_while_printing(veth):
    """The same with packets dissected and printed: every frame sent is
    printed (flushed) before the error."""
    status, out, err = capture_until_va_goes([CSHARK, "-n", "-i", "va", "-f", "udp port 5999",
                                              "-T", "fields", "-e", "frame.number",
                                              "-e", "data.data"])
    assert status == 2 and GONE in err, tail(err)
    sent = [f"{n + 1}\t{(b'cshark %06d' % n).hex()}" for n in range(50)]
    assert out.decode().splitlines() == sent


def test_interface_disappears_under_python(veth):
    """LiveCapture: the packets sent arrive, then CaptureReadError naming va."""
    script = """
import cshark
got = []
try:
    for p in cshark.LiveCapture(interface="va", bpf_filter="udp port 5999").sniff_continuously():
        got.append(int(p.ip.id, 0))
except cshark.CaptureReadError as e:
    print(len(got), got == list(range(len(got))), e)
"""
    status, out, err = capture_until_va_goes(["/usr/bin/python3", "-c", script],
                                             env=python_env())  # ASan's runtime, if any
    assert status == 0, tail(err)
    assert out.decode().startswith("50 True ") and GONE.decode() in out.decode(), tail(out + err)
