"""Comparing cshark's outputs with tshark's: PDML read into the item model
(the -T json shape), PDML made comparable, and the first difference between
two trees, two -T fields outputs, two lists of displayed frames or two error
texts, as short assertion messages; and PSML compared whole."""

import io
import json
import re

import pytest
from lxml import etree

from helpers.common import TSHARK, run_parallel, short, tail


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


# The two known differences of cshark -T pdml (README), and the run time.
COMMENT = re.compile(rb"<!-- You can find pdml2html\.xsl in [^\n]*-->\n")
TIME = re.compile(rb' time="[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}"')


def attribute_values_normalised(pdml):
    """PDML with CR LF, TAB, LF and CR inside attribute values made one space
    each (XML attribute-value normalisation); the rest as it is. Quotes inside
    values are escaped (&quot;), so a '"' inside a tag opens or closes one."""
    out = bytearray()
    in_tag = in_value = False
    i, n = 0, len(pdml)
    while i < n:
        c = pdml[i]
        if in_value:
            if c == 0x22:  # "
                in_value = False
            elif c == 0x0D and i + 1 < n and pdml[i + 1] == 0x0A:
                out += b" "
                i += 2
                continue
            elif c in (0x09, 0x0A, 0x0D):
                out += b" "
                i += 1
                continue
        elif in_tag:
            if c == 0x22:
                in_value = True
            elif c == 0x3E:  # >
                in_tag = False
        elif c == 0x3C:  # <
            in_tag = True
        out.append(c)
        i += 1
    return bytes(out)


def comparable_pdml(pdml):
    """tshark's or cshark's -T pdml output, made comparable: no data-directory
    comment, no time of the run, attribute values normalised."""
    return TIME.sub(b' time="T"', attribute_values_normalised(COMMENT.sub(b"", pdml, count=1)))


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



def frame_numbers(stdout):
    """The frame numbers of a `-T fields -e frame.number` output."""
    return [int(n) for n in stdout.split()]


def frames_difference(expected, actual):
    """First difference between two lists of displayed frame numbers, or None."""
    if expected == actual:
        return None
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            return (f"displayed packet #{i + 1} is frame {e} in tshark but frame {a} "
                    f"in cshark (tshark shows {len(expected)} frames, cshark {len(actual)})")
    if len(expected) > len(actual):
        return (f"cshark stops after {len(actual)} frames; tshark also shows frame "
                f"{expected[len(actual)]} ({len(expected)} frames in all)")
    return (f"cshark shows an extra frame {actual[len(expected)]} "
            f"({len(actual)} frames; tshark shows {len(expected)})")


def tshark_error_lines(stderr):
    """tshark's error text as lines, without the root warning and blank lines.

    Lines tshark prefixes with "tshark: " keep the prefix, so that
    missing_error_lines() can tell them from the indented filter and caret
    lines, which are compared whole.
    """
    return [line for line in stderr.decode("utf-8", "replace").splitlines()
            if line.strip() and not line.startswith("Running as user ")]


def missing_error_lines(expected, stderr):
    """Check that tshark's error lines appear, in order, in cshark's stderr.

    A "tshark: TEXT" line must be matched by a cshark line containing TEXT
    (cshark may use its own prefix); any other line (the filter echo, the
    "^~~" marker under the bad token) must be a line of cshark's stderr
    exactly, so that the marker stays under the same column.  Returns None
    when all are found, else a message naming the first missing line.
    """
    lines = stderr.decode("utf-8", "replace").splitlines()
    position = 0
    for wanted in expected:
        if wanted.startswith("tshark: "):
            text = wanted[len("tshark: "):]
            found = lambda line: text in line  # noqa: E731
        else:
            text = wanted.rstrip()
            found = lambda line: line.rstrip() == text  # noqa: E731
        while position < len(lines) and not found(lines[position]):
            position += 1
        if position == len(lines):
            return (f"cshark's stderr lacks tshark's line {text!r} (after the lines "
                    f"before it); cshark wrote: {tail(stderr)}")
        position += 1
    return None


def json_lines_difference(pdml, stdout, what):
    """Compare cshark's -T json output with tshark's PDML, item for item.

    Returns None or a short message starting with `what` (e.g. the capture).
    """
    expected = list(pdml_packets(pdml))
    lines = stdout.splitlines()
    for index, (packet, line) in enumerate(zip(expected, lines)):
        try:
            actual = json.loads(line)
        except ValueError as error:
            return f"{what}: cshark line {index + 1} is not JSON ({error}): {short(line)}"
        diff = packet_difference(packet, actual)
        if diff:
            return f"{what}: frame {packet['number']}: {diff}"
    if len(lines) != len(expected):
        numbers = [p["number"] for p in expected]
        return (f"{what}: tshark has {len(expected)} packets {short(numbers, 80)}, "
                f"cshark printed {len(lines)}")
    return None


def assert_same_psml(cshark, flags, capture, returncode=0):
    """cshark -T psml FLAGS writes what tshark -n -T psml FLAGS writes, byte
    for byte, both exiting RETURNCODE."""
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "psml", *flags, "-r", capture],
                                   [cshark, "-T", "psml", *flags, "-r", capture]])
    assert oracle.returncode == returncode, f"tshark: {tail(oracle.stderr)}"
    assert result.returncode == returncode, f"cshark: {tail(result.stderr)}"
    assert oracle.stdout.startswith(b"<?xml"), "tshark wrote no PSML: the case proves nothing"
    diff = first_line_difference(oracle.stdout, result.stdout)
    if diff:
        index, expected, actual = diff
        pytest.fail(f"{capture.name} {flags}, line {index + 1}: tshark {short(expected)} "
                    f"!= cshark {short(actual)}", pytrace=False)
