"""cshark -T pdml must write what tshark -n -T pdml writes, byte for byte, but
for the two differences the README lists: no comment line naming Wireshark's
data directory in the preamble, and TAB, CR and LF inside attribute values
written as the space an XML parser reads there. The preamble's time is the
time of the run in both."""

import pytest

from conftest import (BAD_DIR, COMMENT, TIME, Y2105, capture_params, changed_copy,
                      comparable_pdml, first_line_difference, require_cshark, run_parallel,
                      short, tail, TSHARK)

CSHARK = require_cshark()

@pytest.mark.parametrize("mode", [pytest.param([], id="one-pass"),
                                  # The second pass's trees: frames that look forward.
                                  pytest.param(["-2"], id="two-pass")])
@pytest.mark.parametrize("capture", capture_params())
def test_pdml_equals_tshark(capture, mode):
    oracle, result = run_parallel([[TSHARK, "-n", *mode, "-T", "pdml", "-r", capture],
                                   [CSHARK, *mode, "-T", "pdml", "-r", capture]])
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    assert result.returncode == 0, f"cshark exited {result.returncode}: {tail(result.stderr)}"
    assert COMMENT.search(oracle.stdout), "tshark's preamble has no comment line: update the test"
    diff = first_line_difference(comparable_pdml(oracle.stdout), comparable_pdml(result.stdout))
    if diff:
        index, expected, actual = diff
        pytest.fail(f"{capture.name}, line {index + 1}: tshark {short(expected)} "
                    f"!= cshark {short(actual)}", pytrace=False)


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
