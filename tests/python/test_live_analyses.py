"""Analyses of a live capture on lo, named when the capture is made
(LiveCapture(analyses=[...])): conversations and expert counts read while it
runs, and as they ended after it stopped, against tshark's -z output on the
file the capture wrote. Traffic: TCP connections to a closed port on
127.0.0.1 (SYN, then the kernel's RST). Needs root (or CAP_NET_RAW)."""
import os
import socket
import threading

import pytest

from helpers import free_port, tshark

cshark = pytest.importorskip("cshark")

if os.geteuid() != 0:
    pytest.skip("live capture needs root (or CAP_NET_RAW)", allow_module_level=True)

CONNECTIONS = 3


def refused_connections(port, stop):
    """A connection to the closed PORT every 0.2 s until STOP is set (the
    capture starts with its first read: the first ones may come before)."""
    while not stop.wait(0.2):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pass


def test_conversations_and_expert_while_running_and_after(tmp_path):
    port = free_port()
    out = tmp_path / "live.pcapng"
    cap = cshark.LiveCapture("lo", bpf_filter=f"tcp port {port}", output_file=str(out),
                             analyses=["conv,tcp", "expert"])
    stop = threading.Event()
    sender = threading.Thread(target=refused_connections, args=(port, stop), daemon=True)
    sender.start()
    seen = 0
    try:
        for _ in cap.sniff_continuously(packet_count=2 * CONNECTIONS):
            seen += 1
            if seen % 2 == 0:
                # While it runs: what came so far, one conversation per connection.
                convs = cap.conversations("tcp")
                assert len(convs) == seen // 2
                assert all(c.frames == 2 and c.port_b == port for c in convs)
                items = cap.expert_info()
                assert sum(i.severity == "Warning" for i in items) == seen // 2
    finally:
        stop.set()
        cap.close()
        sender.join(5)
    assert seen == 2 * CONNECTIONS
    # After the end: the totals as the capture stopped, equal to tshark's -z
    # over the file it wrote.
    final = cap.analyze("conv,tcp", "expert")
    oracle = tshark("-n", "-q", "-z", "conv,tcp", "-r", out).stdout.decode()
    assert final[0].text == oracle
    oracle = tshark("-n", "-q", "-z", "expert", "-r", out).stdout.decode()
    assert final[1].text == oracle
    assert [c.stream for c in cap.conversations("tcp")] == list(range(CONNECTIONS))


def test_unnamed_analysis_says_how_to_name_it():
    cap = cshark.LiveCapture("lo", analyses=["conv,udp"])
    with pytest.raises(cshark.UnsupportedParameterError, match=r"analyses=\['conv,tcp'\]"):
        cap.conversations("tcp")
    with pytest.raises(cshark.UnsupportedParameterError, match="not started"):
        cap.conversations("udp")


def test_bad_named_analysis_fails_at_start():
    cap = cshark.LiveCapture("lo", analyses=["conv,nope"])
    with pytest.raises(cshark.OptionError, match="nope"):
        cap.sniff(packet_count=1, timeout=5)
