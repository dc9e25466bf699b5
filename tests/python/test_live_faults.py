"""Faults during a live capture (issue 19): -w onto a disk that fills up.
The test mounts its own small tmpfs and sends its datagrams to 127.0.0.1.
Needs root (capture, mount)."""
import os
import subprocess
import time

import pytest

from helpers import (free_port, require_cshark, tail, tshark, udp_socket,
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
