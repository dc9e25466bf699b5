"""On every test capture, cshark's trees against tshark -n -T pdml:

- -T json must carry, packet for packet and item for item, exactly what the
  PDML has (helpers/compare.py has the item model);
- -T pdml must be the PDML byte for byte, in one pass and in two, but for
  the two differences the README lists: no comment line naming Wireshark's
  data directory in the preamble, and TAB, CR and LF inside attribute values
  written as the space an XML parser reads there. The preamble's time is
  the time of the run in both."""

import pytest

from helpers import (COMMENT, TSHARK, capture_params, comparable_pdml, first_line_difference,
                     json_lines_difference, require_cshark, run_parallel, short, tail)

CSHARK = require_cshark()


@pytest.mark.parametrize("capture", capture_params())
def test_json_equals_pdml(capture):
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "pdml", "-r", capture],
                                   [CSHARK, "-T", "json", "-r", capture]])
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    if result.returncode != 0:
        pytest.fail(f"{capture.name}: cshark exited with {result.returncode}: "
                    f"{tail(result.stderr)}", pytrace=False)
    diff = json_lines_difference(oracle.stdout, result.stdout, capture.name)
    if diff:
        pytest.fail(diff, pytrace=False)


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
