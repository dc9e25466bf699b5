"""The seed examples in examples/*.py (PyShark code with `import cshark as
pyshark`) print what tshark gives for the same quantities
(`tshark -n -T fields`, first occurrence of each field)."""
import datetime
import subprocess
import sys

import pytest

from helpers import DATA_DIR, ROOT, python_env, tshark, tshark_fields

pytest.importorskip("cshark", reason="the cshark Python binding is not importable")

EXAMPLES = ROOT / "examples"


def run_example(name, capture):
    result = subprocess.run([sys.executable, str(EXAMPLES / name), str(capture)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                            env=python_env())
    assert result.returncode == 0, result.stderr.decode(errors='replace')[-2000:]
    return result.stdout.decode().splitlines()


def tshark_all(capture, field, display_filter):
    """frame number -> every occurrence of FIELD (one per line of its own)."""
    result = tshark('-r', capture, '-Y', display_filter, '-T', 'fields', '-E', 'occurrence=a',
                    '-E', 'aggregator=\x01', '-e', 'frame.number', '-e', field)
    assert result.returncode == 0, result.stderr.decode(errors='replace')
    out = []
    for line in result.stdout.decode().splitlines():
        number, values = line.split('\t', 1)
        out.append((number, values.split('\x01')))
    return out


CONVERSATION_CAPTURES = ['ndpi__conncheck.pcap', 'tcpdump__vxlan.pcap', 'tcpdump__mptcp-v1.pcap']


@pytest.mark.parametrize('capture', CONVERSATION_CAPTURES)
def test_print_conversation_header(capture):
    rows = tshark_fields(DATA_DIR / capture, ['frame.protocols', 'ip.src', 'ip.dst', 'udp.srcport',
                                              'udp.dstport', 'tcp.srcport', 'tcp.dstport',
                                              'frame.time_epoch'])
    expected = []
    for protocols, src, dst, usrc, udst, tsrc, tdst, epoch in rows:
        layers = protocols.split(':')
        transport = 'UDP' if 'udp' in layers else 'TCP' if 'tcp' in layers else None
        if transport is None or not src:
            continue
        sport, dport = (usrc, udst) if transport == 'UDP' else (tsrc, tdst)
        when = datetime.datetime.fromtimestamp(float(epoch))
        expected.append(f'{transport}  {src}:{sport} --> {dst}:{dport}  {when} {epoch}')
    assert expected, 'no TCP/UDP over IPv4 in the capture?'
    assert run_example('print_conversation_header.py', DATA_DIR / capture) == expected


@pytest.mark.parametrize('capture', ['tcpdump__dns_tcp.pcap', 'ndpi__dns_fragmented.pcap'])
def test_dns_queries(capture):
    rows = tshark_fields(DATA_DIR / capture, ['frame.number', 'dns.qry.name'], '-Y', 'dns')
    expected = [f'{number} {name}' for number, name in rows if name]
    assert expected
    assert run_example('dns_queries.py', DATA_DIR / capture) == expected


@pytest.mark.parametrize('capture', ['ndpi__dns_fragmented.pcap', 'tcpdump__edns-opts.pcap'])
def test_dns_to_port_53(capture):
    rows = tshark_fields(DATA_DIR / capture, ['frame.number', 'frame.protocols', 'udp.dstport',
                                              'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst'])
    expected = []
    for number, protocols, dport, src, dst, src6, dst6 in rows:
        if 'udp' in protocols.split(':') and dport == '53':
            expected.append(f'{number} {src or src6} -> {dst or dst6}')
    assert run_example('dns_to_port_53.py', DATA_DIR / capture) == expected


@pytest.mark.parametrize('capture', ['ndpi__webdav.pcap', 'ndpi__conncheck.pcap'])
def test_http_full_uris(capture):
    expected = [f'{number} {uri}'
                for number, uris in tshark_all(DATA_DIR / capture, 'http.request.full_uri',
                                               'http.request.full_uri')
                for uri in uris]
    assert expected
    assert run_example('http_full_uris.py', DATA_DIR / capture) == expected
