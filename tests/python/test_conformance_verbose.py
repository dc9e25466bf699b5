"""cshark -V must print byte for byte what tshark -n -V prints on every test
capture: each packet's tree, 4 spaces of indentation per level, a blank line
after each packet."""

import re

import pytest

from helpers import (TSHARK, capture_params, first_line_difference, require_cshark,
                     run_parallel, short, tail)

CSHARK = require_cshark()

FRAME_LINE = re.compile(rb"^Frame (\d+):")


def frame_of_line(text, index):
    """Number of the packet whose tree contains line `index` of -V output."""
    for line in reversed(text.splitlines()[:index + 1]):
        match = FRAME_LINE.match(line)
        if match:
            return match.group(1).decode()
    return "?"


@pytest.mark.parametrize("capture", capture_params())
def test_verbose_equals_tshark(capture):
    oracle, result = run_parallel([[TSHARK, "-n", "-V", "-r", capture],
                                   [CSHARK, "-V", "-r", capture]])
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    if result.returncode != 0:
        pytest.fail(f"{capture.name}: cshark exited with {result.returncode}: "
                    f"{tail(result.stderr)}", pytrace=False)
    diff = first_line_difference(oracle.stdout, result.stdout)
    if diff:
        index, expected, actual = diff
        pytest.fail(f"{capture.name}: frame {frame_of_line(oracle.stdout, index)}, "
                    f"line {index + 1}: tshark {short(expected)} != cshark {short(actual)}",
                    pytrace=False)
