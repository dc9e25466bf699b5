#!/usr/bin/python3
"""The highest live rate held without drops (issue 19, section 4): cshark
against tshark and dumpcap, each doing the same thing, in one run.

Root only; one command:

    sudo /usr/bin/python3 bench/live_rate.py [--seconds 3] [--only KEY ...]
         [--write] [--no-pause]

What it does:

1. Takes the Ethernet frames of the benchmark corpus (build/bench-data/
   all.pcapng, bench/run.py's merge of the shared corpus: real, mixed
   traffic) into a pcap file; frames tcpreplay cannot send on a veth (shorter
   than an Ethernet header, longer than the MTU) are left out.
2. Creates a network namespace, cshark-rate, with a veth pair vA-vB (MTU
   65535, IPv6 off so the kernel sends nothing of its own). Nothing leaves
   the namespace; it is deleted at exit, on error and on Ctrl-C too.
3. For each row (ROWS below), searches the highest offered rate the command
   holds: a trial starts the command capturing on vB, waits until its
   packet socket has been open 0.5 s, replays `--seconds` worth of packets
   on vA with `tcpreplay --pps R --limit N`, waits until the command has
   caught up (its output stops growing), stops it with SIGINT as a user
   would, and reads what it reports. A trial passes when the capturer
   reports no drops (libpcap's ps_drop + ps_ifdrop: cshark's "N packets
   dropped by the kernel, M by the interface", tshark's "N packets dropped
   from IF", dumpcap's "received/dropped" line) and every packet tcpreplay
   sent was delivered (output records counted: lines, PDML packets, the -w
   file's packets read back with capinfos). The rate doubles from --start
   until a trial fails, then bisects until the step is under 10 %.
4. Prints a markdown table (with --write, also puts it into BENCHMARKS.md's
   section "Live capture: the highest rate without drops").

The fuzzers of /work/campaign (if any) are paused (SIGSTOP to their process
groups) while each row is measured and always resumed (--no-pause: leave
them alone).
"""
import argparse
import datetime
import os
import platform
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
sys.path.insert(0, str(REPO / "bench"))
import live_rss  # noqa: E402  (the corpus's Ethernet frames)
from live_rss import add_common_arguments, die, sh  # noqa: E402

NS = "cshark-rate"
SEND_IF, CAPTURE_IF = "vA", "vB"
ENV = dict(os.environ, WIRESHARK_CONFIG_DIR="/nonexistent/cshark-bench", LC_ALL="C.UTF-8")
FIELDS = ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst",
          "-e", "tcp.dstport", "-e", "udp.dstport"]
SECTION = "## Live capture: the highest rate without drops"


def in_ns(*cmd):
    return ["ip", "netns", "exec", NS, *[str(c) for c in cmd]]


# ---- the rows ------------------------------------------------------------------
# (key, label, argv builder(tools, output path), what is counted, baseline key).
# Counted: "lines" (stdout lines), "pdml" (<packet> elements), "file" (the -w
# file's packets), "python" (one stdout line per packet from the child loop).

def rows(t):
    i = ["-i", CAPTURE_IF]
    return [
        # cshark -w also prints each packet (tshark needs -P for that): -q is
        # its write-only form.
        ("cshark-w", "`cshark -i IF -q -w F`", lambda f: [t.cshark, "-n", "-q", *i, "-w", f],
         "file", "tshark-w"),
        ("tshark-w", "`tshark -i IF -w F`", lambda f: [t.tshark, "-n", *i, "-w", f],
         "file", None),
        ("dumpcap-w", "`dumpcap -i IF -w F`", lambda f: [t.dumpcap, *i, "-w", f],
         "file", None),
        ("cshark-fields", "`cshark -i IF -T fields -e …`",
         lambda f: [t.cshark, "-n", *i, *FIELDS], "lines", "tshark-fields"),
        ("tshark-fields", "`tshark -i IF -T fields -e …`",
         lambda f: [t.tshark, "-n", *i, *FIELDS], "lines", None),
        ("cshark-summary", "`cshark -i IF`", lambda f: [t.cshark, "-n", *i],
         "lines", "tshark-summary"),
        ("tshark-summary", "`tshark -i IF`", lambda f: [t.tshark, "-n", *i], "lines", None),
        ("cshark-python", "Python `for p in cshark.LiveCapture(interface=IF)`",
         lambda f: ["/usr/bin/python3", __file__, "--python-child", CAPTURE_IF],
         "python", "tshark-pdml"),
        ("tshark-pdml", "`tshark -i IF -T pdml` (PyShark's LiveCapture reads this)",
         lambda f: [t.tshark, "-n", *i, "-T", "pdml"], "pdml", None),
    ]


# ---- the Python row's child: a LiveCapture loop ---------------------------------

def python_child(interface):
    """A LiveCapture loop as a PyShark user writes it (reading a field of
    each packet), one line per packet on stdout so the parent can count;
    stops when stdin closes or on SIGINT, then reports as cshark's CLI."""
    import cshark
    cap = cshark.LiveCapture(interface=interface)
    signal.signal(signal.SIGINT, lambda *_: cap.stop())
    threading.Thread(target=lambda: (sys.stdin.read(), cap.stop()), daemon=True).start()
    out = sys.stdout.buffer
    n = 0
    for p in cap:
        if 'ip' in p:
            getattr(p.ip, "src", None)
        n += 1
        out.write(b"\n")
    out.flush()
    st = cap.stats() or {}
    sys.stderr.write(f"{st.get('read', n)} packets captured\n")
    if st.get("dropped") or st.get("if_dropped"):
        sys.stderr.write(f"{st['dropped']} packets dropped by the kernel, "
                         f"{st['if_dropped']} by the interface\n")
    return 0


# ---- input ------------------------------------------------------------------------

def write_replayable_pcap(source, target):
    """The Ethernet frames of SOURCE a veth takes: at least an Ethernet header,
    at most MTU 65535 + 14."""
    count = 0
    with open(target, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for frame, origlen in live_rss.pcapng_ethernet_frames(source):
            if not 14 <= len(frame) <= 65535 + 14:
                continue
            out.write(struct.pack("<IIII", count // 1000, count % 1000 * 1000,
                                  len(frame), max(origlen, len(frame))))
            out.write(frame)
            count += 1
    return count


# ---- the namespace ------------------------------------------------------------------

def setup_namespace():
    teardown_namespace()
    sh("ip", "netns", "add", NS)
    sh(*in_ns("ip", "link", "set", "lo", "up"))
    sh(*in_ns("ip", "link", "add", SEND_IF, "type", "veth", "peer", "name", CAPTURE_IF))
    for dev in (SEND_IF, CAPTURE_IF):
        sh(*in_ns("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1"))
        sh(*in_ns("ip", "link", "set", dev, "mtu", "65535"))
        sh(*in_ns("ip", "link", "set", dev, "up"))


def teardown_namespace():
    if NS in sh("ip", "netns", "list", check=False).stdout.split():
        sh("ip", "netns", "del", NS, check=False)


# ---- pausing the background fuzzers -------------------------------------------------

class Paused:
    """SIGSTOP to the process groups of /work/campaign/*.pid while measuring;
    SIGCONT on the way out, whatever happened."""

    def __init__(self, enabled):
        self.groups = []
        if enabled:
            for pid_file in sorted(Path("/work/campaign").glob("*.pid")):
                try:
                    self.groups.append(int(pid_file.read_text().split()[0]))
                except (OSError, ValueError, IndexError):
                    pass

    def _signal(self, sig):
        for g in self.groups:
            try:
                os.killpg(g, sig)
            except OSError:
                pass

    def __enter__(self):
        self._signal(signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        self._signal(signal.SIGCONT)
        return False


# ---- one trial ------------------------------------------------------------------------

def packet_sockets():
    """Inodes of the packet sockets open in the namespace."""
    r = sh(*in_ns("cat", "/proc/net/packet"), check=False)
    return {line.split()[8] for line in r.stdout.splitlines()[1:] if line.strip()}


class Counter:
    """Counts what a command writes on stdout: lines, or PDML packets."""

    def __init__(self, stream, kind):
        self.n = 0
        self.changed = time.monotonic()
        self.needle = b"<packet>\n" if kind == "pdml" else b"\n"
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        tail = b""
        keep = len(self.needle) - 1
        while True:
            chunk = stream.read1(1 << 20)
            if not chunk:
                return
            data = tail + chunk
            self.n += data.count(self.needle)
            tail = data[-keep:] if keep else b""
            self.changed = time.monotonic()


def file_packets(path):
    r = sh("capinfos", "-M", "-c", path, check=False)
    m = re.search(r"Number of packets:\s+(\d+)", r.stdout)
    return int(m.group(1)) if m else 0


def parse_drops(stderr):
    """Drops the capturer reports, however it words them; None if unreadable."""
    total = 0
    m = re.search(r"(\d+) packets? dropped by the kernel, (\d+) by the interface", stderr)
    if m:  # cshark
        total += int(m.group(1)) + int(m.group(2))
    for m in re.finditer(r"(\d+) packets? dropped from ", stderr):  # tshark
        total += int(m.group(1))
    for m in re.finditer(r"received/dropped on interface '[^']*': (\d+)/(\d+) "
                         r"\(pcap:(\d+)/dumpcap:(\d+)/flushed:(\d+)/ps_ifdrop:(\d+)\)", stderr):
        total += int(m.group(2)) + int(m.group(6))  # dumpcap: its drops + ifdrop
    return total


def parse_captured(stderr):
    m = re.findall(r"(?:^|\s)(\d+) packets? captured", stderr) or \
        re.findall(r"Packets captured: (\d+)", stderr)
    return int(m[-1]) if m else None


class Trial:
    def __init__(self, rate):
        self.rate = rate
        self.sent = self.failed_sends = 0
        self.actual_pps = 0.0
        self.delivered = 0
        self.captured = None
        self.drops = None
        self.lag = 0.0
        self.note = ""

    @property
    def passed(self):
        return self.drops == 0 and self.failed_sends == 0 and self.delivered >= self.sent > 0


def run_trial(argv, kind, rate, pcap, args, tmp):
    t = Trial(rate)
    out_file = Path(tmp) / "out.pcapng"
    if out_file.exists():
        out_file.unlink()
    cmd = in_ns(*argv(str(out_file)))
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV)
    errors = []
    err_reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    err_reader.start()
    counter = Counter(proc.stdout, kind) if kind != "file" else None
    if counter is None:
        proc.stdout.close()
    try:
        start, first = time.monotonic(), {}
        while True:  # the capturing socket, open for 0.5 s (not a probe's)
            if proc.poll() is not None:
                err_reader.join(5)
                die(f"{' '.join(cmd)} exited {proc.returncode}: "
                    f"{b''.join(errors).decode()[-800:]}")
            now = time.monotonic()
            first = {s: first.get(s, now) for s in packet_sockets()}
            if any(now - s >= 0.5 for s in first.values()):
                break
            if now - start > 60:
                die(f"{' '.join(cmd)} did not start capturing within 60 s")
            time.sleep(0.05)
        count = max(int(rate * args.seconds), 2000)
        r = sh(*in_ns("tcpreplay", f"--pps={rate}", f"--limit={count}", "--loop=0",
                      "-i", SEND_IF, pcap), check=False)
        ok = re.search(r"Successful packets:\s+(\d+)", r.stdout)
        bad = re.search(r"Failed packets:\s+(\d+)", r.stdout)
        pps = re.search(r"Rated:.*?([\d.]+) pps", r.stdout)
        if not ok:
            die(f"tcpreplay failed ({r.returncode}): {r.stderr.strip()[-800:]}")
        t.sent, t.failed_sends = int(ok.group(1)), int(bad.group(1)) if bad else 0
        t.actual_pps = float(pps.group(1)) if pps else 0.0
        replayed = time.monotonic()
        # Wait until the command has caught up: its output has not grown for
        # --settle seconds (or, counted on stdout, it has every packet).
        last_size, changed = -1, time.monotonic()
        while time.monotonic() - replayed < args.max_lag:
            if proc.poll() is not None:
                break
            if counter:
                if counter.n >= t.sent:
                    changed = counter.changed
                    break
                changed = max(changed, counter.changed)
            else:
                size = out_file.stat().st_size if out_file.exists() else 0
                if size != last_size:
                    last_size, changed = size, time.monotonic()
            if time.monotonic() - changed >= args.settle:
                break
            time.sleep(0.05)
        t.lag = max(0.0, changed - replayed)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=args.max_lag + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err_reader.join(10)
        if counter:
            counter.thread.join(10)
    stderr = b"".join(errors).decode("utf-8", "replace")
    if proc.returncode not in (0, -signal.SIGINT):
        die(f"{' '.join(cmd)} exited {proc.returncode}: {stderr[-800:]}")
    t.drops = parse_drops(stderr)
    t.captured = parse_captured(stderr)
    t.delivered = counter.n if counter else file_packets(out_file)
    if out_file.exists():
        out_file.unlink()
    return t


# ---- the search --------------------------------------------------------------------

def search(key, argv, kind, pcap, args, tmp):
    trials = []

    def trial(rate):
        t = run_trial(argv, kind, rate, pcap, args, tmp)
        trials.append(t)
        print(f"  {key}: {rate:>7,} pps offered ({t.actual_pps:,.0f} sent/s): sent {t.sent:,}, "
              f"delivered {t.delivered:,}, captured {t.captured}, drops {t.drops}, "
              f"lag {t.lag:.1f} s -> {'pass' if t.passed else 'FAIL'}", flush=True)
        return t

    lo, hi = None, None
    rate = args.start
    while rate <= args.max_rate:
        t = trial(rate)
        if not t.passed:
            hi = t
            break
        lo = t
        if t.actual_pps < 0.9 * rate:  # tcpreplay's own limit
            break
        rate *= 2
    if lo is None and hi is not None:  # failed at --start: go down
        rate = args.start // 2
        while rate >= 250:
            t = trial(rate)
            if t.passed:
                lo = t
                break
            hi = t
            rate //= 2
    while lo and hi and hi.rate > lo.rate * 1.1:
        t = trial((lo.rate + hi.rate) // 2)
        if t.passed:
            lo = t
        else:
            hi = t
    return lo, hi, trials


# ---- report ----------------------------------------------------------------------------

def fmt_rate(t):
    return f"{t.rate:,} ({t.actual_pps:,.0f})" if t else "—"


def table(results, labels, baselines):
    lines = ["| command | held without drops: offered pps (sent/s) | lowest failing rate tried: "
             "offered pps (drops; delivered/sent) | catch-up lag at the held rate, s | "
             "vs tshark |",
             "|---|---:|---:|---:|---:|"]
    for key, (lo, hi, _) in results.items():
        fail = (f"{hi.rate:,} ({hi.drops:,}; {hi.delivered:,}/{hi.sent:,})" if hi
                else "none up to --max-rate")
        base = baselines.get(key)
        ratio = "—"
        if base and base in results and results[base][0] and lo:
            ratio = f"{lo.rate / results[base][0].rate:.2f}×"
        lag = f"{lo.lag:.1f}" if lo else "—"
        lines.append(f"| {labels[key]} | {fmt_rate(lo)} | {fail} | {lag} | {ratio} |")
    return "\n".join(lines)


BEGIN, END = "<!-- live_rate.py: table begins -->", "<!-- live_rate.py: table ends -->"


def write_benchmarks(text):
    """TEXT between the section's markers (the prose around it stays); the
    section, with its markers, at the end of the file if it is not there."""
    path = REPO / "BENCHMARKS.md"
    doc = path.read_text()
    start = doc.find(SECTION)
    b = doc.find(BEGIN, start) if start >= 0 else -1
    e = doc.find(END, b) if b >= 0 else -1
    if b < 0 or e < 0:
        doc = doc.rstrip("\n") + f"\n\n{SECTION}\n\n{BEGIN}\n{text}{END}\n"
    else:
        doc = doc[:b + len(BEGIN)] + "\n" + text + doc[e:]
    path.write_text(doc)


class Tools:
    def __init__(self, args):
        self.cshark = os.path.abspath(args.cshark)
        self.tshark = shutil.which("tshark")
        self.dumpcap = shutil.which("dumpcap")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--python-child":
        return python_child(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="offered traffic per trial, seconds at the rate tried (3)")
    parser.add_argument("--start", type=int, default=4000, help="first rate tried, pps")
    parser.add_argument("--max-rate", type=int, default=400000, help="highest rate tried")
    parser.add_argument("--settle", type=float, default=1.5,
                        help="the command has caught up when its output did not grow "
                             "for this long (s)")
    parser.add_argument("--max-lag", type=float, default=120.0,
                        help="longest wait for a command to catch up after the replay (s)")
    parser.add_argument("--only", action="append", help="row key (repeatable)")
    parser.add_argument("--write", action="store_true", help="rewrite BENCHMARKS.md's section")
    parser.add_argument("--no-pause", action="store_true",
                        help="do not pause /work/campaign's fuzzers while measuring")
    args = parser.parse_args()

    if os.geteuid() != 0:
        die("needs root (network namespace, raw sockets)")
    tools = Tools(args)
    if not os.access(tools.cshark, os.X_OK):
        die(f"no cshark at {tools.cshark}: build it first")
    for tool in ("tcpreplay", "tshark", "dumpcap", "capinfos"):
        if not shutil.which(tool):
            die(f"{tool} is not installed (apt-get install -y tcpreplay tshark)")
    if not (REPO / "build" / "bindings" / "python" / "cshark").is_dir():
        die("no build/bindings/python/cshark: build it first")
    ENV["PYTHONPATH"] = str(REPO / "build" / "bindings" / "python")
    if not Path(args.input).exists():
        print(f"{args.input} is missing: running bench/run.py --runs 1 to make it", flush=True)
        sh(sys.executable, REPO / "bench" / "run.py", "--runs", "1")

    all_rows = rows(tools)
    chosen = [r for r in all_rows if not args.only or r[0] in args.only]
    if not chosen:
        die(f"no such row; rows: {', '.join(r[0] for r in all_rows)}")
    labels = {r[0]: r[1] for r in all_rows}
    baselines = {r[0]: r[4] for r in all_rows}

    # SIGTERM/SIGHUP end the run as Ctrl-C does: through the finally blocks.
    def interrupted(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    results = {}
    with tempfile.TemporaryDirectory(prefix="cshark-live-rate-") as tmp:
        pcap = Path(tmp) / "ethernet.pcap"
        frames = write_replayable_pcap(args.input, pcap)
        if not frames:
            die(f"{args.input} has no Ethernet frames")
        print(f"{frames:,} Ethernet frames ({pcap.stat().st_size / frames:.0f} bytes a frame "
              f"on average) from {args.input}; {args.seconds:g} s of traffic per trial; "
              f"{CAPTURE_IF} in netns {NS}", flush=True)
        try:
            setup_namespace()
            for key, _, argv, kind, _ in chosen:
                print(f"{key}: {' '.join(argv('F'))}", flush=True)
                with Paused(not args.no_pause):
                    results[key] = search(key, argv, kind, str(pcap), args, tmp)
        finally:
            teardown_namespace()

    rev = sh("git", "-C", REPO, "rev-parse", "--short", "HEAD", check=False).stdout.strip()
    dirty = sh("git", "-C", REPO, "status", "--porcelain", "--untracked-files=no",
               check=False).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.machine())
    head = (f"{datetime.date.today().isoformat()}, git {rev}{' (modified)' if dirty else ''}, "
            f"{os.cpu_count()} × {cpu}, Linux {platform.release()}; {frames:,} frames, "
            f"{args.seconds:g} s per trial")
    tab = table(results, labels, baselines)
    print(f"\n{head}\n\n{tab}")
    if args.write:
        write_benchmarks(f"{head}\n\n{tab}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
