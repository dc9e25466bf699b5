"""Plain helper functions of the Python tests, by topic:

- common: paths, the captures, running cshark and tshark, crash checks;
- tshark_ref: tshark's reference outputs, computed once and shared;
- compare: PDML's item model and first-difference messages;
- live: capture readiness and free ports on 127.0.0.1.

``from helpers import NAME`` finds any of their public names.
"""

from helpers.common import *  # noqa: F401,F403
from helpers.compare import *  # noqa: F401,F403
from helpers.live import *  # noqa: F401,F403
