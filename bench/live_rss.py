#!/usr/bin/python3
"""Long-run memory check of live capture: cshark's RSS while it captures and
dissects a million replayed packets.

Not part of the default test suite (it takes minutes, needs root, tcpreplay
and a network namespace). What it does:

1. Takes the Ethernet frames of the benchmark corpus (build/bench-data/
   all.pcapng, made by bench/run.py; its other link types cannot be replayed
   on an Ethernet device) into a pcap file.
2. Creates a network namespace, cshark-bench, holding a veth pair vA-vB
   (MTU 65535) -- or, with --iface lo, just its own loopback. Nothing leaves
   the namespace; it is deleted at exit.
3. For each configuration (by default cshark's own session reset, every
   100000 packets, then -M 0: never), runs inside the namespace
       cshark -i vB -T fields -e frame.number [-M N]
   counting its output lines, while tcpreplay --topspeed replays the frames
   on vA (in rounds of --loop) until cshark has dissected --packets packets.
   VmRSS of cshark is sampled every second, and read at once when the count
   passes 10,000 and every 100,000.
4. Prints, per configuration, RSS by packets dissected, and a summary: RSS
   after the first 10,000 packets, at the end, the maximum, and whether the
   maximum stays within --limit MiB (50) of the first figure.

Exit status 0 when the first configuration (the default) passes.

    sudo /usr/bin/python3 bench/live_rss.py [--packets 1000000] [--iface veth|lo]
         [--pps N] [--reset default --reset 0 ...] [--cshark build/cli/cshark]
"""
import argparse
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NS = "cshark-bench"
MIB = 1024 * 1024


def die(msg):
    sys.exit(f"{Path(sys.argv[0]).stem}: {msg}")  # live_rss, or live_rate using it


def sh(*cmd, check=True, quiet=False):
    result = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if check and result.returncode != 0:
        die(f"{' '.join(map(str, cmd))} failed ({result.returncode}): "
            f"{result.stderr.strip() or result.stdout.strip()}")
    return result


def in_ns(*cmd):
    return ["ip", "netns", "exec", NS, *[str(c) for c in cmd]]


# ---- input: the Ethernet frames of a pcapng file, as pcap -----------------

def pcapng_ethernet_frames(path):
    """(captured bytes, original length) of every Ethernet (link type 1) frame
    of a pcapng file: enhanced and simple packet blocks; other blocks skipped."""
    data = Path(path).read_bytes()
    off, endian, links = 0, "<", []
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":  # section header
            endian = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, blen = struct.unpack_from(endian + "II", data, off)
        if blen < 12 or off + blen > len(data):
            die(f"{path}: bad pcapng block at offset {off}")
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            links.append(struct.unpack_from(endian + "H", body, 0)[0])
        elif btype == 6:  # enhanced packet
            iface, _, _, caplen, origlen = struct.unpack_from(endian + "IIIII", body, 0)
            if links[iface] == 1:
                yield body[20:20 + caplen], origlen
        elif btype == 3 and links and links[0] == 1:  # simple packet
            origlen = struct.unpack_from(endian + "I", body, 0)[0]
            yield body[4:4 + min(origlen, len(body) - 4)], origlen
        off += blen


def write_ethernet_pcap(source, target):
    count = 0
    with open(target, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for frame, origlen in pcapng_ethernet_frames(source):
            # 1 ms apart; --topspeed ignores time stamps anyway.
            out.write(struct.pack("<IIII", count // 1000, count % 1000 * 1000,
                                  len(frame), origlen))
            out.write(frame)
            count += 1
    return count


# ---- the namespace ---------------------------------------------------------

def setup_namespace(mode):
    if sh("ip", "netns", "list").stdout.split().count(NS):
        sh("ip", "netns", "del", NS)
    sh("ip", "netns", "add", NS)
    sh(*in_ns("ip", "link", "set", "lo", "up"))
    if mode == "lo":
        return "lo", "lo"
    sh(*in_ns("ip", "link", "add", "vA", "type", "veth", "peer", "name", "vB"))
    for dev in ("vA", "vB"):
        sh(*in_ns("ip", "link", "set", dev, "mtu", "65535"))
        sh(*in_ns("ip", "link", "set", dev, "up"))
    return "vA", "vB"


def teardown_namespace():
    if NS in sh("ip", "netns", "list", check=False).stdout.split():
        sh("ip", "netns", "del", NS, check=False)


# ---- one capture run --------------------------------------------------------

def vmrss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def holds_packet_socket(pid):
    """Whether PID holds an AF_PACKET socket (of its own namespace) that has
    been open for a while: the capture has started."""
    try:
        with open(f"/proc/{pid}/net/packet") as f:
            listed = {line.split()[8] for line in f.readlines()[1:] if line.strip()}
        links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except OSError:
        return set()
    return {l[8:-1] for l in links if l.startswith("socket:[")} & listed


class Run:
    def __init__(self, label, cshark_args):
        self.label = label
        self.cshark_args = cshark_args
        self.seen = 0
        self.samples = []       # (seconds, packets, RSS KiB), every second
        self.milestones = []    # (packets, RSS KiB) at 10,000 and every 100,000
        self.sent = 0
        self.failed = 0
        self.stderr = ""
        self.seconds = 0.0


def count_lines(run, stream, pid):
    next_mark = 10000
    while True:
        chunk = stream.read1(1 << 20)
        if not chunk:
            return
        run.seen += chunk.count(b"\n")
        while run.seen >= next_mark:
            run.milestones.append((next_mark, vmrss_kib(pid)))
            next_mark = 100000 if next_mark == 10000 else next_mark + 100000


def sample(run, pid, start, stop):
    while not stop.wait(1.0):
        rss = vmrss_kib(pid)
        if rss is None:
            return
        run.samples.append((time.monotonic() - start, run.seen, rss))


def replay_round(send_if, pcap, loops, pps):
    rate = ["--pps", str(pps)] if pps else ["--topspeed"]
    result = sh(*in_ns("tcpreplay", *rate, f"--loop={loops}", "-i", send_if, pcap), check=False)
    if result.returncode not in (0, 1) and "Successful packets" not in result.stdout:
        die(f"tcpreplay failed ({result.returncode}): {result.stderr.strip()}")
    ok = re.search(r"Successful packets:\s+(\d+)", result.stdout)
    bad = re.search(r"Failed packets:\s+(\d+)", result.stdout)
    return int(ok.group(1)) if ok else 0, int(bad.group(1)) if bad else 0


def capture(run, args, pcap, frames, capture_if, send_if):
    cmd = in_ns(args.cshark, "-i", capture_if, *run.cshark_args,
                "-T", "fields", "-e", "frame.number")
    # The capture thread's queue holds what dissection has not read yet, up
    # to its limit: at --topspeed it fills, which is not what this measures.
    env = dict(os.environ, CSHARK_LIVE_QUEUE_MB=str(args.queue_mb))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    pid = proc.pid  # ip netns exec execs cshark: the same process
    start = time.monotonic()
    stop = threading.Event()
    errors = []
    reader = threading.Thread(target=count_lines, args=(run, proc.stdout, pid), daemon=True)
    err_reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    sampler = threading.Thread(target=sample, args=(run, pid, start, stop), daemon=True)
    reader.start()
    err_reader.start()
    try:
        first = {}
        while True:  # the capturing socket, open for 0.3 s (not the probe's)
            if proc.poll() is not None:
                err_reader.join(5)
                die(f"cshark exited {proc.returncode}: {b''.join(errors).decode()[-800:]}")
            now = time.monotonic()
            first = {s: first.get(s, now) for s in holds_packet_socket(pid)}
            if any(now - t >= 0.3 for t in first.values()):
                break
            if now - start > 60:
                die("cshark did not start capturing within 60 s")
            time.sleep(0.01)
        sampler.start()
        loops = max(1, 250000 // max(frames, 1))
        while run.seen < args.packets and time.monotonic() - start < args.max_seconds:
            if proc.poll() is not None:
                break
            ok, bad = replay_round(send_if, pcap, loops, args.pps)
            run.sent += ok
            run.failed += bad
            print(f"  {run.label}: sent {run.sent:,}, dissected {run.seen:,}, "
                  f"RSS {vmrss_kib(pid) or 0:,} KiB", flush=True)
        time.sleep(1)  # let cshark drain its buffer
    finally:
        stop.set()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(10)
        err_reader.join(10)
        run.seconds = time.monotonic() - start
        run.stderr = b"".join(errors).decode("utf-8", "replace")
    if proc.returncode != 0:
        die(f"cshark exited {proc.returncode}: {run.stderr[-800:]}")


# ---- report -------------------------------------------------------------------

def mib(kib):
    return f"{kib / 1024:,.1f}" if kib is not None else "-"


def report(runs, limit):
    verdicts = []
    for run in runs:
        print(f"\n### {run.label}\n")
        print("| packets dissected | RSS MiB |")
        print("|---:|---:|")
        for packets, rss in run.milestones:
            print(f"| {packets:,} | {mib(rss)} |")
        if run.samples:
            print(f"| {run.samples[-1][1]:,} (last sample) | {mib(run.samples[-1][2])} |")
    print("\n| run | sent (not sent) | dissected | kernel drops | seconds | RSS @10k MiB | "
          "RSS end MiB | RSS max MiB | growth MiB | within %d MiB |" % limit)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for run in runs:
        first = run.milestones[0][1] if run.milestones else None
        end = run.samples[-1][2] if run.samples else None
        peak = max([s[2] for s in run.samples] + [m[1] for m in run.milestones if m[1]],
                   default=None)
        dropped = re.search(r"(\d+) packets? dropped by the kernel", run.stderr)
        ok = None not in (first, peak) and run.seen >= 10000 and (peak - first) <= limit * 1024
        verdicts.append(ok)
        growth = f"{(peak - first) / 1024:,.1f}" if None not in (first, peak) else "-"
        print(f"| {run.label} | {run.sent:,} ({run.failed:,}) | {run.seen:,} | "
              f"{int(dropped.group(1)) if dropped else 0:,} | {run.seconds:.0f} | "
              f"{mib(first)} | {mib(end)} | {mib(peak)} | {growth} | "
              f"{'pass' if ok else 'FAIL'} |")
    return verdicts


def add_common_arguments(parser):
    """--cshark and --input, as live_rate.py takes them too."""
    parser.add_argument("--cshark", default=str(REPO / "build" / "cli" / "cshark"))
    parser.add_argument("--input", default=str(REPO / "build" / "bench-data" / "all.pcapng"),
                        help="pcapng whose Ethernet frames are replayed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--packets", type=int, default=1000000,
                        help="packets cshark must dissect per run (default 1,000,000)")
    parser.add_argument("--reset", action="append",
                        help="-M value per run; 'default' for none (default: default, 0)")
    parser.add_argument("--iface", choices=("veth", "lo"), default="veth")
    parser.add_argument("--pps", type=int, help="replay rate (default: --topspeed)")
    parser.add_argument("--limit", type=int, default=50, help="allowed growth, MiB")
    parser.add_argument("--queue-mb", type=int, default=0,
                        help="CSHARK_LIVE_QUEUE_MB for cshark (default 0: no capture "
                             "thread, the excess is dropped by the kernel, as before)")
    parser.add_argument("--max-seconds", type=float, default=900, help="per run")
    parser.add_argument("--cshark-arg", action="append", default=[],
                        help="extra cshark argument (repeatable), e.g. --cshark-arg=-B64")
    args = parser.parse_args()

    if os.geteuid() != 0:
        die("needs root (network namespace, raw sockets)")
    if not os.access(args.cshark, os.X_OK):
        die(f"no cshark at {args.cshark}: build it first")
    args.cshark = os.path.abspath(args.cshark)
    for tool in ("ip",):
        if not shutil.which(tool):
            die(f"{tool} is not installed")
    if not shutil.which("tcpreplay"):
        print("tcpreplay is missing: apt-get install -y tcpreplay", flush=True)
        sh("apt-get", "install", "-y", "tcpreplay")
    if not Path(args.input).exists():
        print(f"{args.input} is missing: running bench/run.py --runs 1 to make it", flush=True)
        sh(sys.executable, REPO / "bench" / "run.py", "--runs", "1")

    resets = args.reset or ["default", "0"]
    runs = [Run("default (-M 100000)" if r == "default" else f"-M {r}",
                [*(["-M", r] if r != "default" else []), *args.cshark_arg])
            for r in resets]
    with tempfile.TemporaryDirectory(prefix="cshark-live-rss-") as tmp:
        pcap = Path(tmp) / "ethernet.pcap"
        frames = write_ethernet_pcap(args.input, pcap)
        if not frames:
            die(f"{args.input} has no Ethernet frames")
        print(f"{frames:,} Ethernet frames from {args.input}; target {args.packets:,} "
              f"dissected per run; interface {args.iface} in netns {NS}", flush=True)
        try:
            send_if, capture_if = setup_namespace(args.iface)
            for run in runs:
                print(f"run {run.label}: cshark {' '.join(run.cshark_args)}", flush=True)
                capture(run, args, pcap, frames, capture_if, send_if)
        finally:
            teardown_namespace()
    verdicts = report(runs, args.limit)
    return 0 if verdicts and verdicts[0] else 1


if __name__ == "__main__":
    sys.exit(main())
