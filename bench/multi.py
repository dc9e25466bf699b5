#!/usr/bin/python3
"""Many captures in one command (issue 18): cshark -r F1 ... -r Fn -j N.

Two comparisons, each a pair of whole commands timed in interleaved rounds
(median wall time, stdout to /dev/null):

- corpus: every capture of the shared corpus tshark reads without error
  (~120 small files), given to one `cshark -j 2 -T fields ...` command,
  against a loop of one `tshark -n -T fields ...` per file (what a user does
  without -r repeated: every file pays tshark's start-up). Target >= 10x.
- split: the x10 joined corpus (bench/run.py's all-x10.pcapng) cut into
  --parts files with editcap -c (kept in a cache directory), read with
  -j 2 against -j 1 (one process). Target >= 1.6x (2 cores).

Before timing, each pair's outputs are checked equal (cshark's against the
tshark loop's, -j 2's against -j 1's).

Run from anywhere with Debian's python3 (stdlib only):
    /usr/bin/python3 bench/multi.py [--runs 5] [--only corpus|split]
                                    [--x10 build/bench-data/all-x10.pcapng]
"""
import argparse
import hashlib
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIELDS = ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst",
          "-e", "tcp.dstport", "-e", "udp.dstport"]
# As bench/run.py: no personal profile, one fixed locale, for both programs.
ENV = dict(os.environ, WIRESHARK_CONFIG_DIR="/nonexistent/cshark-bench", LC_ALL="C.UTF-8")


def die(msg):
    sys.exit(f"multi.py: {msg}")


def run_once(argv, keep=False):
    """Wall seconds of the whole command, and a hash of its stdout if KEEP."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.run(argv, stdout=out if keep else subprocess.DEVNULL, stderr=err, env=ENV)
        secs = time.monotonic() - t0
        if p.returncode != 0:
            err.seek(0)
            die(f"{shlex.join(argv[:8])} … exited {p.returncode}: {err.read().decode()[-2000:]}")
        digest = None
        if keep:
            out.seek(0)
            digest = hashlib.file_digest(out, "sha256").hexdigest() \
                if hasattr(hashlib, "file_digest") else hashlib.sha256(out.read()).hexdigest()
    return secs, digest


def readable(corpus):
    """The corpus captures tshark reads to the end without an error."""
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".pcap", ".pcapng", ".gz"))
    ok = [p for p in files
          if subprocess.run(["tshark", "-n", "-T", "fields", "-e", "frame.number", "-r", str(p)],
                            env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0]
    if not ok:
        die(f"no readable captures in {corpus} (use --corpus DIR)")
    return ok


def split(x10, parts, cache):
    """X10 cut into about PARTS files (editcap -c), rebuilt when X10 changes."""
    stamp = cache / "source"
    want = f"{x10.resolve()} {x10.stat().st_size} {x10.stat().st_mtime_ns} {parts}\n"
    if not (stamp.exists() and stamp.read_text() == want):
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("part*"):
            old.unlink()
        out = subprocess.run(["capinfos", "-c", "-M", "-T", "-r", str(x10)], env=ENV,
                             capture_output=True, text=True, check=True).stdout
        packets = int(out.split()[-1])
        per = -(-packets // parts)
        subprocess.run(["editcap", "-c", str(per), str(x10), str(cache / "part.pcapng")],
                       env=ENV, check=True)
        stamp.write_text(want)
    files = sorted(cache.glob("part*.pcapng"))
    if not files:
        die(f"editcap made no files in {cache}")
    return files


def r_args(files):
    return [a for f in files for a in ("-r", str(f))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--x10", type=Path, help="the x10 joined corpus (default: "
                    "BUILD/bench-data/all-x10.pcapng, made by bench/run.py)")
    ap.add_argument("--parts", type=int, default=20, help="files the x10 corpus is cut into")
    ap.add_argument("--runs", type=int, default=5, help="timed rounds (median)")
    ap.add_argument("--only", choices=("corpus", "split"), help="one comparison of the two")
    args = ap.parse_args()
    build = args.build.resolve()
    cshark = str(build / "cli" / "cshark")
    if not os.access(cshark, os.X_OK):
        die(f"{cshark} missing: meson compile -C {build}")
    x10 = args.x10 or build / "bench-data" / "all-x10.pcapng"
    if not x10.exists():
        die(f"{x10} missing: run bench/run.py once, or pass --x10 FILE")
    if not args.corpus.is_dir():
        die(f"no corpus at {args.corpus}: pass --corpus DIR")

    corpus = readable(args.corpus.resolve()) if args.only != "split" else []
    parts = split(x10, args.parts, build / "bench-data" / f"split-x10-{args.parts}") \
        if args.only != "corpus" else []
    tshark_loop = ["/bin/sh", "-c",
                   'for f in "$@"; do tshark -n %s -r "$f" || exit 1; done'
                   % shlex.join(FIELDS), "sh", *map(str, corpus)]
    pairs = [
        # (key, argv, baseline key, target)
        ("corpus-tshark-loop", tshark_loop, None, None),
        ("corpus-cshark-j2", [cshark, "-j", "2", *FIELDS, *r_args(corpus)],
         "corpus-tshark-loop", 10.0),
        ("split-cshark-j1", [cshark, "-j", "1", *FIELDS, *r_args(parts)], None, None),
        ("split-cshark-j2", [cshark, "-j", "2", *FIELDS, *r_args(parts)], "split-cshark-j1", 1.6),
    ]
    rows = {k: dict(key=k, argv=a, base=b, target=t, times=[]) for k, a, b, t in pairs
            if not args.only or k.startswith(args.only)}
    # Warm-up, and the outputs of each pair checked equal.
    digests = {k: run_once(r["argv"], keep=True)[1] for k, r in rows.items()}
    for k, r in rows.items():
        if r["base"] and digests[k] != digests[r["base"]]:
            die(f"{k}'s output differs from {r['base']}'s")
    load = os.getloadavg()
    for i in range(args.runs):
        for r in rows.values():
            r["times"].append(run_once(r["argv"])[0])
            print(f"  round {i + 1}/{args.runs} {r['key']}: {r['times'][-1]:.2f} s",
                  file=sys.stderr)

    print(f"Inputs: corpus = {len(corpus)} captures of {args.corpus} that tshark reads "
          f"without error; split = {x10.name} cut into {len(parts)} files (editcap -c). "
          f"Fields: `{' '.join(FIELDS)}`. Median wall time of {args.runs} interleaved "
          f"rounds after a warm-up whose outputs were checked equal; load average at start "
          f"%.2f %.2f %.2f, nproc {len(os.sched_getaffinity(0))}.\n" % load)
    print("| command (stdout > /dev/null) | median s | vs baseline | target | verdict "
          "| runs min–max s |")
    print("|---|---:|---:|---:|:---:|---:|")
    for r in rows.values():
        r["median"] = statistics.median(r["times"])
    for r in rows.values():
        ratio, target, verdict = "(baseline)", "–", "–"
        if r["base"]:
            x = rows[r["base"]]["median"] / r["median"]
            ratio, target = "%.2f× %s" % (x, r["base"]), "≥ %g×" % r["target"]
            verdict = "pass" if x >= r["target"] else "**FAIL**"
        print(f"| `{r['key']}` | {r['median']:.2f} | {ratio} | {target} | {verdict} "
              f"| {min(r['times']):.2f}–{max(r['times']):.2f} |")


if __name__ == "__main__":
    main()
