#!/usr/bin/python3
"""Differential fuzzing against tshark: not a test, a tool for finding bugs.

  scripts/fuzz.py captures [--minutes M] [--seed S] [--cshark PATH] [--corpus DIR]
      Corpus captures with a few random bytes changed (sometimes cut short),
      through the CLI and through tshark -n, in one of six modes (-T pdml,
      -2 -T pdml, -V, -T psml, -T fields -E occurrence=a, -Y with fields).
      A crash or sanitizer report, a different output, or only one of the two
      failing, is reported and the input kept in the work directory.
  scripts/fuzz.py filters [--count N] [--seed S] [--python-path DIR]
      Generated and mutated display filters: cshark.check_filter() in one
      child interpreter against sharkd's "check" (same engine), each
      disagreement confirmed with tshark -Y, whose error lines must appear in
      cshark's message; filters both accept run over two test captures, with
      the frames of tshark -Y.

Point --cshark and --python-path at an AddressSanitizer build (build-asan/)
to catch memory errors; the binding's child then gets ASan's runtime
preloaded. The shared corpus sits beside the repository (../shared/corpus).
Reproduce a report by running the printed command on the kept file.
"""
import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
os.environ.setdefault("CSHARK", "unused")  # conftest's helpers only
from conftest import comparable_pdml, missing_error_lines, tshark_error_lines  # noqa: E402

ENV = dict(os.environ, WIRESHARK_CONFIG_DIR="/nonexistent/cshark-fuzz", LC_ALL="C.UTF-8",
           ASAN_OPTIONS="detect_leaks=0")

CAPTURE_MODES = {
    "pdml": ["-T", "pdml"],
    "pdml-2": ["-2", "-T", "pdml"],
    "verbose": ["-V"],
    "psml": ["-T", "psml"],
    "fields": ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
               "-e", "frame.number", "-e", "_ws.col.Info", "-e", "data.data", "-e", "eth.addr",
               "-e", "ip", "-e", "tcp.analysis.flags", "-e", "_ws.malformed"],
    "filter": ["-Y", "ip || ipv6 || frame.len > 100", "-T", "fields", "-e", "frame.number",
               "-e", "ip.src", "-e", "tcp.srcport", "-e", "_ws.expert.message"],
}


def mutate_capture(rnd, data):
    data = bytearray(data)
    for _ in range(rnd.choice([1, 2, 4, 8, 32])):
        i = rnd.randrange(min(64, len(data) - 1), len(data))  # mostly past the file header
        data[i] = rnd.randrange(256) if rnd.random() < 0.7 else rnd.choice([0, 0x7f, 0x80, 0xff])
    if rnd.random() < 0.1:
        data = data[:rnd.randrange(64, len(data))]
    return bytes(data)


def crashed(result):
    return result.returncode < 0 or b"AddressSanitizer" in result.stderr or \
        b"runtime error" in result.stderr or b"Unhandled exception" in result.stderr


def fuzz_captures(args, work):
    corpus = Path(args.corpus)
    files = sorted(p for p in corpus.iterdir()
                   if p.suffix in (".pcap", ".pcapng") and p.stat().st_size < 150_000)
    rnd = random.Random(args.seed)
    end, cases, reports = time.time() + 60 * args.minutes, 0, 0
    while time.time() < end:
        source = rnd.choice(files)
        mode = rnd.choice(sorted(CAPTURE_MODES))
        path = work / f"case{source.suffix}"
        path.write_bytes(mutate_capture(rnd, source.read_bytes()))
        cases += 1
        try:
            oracle = subprocess.run(["tshark", "-n", *CAPTURE_MODES[mode], "-r", path],
                                    capture_output=True, env=ENV, timeout=120)
            result = subprocess.run([args.cshark, "-n", *CAPTURE_MODES[mode], "-r", path],
                                    capture_output=True, env=ENV, timeout=600)
        except subprocess.TimeoutExpired:
            print(f"timeout: {mode} on a mutation of {source.name}", flush=True)
            continue
        if oracle.returncode < 0 and not crashed(result):
            continue  # the engine crashed in tshark; nothing to compare
        expected, actual = oracle.stdout, result.stdout
        if mode.startswith("pdml"):
            expected, actual = comparable_pdml(expected), comparable_pdml(actual)
        problem = ("crash" if crashed(result) else "output differs" if expected != actual else
                   "exit status" if (oracle.returncode == 0) != (result.returncode == 0) else None)
        if problem:
            reports += 1
            kept = work / f"report-{reports}{source.suffix}"
            path.rename(kept)
            print(f"{problem}: {shlex.join(['cshark', '-n', *CAPTURE_MODES[mode], '-r', str(kept)])}"
                  f"  (mutated {source.name})\n  cshark: {result.stderr[-400:]!r}", flush=True)
    print(f"captures: {cases} cases, {reports} reports", flush=True)
    return reports


# Fields with values of their type (most generated terms are then valid),
# and values of every kind for the rest.
TYPED = {
    "ip.src": ["1.2.3.4", "192.168.0.0/16", "10.0.0.1"], "ip.addr": ["10.0.0.0/8", "127.0.0.1"],
    "tcp.port": ["80", "0x50", "{80, 443}", "{1..1024}"], "udp.length": ["30", "0"],
    "http.request.uri": ['"/"', '"abc"', '"\\x00"'], "dns.qry.name": ['"example.com"', '"a"'],
    "frame.len": ["60", "1500", "0x40"], "eth.addr": ["00:11:22:33:44:55", "ff:ff:ff:ff:ff:ff"],
    "ipv6.addr": ["::1", "fe80::/64"], "_ws.expert": ['""', "01", '"x"'], "_ws.malformed": ["00"],
    "tcp.flags.syn": ["1", "True", "0"], "frame.time": ['"Jan  1, 2020 00:00:00"', '"2012-01-01"'],
    "frame.time_delta": ["0.5", "1"], "eth.type": ["0x0800", "0x86dd"], "udp": ["00:35"],
    "ip": ["45"], "http": ['"GET"'], "tcp.options": ["01:01"], "frame.protocols": ['"eth:ip"'],
    "nbns.name": ['"WORKGROUP"'], "ip.ttl": ["64", "{1..64}"], "data.data": ["00", '"abc"'],
}
FIELDS = sorted(TYPED)
OPERATORS = ["==", "!=", "===", "!==", "~=", ">", "<", ">=", "<=", "contains", "matches", "in",
             "eq", "ne", "gt", "&"]
VALUES = ["1", "0x1", "-1", "1.5", '"abc"', "'a'", "1.2.3.4", "10.0.0.0/8", "::1", "fe80::/64",
          "00:11:22:33:44:55", "{1, 2, 3}", "{1..5}", '"\\x00"', '"\u00e9"', '"\\377"', "1e3",
          '"(?i)get"', '"["', "${tcp.port}", "999999999999999999999", ".5", "0.0.0.0/33", "tcp"]
FUNCTIONS = ["len(", "upper(", "lower(", "count(", "string(", "max(", "min(", "nosuch("]
SLICES = ["[0]", "[0:2]", "[1-2]", "[-1]", "[:3]", "[2:]", "[0,2]", "[1:0]", "[99999999999]"]
LOGIC = ["&&", "||", "^^", "and", "or", "xor"]


def generate_filter(rnd):
    terms = []
    for _ in range(rnd.randint(1, 4)):
        term = field = rnd.choice(FIELDS)
        if rnd.random() < 0.2:
            term = rnd.choice(FUNCTIONS) + term + (")" if rnd.random() < 0.9 else "")
        if rnd.random() < 0.2:
            term += rnd.choice(SLICES)
        if rnd.random() < 0.7:
            value = rnd.choice(TYPED[field] if rnd.random() < 0.7 else VALUES)
            term += f" {rnd.choice(OPERATORS)} {value}"
        if rnd.random() < 0.15:
            term = "(" + term + (")" if rnd.random() < 0.9 else "")
        if rnd.random() < 0.1:
            term = rnd.choice(["not ", "!"]) + term
        terms.append(term)
    return f" {rnd.choice(LOGIC)} ".join(terms)


def mutate_filter(rnd, text):
    chars = list(text)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(chars) + 1)
        c = rnd.choice(list("()[]{}\"'\\!=<>~&|^$@.:,- 0aZ\t\u00e9\x01") + ["\U0001f600"])
        if rnd.random() < 0.4 or not chars:
            chars.insert(i, c)
        elif rnd.random() < 0.5:
            del chars[min(i, len(chars) - 1)]
        else:
            chars[min(i, len(chars) - 1)] = c
    return "".join(chars)


# The binding's side, in one child interpreter: each filter checked and, when
# valid, run over the evaluation captures (frame numbers).
CHECKER = r'''
import json, sys, cshark
captures = json.loads(sys.argv[1])
for line in sys.stdin:
    text = json.loads(line)
    try:
        cshark.check_filter(text)
        answer = {"ok": True, "frames": {}}
        for path in captures:
            with cshark.FileCapture(path, display_filter=text, keep_packets=False) as cap:
                answer["frames"][path] = [int(p.number) for p in cap]
    except cshark.FilterError as e:
        answer = {"ok": False, "message": str(e)}
    except Exception as e:
        answer = {"ok": False, "message": f"unexpected {type(e).__name__}: {e}"}
    print(json.dumps(answer), flush=True)
'''
# Captures with expert info, malformed frames and many protocols.
EVAL_CAPTURES = ["ndpi__http_auth.pcap", "ndpi__fuzz-2006-06-26-2594.pcap"]


def compare_frames(text, frames):
    """A filter both accept: the frames tshark -Y displays on each capture."""
    reports = 0
    for capture, ours in frames.items():
        oracle = subprocess.run(["tshark", "-n", "-Y", text, "-T", "fields", "-e", "frame.number",
                                 "-r", capture], capture_output=True, env=ENV)
        if oracle.returncode < 0:
            continue  # tshark crashed on it (README lists the known case)
        theirs = [int(n) for n in oracle.stdout.split()]
        if theirs != ours:
            reports += 1
            print(f"frames: -Y {text!r} on {Path(capture).name}: tshark {theirs[:10]} "
                  f"({len(theirs)}), cshark {ours[:10]} ({len(ours)})", flush=True)
    return reports


def fuzz_filters(args, work):
    rnd = random.Random(args.seed)
    seeds = ["tcp.port == 80", 'http.request.method == "GET"', "ip.addr in {10.0.0.0/8}",
             "len(dns.qry.name) > 10", 'http.host matches "^www"', "eth.src[0:3] == 00:11:22",
             "tcp.flags.syn && !tcp.flags.ack", "frame.len >= 100 and udp", "ip.src ~= 1.2.3.4"]
    filters = [generate_filter(rnd) if rnd.random() < 0.5 else mutate_filter(rnd, rnd.choice(seeds))
               for _ in range(args.count)]
    filters = [f for f in dict.fromkeys(filters) if "\n" not in f]
    env = dict(ENV, PYTHONPATH=args.python_path)
    if "asan" in args.python_path:
        env["LD_PRELOAD"] = subprocess.check_output(["gcc", "-print-file-name=libasan.so"],
                                                    text=True).strip()
    captures = [str(ROOT / "tests" / "data" / name) for name in EVAL_CAPTURES]
    ours = subprocess.run(["/usr/bin/python3", "-c", CHECKER, json.dumps(captures)],
                          input="".join(json.dumps(f) + "\n" for f in filters).encode(),
                          capture_output=True, env=env, timeout=3600)
    answers = [json.loads(line) for line in ours.stdout.decode().splitlines()]
    reports = 0
    if ours.returncode != 0 or len(answers) != len(filters):
        reports += 1
        print(f"crash: the checker died ({ours.returncode}) on filter "
              f"{filters[len(answers)]!r}\n  {ours.stderr[-600:]!r}", flush=True)
    requests = "".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "check",
                                   "params": {"filter": f}}) + "\n"
                       for i, f in enumerate(filters))
    sharkd = subprocess.run(["sharkd", "-"], input=requests.encode(), capture_output=True,
                            env=ENV, timeout=3600)
    theirs = {}
    for line in sharkd.stdout.decode("utf-8", "replace").splitlines():
        try:
            reply = json.loads(line)
            theirs[reply["id"]] = "result" in reply
        except (ValueError, KeyError, TypeError):
            continue
    capture = ROOT / "tests" / "data" / "tcpdump__dns_tcp.pcap"
    for i, (text, answer) in enumerate(zip(filters, answers)):
        if theirs.get(i, not answer["ok"]) == answer["ok"] and answer["ok"]:
            reports += compare_frames(text, answer["frames"])
            continue
        oracle = subprocess.run(["tshark", "-n", "-Y", text, "-r", capture],
                                capture_output=True, env=ENV)
        if oracle.returncode < 0:
            continue  # tshark crashed running it; see README for the one known case
        if (oracle.returncode == 0) != answer["ok"]:
            reports += 1
            print(f"validity: {text!r}: tshark {'accepts' if oracle.returncode == 0 else 'refuses'}"
                  f" it, cshark says {answer}", flush=True)
        elif not answer["ok"]:
            # The engine's own log lines (with a process id) are not compared.
            expected = [line for line in tshark_error_lines(oracle.stderr) if " ** (" not in line]
            missing = missing_error_lines(expected, answer["message"].encode())
            if missing:
                reports += 1
                print(f"message: {text!r}: {missing}", flush=True)
    valid = sum(1 for answer in answers if answer["ok"])
    print(f"filters: {len(filters)} filters ({valid} valid, run on {len(captures)} captures), "
          f"{reports} reports", flush=True)
    return reports


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["captures", "filters"])
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--cshark", default=str(ROOT / "build-asan" / "cli" / "cshark"))
    parser.add_argument("--python-path", default=str(ROOT / "build-asan" / "bindings" / "python"))
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    print(f"seed {args.seed}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="cshark-fuzz-"))
    reports = fuzz_captures(args, work) if args.what == "captures" else fuzz_filters(args, work)
    if reports:
        print(f"inputs of the reports are kept in {work}")
    else:
        shutil.rmtree(work)
    sys.exit(1 if reports else 0)


if __name__ == "__main__":
    main()
