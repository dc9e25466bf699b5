"""Many captures in one command: `cshark -r F1 ... -r Fn` prints what
`tshark -n ... -r Fi` prints for each file in turn (frame numbers from 1 in
each, the options applied to each), in one process or in -j N workers; one
PDML/PSML document; -T json names each packet's file; an unreadable file is
named and the others read (status 2); a worker killed mid-file fails the
command naming the file. tshark has no several -r (its last one counts):
the reference is one tshark run per file."""
import json
import os
import signal
import subprocess
import time

import pytest
from lxml import etree

from helpers import (BAD_DIR, DATA_DIR, assert_exits_zero, assert_no_crash, captures,
                     require_cshark, run, tail, tshark)

CSHARK = require_cshark()
FILES = captures()
TRUNCATED = BAD_DIR / "ndpi__fuzz-2021-10-13.pcap"  # cut mid-record: tshark prints, exits 2
SMALL = [DATA_DIR / "tcpdump__ntp.pcap", DATA_DIR / "ndpi__webdav.pcap",
         DATA_DIR / "tcpdump__dns_tcp.pcap"]

MODES = {
    "summary": [],
    "verbose": ["-V"],
    "fields": ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "tcp.dstport",
               "-e", "_ws.col.Info"],
    # -E header=y: the concatenation of tshark runs, so once per file.
    "fields-header": ["-T", "fields", "-E", "header=y", "-e", "ip.dst"],
    "filter": ["-Y", "tcp || dns"],
    "tabs": ["-T", "tabs"],
    "count": ["-c", "3"],
    "two-pass": ["-2", "-Y", "dns.response_in || tcp.analysis.flags"],
}
JOBS = {"one-process": [], "j2": ["-j", "2"]}


def r_args(files):
    return [a for f in files for a in ("-r", str(f))]


def concatenated(args, files):
    """tshark -n ARGS -r F for each file, stdouts joined."""
    return b"".join(tshark(*args, "-r", str(f)).stdout for f in files)


def assert_same_bytes(expected, actual, what):
    if actual == expected:
        return
    want, got = expected.splitlines(), actual.splitlines()
    for i, (a, b) in enumerate(zip(want, got)):
        assert a == b, f"{what}: line {i + 1}\n tshark {a[:300]!r}\n cshark {b[:300]!r}"
    pytest.fail(f"{what}: tshark prints {len(want)} lines, cshark {len(got)}", pytrace=False)


@pytest.mark.parametrize("jobs", JOBS)
@pytest.mark.parametrize("mode", MODES)
def test_every_capture_in_one_command(mode, jobs):
    result = run([CSHARK, *JOBS[jobs], *MODES[mode], *r_args(FILES)])
    assert_exits_zero(result)
    assert_same_bytes(concatenated(MODES[mode], FILES), result.stdout, f"{mode} {jobs}")


@pytest.mark.parametrize("jobs", ["0", "auto"])
def test_one_worker_per_core(jobs):
    args = ["-T", "fields", "-e", "frame.number", "-e", "ip.src"]
    files = SMALL * 2
    result = run([CSHARK, "-j", jobs, *args, *r_args(files)])
    assert_exits_zero(result)
    assert_same_bytes(concatenated(args, files), result.stdout, f"-j {jobs}")


@pytest.mark.parametrize("jobs", JOBS)
def test_count_and_two_passes_per_file(jobs):
    """-c N and -2 apply to each file, as N records of each."""
    two = SMALL[:2]
    for args in (["-c", "2"], ["-2", "-c", "5", "-T", "fields", "-e", "frame.number",
                               "-e", "tcp.analysis.acks_frame"]):
        result = run([CSHARK, *JOBS[jobs], *args, *r_args(two)])
        assert_exits_zero(result)
        assert_same_bytes(concatenated(args, two), result.stdout, f"{args} {jobs}")
    lines = run([CSHARK, *JOBS[jobs], "-c", "2", "-T", "fields", "-e", "frame.number",
                 *r_args(two)]).stdout.split()
    assert lines == [b"1", b"2", b"1", b"2"]


@pytest.mark.parametrize("jobs", JOBS)
def test_unreadable_files_named_others_read(jobs, tmp_path):
    garbage = tmp_path / "garbage.pcap"
    garbage.write_bytes(b"not a capture file, just text\n" * 10)
    missing = tmp_path / "missing.pcap"
    files = [SMALL[0], missing, SMALL[1], garbage, TRUNCATED, SMALL[2]]
    args = ["-T", "fields", "-e", "frame.number", "-e", "ip.src"]
    result = run([CSHARK, *JOBS[jobs], *args, *r_args(files)])
    assert_no_crash(result)
    assert result.returncode == 2, f"status {result.returncode}: {tail(result.stderr)}"
    readable = [SMALL[0], SMALL[1], TRUNCATED, SMALL[2]]  # the cut one up to its cut
    assert_same_bytes(concatenated(args, readable), result.stdout, jobs)
    err = result.stderr.decode()
    places = [err.find(str(f)) for f in (missing, garbage, TRUNCATED)]
    assert -1 not in places, f"not every bad file is named: {err}"
    assert places == sorted(places), f"errors out of the files' order: {err}"


@pytest.mark.parametrize("jobs", JOBS)
@pytest.mark.parametrize("args, status", [(["-Y", "tcp.port =="], 2),
                                          (["-T", "fields", "-e", "no.such.field"], 1)])
def test_bad_filter_or_field_stops_once(jobs, args, status):
    result = run([CSHARK, *JOBS[jobs], *args, *r_args(SMALL)])
    assert_no_crash(result)
    assert result.returncode == status and result.stdout == b""
    assert result.stderr.count(b"cshark:") == 1, tail(result.stderr)


def packets_of(document, root):
    """The <packet> elements of an XML document, parsed (well-formed)."""
    tree = etree.fromstring(document, etree.XMLParser(huge_tree=True))
    assert tree.tag == root
    return tree.findall("packet")


def single_bodies(args, files, first_close):
    """Each file's own cshark document, without its head and finale."""
    out = b""
    for f in files:
        doc = run([CSHARK, *args, "-r", str(f)]).stdout
        start = doc.index(first_close) + len(first_close)
        out += doc[start:doc.rindex(b"</")]
    return out


@pytest.mark.parametrize("jobs", JOBS)
def test_psml_one_document(jobs):
    result = run([CSHARK, *JOBS[jobs], "-T", "psml", *r_args(FILES)])
    assert_exits_zero(result)
    # tshark's document of the first file, then every other file's packets.
    docs = [tshark("-T", "psml", "-r", str(f)).stdout for f in FILES]
    cut = b"</structure>\n\n"
    expected = docs[0][:docs[0].index(cut) + len(cut)]
    expected += b"".join(d[d.index(cut) + len(cut):-len(b"</psml>\n")] for d in docs)
    assert_same_bytes(expected + b"</psml>\n", result.stdout, jobs)
    frames = sum(len(tshark("-r", str(f)).stdout.splitlines()) for f in FILES)
    assert len(packets_of(result.stdout, "psml")) == frames


@pytest.mark.parametrize("jobs", JOBS)
def test_pdml_one_document(jobs):
    files = FILES[:6]
    result = run([CSHARK, *JOBS[jobs], "-T", "pdml", *r_args(files)])
    assert_exits_zero(result)
    doc = result.stdout
    assert doc.count(b"<pdml ") == 1 and doc.count(b"</pdml>") == 1
    assert f'capture_file="{files[0]}"'.encode() in doc.split(b"\n<packet>", 1)[0]
    # Each file's packets as its own document has them, in order.
    body = doc[doc.index(b">\n<packet>") + 2:doc.rindex(b"</pdml>")]
    assert body == single_bodies(["-T", "pdml"], files, b'">\n')
    frames = sum(len(tshark("-r", str(f)).stdout.splitlines()) for f in files)
    assert len(packets_of(doc, "pdml")) == frames


@pytest.mark.parametrize("jobs", JOBS)
def test_json_names_each_file(jobs):
    files = SMALL
    result = run([CSHARK, *JOBS[jobs], "-T", "json", *r_args(files)])
    assert_exits_zero(result)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    singles = [json.loads(line) for f in files
               for line in run([CSHARK, "-T", "json", "-r", str(f)]).stdout.splitlines()]
    assert len(objects) == len(singles)
    assert [o.pop("file") for o in objects] == \
        [str(f) for f in files for _ in range(len(tshark("-r", str(f)).stdout.splitlines()))]
    assert objects == singles  # the rest as one file's, numbers from 1 in each
    assert "file" not in singles[0]


def test_worker_killed_mid_file_fails_naming_it():
    """A worker that dies mid-file (the test-only CSHARK_TEST_KILL_WORKER_ON:
    the worker reading that path kills itself once its first output left)."""
    victim = str(SMALL[1])
    env = dict(os.environ, CSHARK_TEST_KILL_WORKER_ON=victim)
    args = ["-T", "fields", "-e", "frame.number", "-e", "ip.src"]
    files = [SMALL[0], SMALL[1], SMALL[2], SMALL[0]]
    result = subprocess.run([CSHARK, "-j", "2", "-l", *args, *r_args(files)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 2, f"status {result.returncode}: {tail(result.stderr)}"
    err = result.stderr.decode()
    assert victim in err and "killed" in err, err
    full = concatenated(args, [SMALL[1]])
    first, last = concatenated(args, [SMALL[0]]), concatenated(args, [SMALL[2], SMALL[0]])
    out = result.stdout
    assert out.startswith(first) and out.endswith(last)
    cut = out[len(first):len(out) - len(last)]
    assert cut and full.startswith(cut) and len(cut) < len(full), "not a cut short output"


def test_spill_files_leave_nothing(tmp_path):
    """Files read ahead of their turn wait in unlinked files of $TMPDIR."""
    args = ["-V"]
    files = [DATA_DIR / "ndpi__dos_win98_smb_netbeui.pcap"] + SMALL * 3
    env = dict(os.environ, TMPDIR=str(tmp_path))
    result = subprocess.run([CSHARK, "-j", "2", *args, *r_args(files)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert_exits_zero(result)
    assert_same_bytes(concatenated(args, files), result.stdout, "spilled")
    assert list(tmp_path.iterdir()) == []


def test_reader_gone_ends_promptly():
    """stdout closed early: the command ends (SIGPIPE, or status 2 with
    SIGPIPE ignored), workers with it."""
    proc = subprocess.Popen([CSHARK, "-j", "2", "-V", *r_args(FILES)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.read(4096)
    proc.stdout.close()
    start = time.monotonic()
    err = proc.stderr.read()
    status = proc.wait(timeout=60)
    assert time.monotonic() - start < 60
    assert status in (-signal.SIGPIPE, 2), f"status {status}: {err[-600:]!r}"


@pytest.mark.parametrize("args, message", [
    (["-j", "2", "-i", "lo"], b"-j needs capture files"),
    (["-j", "x", "-r", str(SMALL[0])], b"isn't a decimal number"),
    (["-j", "-1", "-r", str(SMALL[0])], b"negative"),
])
def test_bad_jobs(args, message):
    result = run([CSHARK, *args])
    assert_no_crash(result)
    assert result.returncode == 1 and message in result.stderr, tail(result.stderr)


@pytest.mark.parametrize("jobs", JOBS)
def test_document_head_from_the_first_file_read(jobs, tmp_path):
    """The first file unreadable: the next one read starts the document; a
    BOM (-E bom=y) starts the output once."""
    missing = str(tmp_path / "missing.pcap")
    files = [missing, *SMALL[:2]]
    result = run([CSHARK, *JOBS[jobs], "-T", "psml", *r_args(files)])
    assert result.returncode == 2 and missing.encode() in result.stderr
    assert result.stdout == run([CSHARK, "-T", "psml", *r_args(SMALL[:2])]).stdout
    packets_of(result.stdout, "psml")
    args = ["-T", "fields", "-E", "bom=y", "-e", "frame.number"]
    result = run([CSHARK, *JOBS[jobs], *args, *r_args(files)])
    bom = b"\xef\xbb\xbf"
    assert result.stdout == bom + concatenated(args, SMALL[:2]).replace(bom, b"")
