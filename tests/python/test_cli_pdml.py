"""cshark -T pdml's edges against tshark -n -T pdml: the preamble, a capture
cut short, a time after 2038 (every test capture: test_conformance_pdml.py,
which says what may differ)."""

from helpers import (BAD_DIR, COMMENT, TIME, TSHARK, Y2105, changed_copy, comparable_pdml,
                     require_cshark, run_parallel, short, tail)

CSHARK = require_cshark()


def test_preamble():
    capture = BAD_DIR.parent / "ndpi__http_auth.pcap"
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "pdml", "-c", "1", "-r", capture],
                                   [CSHARK, "-T", "pdml", "-c", "1", "-r", capture]])
    head = result.stdout.split(b"<packet>", 1)[0]
    expected = COMMENT.sub(b"", oracle.stdout.split(b"<packet>", 1)[0])
    assert TIME.search(head), f"no asctime() time in {short(head)}"
    assert TIME.sub(b"", head) == TIME.sub(b"", expected)
    assert f'capture_file="{capture}"'.encode() in head
    assert result.stdout.endswith(b"</packet>\n\n\n</pdml>\n")


def test_cut_short_capture_still_ends_the_document():
    """A capture cut off mid-record: the packets before, the closing tag, and
    the error, as tshark (both exit 2)."""
    capture = BAD_DIR / "ndpi__fuzz-2021-10-13.pcap"
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "pdml", "-r", capture],
                                   [CSHARK, "-T", "pdml", "-r", capture]])
    assert oracle.returncode == result.returncode == 2
    assert comparable_pdml(result.stdout) == comparable_pdml(oracle.stdout)
    assert b"cut short" in result.stderr or b"cut off" in result.stderr, tail(result.stderr)


def test_time_after_2038(tmp_path):
    """tshark writes geninfo's timestamp value with a C int: after 2038 it
    wraps ("-3986929.720289000" in 2105), and so must -T pdml."""
    capture = changed_copy(tmp_path, "y2105.pcap", 0, Y2105)
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "pdml", "-r", capture],
                                   [CSHARK, "-T", "pdml", "-r", capture]])
    assert b'value="-3986929.720289000"' in oracle.stdout, "tshark no longer wraps: update"
    assert result.returncode == 0, tail(result.stderr)
    assert comparable_pdml(result.stdout) == comparable_pdml(oracle.stdout)
