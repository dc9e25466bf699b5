"""The CLI's analyses across packets print what tshark -n prints with the same
-z arguments (and write the same files for --export-objects), byte for byte:
conversations and endpoints of every table, the protocol hierarchy, expert
info, every statistics tree, credentials, and following every TCP and UDP
stream of every test capture (TLS with the key log, QUIC sub-streams).
Several -z in one command print in tshark's order (the last first).
One tshark run per capture and set of arguments, beside cshark's."""
import filecmp
import os
import subprocess
from pathlib import Path

import pytest

from conftest import (DATA_DIR, TSHARK, assert_fails_naming, assert_no_crash, capture_params,
                      require_cshark, run, run_parallel, short, tail, tshark)

CSHARK = require_cshark()
CORPUS = Path(os.environ.get("CSHARK_CORPUS", DATA_DIR.parents[1].parent / "shared" / "corpus"))

TABLES = ["bluetooth", "dccp", "eth", "fc", "fddi", "wlan", "wpan", "ipx", "ip", "ipv6", "jxta",
          "mptcp", "ncp", "rsvp", "sctp", "sll", "tcp", "tr", "udp", "usb", "zbee_nwk",
          "opensafety"]
# endpoints,mptcp aborts tshark (4.0 reads the MPTCP tap's data as a TCP
# header); cshark refuses it (test_mptcp_endpoints_refused).
TABLE_ARGS = [a for spec in [f"{k},{t}" for t in TABLES for k in ("conv", "endpoints")]
              if spec != "endpoints,mptcp" for a in ("-z", spec)]
OTHER_ARGS = ["-z", "io,phs", "-z", "io,phs,tcp", "-z", "expert", "-z", "credentials",
              "-z", "conv,tcp,frame.len > 100", "-z", "endpoints,ip,udp"]


def stats_trees():
    out = subprocess.run([TSHARK, "-z", "help"], capture_output=True).stderr.decode() + \
        subprocess.run([TSHARK, "-z", "help"], capture_output=True).stdout.decode()
    return sorted({line.strip() for line in out.splitlines() if line.strip().endswith(",tree")})


TREES = stats_trees()


def assert_same(args, what=""):
    """tshark -n ARGS and cshark ARGS: same stdout, same exit status."""
    oracle, result = run_parallel([[TSHARK, "-n", *args], [CSHARK, *args]])
    assert_no_crash(result)
    assert result.returncode == oracle.returncode, \
        f"{what}: tshark exited {oracle.returncode}, cshark {result.returncode}: " \
        f"{tail(result.stderr)}"
    if result.stdout != oracle.stdout:
        want, got = oracle.stdout.splitlines(), result.stdout.splitlines()
        for i, (a, b) in enumerate(zip(want, got)):
            if a != b:
                pytest.fail(f"{what}: line {i + 1}\n tshark {short(a, 300)}\n cshark "
                            f"{short(b, 300)}", pytrace=False)
        pytest.fail(f"{what}: tshark prints {len(want)} lines, cshark {len(got)}",
                    pytrace=False)


@pytest.mark.parametrize("capture", capture_params())
def test_tables_hierarchy_expert(capture):
    assert_same(["-q", *TABLE_ARGS, *OTHER_ARGS, "-r", capture], capture.name)


@pytest.mark.parametrize("capture", capture_params())
def test_statistics_trees(capture):
    args = [a for tree in TREES for a in ("-z", tree)]
    assert len(TREES) >= 40, TREES  # the plugin's trees (plen, ptype, ...) included
    assert_same(["-q", *args, "-r", capture], capture.name)


def streams(capture, field):
    out = tshark("-r", capture, "-T", "fields", "-e", field)
    return sorted({int(v) for v in out.stdout.decode().split() if v.isdigit()})


MODES = ["ascii", "hex", "raw", "yaml", "ebcdic"]


@pytest.mark.parametrize("capture", capture_params())
def test_follow_every_stream(capture):
    """Every TCP and UDP stream, the modes in turn, all in one command."""
    args = []
    for proto in ("tcp", "udp"):
        for i, stream in enumerate(streams(capture, f"{proto}.stream")):
            args += ["-z", f"follow,{proto},{MODES[i % len(MODES)]},{stream}"]
    if not args:
        pytest.skip("no TCP or UDP stream")
    assert_same(["-q", *args, "-r", capture], capture.name)


def test_follow_forms():
    """By address pairs, v4; chunk ranges; HTTP; an index with no stream."""
    http = DATA_DIR / "ndpi__http_auth.pcap"
    assert_same(["-q", "-z", "follow,tcp,ascii,192.168.0.4:54337,192.254.189.169:80",
                 "-z", "follow,tcp,hex,0,2-5", "-z", "follow,tcp,raw,0,3",
                 "-z", "follow,http,ascii,0", "-z", "follow,tcp,yaml,7", "-r", http], "forms")
    v6 = DATA_DIR / "tcpdump__icmpv6.pcap"
    assert_same(["-q", "-z", "follow,udp,ascii,0", "-r", v6], "ipv6")


def test_follow_tls_with_key_log_and_quic():
    tls = DATA_DIR / "rtshark__test_tls.pcap"
    keys = DATA_DIR / "rtshark__test_tls.keylog"
    assert_same(["-q", "-o", f"tls.keylog_file:{keys}", "-z", "follow,tls,ascii,0",
                 "-z", "follow,tls,hex,0", "-r", tls], "tls")
    quic = DATA_DIR / "tcpdump__quic_handshake.pcap"
    assert_same(["-q", "-z", "follow,quic,hex,0,0", "-z", "follow,quic,raw,0,2",
                 "-r", quic], "quic")


def test_follow_every_http2_and_quic_substream():
    """HTTP/2 inside TLS (decrypted with the key log): every sub-stream of
    every TCP stream that carries HTTP/2; QUIC: every stream of every
    connection, as tshark's fields list them."""
    tls = DATA_DIR / "rtshark__test_tls.pcap"
    keys = ["-o", f"tls.keylog_file:{DATA_DIR / 'rtshark__test_tls.keylog'}"]
    out = tshark(*keys, "-r", tls, "-Y", "http2", "-T", "fields", "-e", "tcp.stream",
                 "-e", "http2.streamid").stdout.decode()
    pairs = sorted({(int(line.split("\t")[0]), int(sub))
                    for line in out.splitlines() for sub in line.split("\t")[1].split(",")
                    if sub})
    assert len(pairs) >= 8, pairs  # 0, 3, 5, ..., 15 on stream 0
    args = [a for i, (stream, sub) in enumerate(pairs)
            for a in ("-z", f"follow,http2,{MODES[i % len(MODES)]},{stream},{sub}")]
    assert_same(["-q", *keys, *args, "-r", tls], "http2")
    for capture in (DATA_DIR / "tcpdump__quic_handshake.pcap",
                    CORPUS / "ndpi__quic-33.pcapng", CORPUS / "ndpi__quic_interop_V.pcapng"):
        if not capture.exists():
            continue
        out = tshark("-r", capture, "-T", "fields", "-e", "quic.connection.number",
                     "-e", "quic.stream.stream_id").stdout.decode()
        pairs = sorted({(int(conn), int(sub)) for line in out.splitlines()
                        for conn, subs in [line.split("\t")] if conn.isdigit()
                        for sub in (subs.split(",") if subs else ["0"]) if sub})
        args = [a for i, (conn, sub) in enumerate(pairs)
                for a in ("-z", f"follow,quic,{MODES[i % len(MODES)]},{conn},{sub}")]
        assert_same(["-q", *args, "-r", capture], capture.name)


def test_packets_then_statistics():
    """Without -q: the packets' lines, then the analyses (and with -Y, the
    analyses still count every packet)."""
    capture = DATA_DIR / "ndpi__webdav.pcap"
    assert_same(["-z", "conv,tcp", "-z", "io,phs", "-r", capture], "default")
    assert_same(["-Y", "http.request", "-z", "conv,tcp", "-z", "expert", "-r", capture], "-Y")
    assert_same(["-T", "fields", "-e", "frame.number", "-z", "endpoints,ip", "-r", capture],
                "fields")


def test_expert_levels_like_tshark():
    """tshark keeps one expert level for the process: the last one named."""
    capture = DATA_DIR / "ndpi__http_auth.pcap"
    assert_same(["-q", "-z", "expert,warn", "-z", "expert,note,tcp", "-z", "expert",
                 "-r", capture], "levels")
    assert_same(["-q", "-z", "expert,chat", "-r", capture], "chat")


def test_cut_capture_still_reports():
    """A capture cut short: the error, then the analyses of what was read."""
    cut = DATA_DIR / "bad" / "ndpi__fuzz-2021-10-13.pcap"
    assert_same(["-q", "-z", "conv,ip", "-z", "io,phs", "-r", cut], cut.name)


@pytest.mark.parametrize("proto", ["http", "smb", "imf", "tftp", "dicom", "ftp-data"])
@pytest.mark.parametrize("name", ["ndpi__conncheck.pcap", "ndpi__webdav.pcap",
                                  "ndpi__dos_win98_smb_netbeui.pcap", "ndpi__http_auth.pcap"])
def test_export_objects_like_tshark(tmp_path, name, proto):
    capture = DATA_DIR / name
    ours, theirs = tmp_path / "cshark" / "x", tmp_path / "tshark" / "x"
    oracle = subprocess.run([TSHARK, "-n", "-q", "--export-objects", f"{proto},{theirs}",
                             "-r", capture], capture_output=True)
    result = subprocess.run([CSHARK, "-q", "--export-objects", f"{proto},{ours}", "-r", capture],
                            capture_output=True)
    assert_no_crash(result)
    assert result.returncode == oracle.returncode == 0, tail(result.stderr)
    assert result.stdout == oracle.stdout
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    for p in theirs.iterdir():
        assert filecmp.cmp(p, ours / p.name, shallow=False), p.name


def test_export_objects_unwritable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run([CSHARK, "-q", "--export-objects", f"http,{blocker}/x",
                  "-r", DATA_DIR / "ndpi__conncheck.pcap"])
    assert_fails_naming(result, str(blocker))


def test_bad_analyses_are_named():
    capture = DATA_DIR / "tcpdump__dns_tcp.pcap"
    for spec in ("conv,nope", "nope,tree", "follow,tcp,bin,0", "follow,nope,ascii,0", "frobnicate"):
        result = run([CSHARK, "-q", "-z", spec, "-r", capture])
        assert_fails_naming(result, spec)
        assert result.returncode == 1, tail(result.stderr)
    result = run([CSHARK, "-q", "-z", "io,phs,tcp.port ==", "-r", capture])
    assert_fails_naming(result, "tcp.port ==")
    result = run([CSHARK, "-q", "--export-objects", "nope,/tmp/x", "-r", capture])
    assert_fails_naming(result, "nope")


def test_mptcp_endpoints_refused():
    result = run([CSHARK, "-q", "-z", "endpoints,mptcp", "-r", DATA_DIR / "tcpdump__mptcp-v1.pcap"])
    assert_fails_naming(result, "endpoints,mptcp")


def test_help_lists_analyses():
    result = run([CSHARK, "-z", "help"])
    assert result.returncode == 0, tail(result.stderr)
    out = result.stdout.decode()
    for name in ("conv,tcp", "endpoints,ip", "io,phs", "expert", "follow,tcp", "dns,tree",
                 "plen,tree", "credentials"):
        assert name in out, out


# A capture one frame of which the engine dissects differently from run to
# run (test_corpus.py says why): its counts would be too.
UNSTABLE = {"ndpi__fuzz-2020-02-16-11740.pcap"}


def corpus_captures():
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir()
                  if p.name.endswith((".pcap", ".pcapng")) and p.name not in UNSTABLE)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("capture", corpus_captures(), ids=lambda p: p.name)
def test_corpus_analyses(capture):
    trees = [a for tree in TREES for a in ("-z", tree)]
    assert_same(["-q", *TABLE_ARGS, *OTHER_ARGS, *trees, "-r", capture], capture.name)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("capture", corpus_captures(), ids=lambda p: p.name)
def test_corpus_follow(capture):
    args = []
    for proto in ("tcp", "udp"):
        for i, stream in enumerate(streams(capture, f"{proto}.stream")[:200]):
            args += ["-z", f"follow,{proto},{MODES[i % len(MODES)]},{stream}"]
    if not args:
        pytest.skip("no TCP or UDP stream")
    assert_same(["-q", *args, "-r", capture], capture.name)
