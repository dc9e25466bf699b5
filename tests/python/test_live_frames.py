"""Data frames of a live capture on lo (LiveCapture.to_dataframe and
iter_dataframes): UDP datagrams sent to a free port while the binding
captures them, and the frame against read_dataframe of the pcapng the
capture wrote. Needs root (or CAP_NET_RAW)."""
import os
import threading
import time

import pytest

from helpers import free_port
from helpers.live import udp_socket

pd = pytest.importorskip("pandas")
cshark = pytest.importorskip("cshark")

if os.geteuid() != 0:
    pytest.skip("live capture needs root (or CAP_NET_RAW)", allow_module_level=True)

FIELDS = ["frame.number", "frame.time", "frame.len", "ip.src", "udp.dstport", "udp.length",
          "data.data"]


class Sender:
    """Datagrams to 127.0.0.1:PORT every 20 ms until stopped."""

    def __init__(self, port):
        self.port, self.count = port, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        with udp_socket() as s:
            while not self.done.wait(0.02):
                self.count += 1
                s.sendto(b"frame %d" % self.count, ("127.0.0.1", self.port))

    def stop(self):
        self.done.set()
        self.thread.join()


def test_live_to_dataframe_count_and_written_file(tmp_path):
    port = free_port()
    out = tmp_path / "live.pcapng"
    cap = cshark.LiveCapture("lo", bpf_filter=f"udp dst port {port}", output_file=str(out))
    sender = Sender(port)
    try:
        frame = cap.to_dataframe(FIELDS, packet_count=5, timeout=30)
    finally:
        sender.stop()
    assert len(frame) == 5
    assert frame["udp.dstport"].tolist() == [port] * 5
    assert str(frame["frame.time"].dtype) == "datetime64[ns, UTC]"
    assert frame["data.data"].map(lambda b: b.startswith(b"frame ")).all()
    # The same packets, written by the capture, read back from the file.
    written = cshark.read_dataframe(str(out), FIELDS)
    pd.testing.assert_frame_equal(frame, written.iloc[:5])


def test_live_frames_per_batch_and_timeout():
    port = free_port()
    cap = cshark.LiveCapture("lo", bpf_filter=f"udp dst port {port}")
    sender = Sender(port)
    try:
        batches = []
        for batch in cap.iter_dataframes(FIELDS, batch_size=3, batch_timeout=10):
            batches.append(batch)
            if len(batches) == 3:
                break
        start = time.monotonic()
        timed = cap.to_dataframe(FIELDS, timeout=1.0)
        took = time.monotonic() - start
    finally:
        sender.stop()
    assert [len(b) for b in batches] == [3, 3, 3]
    payloads = [int(b.split()[1]) for b in pd.concat(batches)["data.data"]]
    assert payloads == list(range(payloads[0], payloads[0] + 9))  # one capture, no gap
    assert len(timed) >= 10 and 0.9 <= took < 5
