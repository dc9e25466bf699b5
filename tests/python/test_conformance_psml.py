"""cshark -T psml must write what tshark -n -T psml writes, byte for byte,
on every test capture: the summary columns PyShark's only_summaries reads,
from the engine's own column code."""

import pytest

from helpers import assert_same_psml, capture_params, require_cshark

CSHARK = require_cshark()


@pytest.mark.parametrize("capture", capture_params())
def test_psml_equals_tshark(capture):
    assert_same_psml(CSHARK, [], capture)
