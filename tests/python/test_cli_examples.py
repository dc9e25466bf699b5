"""The programs in examples/ print what tshark says about the same capture."""

import collections
import os
from pathlib import Path

import pytest

from helpers import DATA_DIR, require_cshark, run, tail, tshark

require_cshark()
EXAMPLES = Path(os.environ.get("CSHARK_EXAMPLES", ""))
if not (EXAMPLES / "ip_src").exists():
    pytest.skip("CSHARK_EXAMPLES does not point at the built examples", allow_module_level=True)


@pytest.mark.parametrize("name", ["ndpi__http_auth.pcap", "ndpi__dns_fragmented.pcap",
                                  "tcpdump__vxlan.pcap"])
def test_ip_src(name):
    path = DATA_DIR / name
    oracle = tshark("-T", "fields", "-E", "occurrence=f", "-e", "frame.number", "-e", "ip.src",
                    "-r", path)
    expected = [line.replace("\t", " ") for line in oracle.stdout.decode().splitlines()
                if not line.endswith("\t")]
    result = run([EXAMPLES / "ip_src", path])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stdout.decode().splitlines() == expected


def test_dns_names():
    path = DATA_DIR / "ndpi__dns_fragmented.pcap"
    oracle = tshark("-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name",
                    "-r", path)
    counts = collections.Counter(n for line in oracle.stdout.decode().splitlines()
                                 for n in line.split(",") if n)
    result = run([EXAMPLES / "dns_names", path])
    assert result.returncode == 0, tail(result.stderr)
    got = {}
    for line in result.stdout.decode().splitlines():
        count, name = line.split()
        got[name] = int(count)
    assert got == dict(counts)
    assert len(got) > 1
