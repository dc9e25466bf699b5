"""tshark's reference outputs, each computed once and shared.

Every test that compares cshark with tshark gets tshark's output from here
(helpers.common.run() sends every command starting with TSHARK here). An
output is kept on disk in $CSHARK_REF_DIR, one file per output, under a key
made of everything it depends on:

- tshark itself: the text of `tshark --version` (which names the Debian
  package's version), kept per size and mtime of the executable;
- the arguments, and for every argument that names a file (a capture, or
  the file in "-o pref:FILE", a key log) its size and content hash;
- the standard input given, if any;
- the environment variables that change what tshark prints (CAPTURE_ENV).

So a reference stays valid across runs and builds: every suite, and
build-asan/ after build/ (scripts/test.sh points both at one directory),
reads what the first run computed, and a changed capture or tshark gets a
new key. Processes running at once compute a missing output once (a lock
per key). Commands on files outside the repository, the corpus and this
directory (a test's tmp_path) are not kept: their paths change from run to run.

Without $CSHARK_REF_DIR they are kept in a directory of the process's own,
removed at its exit.
"""

import atexit
import fcntl
import hashlib
import os
import pickle
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from helpers.common import CORPUS, ROOT, TIMEOUT, TSHARK

REF_DIR = os.environ.get("CSHARK_REF_DIR")
if not REF_DIR:
    REF_DIR = tempfile.mkdtemp(prefix="cshark-tshark-ref-")
    atexit.register(shutil.rmtree, REF_DIR, ignore_errors=True)
os.makedirs(REF_DIR, exist_ok=True)
# Variables that change tshark's output (profile, locale, local time).
CAPTURE_ENV = ("WIRESHARK_CONFIG_DIR", "LC_ALL", "LC_CTYPE", "LANG", "TZ")
# Files elsewhere (a test's tmp_path) have another path on each run.
STABLE_DIRS = tuple(os.path.realpath(d) + os.sep for d in (ROOT, CORPUS, REF_DIR)
                    if os.path.isdir(d))
MEMORY_LIMIT = 1 << 20  # smaller outputs are also kept in memory

_memory = {}
_file_hashes = {}
_lock = threading.Lock()
_version = None


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _file_identity(path):
    """(size, content hash) of a regular file, kept per (size, mtime)."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _file_hashes:
        with open(path, "rb") as f:
            _file_hashes[key] = (st.st_size, hashlib.file_digest(f, "sha256").hexdigest()
                                 if hasattr(hashlib, "file_digest") else _digest(f.read()))
    return _file_hashes[key]


def _named_files(args):
    """The paths among ARGS that name existing files ("-o name:PATH" too)."""
    for arg in args:
        for candidate in (arg, arg.split(":", 1)[-1]):
            if os.path.isabs(candidate) and os.path.exists(candidate):
                yield candidate
                break


def version():
    """tshark's --version text, kept on disk per size and mtime of the executable."""
    global _version
    if _version is None:
        st = os.stat(TSHARK)
        key = _digest(f"version {TSHARK} {st.st_size} {st.st_mtime_ns}".encode())
        _version = _cached(key, lambda: _execute(["--version"], None)).stdout
    return _version


def run(args, input=None):
    """tshark ARGS (without the program name; "-n" is the caller's): a
    CompletedProcess with bytes stdout and stderr, computed once."""
    args = [str(a) for a in args]
    files = list(_named_files(args))
    if not all(os.path.realpath(f).startswith(STABLE_DIRS) for f in files):
        return _execute(args, input)
    parts = [version(), repr(args), repr([(k, os.environ.get(k)) for k in CAPTURE_ENV])]
    for path in files:
        parts.append(repr((path, _file_identity(path) if os.path.isfile(path) else "not a file")))
    if input is not None:
        parts.append(_digest(input))
    key = _digest("\n".join(map(str, parts)).encode())
    return _cached(key, lambda: _execute(args, input))


def _execute(args, input):
    result = subprocess.run([TSHARK, *args], input=input, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=TIMEOUT)
    return subprocess.CompletedProcess([TSHARK, *args], result.returncode,
                                       result.stdout, result.stderr)


def _cached(key, compute):
    with _lock:
        if key in _memory:
            return _memory[key]
    path = Path(REF_DIR) / key[:2] / f"{key}.ref"
    result = _read(path)
    if result is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One process (or thread) computes it; the others wait for its file.
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            result = _read(path)
            if result is None:
                result = compute()
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as out:
                    pickle.dump((result.args, result.returncode, result.stdout,
                                 result.stderr), out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
    if len(result.stdout) + len(result.stderr) < MEMORY_LIMIT:
        with _lock:
            _memory[key] = result
    return result


def _read(path):
    try:
        with open(path, "rb") as f:
            return subprocess.CompletedProcess(*pickle.load(f))
    except FileNotFoundError:
        return None


def stable_path(name):
    """A path in the reference directory for a file the tests make (the
    joined corpus): tshark's outputs on it are kept like those on the
    captures."""
    return Path(REF_DIR) / name
