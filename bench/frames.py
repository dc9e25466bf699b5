#!/usr/bin/python3
"""Data-frame benchmark (issue 18): cshark.read_dataframe and
cshark.dask.read_pcaps against tshark -T fields piped into pandas.read_csv
and against a PyShark-style FileCapture loop; peak memory.

Every row is a whole process (python3 bench/frames.py --child ...), timed
from start to exit; rounds are interleaved so that a load change on a
shared machine hits every row alike; medians are printed as a Markdown
table.

    /usr/bin/python3 bench/frames.py [--rounds 3] [--data DIR] [--build DIR]

DIR holds all.pcapng (the corpus joined once) and all-x10.pcapng (ten
times), as bench/run.py makes them (build/bench-data). The ×10 file split
into ~20 files (editcap -c) is made in a temporary directory.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FIELDS = ["frame.number", "frame.time", "frame.time_relative", "frame.len", "eth.src",
          "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ipv6.src", "tcp.srcport", "tcp.dstport",
          "tcp.len", "tcp.flags.syn", "udp.dstport", "dns.qry.name", "http.request.uri"]


# ---- children: one measured process each ----------------------------------------

def child_read_dataframe(path):
    import cshark
    df = cshark.read_dataframe(path, FIELDS)
    return len(df), df


def child_tshark_csv(path):
    import pandas as pd
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    df = pd.read_csv(p.stdout, sep="\t", header=None, names=FIELDS, quoting=3,
                     low_memory=False)
    if p.wait() != 0:
        sys.exit(f"tshark exited {p.returncode}")
    return len(df), df


def child_filecapture_loop(path):
    """What PyShark users write: a row per packet from the packet objects,
    each value converted to the type read_dataframe gives it (int, bool,
    float, times, str), then a frame with the same dtypes."""
    import cshark
    import pandas as pd
    from cshark import dataframe as d
    convert = {d.UINT: lambda s: int(s, 0), d.INT: lambda s: int(s, 0),
               d.BOOL: lambda s: s in ("1", "True"), d.PRESENT: lambda s: True,
               d.DOUBLE: float, d.RELTIME: lambda s: pd.Timedelta(float(s), unit="s"),
               d.OBJECT: str}
    where = []
    for f, kind in zip(FIELDS, d.field_kinds(FIELDS)):
        layer, attr = f.split(".", 1)
        layer = "frame_info" if layer == "frame" else layer  # PyShark's name
        where.append((layer, attr.replace(".", "_"), convert.get(kind)))
    rows = []
    with cshark.FileCapture(path, fields=FIELDS, keep_packets=False) as cap:
        for pkt in cap:
            row = []
            for layer, attr, conv in where:
                if conv is None:  # frame.time
                    row.append(float(pkt.sniff_timestamp))
                    continue
                try:
                    row.append(conv(str(getattr(getattr(pkt, layer), attr))))
                except AttributeError:
                    row.append(None)
            rows.append(row)
    df = pd.DataFrame(rows, columns=FIELDS)
    meta = d.frame_meta(FIELDS)
    for f in FIELDS:
        if f == "frame.time":
            df[f] = pd.to_datetime(df[f], unit="s", utc=True)
        else:
            df[f] = df[f].astype(meta[f].dtype)
    return len(df), df


def child_dask(pattern, workers):
    import distributed
    import cshark.dask
    with distributed.LocalCluster(n_workers=int(workers), processes=True, threads_per_worker=1,
                                  dashboard_address=None) as lc, distributed.Client(lc):
        df = cshark.dask.read_pcaps(pattern, FIELDS).compute()
    return len(df), df


def child_dask_memory(pattern):
    """Each worker's RSS after every round of files: flat, or growing."""
    import glob
    import distributed
    import cshark.dask
    paths = sorted(glob.glob(pattern))
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as lc, distributed.Client(lc) as c:
        for start in range(0, len(paths), 4):
            cshark.dask.read_pcaps(paths[start:start + 4], FIELDS).compute()
            rss = c.run(lambda: __import__("psutil").Process().memory_info().rss)
            print("after %d files: %s" % (min(start + 4, len(paths)), ", ".join(
                "%.0f MiB" % (v / 2**20) for v in rss.values())), file=sys.stderr)
    return 0, None


def child_engine(path):
    """The floor of the memory row: pandas and the engine started, no frame."""
    import pandas  # noqa: F401
    import cshark
    cshark.read_dataframe(path, ["frame.number"], display_filter="frame.number == 0")
    return 0, None


CHILDREN = {"read_dataframe": child_read_dataframe, "tshark_csv": child_tshark_csv,
            "filecapture_loop": child_filecapture_loop, "dask": child_dask,
            "dask_memory": child_dask_memory, "engine": child_engine}


def run_child(argv):
    mode, args = argv[0], argv[1:]
    rows, df = CHILDREN[mode](*args)
    size = int(df.memory_usage(deep=True).sum()) if df is not None else 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{rows} {size} {peak}")


# ---- the parent ------------------------------------------------------------------

def measure(mode, *args):
    env = dict(os.environ, WIRESHARK_CONFIG_DIR="/nonexistent/cshark-bench", LC_ALL="C.UTF-8",
               PYTHONPATH=os.environ["CSHARK_BENCH_PYTHONPATH"])
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, __file__, "--child", mode, *map(str, args)],
                       capture_output=True, text=True, env=env)
    secs = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{mode} {args} failed: {p.stderr[-2000:]}")
    rows, size, peak = map(int, p.stdout.split()[-3:])
    return {"secs": secs, "rows": rows, "size": size, "peak": peak, "stderr": p.stderr}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return run_child(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--data", type=Path, default=None,
                    help="all.pcapng and all-x10.pcapng (default: BUILD/bench-data)")
    ap.add_argument("--parts", type=int, default=20, help="files the ×10 corpus is split into")
    opts = ap.parse_args()
    data = opts.data or opts.build / "bench-data"
    x1, x10 = data / "all.pcapng", data / "all-x10.pcapng"
    for f in (x1, x10):
        if not f.exists():
            sys.exit(f"frames.py: {f} is missing (bench/run.py makes it)")
    os.environ["CSHARK_BENCH_PYTHONPATH"] = str(opts.build / "bindings" / "python")
    split = Path(tempfile.mkdtemp(prefix="cshark-frames-"))
    try:
        packets = int(measure("read_dataframe", x10)["rows"])
        per = -(-packets // opts.parts)
        subprocess.run(["editcap", "-c", str(per), str(x10), str(split / "part.pcapng")],
                       check=True, stdout=subprocess.DEVNULL)
        pattern = str(split / "part*.pcapng")
        nparts = len(list(split.glob("part*.pcapng")))
        rows = [("read_dataframe ×10", ("read_dataframe", x10)),
                ("tshark -T fields | pandas.read_csv ×10", ("tshark_csv", x10)),
                ("read_dataframe ×1", ("read_dataframe", x1)),
                ("FileCapture(fields=…) loop → DataFrame ×1", ("filecapture_loop", x1)),
                (f"read_pcaps, LocalCluster 1 worker, {nparts} files", ("dask", pattern, 1)),
                (f"read_pcaps, LocalCluster 2 workers, {nparts} files", ("dask", pattern, 2)),
                ("engine and pandas alone (memory floor)", ("engine", x1))]
        results = {name: [] for name, _ in rows}
        print(f"load average at start: {os.getloadavg()}; {packets} packets ×10; "
              f"{len(FIELDS)} fields; {opts.rounds} rounds", file=sys.stderr)
        for r in range(opts.rounds):
            for name, args in rows:
                results[name].append(measure(*args))
                print(f"round {r + 1}: {name}: {results[name][-1]['secs']:.2f} s",
                      file=sys.stderr)
        med = {n: statistics.median(x["secs"] for x in v) for n, v in results.items()}
        print("| row | median s | runs s | rows | frame MiB | peak RSS MiB |")
        print("|---|---:|---|---:|---:|---:|")
        for name, v in results.items():
            print("| %s | %.2f | %s | %d | %.0f | %.0f |" % (
                name, med[name], " ".join("%.2f" % x["secs"] for x in v), v[0]["rows"],
                v[0]["size"] / 2**20, max(x["peak"] for x in v) / 2**20))
        rdf10, rdf1 = med["read_dataframe ×10"], med["read_dataframe ×1"]
        loop1 = med["FileCapture(fields=…) loop → DataFrame ×1"]
        d1 = med[f"read_pcaps, LocalCluster 1 worker, {nparts} files"]
        d2 = med[f"read_pcaps, LocalCluster 2 workers, {nparts} files"]
        frame = results["read_dataframe ×10"][0]["size"]
        peak = max(x["peak"] for x in results["read_dataframe ×10"])
        floor = max(x["peak"] for x in results["engine and pandas alone (memory floor)"])
        print()
        for what, x, target in (
                ("read_dataframe vs tshark | read_csv (×10)",
                 med["tshark -T fields | pandas.read_csv ×10"] / rdf10, 3),
                ("read_dataframe vs FileCapture loop (×1 loop scaled ×10 / read_dataframe ×10)",
                 loop1 * 10 / rdf10, 10),
                ("read_dataframe vs FileCapture loop (both ×1, start-up included)",
                 loop1 / rdf1, None),
                ("read_pcaps 2 workers vs 1", d1 / d2, 1.6)):
            verdict = "" if target is None else (" (target ≥ %g×: %s)" % (
                target, "pass" if x >= target else "FAIL"))
            print(f"- {what}: {x:.2f}×{verdict}")
        limit = 2 * frame + floor
        print(f"- memory: read_dataframe ×10 peaks at {peak / 2**20:.0f} MiB; frame "
              f"{frame / 2**20:.0f} MiB (memory_usage(deep=True)); engine and pandas alone "
              f"{floor / 2**20:.0f} MiB; 2 × frame + that = {limit / 2**20:.0f} MiB: "
              + ("pass" if peak < limit else "FAIL"))
        mem = measure("dask_memory", pattern)
        print("- workers' RSS by files read (2 workers):")
        for line in mem["stderr"].splitlines():
            if line.startswith("after "):
                print(f"  - {line}")
    finally:
        shutil.rmtree(split, ignore_errors=True)


if __name__ == "__main__":
    main()
