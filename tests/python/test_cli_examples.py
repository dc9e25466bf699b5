"""The programs in examples/ print what tshark says about the same capture."""

import collections
import os
from pathlib import Path

import pytest

from helpers import DATA_DIR, require_cshark, run, tail, tshark, tshark_fields

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


def run_example(name, *args):
    """An example's stdout lines; it must exit 0 and print nothing on stderr."""
    result = run([EXAMPLES / name, *args])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stderr == b"", tail(result.stderr)
    return result.stdout.decode().splitlines()


def ns(seconds):
    """tshark's "0.000589000" as integer nanoseconds."""
    whole, _, frac = seconds.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])


def nearest_rank(values, p):
    """The percentile rule of dns_latency.c: the value at rank ceil(p*n/100)."""
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


@pytest.mark.parametrize("name", ["ndpi__dns_fragmented.pcap", "tcpdump__edns-opts.pcap",
                                  "ndpi__conncheck.pcap", "tcpdump__dns_tcp.pcap",
                                  "libpcap__http_PPI.pcap"])
def test_dns_latency(name):
    path = DATA_DIR / name
    rows = tshark_fields(path, ["frame.number", "dns.flags.response", "dns.retransmission",
                                "dns.response_in", "dns.response_to", "dns.time",
                                "dns.qry.name"], "-2", "-Y", "dns")
    names = {int(r[0]): r[6] for r in rows}
    answered = [(int(r[4]), int(r[0]), r[5], names[int(r[4])]) for r in rows if r[5]]
    unanswered = {int(r[0]) for r in rows
                  if r[1] == "0" and r[2] != "1" and not r[3]}
    assert answered, "the capture has no answered DNS query"

    lines = run_example("dns_latency", path)
    assert lines[0].split() == ["query", "response", "latency_s", "name"]
    got_answered, got_unanswered = [], set()
    for line in lines[1:-2]:
        query, response, latency, qname = line.split(None, 3)
        if response == "-":
            got_unanswered.add(int(query))
        else:
            got_answered.append((int(query), int(response), latency, qname))
    assert got_answered == answered
    assert got_unanswered == unanswered
    assert lines[-2].split() == ["answered", str(len(answered)), "unanswered",
                                 str(len(unanswered)), "unmatched", "responses", "0"]
    latencies = [ns(a[2]) for a in answered]
    p50, p99 = nearest_rank(latencies, 50), nearest_rank(latencies, 99)
    label, _, got50, _, got99 = lines[-1].split()
    assert label == "latency_s"
    assert (ns(got50), ns(got99)) == (p50, p99)
