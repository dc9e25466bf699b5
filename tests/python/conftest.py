"""Shared helpers for the cshark conformance tests.

tshark 4.0.17 is the oracle: every expectation is computed by running it at
test time on the same capture, in the same environment, as cshark.

The cshark binary is taken from the CSHARK environment variable; test modules
call ``require_cshark()`` at import time, which skips the whole module when
CSHARK is unset.
"""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "tests" / "data"
BAD_DIR = DATA_DIR / "bad"
TSHARK = shutil.which("tshark") or "tshark"
TIMEOUT = 600  # seconds per command; the captures are small

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz")


def captures():
    """The good captures in tests/data (not bad/, not key logs or docs)."""
    return sorted(p for p in DATA_DIR.iterdir()
                  if p.is_file() and p.name.endswith(CAPTURE_SUFFIXES))


def capture_params():
    """pytest.param per capture, with the file name as the test id."""
    return [pytest.param(p, id=p.name) for p in captures()]


def require_cshark():
    """Path of the cshark binary from $CSHARK; skips the calling module if unset."""
    path = os.environ.get("CSHARK")
    if not path:
        pytest.skip("CSHARK is not set: point it at the cshark binary to run "
                    "the conformance tests (e.g. CSHARK=build/cshark)",
                    allow_module_level=True)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise pytest.UsageError(f"CSHARK={path!r} is not an executable file")
    return path


def run(cmd, timeout=TIMEOUT):
    """Run a command; return the CompletedProcess with bytes stdout/stderr."""
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def tshark(*args):
    """Run tshark with -n (no name resolution) and the given arguments."""
    return run([TSHARK, "-n", *args])


def short(value, limit=160):
    """repr() of a value, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(cut)"


def tail(data, limit=600):
    """The end of a stderr/stdout bytes blob, decoded for messages."""
    text = data.decode("utf-8", "replace")
    return text if len(text) <= limit else "..." + text[-limit:]


# ---------------------------------------------------------------------------
# PDML -> item model
#
# An item is a dict holding exactly the XML attributes tshark wrote on the
# element: pos/size as int, hide="yes" as True, everything else as str; child
# elements go, in document order, under "fields" (absent when there are none).
# A packet is {"number", "timestamp", "length", "captured_length", "layers"},
# number/length/captured_length from geninfo's num/len/caplen "show" (their
# "value" is hex), timestamp from geninfo's timestamp "value", and layers the
# packet's top-level <proto> elements except geninfo.
# ---------------------------------------------------------------------------

INT_ATTRIBUTES = ("pos", "size")


def element_to_item(element):
    item = {}
    for key, value in element.attrib.items():
        if key in INT_ATTRIBUTES:
            item[key] = int(value)
        elif key == "hide" and value == "yes":
            item[key] = True
        else:
            item[key] = value
    children = [element_to_item(c) for c in element if isinstance(c.tag, str)]
    if children:
        item["fields"] = children
    return item


def packet_from_element(packet):
    geninfo = {}
    layers = []
    for proto in packet:
        if proto.tag != "proto":
            continue
        if proto.get("name") == "geninfo":
            geninfo = {f.get("name"): f for f in proto if isinstance(f.tag, str)}
        else:
            layers.append(element_to_item(proto))
    return {
        "number": int(geninfo["num"].get("show")),
        "timestamp": geninfo["timestamp"].get("value"),
        "length": int(geninfo["len"].get("show")),
        "captured_length": int(geninfo["caplen"].get("show")),
        "layers": layers,
    }


def pdml_packets(pdml):
    """Yield the packets of a PDML document (bytes) in the item model.

    tshark copies some raw string bytes into "show" unchanged, so PDML is not
    always valid UTF-8 (e.g. smb.trans_name in ndpi__fuzz-2006-06-26-2594.pcap),
    which no XML parser accepts.  Such bytes are read as U+FFFD, as Python's
    bytes.decode("utf-8", "replace") does; cshark's JSON must do the same.
    """
    try:
        pdml.decode("utf-8")
    except UnicodeDecodeError:
        pdml = pdml.decode("utf-8", "replace").encode("utf-8")
    for _, element in etree.iterparse(io.BytesIO(pdml), events=("end",),
                                      tag="packet", huge_tree=True):
        yield packet_from_element(element)
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


# ---------------------------------------------------------------------------
# Finding the first difference, for short assertion messages
# ---------------------------------------------------------------------------

class _Absent:
    def __repr__(self):
        return "<absent>"


_ABSENT = _Absent()


def _same(a, b):
    # Strict: 1 != True and 1 != 1.0 in JSON terms.
    return type(a) is type(b) and a == b


def _label(items, index):
    """Path component for items[index]: its name, made unique among siblings."""
    item = items[index]
    name = item.get("name") if isinstance(item, dict) else None
    if not name:
        show = item.get("show", item.get("showname", "")) if isinstance(item, dict) else item
        return f"[{index}] {short(show, 40)}"
    same_name = [i for i, it in enumerate(items)
                 if isinstance(it, dict) and it.get("name") == name]
    if len(same_name) > 1:
        return f"{name}#{same_name.index(index) + 1}"
    return name


def item_difference(expected, actual, path):
    """First difference between two items, as 'path: detail', or None."""
    if not isinstance(actual, dict):
        return f"{path}: tshark has an item, cshark has {short(actual)}"
    for key in list(expected) + [k for k in actual if k not in expected]:
        if key == "fields":
            continue
        e, a = expected.get(key, _ABSENT), actual.get(key, _ABSENT)
        if not _same(e, a):
            return f"{path}: {key}: tshark {short(e)} != cshark {short(a)}"
    if ("fields" in expected) != ("fields" in actual):
        return (f"{path}: 'fields': tshark {short(expected.get('fields', _ABSENT), 80)}"
                f" != cshark {short(actual.get('fields', _ABSENT), 80)}")
    return list_difference(expected.get("fields", []), actual.get("fields", []), path)


def list_difference(expected, actual, path):
    if not isinstance(actual, list):
        return f"{path}: cshark has {short(actual)} instead of a list of items"
    for i in range(min(len(expected), len(actual))):
        sub = _label(expected, i)
        diff = item_difference(expected[i], actual[i], f"{path} > {sub}" if path else sub)
        if diff:
            return diff
    where = path or "top level"
    if len(expected) > len(actual):
        return (f"{where}: cshark is missing item {_label(expected, len(actual))}"
                f" ({len(actual)} items instead of {len(expected)})")
    if len(actual) > len(expected):
        return (f"{where}: cshark has an extra item {short(actual[len(expected)], 120)}"
                f" ({len(actual)} items instead of {len(expected)})")
    return None


PACKET_KEYS = ("number", "timestamp", "length", "captured_length", "layers")


def packet_difference(expected, actual):
    """First difference between two packets in the item model, or None."""
    if not isinstance(actual, dict):
        return f"cshark line is {short(actual)}, not an object"
    for key in PACKET_KEYS + tuple(k for k in actual if k not in PACKET_KEYS):
        if key == "layers":
            continue
        e, a = expected.get(key, _ABSENT), actual.get(key, _ABSENT)
        if not _same(e, a):
            return f"packet {key}: tshark {short(e)} != cshark {short(a)}"
    return list_difference(expected["layers"], actual.get("layers", _ABSENT), "")


def first_line_difference(expected, actual):
    """(index, expected line, actual line) of the first differing line, or None.

    Lines are bytes including their terminator; a missing line is None.
    """
    exp_lines = expected.splitlines(keepends=True)
    act_lines = actual.splitlines(keepends=True)
    for i in range(max(len(exp_lines), len(act_lines))):
        e = exp_lines[i] if i < len(exp_lines) else None
        a = act_lines[i] if i < len(act_lines) else None
        if e != a:
            return i, e, a
    return None


def fields_difference(fields, expected, actual):
    """First difference between two `-T fields` outputs, as a message, or None.

    Names the line (and the frame, when frame.number is the first field), the
    field whose column differs, and both values.
    """
    diff = first_line_difference(expected, actual)
    if diff is None:
        return None
    index, exp_line, act_line = diff
    if exp_line is None:
        return f"line {index + 1}: cshark printed an extra line {short(act_line)}"
    if act_line is None:
        return f"line {index + 1}: cshark stopped; tshark printed {short(exp_line)}"
    exp_cols = exp_line.rstrip(b"\r\n").split(b"\t")
    act_cols = act_line.rstrip(b"\r\n").split(b"\t")
    where = f"line {index + 1}"
    if fields and fields[0] == "frame.number":
        where += f" (frame {exp_cols[0].decode(errors='replace')})"
    for col in range(max(len(exp_cols), len(act_cols))):
        e = exp_cols[col] if col < len(exp_cols) else _ABSENT
        a = act_cols[col] if col < len(act_cols) else _ABSENT
        if e != a:
            name = fields[col] if col < len(fields) else f"column {col + 1}"
            return f"{where}, field {name}: tshark {short(e)} != cshark {short(a)}"
    return f"{where}: tshark {short(exp_line)} != cshark {short(act_line)}"
