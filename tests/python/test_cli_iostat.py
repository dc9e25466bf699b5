"""The CLI's -z io,stat prints what tshark -n prints, byte for byte, with the
same exit status: every test capture and every capture of the shared corpus, in
one command each with every interval and column form (plain filters, empty
columns, FRAMES, BYTES, FRAMES BYTES, COUNT, SUM, MIN, MAX, AVG and LOAD with
filters, interval 0); with and without -q, with -Y, -2 and other -z; and
bad input fails as tshark does, naming the part at fault."""
import os
import re
import subprocess

import pytest

from conftest import (CORPUS, DATA_DIR, TSHARK, assert_fails_naming, assert_no_crash,
                      capture_params, require_cshark, run, run_parallel, short, tail)

CSHARK = require_cshark()

TIME_DELTA = "frame.time_delta"
FORMS = [
    "io,stat,0",
    "io,stat,1",
    "io,stat,0.5,ip,tcp",
    "io,stat,0.1,FRAMES,BYTES,FRAMES BYTES,,udp",
    "io,stat,10,FRAMES()ip,BYTES()tcp,FRAMES BYTES(frame.len)udp",
    "io,stat,1.00,  udp  , ,dns",
    "io,stat,1,COUNT(tcp.analysis.retransmission)tcp.analysis.retransmission,"
    f"AVG({TIME_DELTA}){TIME_DELTA}",
    "io,stat,1,SUM(frame.len)frame.len,MIN(frame.len)frame.len,MAX(frame.len)frame.len,"
    "AVG(frame.len)frame.len,COUNT(frame.len)frame.len",
    "io,stat,0,SUM(tcp.len)tcp.len,AVG(tcp.window_size)tcp.window_size && tcp.port > 1000,"
    "MIN(ip.ttl)ip.ttl,MAX(ip.ttl)ip,COUNT(ip.ttl)",
    "io,stat,3,ip.src == 192.168.0.0/16 or ipv6 or (udp and frame.len > 100 and not dns),dns",
    # Signed integers (doubles: test_double_columns).
    "io,stat,0.25,SUM(frame.encap_type)frame.encap_type,MIN(wlan_radio.signal_dbm)"
    "wlan_radio.signal_dbm",
]
# tshark divides by the duration for LOAD: SIGFPE on a capture of one
# instant; and spreads a negative time (a packet dated before the one before)
# back one interval a step, as 2^64 microseconds: hours.
LOAD_FORM = (f"io,stat,2,MIN({TIME_DELTA}){TIME_DELTA},MAX({TIME_DELTA}){TIME_DELTA},"
             f"SUM({TIME_DELTA}){TIME_DELTA},LOAD({TIME_DELTA}){TIME_DELTA}")
# A column per interval for longer: tshark keeps 64 bytes an interval and
# column until memory runs out (a capture whose first packet is at 1970).
MAX_ROWS = 20000


def shape(capture):
    """(duration in seconds, whether a packet is dated before the one before
    it), from one io,stat,0 of our own counting the negative time deltas."""
    result = run([CSHARK, "-q", "-z", f"io,stat,0,{TIME_DELTA} < 0", "-r", capture])
    # (A capture cut short still gets its table, after the error.)
    found = re.search(rb"Duration: *([0-9.]+)", result.stdout)
    assert found and result.returncode in (0, 2), tail(result.stderr)
    row = re.search(rb"<> *[0-9.]+ *\| *([0-9]+) *\|", result.stdout)  # none if 0 s
    return float(found.group(1)), bool(row and int(row.group(1)))


def forms_for(capture):
    seconds, backwards = shape(capture)
    forms = FORMS + ([LOAD_FORM] if seconds > 0 and not backwards else [])
    return [f for f in forms if seconds / (float(f.split(",")[2]) or 1e30) <= MAX_ROWS]


def assert_same(args, what):
    """tshark -n ARGS and cshark ARGS: same stdout and exit status."""
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert_no_crash(result)
    assert result.returncode == oracle.returncode, \
        f"{what}: tshark exited {oracle.returncode}, cshark {result.returncode}: " \
        f"{tail(result.stderr)}"
    if result.stdout == oracle.stdout:
        return
    want, got = oracle.stdout.splitlines(), result.stdout.splitlines()
    line = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), None)
    if line is None:
        pytest.fail(f"{what}: tshark prints {len(want)} lines, cshark {len(got)}", pytrace=False)
    pytest.fail(f"{what}: line {line + 1}\n tshark {short(want[line], 300)}\n"
                f" cshark {short(got[line], 300)}", pytrace=False)


def every_form(capture):
    args = ["-q", "-r", capture]
    for form in forms_for(capture):
        args += ["-z", form]
    assert_same(args, capture.name)


@pytest.mark.parametrize("capture", capture_params())
def test_every_form(capture):
    every_form(capture)


def corpus_spread():
    """Every corpus capture not in tests/data, by size."""
    if not CORPUS.is_dir():
        return []
    ours = {p.name for p in DATA_DIR.iterdir()}
    names = sorted((p for p in CORPUS.iterdir() if p.name.endswith((".pcap", ".pcapng"))
                    and p.name not in ours), key=lambda p: (p.stat().st_size, p.name))
    return names


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("capture", corpus_spread(), ids=lambda p: p.name)
def test_corpus_every_form(capture):
    every_form(capture)


@pytest.mark.parametrize("calc", ["MAX", "MIN", "SUM", "AVG"])
def test_double_columns(calc):
    """A double field (icmp.resptime, milliseconds), one column over the
    whole capture. tshark 4.0 lays double columns out from memory it never
    set: under meson's MALLOC_PERTURB_ (fresh heap filled with a pattern)
    its widths and some cells come out of that pattern (4.4e+270 in a CI
    run). With fresh memory zeroed, as a program normally gets it, tshark's
    layout is the one cshark writes, so tshark runs here without it."""
    spec = f"io,stat,0,{calc}(icmp.resptime)icmp.resptime"
    args = ["-n", "-q", "-z", spec, "-r", str(DATA_DIR / "tcpdump__vxlan.pcap")]
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
    oracle = subprocess.run([TSHARK, *args], capture_output=True, env=env)
    result = subprocess.run([CSHARK, *args[1:]], capture_output=True)
    assert_no_crash(result)
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout


def test_packets_other_analyses_and_filters():
    """Without -q the packets first; several -z print the last first; -Y
    leaves the counts alone; -2, -c and -T fields as tshark."""
    capture = DATA_DIR / "ndpi__http_auth.pcap"
    assert_same(["-z", "io,stat,1", "-r", capture], "default")
    assert_same(["-Y", "http", "-z", "io,stat,1,http", "-z", "io,phs", "-z", "io,stat,0,tcp",
                 "-r", capture], "-Y")
    assert_same(["-2", "-q", "-z", "io,stat,0.5,tcp.analysis.retransmission", "-z", "conv,tcp",
                 "-r", capture], "-2")
    assert_same(["-c", "10", "-q", "-z", "io,stat,0.3", "-r", capture], "-c")
    assert_same(["-T", "fields", "-e", "frame.number", "-z", "io,stat,1,COUNT(tcp.len)",
                 "-r", capture], "fields")


@pytest.mark.parametrize("spec", [
    "io,stat,1.000,ip", "io,stat,2.5,tcp", "io,stat,1e0,udp", "io,stat,0.010", "io,stat,100",
    "io,stat,0.000001,frame.number < 3",
    # tshark's spellings: FRAMES or BYTES alone drop what follows; a blank
    # column shown empty; a filter wider than the table wraps at a blank.
    "io,stat,1,FRAMESip,BYTES tcp,FRAMES BYTESudp, ,BYTES",
    "io,stat,1," + " or ".join(f"tcp.port == {p}" for p in range(1, 30)),
    "io,stat,1,frame.len>100&&frame.len<200&&frame.len!=150&&frame.len!=160&&frame.len!=170"
    "&&frame.len!=171&&frame.len!=172&&frame.len!=173",
])
def test_interval_and_column_spellings(spec):
    assert_same(["-q", "-z", spec, "-r", DATA_DIR / "ndpi__http_auth.pcap"], spec)


@pytest.mark.parametrize("spec,named", [
    ("io,stat", "io,stat,INTERVAL"),
    ("io,stat,x", "io,stat,INTERVAL"),
    ("io,stat,1,", "no comma at the end"),
    ("io,stat,1x", "io,stat,INTERVAL"),
    ("io,stat,0.0000001", "0.0000001"),
    ("io,stat,1,COUNT(nope.nope)", "nope.nope"),
    ("io,stat,1,COUNT(tcp.len", "COUNT(tcp.len"),
    ("io,stat,1,COUNT()tcp", "COUNT()tcp"),
    ("io,stat,1,FRAMES(ip)", "FRAMES(ip)"),
    ("io,stat,1,SUM(ip.src)ip", "ip.src"),
    ("io,stat,1,AVG(http.request.method)", "http.request.method"),
    ("io,stat,1,LOAD(icmp.resptime)", "icmp.resptime"),
    ("io,stat,1,ip,tcp.port ==", "tcp.port =="),
    ("io,stat,1,COUNTtcp", "COUNTtcp"),
])
def test_bad_input_as_tshark(spec, named):
    """tshark's exit status (1 for the form and filters, 10 for a column's
    field or the interval's size), and a message naming the part."""
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    oracle, result = run_parallel([[TSHARK, "-n", "-q", "-z", spec, "-r", capture],
                                   [CSHARK, "-q", "-z", spec, "-r", capture]])
    assert_fails_naming(result, named)
    assert result.returncode == oracle.returncode, tail(result.stderr)
    assert result.stdout == b""


def test_where_we_differ_from_tshark():
    """A negative interval is refused (tshark reads it as 0); whole seconds
    written with decimals and no column show those decimals (tshark reads
    past the argument for them: garbage, or SIGFPE); LOAD of an
    integer is refused at once (tshark exits at its first value, or prints
    empty cells when there is none); LOAD over a capture of one instant
    prints its table (tshark dies of SIGFPE)."""
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    result = run([CSHARK, "-q", "-z", "io,stat,-1", "-r", capture])
    assert_fails_naming(result, '"-1"')
    assert result.returncode == 1
    result = run([CSHARK, "-q", "-z", "io,stat,1.000", "-r", DATA_DIR / "ndpi__http_auth.pcap"])
    assert result.returncode == 0 and b"| Interval: 1.000 secs" in result.stdout, \
        tail(result.stdout)
    assert run([CSHARK, "-q", "-z", "io,stat,1.000,", "-r", capture]).returncode == 1
    result = run([CSHARK, "-q", "-z", "io,stat,1,LOAD(tcp.len)nope_no_packet", "-r", capture])
    assert_fails_naming(result, "LOAD")
    assert result.returncode == 10
    one = DATA_DIR / "libpcap__ipv6_ext_headers.pcap"  # its packets share one time stamp
    spec = f"io,stat,1,LOAD({TIME_DELTA}){TIME_DELTA}"
    oracle, result = run_parallel([[TSHARK, "-n", "-q", "-z", spec, "-r", one],
                                   [CSHARK, "-q", "-z", spec, "-r", one]])
    assert oracle.returncode == -8, "tshark no longer dies here: compare the outputs instead"
    assert result.returncode == 0, tail(result.stderr)
    assert b"| Interval |" in result.stdout or b"| Interval   " in result.stdout


def test_too_many_intervals():
    """A table of more than ten million rows is not made (tshark's memory
    runs out first): a line says so, and the command succeeds."""
    capture = DATA_DIR / "gopacket__pcapng-test-be-test100.pcapng"  # first packet at 1970
    result = run([CSHARK, "-q", "-z", "io,stat,1", "-z", "io,stat,0", "-r", capture])
    assert result.returncode == 0, tail(result.stderr)
    out = result.stdout.decode()
    assert "more than 10000000 intervals of 1 s" in out, out
    assert "| Interval: 1340954905.3 secs" in out, out


def test_help_lists_io_stat():
    result = run([CSHARK, "-z", "help"])
    assert result.returncode == 0, tail(result.stderr)
    assert "     io,stat\n" in result.stdout.decode()
