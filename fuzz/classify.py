#!/usr/bin/python3
"""Reads a libFuzzer log that ended in a finding and says whose it is.

  fuzz/classify.py LOG     prints "ours|engine|runtime KIND WHERE" on one line

KIND: crash (ASan), ub (UBSan), leak (LSan), timeout, oom, abort (a check of
the target's own), other. WHERE: the first frame in cshark's sources
or in the engine (the sanitizer runtime, libFuzzer, libc and GLib are passed
over). The finding is the engine's
when that frame is in libwireshark, libwiretap or libwsutil (Wireshark's
code or its plugins, not ours to fix: docs/RELIABILITY.md lists them);
a frame in cshark's sources makes it cshark's; a stack with neither (a
thread the sanitizer runtime set up) is the runtime's. UBSan only instruments cshark's own code, so its
reports are ours, and so is a crash in the engine at most two engine frames
below a call of cshark's (what cshark passed is the likely cause). A leak's
stack must come from a rerun with
fast_unwind_on_malloc=0 (scripts/fuzz.sh does it): the fast unwinder stops at
the first library built without frame pointers (GLib, the engine) and can
show a caller of cshark's in place of the engine's frames.
"""
import os
import re
import sys

ENGINE = ("libwireshark.so", "libwiretap.so", "libwsutil.so", "/wireshark/plugins/")
SKIP_MODULES = ("libc.so", "libglib-2.0.so", "ld-linux", "libstdc++", "libgcc_s")
SKIP_FUNCS = re.compile(r"^(__asan|__lsan|__ubsan|__sanitizer|__interceptor_|___interceptor_|"
                        r"fuzzer::|__libc_|_start|malloc|calloc|realloc|free|strdup|strndup|"
                        r"operator new|__strdup|LLVMFuzzerTestOneInput$|main$)")
FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ +(?:in (\S+) +)?\(?([^)\s]*)")


def kind_of(text):
    if "ERROR: LeakSanitizer" in text:
        return "leak"
    if "runtime error:" in text:
        return "ub"
    if "ERROR: libFuzzer: timeout" in text:
        return "timeout"
    if "out-of-memory" in text:
        return "oom"
    if "ERROR: AddressSanitizer" in text:
        return "crash"
    if "deadly signal" in text:
        return "abort"
    return "other"


def first_frames(text, kind):
    """The stack of the first report (for leaks: every leak's stack)."""
    stacks, cur = [], []
    start = 0
    if kind == "ub":
        m = re.search(r"^(\S+:\d+:\d+): runtime error: (.*)$", text, re.M)
        if m:
            return [[("ub", m.group(1), m.group(2))]]
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "ERROR: libFuzzer",
                   "runtime error:"):
        # A leak's last report is the rerun's, with whole stacks.
        i = text.rfind(marker) if kind == "leak" else text.find(marker)
        if i >= 0:
            start = i
            break
    for line in text[start:].splitlines():
        m = FRAME.match(line)
        if m:
            cur.append((m.group(1), m.group(2) or "?", m.group(3) or ""))
        elif cur:
            stacks.append(cur)
            cur = []
            if kind != "leak":
                break
    if cur:
        stacks.append(cur)
    return stacks


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_ours(func, where):
    """cshark's sources (src/, cli/, fuzz/), and not the fuzzer's runtime."""
    path = os.path.normpath(where.split(":")[0]) if where.startswith("/") else ""
    # A frame in a target's binary without a source line is the sanitizers'
    # (an interceptor such as strcmp), not cshark's.
    return (path.startswith(REPO + "/") and path.endswith((".c", ".h"))
            and not SKIP_FUNCS.match(func))


# A fault this few engine frames below a call of cshark's is most likely in
# what cshark passed (a bad pointer, a table of the wrong kind): ours to look
# at. A dissector's fault lies under many more (epan_dissect_run, the
# dissector tables, the dissectors).
SHALLOW = 2


def owner(stack, kind):
    engine_frames = 0
    for i, (_, func, where) in enumerate(stack):
        if not is_ours(func, where) and not any(e in where for e in ENGINE):
            continue  # the sanitizers, libFuzzer, libc, GLib
        if any(e in where for e in ENGINE):
            engine_frames += 1
            if kind != "leak":
                below = [(f, w) for _, f, w in stack[i + 1:i + 1 + SHALLOW]
                         if is_ours(f, w)]
                if below and engine_frames == 1:
                    f, w = below[0]
                    return "ours", (f"{func} ({where.rsplit('/', 1)[-1]}) called from "
                                    f"{f} {w.replace('/../', '/')}: what cshark passed?")
            text = func + " (" + where.rsplit("/", 1)[-1] + ")"
            # Static functions have no name: say which named one they are under.
            named = [f for _, f, w in stack[i + 1:]
                     if f != "?" and ("libwireshark" in w or is_ours(f, w))]
            if named:
                text += " under " + named[0]
            return "engine", text
        return "ours", func + " " + where.replace("/../", "/")
    return "runtime", "no frame of cshark's or the engine's"


def main():
    text = open(sys.argv[1], errors="replace").read()
    kind = kind_of(text)
    stacks = first_frames(text, kind)
    if kind == "ub" and stacks:
        _, where, what = stacks[0][0]
        print(f"ours ub {where}: {what}")
        return
    if not stacks:
        print(f"ours {kind} ?")
        return
    verdicts = [owner(s, kind) for s in stacks]
    ours = [v for v in verdicts if v[0] == "ours"]
    engine = [v for v in verdicts if v[0] == "engine"]
    who, where = (ours or engine or verdicts)[0]
    print(f"{who} {kind} {where}")


main()
