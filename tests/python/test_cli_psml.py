"""cshark -T psml with options, and on a capture cut short, against tshark
-n -T psml, byte for byte (every test capture: test_conformance_psml.py)."""

import pytest

from helpers import BAD_DIR, DATA_DIR, assert_same_psml, require_cshark

CSHARK = require_cshark()
HTTP = DATA_DIR / "ndpi__http_auth.pcap"


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
    assert_same_psml(CSHARK, flags, HTTP)


def test_cut_short_capture():
    assert_same_psml(CSHARK, [], BAD_DIR / "ndpi__fuzz-2021-10-13.pcap", returncode=2)
