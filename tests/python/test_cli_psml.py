"""cshark -T psml must write what tshark -n -T psml writes, byte for byte:
the summary columns PyShark's only_summaries reads, from the engine's own
column code."""

import pytest

from conftest import (BAD_DIR, DATA_DIR, capture_params, first_line_difference,
                      require_cshark, run_parallel, short, tail, TSHARK)

CSHARK = require_cshark()
HTTP = DATA_DIR / "ndpi__http_auth.pcap"


def assert_same(flags, capture, returncode=0):
    oracle, result = run_parallel([[TSHARK, "-n", "-T", "psml", *flags, "-r", capture],
                                   [CSHARK, "-T", "psml", *flags, "-r", capture]])
    assert oracle.returncode == returncode, f"tshark: {tail(oracle.stderr)}"
    assert result.returncode == returncode, f"cshark: {tail(result.stderr)}"
    assert oracle.stdout.startswith(b"<?xml"), "tshark wrote no PSML: the case proves nothing"
    diff = first_line_difference(oracle.stdout, result.stdout)
    if diff:
        index, expected, actual = diff
        pytest.fail(f"{capture.name} {flags}, line {index + 1}: tshark {short(expected)} "
                    f"!= cshark {short(actual)}", pytrace=False)


@pytest.mark.parametrize("capture", capture_params())
def test_psml_equals_tshark(capture):
    assert_same([], capture)


@pytest.mark.parametrize("flags", [
    pytest.param(["-Y", "http"], id="filter"),
    # No packet: the structure and the closing tag all the same.
    pytest.param(["-Y", "frame.number == 0"], id="no-packet"),
    pytest.param(["-2", "-Y", "http.response_in"], id="two-pass"),
    pytest.param(["-c", "3"], id="count"),
    # Custom column (needs a tree) and a delta column.
    pytest.param(["-o", 'gui.column.format:"No.","%m","Src","%Cus:ip.src:0:R",'
                        '"Delta","%Tt","Proto","%p"'], id="column-format"),
])
def test_psml_options(flags):
    assert_same(flags, HTTP)


def test_cut_short_capture():
    assert_same([], BAD_DIR / "ndpi__fuzz-2021-10-13.pcap", returncode=2)
