#!/usr/bin/python3
"""Throughput benchmark: cshark against tshark on the shared corpus.

Joins the corpus into one capture, runs every command of ROWS several times
(interleaved, so a load change on a shared machine hits all rows alike), and
prints a Markdown table of median wall time, packets/s, ratio to a baseline row
and peak RSS. --write puts the table into BENCHMARKS.md.

Run from anywhere with Debian's python3 (stdlib only):
    /usr/bin/python3 bench/run.py [--runs 5] [--repeat 10] [--write]
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FIELDS = ["-e", "ip.src", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "udp.dstport"]

# One row per command: (key, argv, baseline key or None, target ratio or None).
# {F} is the capture, {B} the meson build directory; every command's stdout
# goes to /dev/null. To add a row, append here; the table follows.
ROWS = [
    ("tshark-pdml", ["tshark", "-n", "-T", "pdml", "-r", "{F}"], None, None),
    ("walk", ["{B}/bench/bench_walk", "{F}"], "tshark-pdml", 3.0),
    ("cshark-json", ["{B}/cli/cshark", "-n", "-T", "json", "-r", "{F}"], "tshark-pdml", 2.0),
    ("cshark-pdml", ["{B}/cli/cshark", "-n", "-T", "pdml", "-r", "{F}"], "tshark-pdml", None),
    ("tshark-summary", ["tshark", "-n", "-r", "{F}"], None, None),
    # The default output is tshark's (the house issue): the same bytes, at
    # least as fast; -T tabs likewise.
    ("cshark-summary", ["{B}/cli/cshark", "-n", "-r", "{F}"], "tshark-summary", 1.0),
    ("tshark-tabs", ["tshark", "-n", "-T", "tabs", "-r", "{F}"], None, None),
    ("cshark-tabs", ["{B}/cli/cshark", "-n", "-T", "tabs", "-r", "{F}"], "tshark-tabs", 1.0),
    # The fields-of-interest fast path (issue 3): -T fields primes its -e list,
    # -Y primes its filter's fields.
    ("tshark-fields", ["tshark", "-n", "-T", "fields"] + FIELDS + ["-r", "{F}"], None, None),
    ("cshark-fields", ["{B}/cli/cshark", "-n", "-T", "fields"] + FIELDS + ["-r", "{F}"],
     "tshark-fields", 2.0),
    ("tshark-filter", ["tshark", "-n", "-Y", "dns || http", "-T", "fields", "-e", "frame.number",
                       "-r", "{F}"], None, None),
    ("cshark-filter", ["{B}/cli/cshark", "-n", "-Y", "dns || http", "-T", "fields", "-e",
                       "frame.number", "-r", "{F}"], "tshark-filter", 2.0),
    # The Python binding (issue 5): PyShark's own floor is tshark's PDML.
    ("python-loop", ["/usr/bin/python3", str(REPO / "bench" / "py_seed.py"), "{F}"], "tshark-pdml", 3.0),
    ("python-fields", ["/usr/bin/python3", str(REPO / "bench" / "py_seed.py"), "--fields", "{F}"],
     "tshark-fields-ipsrc", 2.0),
    ("tshark-fields-ipsrc", ["tshark", "-n", "-T", "fields", "-e", "ip.src", "-r", "{F}"],
     None, None),
]


def _analysis_rows():
    """The toolkit (-q -z ..., --export-objects): each analysis as fast as
    tshark's own run of it (target 1.0), and three in one run."""
    rows = []
    cases = [("conv", ["-z", "conv,tcp"]), ("endpoints", ["-z", "endpoints,ip"]),
             ("phs", ["-z", "io,phs"]), ("expert", ["-z", "expert"]),
             ("follow", ["-z", "follow,tcp,raw,0"]), ("tree", ["-z", "http,tree"]),
             ("three", ["-z", "conv,tcp", "-z", "expert", "-z", "io,phs"]),
             # Interval 0: the joined corpus spans decades, and tshark keeps
             # every interval of every column in memory.
             ("iostat", ["-z", "io,stat,0,tcp,COUNT(tcp.analysis.retransmission)"
                               "tcp.analysis.retransmission,AVG(frame.time_delta)frame.time_delta"])]
    for name, args in cases:
        rows.append((f"tshark-z-{name}", ["tshark", "-n", "-q", *args, "-r", "{F}"], None, None))
        rows.append((f"cshark-z-{name}", ["{B}/cli/cshark", "-n", "-q", *args, "-r", "{F}"],
                     f"tshark-z-{name}", 1.0))
    # A fresh folder each run (the names of a second run would be numbered).
    for prog, cmd in (("tshark", "tshark -n"), ("cshark", "{B}/cli/cshark")):
        rows.append((f"{prog}-objects",
                     ["sh", "-c", f"d=$(mktemp -d) && {cmd} -q --export-objects http,$d/o "
                      f"-r {{F}}; s=$?; rm -rf $d; exit $s"],
                     None if prog == "tshark" else "tshark-objects",
                     None if prog == "tshark" else 1.0))
    return rows


ROWS += _analysis_rows()
# The same analyses from Python: the whole process (interpreter, import,
# engine start) against tshark's run that prints the same result.
ROWS += [(f"python-z-{name}", ["/usr/bin/python3", str(REPO / "bench" / "py_analyses.py"), name,
                               "{F}"], f"tshark-z-{name}", 1.0) for name in ("conv", "three")]

# Same conditions for both programs: no personal profile (tshark has no flag for
# that, cshark's CLI honours the same variable), and one fixed locale.
ENV = dict(os.environ, WIRESHARK_CONFIG_DIR="/nonexistent/cshark-bench", LC_ALL="C.UTF-8",
           PYTHONPATH=str(REPO / "build" / "bindings" / "python"))

# The corpus README: this file is cut off mid-record, so mergecap would stop
# (or tshark exit 2) on it. Everything else joins.
TRUNCATED = {"ndpi__fuzz-2021-10-13.pcap"}

# BENCHMARKS.md keeps one table per --repeat value: ×10 (the headline: a run
# long enough that start-up, ~0.16 s for both programs, no longer weighs on
# the ratio) and ×1 (where it does).
def markers(repeat):
    return f"<!-- bench-table x{repeat}:begin -->", f"<!-- bench-table x{repeat}:end -->"



def die(msg):
    sys.exit(f"run.py: {msg}")


def run_checked(argv):
    p = subprocess.run(argv, env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        die(f"{shlex.join(argv)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def prepare(corpus, data_dir, repeat):
    """all.pcapng (every corpus capture but the truncated one, appended in name
    order), then all-xN.pcapng with N copies of it end to end, and one.pcapng
    (its first packet). Rebuilt only when missing or older than the corpus."""
    inputs = sorted(p for p in corpus.iterdir()
                    if p.suffix in (".pcap", ".pcapng") and p.name not in TRUNCATED)
    if not inputs:
        die(f"no captures in {corpus} (use --corpus DIR)")
    data_dir.mkdir(parents=True, exist_ok=True)
    newest = max(p.stat().st_mtime for p in inputs)

    def stale(out):
        return not out.exists() or out.stat().st_mtime < newest

    merged = data_dir / "all.pcapng"
    if stale(merged):
        run_checked(["mergecap", "-a", "-w", str(merged)] + [str(p) for p in inputs])
    # Its first packet alone: what each command costs before its steady rate.
    one = data_dir / "one.pcapng"
    if not one.exists() or one.stat().st_mtime < merged.stat().st_mtime:
        run_checked(["editcap", "-r", str(merged), str(one), "1"])
    if repeat == 1:
        return merged, one, len(inputs)
    out = data_dir / f"all-x{repeat}.pcapng"
    if stale(out) or out.stat().st_mtime < merged.stat().st_mtime:
        run_checked(["mergecap", "-a", "-w", str(out)] + [str(merged)] * repeat)
    return out, one, len(inputs)


def packet_count(path):
    """Frames tshark dissects. Not capinfos -c: it skips some pcapng records
    that both tshark and cshark dissect as frames (gopacket's test202 file:
    capinfos 8, tshark 11)."""
    out = run_checked(["tshark", "-n", "-r", str(path), "-T", "fields", "-e", "frame.number"])
    return len(out.splitlines())


def run_once(argv, keep_stdout):
    """Wall seconds, peak RSS in KiB, and stdout if asked for. Output goes to
    /dev/null as the issue states the commands (a file would add the page
    cache's cost per byte to the big-output rows); only bench_walk's few lines
    are kept, in a file so a chatty command cannot block. os.wait4 gives this
    child's own rusage, which RUSAGE_CHILDREN deltas cannot (that is a max over
    all children so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out if keep_stdout else subprocess.DEVNULL,
                             stderr=err, env=ENV)
        _, status, usage = os.wait4(p.pid, 0)
        secs = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            die(f"{shlex.join(argv)} exited {p.returncode}: {err.read().decode()[-2000:]}")
        out.seek(0)
        text = out.read(1 << 16).decode(errors="replace")
    return secs, usage.ru_maxrss, text


def machine_info(build):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    tshark = run_checked(["tshark", "--version"]).splitlines()[0]
    git = subprocess.run(["git", "-C", str(REPO), "describe", "--always"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    # Dirty for any change but BENCHMARKS.md, which --write itself rewrites.
    changed = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                              ".", ":!BENCHMARKS.md"], capture_output=True, text=True).stdout
    if changed.strip():
        git += "-dirty"
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": f"{cpu}, nproc {len(os.sched_getaffinity(0))}",
        "os": f"{platform.system()} {platform.release()}",
        "tshark": tshark,
        "cshark": f"git {git}, meson buildtype {build_type(build)}",
        "load average at start": "%.2f %.2f %.2f" % os.getloadavg(),
    }


def build_type(build):
    # The build type matters for the figures; read it from meson's own record.
    try:
        opts = json.load(open(build / "meson-info" / "intro-buildoptions.json"))
        return next(o["value"] for o in opts if o["name"] == "buildtype")
    except (OSError, StopIteration, ValueError):
        return "unknown"


def table(results, packets):
    """Two figures per command. Whole: packets / wall time of the whole
    command. Steady: the rate once running, (packets - 1) / (wall time -
    start-up), where start-up is the same command's median on the first
    packet alone (process start, engine init, first dissection, exit: about
    0.17 s for tshark and cshark alike, half of some rows here). Targets are
    judged on both."""
    lines = ["| command (stdout > /dev/null) | median s | packets/s | vs baseline "
             "| start-up s | steady packets/s | steady vs baseline "
             "| target | whole · steady | runs min–max s | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|"]
    by_key = {r["key"]: r for r in results}
    for r in results:
        rate = packets / r["median"]
        steady = (packets - 1) / max(r["median"] - r["startup"], 1e-9)
        if r["baseline"]:
            base = by_key[r["baseline"]]
            whole_x = rate / (packets / base["median"])
            steady_x = steady / ((packets - 1) / max(base["median"] - base["startup"], 1e-9))
            ratio = "%.2f× %s" % (whole_x, r["baseline"])
            steady_ratio = "%.2f×" % steady_x
        else:
            ratio, steady_ratio = "(baseline)", "(baseline)"
        target, verdict = "–", "–"
        if r["target"]:
            target = "≥ %g×" % r["target"]
            verdict = " · ".join("pass" if x >= r["target"] else "**FAIL**"
                                 for x in (whole_x, steady_x))
        lines.append("| `%s` | %.2f | %s | %s | %.2f | %s | %s | %s | %s | %.2f–%.2f | %.0f |" % (
            # GFM splits table cells on "|", even inside code: escape it.
            r["display"].replace("|", "\\|"), r["median"], f"{rate:,.0f}", ratio, r["startup"],
            f"{steady:,.0f}",
            steady_ratio, target, verdict, min(r["times"]), max(r["times"]),
            r["rss_kib"] / 1024))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    ap.add_argument("--repeat", type=int, default=10,
                    help="concatenate the joined corpus N times (default 10; "
                         "BENCHMARKS.md also has a table at 1)")
    ap.add_argument("--write", action="store_true", help="rewrite the table in BENCHMARKS.md")
    ap.add_argument("--only", default="",
                    help="comma-separated row keys (and their baselines) to run, e.g. "
                         "cshark-z-conv,cshark-summary; default: every row")
    args = ap.parse_args()
    if args.runs < 1 or args.repeat < 1:
        die("--runs and --repeat must be at least 1")
    build = args.build.resolve()
    ENV["PYTHONPATH"] = str(build / "bindings" / "python")  # the Python rows too
    for exe in (build / "cli" / "cshark", build / "bench" / "bench_walk"):
        if not os.access(exe, os.X_OK):
            die(f"{exe} missing: ninja -C {build} bench/bench_walk cli/cshark")

    if not args.corpus.is_dir():
        die(f"no corpus at {args.corpus} (the shared corpus beside the repository): "
            "pass --corpus DIR")
    data, one, nfiles = prepare(args.corpus.resolve(), build / "bench-data", args.repeat)
    packets = packet_count(data)
    info = machine_info(build)
    reproduce = "/usr/bin/python3 bench/run.py --runs %d --repeat %d" % (args.runs, args.repeat)
    if args.only:
        reproduce += " --only " + args.only
    if args.corpus.resolve() != (REPO.parent / "shared" / "corpus").resolve():
        reproduce += " --corpus " + shlex.quote(str(args.corpus))
    print(f"input: {data} ({nfiles} corpus files × {args.repeat}, {packets:,} packets)",
          file=sys.stderr)

    rows = ROWS
    if args.only:
        wanted = set(args.only.split(","))
        wanted |= {b for k, _, b, _ in ROWS if k in wanted and b}
        rows = [r for r in ROWS if r[0] in wanted]
        if args.write:
            die("--write rewrites the whole table: run every row")
    results = []
    for key, argv, baseline, target in rows:
        real = [a.format(F=data, B=build) for a in argv]
        display = shlex.join(a.replace("{B}", "build").replace("{F}", "F")
                             .replace(str(REPO) + "/", "") for a in argv)
        results.append(dict(key=key, argv=real, display=display, baseline=baseline,
                            target=target, times=[], rss_kib=0, outs=[],
                            argv_one=[a.format(F=one, B=build) for a in argv], times_one=[]))
    # One untimed pass of each to warm the page cache and shared libraries.
    for r in results:
        run_once(r["argv"], False)
    for i in range(args.runs):
        for r in results:
            secs, rss, out = run_once(r["argv"], r["key"] == "walk")
            r["times"].append(secs)
            r["rss_kib"] = max(r["rss_kib"], rss)
            r["outs"].append(out)
            # The same command on one packet: its start-up, for the steady rate.
            r["times_one"].append(run_once(r["argv_one"], False)[0])
            print(f"  run {i + 1}/{args.runs} {r['key']}: {secs:.2f} s, {rss / 1024:.0f} MiB, "
                  f"start-up {r['times_one'][-1]:.2f} s", file=sys.stderr)
    for r in results:
        r["median"] = statistics.median(r["times"])
        r["startup"] = statistics.median(r["times_one"])

    # bench_walk reports its own loop-only figures; check it saw every packet.
    walk_row = next((r for r in results if r["key"] == "walk"), None)
    walk = None
    if walk_row:
        walks = [dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
                 for out in walk_row["outs"]]
        if any(int(w.get("packets", -1)) != packets for w in walks):
            die(f"bench_walk read {walks[-1].get('packets')} packets, tshark {packets}")
        walk = {k: statistics.median(float(w[k]) for w in walks)
                for k in ("packets_per_s", "seconds", "init_s")}
        walk["items"] = int(walks[-1]["items"])

    keys = ", ".join(f"`{r['key']}` = `{r['display']}`" for r in results)
    begin, end = markers(args.repeat)
    section = "\n".join([
        begin,
        f"Input: `F` = the joined corpus, {nfiles} files × {args.repeat} "
        f"= {packets:,} packets ({data.stat().st_size / 2**20:.1f} MiB). "
        f"Wall time per whole command (process start, engine init, output), "
        f"median of {args.runs} interleaved runs after one warm-up; "
        f"start-up is the median of the same command on the first packet of `F` alone, "
        f"run in the same rounds; steady packets/s = (packets − 1) / (median − start-up); "
        f"peak RSS is the largest `ru_maxrss` of the runs on `F`.",
        "",
        table(results, packets),
        "",
        f"Keys: {keys}.",
        "",
        (f"bench_walk's own figures, median of the runs: {walk['items']:,} items; "
         f"loop only (engine up) {walk['packets_per_s']:,.0f} packets/s over "
         f"{walk['seconds']:.2f} s; engine init {walk['init_s']:.2f} s." if walk
         else "(bench_walk not run: --only)"),
        "",
        f"Reproduce (from the repository root, after "
        f"`ninja -C build bench/bench_walk cli/cshark`):",
        "",
        f"    {reproduce}",
        "",
        "Machine:",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        end,
    ])
    print(section)

    if args.write:
        md = REPO / "BENCHMARKS.md"
        text = md.read_text() if md.exists() else ""
        if begin not in text or end not in text:
            die(f"{md} has no {begin} … {end} section to rewrite")
        head, rest = text.split(begin, 1)
        md.write_text(head + section + rest.split(end, 1)[1])
        print(f"wrote {md}", file=sys.stderr)


if __name__ == "__main__":
    main()
