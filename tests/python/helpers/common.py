"""Paths, running the tools, and the checks every test file shares.

tshark 4.0.17 is the oracle: every expectation is computed by running it on
the same capture, in the same environment, as cshark. Its outputs go through
tshark_ref, which computes each one once and keeps it (see there).

The cshark binary is taken from the CSHARK environment variable; test modules
call ``require_cshark()`` at import time, which skips the whole module when
CSHARK is unset.
"""

import os
import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = ROOT / "tests" / "data"
BAD_DIR = DATA_DIR / "bad"
# The shared corpus of real captures (test_corpus.py), when it is there.
CORPUS = Path(os.environ.get("CSHARK_CORPUS", ROOT.parent / "shared" / "corpus"))
TSHARK = shutil.which("tshark") or "tshark"
TIMEOUT = 600  # seconds per command; the captures are small

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz")

# Under AddressSanitizer (build-asan/) the binding's extension is instrumented
# and ASan's runtime is preloaded into this uninstrumented interpreter. Child
# processes (tshark, the CLI, which links its own) do without it; a child
# that imports the binding gets it back through python_env().
ASAN_PRELOAD = os.environ.pop("LD_PRELOAD", None)


def python_env():
    """The environment for a child Python that imports the binding."""
    env = dict(os.environ)
    if ASAN_PRELOAD:
        env["LD_PRELOAD"] = ASAN_PRELOAD
    return env


def captures():
    """The good captures in tests/data (not bad/, not key logs or docs)."""
    return sorted(p for p in DATA_DIR.iterdir()
                  if p.is_file() and p.name.endswith(CAPTURE_SUFFIXES))


def capture_params():
    """pytest.param per capture, with the file name as the test id."""
    return [pytest.param(p, id=p.name) for p in captures()]


# 2105-12-23 02:59:27 UTC in seconds: past 2038, where tshark's PDML geninfo
# (a C int) wraps around to -3986929.
Y2105 = 0xFFC32A0F


def changed_copy(directory, name, offset, value):
    """tcpdump__dns_tcp.pcap (pcap, little endian) with the 32-bit word at
    OFFSET of record 1's header (0: seconds, 12: original length) set to
    VALUE, written as DIRECTORY/NAME: a damaged or far-future record in an
    otherwise real capture."""
    data = bytearray((DATA_DIR / "tcpdump__dns_tcp.pcap").read_bytes())
    struct.pack_into("<I", data, 24 + offset, value)
    path = Path(directory) / name
    path.write_bytes(data)
    return path


def require_cshark():
    """Path of the cshark binary from $CSHARK; skips the calling module if unset."""
    path = os.environ.get("CSHARK")
    if not path:
        pytest.skip("CSHARK is not set: point it at the cshark binary to run "
                    "the conformance tests (e.g. CSHARK=build/cli/cshark)",
                    allow_module_level=True)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise pytest.UsageError(f"CSHARK={path!r} is not an executable file")
    return path


def run(cmd, timeout=TIMEOUT, input=None):
    """Run a command; return the CompletedProcess with bytes stdout/stderr.
    A command whose first word is TSHARK gets tshark's reference output
    (tshark_ref: computed once, then read back)."""
    cmd = [str(c) for c in cmd]
    if cmd[0] == TSHARK:
        from helpers import tshark_ref
        return tshark_ref.run(cmd[1:], input=input)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, input=input)


def tshark(*args, input=None):
    """tshark's output with -n (no name resolution) and the given arguments."""
    return run([TSHARK, "-n", *args], input=input)


def run_parallel(commands, timeout=TIMEOUT):
    """Run independent commands concurrently (one per CPU); results in order.
    tshark's are references as in run()."""
    commands = list(commands)
    workers = max(1, min(len(commands), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda cmd: run(cmd, timeout), commands))


def short(value, limit=160):
    """repr() of a value, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(cut)"


def tail(data, limit=600):
    """The end of a stderr/stdout bytes blob, decoded for messages."""
    text = data.decode("utf-8", "replace")
    return text if len(text) <= limit else "..." + text[-limit:]


CRASH_MARKERS = ("Traceback", "Segmentation fault", "core dumped",
                 "AddressSanitizer", "runtime error:", "CRITICAL")


def assert_no_crash(result):
    """The process ended by itself, without a crash report on stderr."""
    status, err = result.returncode, result.stderr.decode("utf-8", "replace")
    assert status >= 0, f"cshark was killed by signal {-status}: {tail(result.stderr)}"
    assert status not in (134, 139), f"cshark exited {status} (abort/segfault): {tail(result.stderr)}"
    for marker in CRASH_MARKERS:
        assert marker not in err, f"cshark's stderr shows a crash ({marker!r}): {tail(result.stderr)}"


def assert_exits_zero(result, what="cshark"):
    """The process ended by itself, without a crash report, with status 0."""
    assert_no_crash(result)
    assert result.returncode == 0, f"{what} exited {result.returncode}: {tail(result.stderr)}"


def assert_fails_naming(result, name):
    """A clean non-zero exit whose stderr contains `name`."""
    assert_no_crash(result)
    status, err = result.returncode, result.stderr.decode("utf-8", "replace")
    assert status != 0, f"cshark exited 0; expected an error about {name!r}"
    assert name in err, f"cshark's stderr does not name {name!r}: {tail(result.stderr)}"


def tshark_fields(capture, fields, *args):
    """tshark -T fields rows, first occurrence of each field, as lists of str
    (ARGS before the fields: -Y, -o, -d...)."""
    cmd = ['-r', capture, '-T', 'fields', '-E', 'occurrence=f', *args]
    for field in fields:
        cmd += ['-e', field]
    out = tshark(*cmd)
    assert out.returncode == 0, out.stderr
    return [line.split('\t') for line in out.stdout.decode().splitlines()]
