"""cshark -T fields: a field named twice, and tshark's -E options against
tshark -n -T fields (every test capture: test_conformance_fields.py)."""

import pytest

from helpers import DATA_DIR, captures, fields_difference, require_cshark, run, tail, tshark

CSHARK = require_cshark()


def test_field_twice():
    """A deliberate difference: a field named twice is printed in both places
    (tshark 4.0 fills only the last), each equal to tshark's single column."""
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    oracle = tshark("-T", "fields", "-e", "frame.number", "-e", "ip.len", "-r", capture)
    assert oracle.returncode == 0, tail(oracle.stderr)
    result = run([CSHARK, "-T", "fields", "-e", "frame.number", "-e", "ip.len", "-e", "ip.len",
                  "-r", capture])
    assert result.returncode == 0, tail(result.stderr)
    expected = [line + b"\t" + line.split(b"\t")[1] for line in oracle.stdout.splitlines()]
    assert result.stdout.splitlines() == expected
    assert any(line.split(b"\t")[1] for line in oracle.stdout.splitlines()), "no ip.len at all?"


# tshark's -E options, alone and together, on fields that occur several
# times in a packet (addresses and ports twice, DNS answers, IP in ICMP).
FORMAT_OPTIONS = [
    ["header=y"], ["separator=,"], ["separator=/s"], ["separator=/t"],
    ["occurrence=f"], ["occurrence=l"], ["occurrence=a"], ["aggregator=;"], ["aggregator=/s"],
    ["quote=d"], ["quote=s"], ["quote=n"], ["bom=y"], ["bom=y", "header=y"],
    ["header=y", "separator=,", "quote=d", "occurrence=l", "aggregator=|"],
    # tshark reads the first character only, and "/x" as a backslash.
    ["separator=/x"], ["separator=ab"], ["aggregator=/t"], ["aggregator=/x"],
    ["occurrence=first", "quote=double", "header=yes"],
]
FORMAT_FIELDS = ["frame.number", "ip.addr", "tcp.port", "dns.a", "_ws.col.Protocol"]


@pytest.mark.parametrize("options", FORMAT_OPTIONS, ids=lambda o: " ".join(o))
@pytest.mark.parametrize("name", ["tcpdump__dns_tcp.pcap", "tcpdump__icmpv6.pcap",
                                  "ndpi__dns_fragmented.pcap"])
def test_format_options(name, options):
    capture = DATA_DIR / name
    args = ["-T", "fields", *[a for f in FORMAT_FIELDS for a in ("-e", f)],
            *[a for o in options for a in ("-E", o)], "-r", capture]
    oracle = tshark(*args)
    assert oracle.returncode == 0, tail(oracle.stderr)
    result = run([CSHARK, *args])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout, \
        fields_difference(None, oracle.stdout, result.stdout) or "outputs differ"


@pytest.mark.parametrize("option", ["occurrence=x", "quote=x", "header=x", "bom=1",
                                    "separator=", "nokey=1", "header"])
def test_bad_format_option(option):
    """Refused by tshark, refused by cshark: an error naming the option."""
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    args = ["-T", "fields", "-e", "ip.src", "-E", option, "-r", capture]
    assert tshark(*args).returncode != 0
    result = run([CSHARK, *args])
    assert result.returncode != 0 and result.stdout == b""
    assert option.encode() in result.stderr, tail(result.stderr)


@pytest.mark.parametrize("capture", [pytest.param(p, id=p.name) for p in captures()])
@pytest.mark.parametrize("extra", [[], ["-e", "ip.src", "-Y", "frame.len > 100"]],
                         ids=["alone", "filtered"])
def test_frame_fields_from_the_packet(capture, extra):
    """frame.number, frame.len and frame.cap_len are printed from the
    packet's own data, not asked of the engine (its frame subtree then is
    not built): tshark's text, with nothing else asked and beside a filter
    that builds the subtree anyway."""
    args = ["-T", "fields", "-e", "frame.cap_len", "-e", "frame.number", "-e", "frame.len",
            *extra, "-r", capture]
    oracle = tshark(*args)
    if oracle.returncode != 0:
        pytest.skip("tshark fails on this capture")
    result = run([CSHARK, *args])
    assert result.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout, \
        fields_difference(None, oracle.stdout, result.stdout) or "outputs differ"
