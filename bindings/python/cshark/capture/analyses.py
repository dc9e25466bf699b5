"""Analyses across packets (beyond PyShark): what tshark -z computes, as typed
Python values, from the engine's own taps (cshark_capture_analyze).

Every call reads the capture again from its start, with the capture's own
options (display filter aside: taps count every packet, as tshark's do), so
it works whether or not the capture was iterated, and may run while an
iteration is paused (it resumes afterwards). Several analyses in one read:
``cap.analyze("conv,tcp", "io,phs")``.
"""
import datetime
import os
from collections import namedtuple
from pathlib import Path

from cshark import _cshark
from cshark._engine import Stream
from cshark.exceptions import UnsupportedParameterError

__all__ = ['Analyses', 'Conversation', 'Endpoint', 'ProtocolNode', 'ExpertItem', 'Chunk',
           'FollowedStream', 'StatsNode', 'Credential', 'ExportedObject', 'AnalysisResult',
           'IoStatRow']

AnalysisResult = namedtuple('AnalysisResult', 'spec columns rows text')

Conversation = namedtuple('Conversation', [
    'address_a', 'port_a', 'address_b', 'port_b', 'frames_a_to_b', 'bytes_a_to_b',
    'frames_b_to_a', 'bytes_b_to_a', 'frames', 'bytes', 'start', 'duration', 'start_time',
    'stream'])
Conversation.__doc__ = """A conversation: A is the source of its first packet. start is
seconds after the capture's first packet, duration in seconds, start_time a UTC
datetime; stream the tcp.stream/udp.stream index (follow it with cap.follow); ports are
None in tables without them."""
Endpoint = namedtuple('Endpoint', 'address port frames bytes tx_frames tx_bytes rx_frames rx_bytes')
ProtocolNode = namedtuple('ProtocolNode', 'depth protocol frames bytes')
ExpertItem = namedtuple('ExpertItem', 'frame severity group protocol summary')
Chunk = namedtuple('Chunk', 'frame peer host port time data')
Chunk.__doc__ = "A followed chunk: peer 0 is the client, 1 the server; time a UTC datetime."
StatsNode = namedtuple('StatsNode', 'depth name count average min max rate percent burst_rate '
                                    'burst_start')
Credential = namedtuple('Credential', 'frame protocol username username_frame password_field info')
IoStatRow = namedtuple('IoStatRow', 'interval start end column spec calc frames bytes value')
IoStatRow.__doc__ = """One cell of tshark's -z io,stat table: interval (the row, from 0),
start and end in seconds after the first packet (the last row ends at the capture's
duration), column (from 1) with its spec as written ('' for frames and bytes) and calc
(FRAMES, BYTES, FRAMES BYTES, COUNT, SUM, MIN, MAX, AVG or LOAD), the frames its filter
passed in the interval and their bytes, and value: the number the table shows (an int for
FRAMES, BYTES, FRAMES BYTES (the bytes) and COUNT; a float otherwise, times in seconds)."""
_IOSTAT_INTS = ('FRAMES', 'BYTES', 'FRAMES BYTES', 'COUNT')

_SEVERITIES = ('Comment', 'Chat', 'Note', 'Warning', 'Error')
_LEVELS = {'comment': 'comment', 'chat': 'chat', 'note': 'note', 'warn': 'warn',
           'warning': 'warn', 'error': 'error'}


def _utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


class FollowedStream(namedtuple('FollowedStream', 'client server chunks text')):
    """A followed stream: client and server as (host, port), the chunks in
    order, and tshark's text of it."""

    @property
    def client_bytes(self):
        return b''.join(c.data for c in self.chunks if c.peer == 0)

    @property
    def server_bytes(self):
        return b''.join(c.data for c in self.chunks if c.peer == 1)


class ExportedObject(namedtuple('ExportedObject', 'frame hostname content_type filename size '
                                                  'data file_name')):
    """An object found in the traffic (export_objects). file_name is the name
    tshark gives it (before numbering duplicates)."""

    def save(self, folder):
        """Write the object into FOLDER (created if need be) under file_name;
        an existing file of that name is not overwritten (FileExistsError)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.file_name
        with open(path, 'xb') as f:
            f.write(self.data)
        return path


class Analyses:
    """The analysis methods of captures (a mixin of Capture). A file is read
    again for each call; a live or fed capture cannot be, so its analyses are
    named when it is made (analyses=[...]), attached to its reads, and read
    as of now while it runs, or as they ended after it stopped."""

    _named = ()        # specs named at construction (live and fed captures)
    _attached = None   # spec -> the running read's engine analysis
    _final = None      # spec -> AnalysisResult, as the last read ended

    def _attach_named(self, raw):
        """Attach the named analyses to RAW, a new read (before its first packet)."""
        attached = {}
        for spec in self._named:
            attached[spec] = _cshark.analyze(raw, spec)
        self._attached = attached

    def _keep_final(self, raw):
        """RAW is closing: keep its analyses' last results."""
        attached, self._attached = self._attached, None
        if attached:
            self._final = {spec: AnalysisResult(spec, *a.rows(), a.text())
                           for spec, a in attached.items()}

    def _named_result(self, spec, save_to=None):
        if spec not in self._named:
            kind = 'live' if getattr(self, '_LIVE', False) else 'fed'
            raise UnsupportedParameterError(
                f'a {kind} capture cannot be read again: name its analyses when it is made, '
                f'e.g. analyses=[{spec!r}] (named: {list(self._named)})')
        attached = self._attached
        if attached is not None and spec in attached:
            a = attached[spec]
            columns, rows = a.rows()  # as of now, under the engine lock
            if save_to is not None:
                a.save(os.fspath(save_to))
            return AnalysisResult(spec, columns, rows, a.text())
        if self._final is not None and spec in self._final:
            if save_to is not None:
                raise UnsupportedParameterError(
                    'the capture has ended: save its objects while it runs')
            return self._final[spec]
        raise UnsupportedParameterError(
            f'{spec!r}: the capture has not started yet (its analyses begin with its first read)')

    def analyze(self, *specs):
        """Run the analyses SPECS (tshark -z arguments: "conv,tcp", "io,phs",
        "expert,warn", "follow,tcp,ascii,0", "dns,tree", "credentials",
        "objects,http") over the capture in one read: an AnalysisResult
        (spec, columns, rows as tuples, tshark's text) for each."""
        return self._analyze(specs)

    def _analyze(self, specs, save_to=None):
        """analyze(); SAVE_TO: a folder the first analysis's objects go to."""
        if not specs:
            raise ValueError('analyze() needs at least one analysis (e.g. "conv,tcp")')
        if getattr(self, '_LIVE', False) or not getattr(self, '_REREAD', True):
            return [self._named_result(spec, save_to) for spec in specs]
        attached = []

        def opener():
            raw = self._open_raw()
            try:
                raw.set_read_ahead(False)  # run() reads it all in this thread
                attached[:] = [_cshark.analyze(raw, spec) for spec in specs]
            except BaseException:
                raw.close()
                raise
            return raw

        def read(raw):
            _cshark.run(raw)
            results = []
            for spec, a in zip(specs, attached):
                columns, rows = a.rows()
                results.append(AnalysisResult(spec, columns, rows, a.text()))
            if save_to is not None:
                attached[0].save(os.fspath(save_to))
            return results

        stream = Stream(opener, resumable=False, name=repr(self), replay=False)
        try:
            return stream.call(read)
        finally:
            stream.close()

    def _one(self, spec, filter=None):
        return self.analyze(spec if not filter else f'{spec},{filter}')[0]

    def conversations(self, table='tcp', filter=None):
        """The conversation table TABLE (eth, ip, ipv6, tcp, udp, sctp, wlan,
        ...): a list of Conversation, in the order first seen. FILTER: a
        display filter limiting the packets counted."""
        result = self._one(f'conv,{table}', filter)
        ports = table in ('tcp', 'udp', 'sctp')  # tshark shows ports for these only
        out = []
        for r in result.rows:
            (a, pa, b, pb, fab, bab, fba, bba, frames, nbytes, start, dur, abs_start,
             stream) = r
            out.append(Conversation(a, pa if ports else None, b, pb if ports else None, fab, bab,
                                    fba, bba, frames, nbytes, start, dur, _utc(abs_start),
                                    stream if stream != 0xFFFFFFFF else None))
        return out

    def endpoints(self, table='ip', filter=None):
        """The endpoints of table TABLE: a list of Endpoint (port None in
        tables without ports)."""
        result = self._one(f'endpoints,{table}', filter)
        ports = table in ('tcp', 'udp', 'sctp')
        return [Endpoint(r[0], r[1] if ports else None, *r[2:]) for r in result.rows]

    def protocol_hierarchy(self, filter=None):
        """tshark -z io,phs: a list of ProtocolNode in pre-order (depth 0 is
        the first protocol of each packet)."""
        return [ProtocolNode(*r) for r in self._one('io,phs', filter).rows]

    def expert_info(self, min_severity=None, filter=None):
        """Every expert item raised: a list of ExpertItem (severity 'Error',
        'Warning', 'Note', 'Chat' or 'Comment'), at least MIN_SEVERITY
        ('error', 'warn', 'note', 'chat', 'comment'; None: all)."""
        spec = 'expert'
        if min_severity is not None:
            level = _LEVELS.get(str(min_severity).lower())
            if level is None:
                raise ValueError(f'min_severity {min_severity!r}: one of error, warn, note, '
                                 'chat, comment')
            spec += f',{level}'
        return [ExpertItem(*r) for r in self._one(spec, filter).rows]

    def follow(self, proto, stream, substream=None, mode='ascii'):
        """The payload of stream index STREAM of PROTO (tcp, udp, tls, http,
        http2, quic; SUBSTREAM for HTTP/2 and QUIC streams), both ways, as
        tshark -z follow: a FollowedStream (its text in MODE: ascii, hex,
        raw, ebcdic or yaml)."""
        spec = f'follow,{proto},{mode},{int(stream)}'
        if substream is not None:
            spec += f',{int(substream)}'
        result = self.analyze(spec)[0]
        chunks = [Chunk(f, p, h, port, _utc(t), d) for f, p, h, port, t, d in result.rows]
        client = next(((c.host, c.port) for c in chunks if c.peer == 0), None)
        server = next(((c.host, c.port) for c in chunks if c.peer == 1), None)
        return FollowedStream(client, server, chunks, result.text)

    def statistics(self, abbr, filter=None):
        """The statistics tree ABBR (http, http_req, http_srv, dns, plen,
        ptype, ip_hosts, ...; tshark -z ABBR,tree): a list of StatsNode in
        pre-order; count an int, the other columns the engine's strings."""
        return [StatsNode(*r) for r in self._one(f'{abbr},tree', filter).rows]

    def credentials(self):
        """User names seen by HTTP, FTP, POP, IMAP and SMTP: a list of
        Credential (password_field names the field holding the password)."""
        return [Credential(*r) for r in self.analyze('credentials')[0].rows]

    def export_objects(self, proto, folder=None):
        """The objects in PROTO traffic (http, imf, smb, tftp, dicom,
        ftp-data): a list of ExportedObject. With FOLDER, they are also
        written there as tshark --export-objects writes them."""
        result = self._analyze([f'objects,{proto}'], save_to=folder)[0]
        return [ExportedObject(*r) for r in result.rows]

    def io_stat(self, interval, columns=None):
        """tshark -z io,stat,INTERVAL[,COLUMN...]: a list of IoStatRow, row by
        row and column by column. INTERVAL in seconds (0: the whole capture;
        a string keeps tshark's spelling, '1.00' showing two decimals);
        COLUMNS as tshark takes them: display filters, FRAMES()FILTER,
        BYTES()FILTER, or COUNT|SUM|MIN|MAX|AVG|LOAD(FIELD)FILTER (the
        field counts only where a filter names it, as in tshark:
        'AVG(frame.time_delta)frame.time_delta'); None or '' for frames and
        bytes of every packet."""
        if isinstance(interval, bool) or not isinstance(interval, (int, float, str)):
            raise TypeError(f'interval {interval!r}: seconds, a number or a string')
        spec = f'io,stat,{interval}'
        if isinstance(columns, str):
            columns = [columns]
        columns = ['' if c is None else str(c) for c in columns or ()]
        if columns and not columns[-1].strip():
            columns[-1] = ' '  # tshark refuses a comma last; a blank is "no filter"
        for column in columns:
            spec += ',' + column
        out = []
        for r in self.analyze(spec)[0].rows:
            value = int(r[8]) if r[5] in _IOSTAT_INTS else r[8]
            out.append(IoStatRow(*r[:8], value))
        return out
