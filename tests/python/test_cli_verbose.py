"""cshark -V must print byte for byte what tshark -n -V prints: each packet's
tree, 4 spaces of indentation per level, a blank line after each packet."""

import re

import pytest

from conftest import (capture_params, first_line_difference, require_cshark,
                      run, short, tail, tshark)

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
    oracle = tshark("-V", "-r", capture)
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    result = run([CSHARK, "-V", "-r", capture])
    if result.returncode != 0:
        pytest.fail(f"{capture.name}: cshark exited with {result.returncode}: "
                    f"{tail(result.stderr)}", pytrace=False)
    diff = first_line_difference(oracle.stdout, result.stdout)
    if diff:
        index, expected, actual = diff
        pytest.fail(f"{capture.name}: frame {frame_of_line(oracle.stdout, index)}, "
                    f"line {index + 1}: tshark {short(expected)} != cshark {short(actual)}",
                    pytrace=False)
