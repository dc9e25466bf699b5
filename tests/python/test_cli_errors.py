"""cshark on bad input: a non-zero exit with a message naming the file (or
field) on stderr, no crash, and on stdout whatever tshark prints before its
own error.  Where tshark 4.0.17 itself accepts an odd input (a pcap header
with version 2.5), cshark must accept it the same way; the one deliberate
difference is the empty file, which cshark refuses."""

import json
import os
import shutil

import pytest

from helpers import (BAD_DIR, DATA_DIR, assert_fails_naming, assert_no_crash,
                     changed_copy, comparable_pdml, fields_difference,
                     packet_difference, pdml_packets, require_cshark, run,
                     short, tail, tshark)

CSHARK = require_cshark()

GOOD = DATA_DIR / "tcpdump__dns_tcp.pcap"
TRUNCATED = BAD_DIR / "ndpi__fuzz-2021-10-13.pcap"
INVALID_VERSION = BAD_DIR / "libpcap__pcap-invalid-version-2.pcap"

def check_like_tshark(path):
    """Run both tools with -T fields; cshark must print what tshark prints and
    fail (naming the file) exactly when tshark fails."""
    fields = ["frame.number", "frame.protocols"]
    args = ["-T", "fields", "-e", fields[0], "-e", fields[1], "-r", path]
    oracle = tshark(*args)
    result = run([CSHARK, *args])
    if oracle.returncode != 0:
        assert_fails_naming(result, path.name)
    else:
        assert_no_crash(result)
        status = result.returncode
        assert status == 0, f"tshark reads {path.name} (exit 0) but cshark exited {status}: {tail(result.stderr)}"
    diff = fields_difference(fields, oracle.stdout, result.stdout)
    if diff:
        pytest.fail(f"{path.name}: {diff}", pytrace=False)
    return oracle


def test_missing_file(tmp_path):
    oracle = check_like_tshark(tmp_path / "does-not-exist.pcap")
    assert oracle.returncode != 0, "tshark accepted it; the test assumes an error"


def test_directory(tmp_path):
    directory = tmp_path / "a-directory.pcap"
    directory.mkdir()
    oracle = check_like_tshark(directory)
    assert oracle.returncode != 0, "tshark accepted it; the test assumes an error"


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    path = tmp_path / "unreadable.pcap"
    shutil.copy(GOOD, path)
    path.chmod(0)
    oracle = check_like_tshark(path)
    assert oracle.returncode != 0, "tshark accepted it; the test assumes an error"


def test_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is a text file, not a capture\n" * 20)
    oracle = check_like_tshark(path)
    assert oracle.returncode != 0, "tshark accepted it; the test assumes an error"


def test_empty_file(tmp_path):
    # A deliberate difference: tshark 4.0.17 reads a 0-byte file as an empty
    # ERF capture (exit 0, no output). A silent empty result hides mistakes,
    # so cshark refuses it, naming the file.
    path = tmp_path / "empty.pcap"
    path.write_bytes(b"")
    result = run([CSHARK, "-r", path])
    assert_fails_naming(result, path.name)
    assert b"empty" in result.stderr, f"the message does not say why: {tail(result.stderr)}"
    assert result.stdout == b"", f"printed something for an empty file: {short(result.stdout)}"


def test_invalid_version():
    # pcap header version 2.5: tshark 4.0.17 accepts it and prints 1 packet.
    check_like_tshark(INVALID_VERSION)


def test_truncated_capture():
    # tshark prints frame 1, then reports the cut and exits 2.
    oracle = check_like_tshark(TRUNCATED)
    assert oracle.returncode != 0 and oracle.stdout, "tshark no longer prints packets before the cut"


def test_record_longer_than_2gib(tmp_path):
    # A damaged length field: the first record claims 2 GiB, more than a
    # tvb's int holds. tshark clips it to 2147483647 and dissects on; cshark
    # used to abort ("Unhandled exception") before printing anything.
    path = changed_copy(tmp_path, "huge-length.pcap", 12, 0x80000000)  # original length
    oracle = tshark("-T", "pdml", "-r", path)
    assert oracle.returncode == 0 and b'show="2147483647"' in oracle.stdout, \
        f"tshark no longer clips the length: {tail(oracle.stderr)}"
    result = run([CSHARK, "-T", "pdml", "-r", path])
    assert_no_crash(result)
    assert result.returncode == 0, tail(result.stderr)
    assert comparable_pdml(result.stdout) == comparable_pdml(oracle.stdout)


def test_truncated_capture_json():
    oracle = tshark("-T", "fields", "-e", "frame.number", "-r", TRUNCATED)
    result = run([CSHARK, "-T", "json", "-r", TRUNCATED])
    assert_fails_naming(result, TRUNCATED.name)
    numbers = [json.loads(line)["number"] for line in result.stdout.splitlines()]
    assert numbers == [int(n) for n in oracle.stdout.split()], \
        f"packets printed before the error: cshark {numbers}, tshark {oracle.stdout.split()}"


def test_unknown_field():
    result = run([CSHARK, "-T", "fields", "-e", "frame.number", "-e", "no.such.field", "-r", GOOD])
    assert tshark("-T", "fields", "-e", "no.such.field", "-r", GOOD).returncode != 0
    assert_fails_naming(result, "no.such.field")


def test_resolution_letters_left_out():
    """-N then another option: tshark reads "-r" as letters and refuses '-';
    cshark says what is missing."""
    result = run([CSHARK, "-N", "-r", GOOD])
    assert tshark("-N", "-r", GOOD).returncode != 0
    assert_fails_naming(result, "-N needs tshark's name resolution letters")
    assert result.returncode == 1


def test_count_json():
    oracle = tshark("-c", "3", "-T", "pdml", "-r", GOOD)
    expected = list(pdml_packets(oracle.stdout))
    assert len(expected) == 3
    result = run([CSHARK, "-c", "3", "-T", "json", "-r", GOOD])
    assert_no_crash(result)
    status = result.returncode
    assert status == 0, f"cshark exited {status}: {tail(result.stderr)}"
    lines = result.stdout.splitlines()
    assert len(lines) == 3, f"-c 3 printed {len(lines)} packets: {short(result.stdout)}"
    for packet, line in zip(expected, lines):
        diff = packet_difference(packet, json.loads(line))
        if diff:
            pytest.fail(f"{GOOD.name}: frame {packet['number']}: {diff}", pytrace=False)


def test_count_fields():
    fields = ["frame.number", "frame.protocols", "ip.src", "tcp.flags"]
    args = ["-c", "2", "-T", "fields"] + [a for f in fields for a in ("-e", f)] + ["-r", GOOD]
    oracle = tshark(*args)
    assert len(oracle.stdout.splitlines()) == 2
    result = run([CSHARK, *args])
    assert_no_crash(result)
    status = result.returncode
    assert status == 0, f"cshark exited {status}: {tail(result.stderr)}"
    diff = fields_difference(fields, oracle.stdout, result.stdout)
    if diff:
        pytest.fail(f"{GOOD.name} -c 2: {diff}", pytrace=False)


def test_standard_input_like_tshark():
    """-r - reads the capture from a pipe (gzip-compressed too), as tshark
    does; a pipe cannot be read twice, so -2 is refused with a message."""
    import gzip
    import subprocess
    oracle = tshark("-T", "pdml", "-r", GOOD)
    expected = list(pdml_packets(oracle.stdout))
    for data in (GOOD.read_bytes(), gzip.compress(GOOD.read_bytes())):
        result = subprocess.run([CSHARK, "-n", "-T", "json", "-r", "-"], input=data,
                                capture_output=True, timeout=120)
        assert result.returncode == 0, tail(result.stderr.decode())
        lines = result.stdout.decode().splitlines()
        assert len(lines) == len(expected)
        for packet, line in zip(expected, lines):
            diff = packet_difference(packet, json.loads(line))
            assert not diff, f"frame {packet['number']}: {diff}"
    result = subprocess.run([CSHARK, "-2", "-r", "-"], input=GOOD.read_bytes(),
                            capture_output=True, timeout=120)
    assert result.returncode != 0 and b"pipe" in result.stderr
    result = subprocess.run([CSHARK, "-r", "-"], input=b"not a capture\n",
                            capture_output=True, timeout=120)
    assert result.returncode != 0 and b'"-"' in result.stderr


# Numbers tshark refuses: the same exit status (1) and its words.
@pytest.mark.parametrize("args,words", [
    (["-c", "abc"], "packet count \"abc\" isn't a decimal number"),
    (["-c", "0"], "packet count is zero"),
    (["-c", "99999999999999999999"], "too large (greater than 2147483647)"),
    (["-M", "0"], "epan reset count is zero"),
    (["-M", "abc"], "epan reset count \"abc\" isn't a decimal number"),
    (["-s", "abc"], "snapshot length \"abc\" isn't a decimal number"),
    (["-B", "0"], "buffer size is zero"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_numbers_refused_as_tshark(args, words):
    oracle = tshark(*args, "-r", GOOD)
    result = run([CSHARK, *args, "-r", GOOD])
    assert_no_crash(result)
    assert oracle.returncode == result.returncode == 1, tail(result.stderr)
    assert words.lower() in oracle.stderr.decode().lower()
    assert words in result.stderr.decode(), tail(result.stderr)
    assert result.stdout == b""


# Options of a live capture with -r: tshark refuses -f, -a and -b (exit 1);
# it would write the packets read with -w, which cshark refuses instead.
@pytest.mark.parametrize("args", [["-f", "tcp"], ["-a", "duration:1"],
                                  ["-b", "filesize:10"], ["-w", "/tmp/cshark-never.pcapng"]],
                         ids=lambda v: " ".join(v))
def test_live_options_with_a_file(args):
    result = run([CSHARK, *args, "-r", GOOD])
    assert_no_crash(result)
    assert result.returncode == 1 and result.stdout == b"", tail(result.stderr)
    assert args[0].encode() in result.stderr, tail(result.stderr)
    if args[0] != "-w":
        assert tshark(*args, "-r", GOOD).returncode == 1
    assert not os.path.exists("/tmp/cshark-never.pcapng")


def test_trailing_arguments_are_a_display_filter():
    args = ["-T", "fields", "-e", "frame.number", "-r", DATA_DIR / "ndpi__http_auth.pcap",
            "tcp.len", ">", "500"]
    oracle = tshark(*args)
    result = run([CSHARK, *args])
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout and len(result.stdout.split()) == 13
    both = run([CSHARK, "-Y", "ip", *args])
    assert both.returncode == 1 and b"both" in both.stderr, tail(both.stderr)


def test_output_format_given_twice():
    args = ["-T", "pdml", "-T", "fields", "-e", "ip.src", "-r", GOOD]
    oracle = tshark(*args)
    result = run([CSHARK, *args])
    assert result.returncode == oracle.returncode == 1 and result.stdout == b""
    assert b"multiple -T parameters are unsupported" in result.stderr, tail(result.stderr)
