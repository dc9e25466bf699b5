"""cshark -T json must carry, packet for packet and item for item, exactly
what tshark -T pdml prints for the same capture (see conftest for the model)."""

import json

import pytest

from conftest import (capture_params, packet_difference, pdml_packets,
                      require_cshark, run, short, tail, tshark)

CSHARK = require_cshark()


@pytest.mark.parametrize("capture", capture_params())
def test_json_equals_pdml(capture):
    oracle = tshark("-T", "pdml", "-r", capture)
    assert oracle.returncode == 0, f"tshark failed on {capture.name}: {tail(oracle.stderr)}"
    result = run([CSHARK, "-T", "json", "-r", capture])
    if result.returncode != 0:
        pytest.fail(f"{capture.name}: cshark exited with {result.returncode}: "
                    f"{tail(result.stderr)}", pytrace=False)

    expected = list(pdml_packets(oracle.stdout))
    lines = result.stdout.splitlines()
    for index, (packet, line) in enumerate(zip(expected, lines)):
        try:
            actual = json.loads(line)
        except ValueError as error:
            pytest.fail(f"{capture.name}: cshark line {index + 1} is not JSON "
                        f"({error}): {short(line)}", pytrace=False)
        diff = packet_difference(packet, actual)
        if diff:
            pytest.fail(f"{capture.name}: frame {packet['number']}: {diff}", pytrace=False)
    if len(lines) != len(expected):
        pytest.fail(f"{capture.name}: tshark has {len(expected)} packets, "
                    f"cshark printed {len(lines)}", pytrace=False)
