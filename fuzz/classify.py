#!/usr/bin/python3
"""Reads a libFuzzer log that ended in a finding and says whose it is.

  fuzz/classify.py LOG     prints "ours|engine KIND WHERE" on one line

KIND: crash (ASan), ub (UBSan), leak (LSan), timeout, oom, abort (a check of
the target's own), other. WHERE: the first frame that is neither the
sanitizer runtime, libFuzzer, libc nor GLib. The finding is the engine's
when that frame is in libwireshark, libwiretap or libwsutil (Wireshark's
code or its plugins, not ours to fix: docs/RELIABILITY.md lists them);
everything else is cshark's. UBSan only instruments cshark's own code, so its
reports are ours. A leak's stack must come from a rerun with
fast_unwind_on_malloc=0 (scripts/fuzz.sh does it): the fast unwinder stops at
the first library built without frame pointers (GLib, the engine) and can
show a caller of cshark's in place of the engine's frames.
"""
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


def owner(stack):
    for i, (_, func, where) in enumerate(stack):
        if SKIP_FUNCS.match(func) or any(s in where for s in SKIP_MODULES):
            continue
        if any(e in where for e in ENGINE):
            text = func + " (" + where.rsplit("/", 1)[-1] + ")"
            # Static functions have no name: say which named one they are under.
            named = [f for _, f, _ in stack[i + 1:] if f != "?"]
            if func == "?" and named:
                text += " under " + named[0]
            return "engine", text
        return "ours", func + " " + where.replace("/../", "/")
    return "ours", "?"


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
    verdicts = [owner(s) for s in stacks]
    ours = [v for v in verdicts if v[0] == "ours"]
    who, where = (ours or verdicts)[0]
    print(f"{who} {kind} {where}")


main()
