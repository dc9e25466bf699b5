"""The capture base class (pyshark.capture.capture).

PyShark runs `tshark -T pdml` for each read and parses its XML; here the
same options configure an in-process capture of the engine, and packets come
straight from the protocol tree. Each PyShark parameter maps to an engine
option:

    display_filter          set_display_filter (checked at construction)
    decode_as {c: p}        decode_as("c,p")
    disable_protocol        set_protocol(p, False)
    override_prefs {k: v}   set_pref("k:v")
    decryption_key/type     add_wlan_key(type, key)
    custom_parameters       -o -d -Y -2 -c -n -N --disable-protocol
                            --enable-protocol (live: -f -s -B -I -p -a)

Parameters that only make sense for a subprocess (tshark_path, eventloop's
child watchers, use_json, use_ek, include_raw) are accepted and have no
effect on what is read: packets always have PyShark's XML-mode layers.
"""
import sys
import time

from cshark import _cshark
from cshark._engine import Stream
from cshark._tree import TreePacket
from cshark.capture.analyses import Analyses
from cshark.capture._options import (  # noqa: F401  forwarded: for the subclasses
    _LIVE_ONLY, _parse_custom_parameters, _wlan_key_type, forwarded)
from cshark.packet.packet_summary import PacketSummary, as_pyshark_reads
from cshark.exceptions import TSharkCrashException, UnsupportedParameterError  # noqa: F401
from cshark.packet.packet import Packet

__all__ = ['Capture', 'StopCapture', 'TSharkCrashException', 'UnknownEncryptionStandardException',
           'UnknownEncyptionStandardException', 'RawMustUseJsonException']

# asyncio (and inspect) are imported where used: together they are a third
# of the package's import time, and most scripts never touch them.
if sys.version_info >= (3, 11):
    asyncTimeoutError = TimeoutError  # what asyncio.TimeoutError is since 3.11
elif sys.version_info >= (3, 8):  # pragma: no cover
    import asyncio
    asyncTimeoutError = asyncio.exceptions.TimeoutError
else:  # pragma: no cover
    import concurrent.futures
    asyncTimeoutError = concurrent.futures.TimeoutError


class UnknownEncryptionStandardException(Exception):
    pass


# PyShark's own spelling of the name: code written for it catches this one.
UnknownEncyptionStandardException = UnknownEncryptionStandardException


class RawMustUseJsonException(Exception):
    """If the use_raw argument is True, so should the use_json argument"""


class StopCapture(Exception):
    """Raise it anywhere in packet handling (a callback) to stop the capture."""
    pass


class _Deadline(Exception):
    """The timeout of load_packets / sniff passed."""


class Capture(Analyses):
    """Base class for packet captures."""
    SUMMARIES_BATCH_SIZE = 64
    DEFAULT_LOG_LEVEL = 50  # logging.CRITICAL
    SUPPORTED_ENCRYPTION_STANDARDS = ["wep", "wpa-pwk", "wpa-pwd", "wpa-psk"]
    _LIVE = False  # a live source: never re-read, waits for packets
    _REREAD = True  # can be read again from the start (a file, not a pipe)

    def __init__(self, display_filter=None, only_summaries=False, eventloop=None,
                 decryption_key=None, encryption_type="wpa-pwd", output_file=None,
                 decode_as=None, disable_protocol=None, tshark_path=None,
                 override_prefs=None, capture_filter=None, use_json=False, include_raw=False,
                 use_ek=False, custom_parameters=None, debug=False, fields=None, two_pass=False):
        self.loaded = False
        self.tshark_path = tshark_path
        self._override_prefs = override_prefs
        self.debug = debug
        self.use_json = use_json
        self._use_ek = use_ek
        self.include_raw = include_raw
        self._packets = []
        self._current_packet = 0
        self._display_filter = display_filter
        self._capture_filter = capture_filter
        self._only_summaries = only_summaries
        self._output_file = output_file
        self._decode_as = decode_as
        self._disable_protocol = disable_protocol
        self._closed = False
        self._custom_parameters = custom_parameters
        self._eof_reached = False
        self._fields = list(fields) if fields else None
        self._two_pass = bool(two_pass)
        self._streams = set()
        self._last_stats = None
        self._eventloop = eventloop

        if self.debug:
            self.set_debug()

        if encryption_type and encryption_type.lower() in self.SUPPORTED_ENCRYPTION_STANDARDS:
            self.encryption = (decryption_key, encryption_type.lower())
        else:
            standards = ", ".join(self.SUPPORTED_ENCRYPTION_STANDARDS)
            raise UnknownEncryptionStandardException(
                f"Only the following standards are supported: {standards}.")
        self._options = self._engine_options()

    # ---- options -----------------------------------------------------------------

    def _engine_options(self):
        """The engine options, in tshark's command-line order; checks what can
        be checked without a capture (display filters)."""
        ops = []
        if self._display_filter:
            ops.append(('set_display_filter', self._display_filter))
        if self._two_pass:
            ops.append(('set_two_pass', 1))
        if self._fields:
            ops.append(('set_fields', list(self._fields)))
        if self._only_summaries:
            ops.append(('set_columns', _cshark.COLUMNS_ONLY))
        custom = _parse_custom_parameters(self._custom_parameters)
        if not self._LIVE:
            for op in custom:
                if op[0] in _LIVE_ONLY:
                    raise UnsupportedParameterError(
                        f'{op[0][4:]} (a custom parameter) only applies to live captures')
        ops += custom
        if all(self.encryption):
            key, etype = self.encryption
            ops.append(('add_wlan_key', _wlan_key_type(etype, key), key))
        if self._override_prefs:
            for name, value in self._override_prefs.items():
                if all(self.encryption) and name in ("wlan.enable_decryption", "uat:80211_keys"):
                    continue  # the decryption_key options win (as PyShark)
                ops.append(('set_pref', f'{name}:{value}'))
        if self._decode_as:
            for criterion, proto in self._decode_as.items():
                ops.append(('decode_as', ','.join([criterion.strip(), proto.strip()])))
        if self._disable_protocol:
            protos = self._disable_protocol
            if isinstance(protos, str):
                protos = [protos]
            for proto in protos:
                ops.append(('set_protocol', proto.strip(), False))
        for op in ops:
            if op[0] == 'set_display_filter':
                self._check_filter(op[1])
        return ops

    def _check_filter(self, display_filter):
        warning = _cshark.check_filter(display_filter)
        if warning:
            self._log.warning(warning)

    def _apply_options(self, raw):
        """RAW (a new engine capture) with every option set; closed if one fails."""
        try:
            for op in self._options:
                getattr(raw, op[0])(*op[1:])
            if self._named:
                self._attach_named(raw)
        except BaseException:
            raw.close()
            raise
        return raw

    def _open_raw(self):
        """A new engine capture with every option applied (subclasses)."""
        raise NotImplementedError()

    def _new_stream(self):
        stream = Stream(self._open_raw, resumable=self._REREAD and not self._LIVE, name=repr(self))
        if self._named:
            stream.on_close = self._keep_final
        self._streams.add(stream)
        return stream

    def _end_stream(self, stream):
        stream.close()
        self._last_stats = stream.stats()
        self._streams.discard(stream)

    def stats(self):
        """The counters of the running (else the last) read: received,
        dropped, if_dropped (libpcap's, live captures), read (records) and
        delivered (packets that passed the display filter); None before any
        read (beyond PyShark)."""
        for stream in list(self._streams):
            st = stream.stats()
            if st is not None:
                return st
        return self._last_stats

    def _wrap(self, raw):
        if self._only_summaries:
            columns = raw.columns()
            return PacketSummary([t for t, _ in columns], [as_pyshark_reads(v) for _, v in columns])
        return TreePacket(raw)

    def _next_raw(self, stream, deadline=None):
        """The next raw packet (None at the end); raises _Deadline."""
        if not self._LIVE:
            if deadline is not None and time.monotonic() >= deadline:
                raise _Deadline()
            return stream.next()
        while True:
            wait = 0.25
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Deadline()
                wait = min(wait, left)
            try:
                return stream.next(wait)
            except TimeoutError:
                continue

    # ---- PyShark's API -------------------------------------------------------------

    def __getitem__(self, item):
        """The kept packet at that index."""
        return self._packets[item]

    def __len__(self):
        return len(self._packets)

    def next(self) -> Packet:
        return self.next_packet()

    def next_packet(self) -> Packet:
        if self._current_packet >= len(self._packets):
            raise StopIteration()
        cur_packet = self._packets[self._current_packet]
        self._current_packet += 1
        return cur_packet

    def clear(self):
        """Empties the capture of any saved packets."""
        self._packets = []
        self._current_packet = 0

    def reset(self):
        """Starts iterating packets from the first one."""
        self._current_packet = 0

    def load_packets(self, packet_count=0, timeout=None):
        """Reads packets and adds them to the capture's list (len(cap), cap[i]).

        PACKET_COUNT packets (0: all, or forever for a live capture), stopping
        quietly after TIMEOUT seconds. PACKET_COUNT counts packets that pass
        the display filter (PyShark counts records read, tshark's -c). Then
        iterating the capture goes over the packets kept.
        """
        initial = len(self._packets)
        deadline = None if timeout is None else time.monotonic() + timeout
        stream = self._new_stream()
        try:
            while not (packet_count and len(self._packets) - initial >= packet_count):
                raw = self._next_raw(stream, deadline)
                if raw is None:
                    self._eof_reached = True
                    break
                self._packets.append(self._wrap(raw))
        except _Deadline:
            pass
        finally:
            self._end_stream(stream)
        # PyShark leaves `loaded` False when the timeout ends the read, so that
        # iterating the capture then starts a new (live) capture: here the
        # packets read are iterated, whatever ended the read.
        self.loaded = True

    def sniff(self, packet_count=0, timeout=None):
        """load_packets (PyShark's LiveCapture.sniff)."""
        return self.load_packets(packet_count=packet_count, timeout=timeout)

    def to_dataframe(self, fields, occurrence='first', packet_count=0, timeout=None):
        """A pandas DataFrame of FIELDS (names) in the packets of a new read:
        one row per packet, one typed column per field (cshark.dataframe),
        built in C. Until the end of the capture, PACKET_COUNT packets (0:
        no limit) or TIMEOUT seconds, whichever comes first (a live capture
        needs one of them, or stop() from another thread). OCCURRENCE:
        'first', 'last', 'all' (lists) or an int N (the N-th, from 1).
        Needs pandas (beyond PyShark)."""
        from cshark.dataframe import capture_frame
        return capture_frame(self, fields, occurrence=occurrence, packet_count=packet_count,
                             timeout=timeout)

    def iter_dataframes(self, fields, batch_size=65536, batch_timeout=None, occurrence='first'):
        """DataFrames of FIELDS from one read, a frame per batch: at most
        BATCH_SIZE packets (None: no limit) and, when given, at most
        BATCH_TIMEOUT seconds each (a live capture's frame every N seconds;
        a batch may then be empty). Columns as to_dataframe. Needs pandas
        (beyond PyShark)."""
        from cshark.dataframe import capture_frames
        return capture_frames(self, fields, batch_size=batch_size, batch_timeout=batch_timeout,
                              occurrence=occurrence)

    @property
    def _log(self):
        """PyShark's logger of the capture, made when first used: importing
        logging would add 10 ms to every program's start."""
        log = self.__dict__.get('_logger')
        if log is None:
            import logging
            log = self._logger = logging.Logger(self.__class__.__name__,
                                                level=self.DEFAULT_LOG_LEVEL)
        return log

    @_log.setter
    def _log(self, value):
        self._logger = value

    def set_debug(self, set_to=True, log_level=10):  # logging.DEBUG
        """Sets the capture to debug mode (or turns it off if specified)."""
        if set_to:
            import logging
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter(
                "%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
            self._log.addHandler(handler)
            self._log.level = log_level
        self.debug = set_to

    def _verify_capture_parameters(self):
        """Checks the capture's parameters; raises if they are not valid."""
        pass

    @property
    def eventloop(self):
        """The asyncio event loop apply_on_packets runs on (PyShark's)."""
        if self._eventloop is None:
            self._setup_eventloop()
        return self._eventloop

    @eventloop.setter
    def eventloop(self, loop):
        self._eventloop = loop

    def _setup_eventloop(self):
        """The thread's event loop, or a new one set as the thread's."""
        import asyncio
        try:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', DeprecationWarning)
                loop = asyncio.get_event_loop_policy().get_event_loop()
            if loop.is_closed():
                raise RuntimeError('closed')
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        self._eventloop = loop

    def _packets_from_tshark_sync(self, packet_count=None, existing_process=None):
        """A generator of the packets of a new read, stopping after
        PACKET_COUNT when given."""
        self._verify_capture_parameters()
        stream = self._new_stream()
        captured = 0
        try:
            while True:
                raw = self._next_raw(stream)
                if raw is None:
                    self._eof_reached = True
                    break
                captured += 1
                yield self._wrap(raw)
                if packet_count and captured >= packet_count:
                    break
        finally:
            self._end_stream(stream)

    def apply_on_packets(self, callback, timeout=None, packet_count=None):
        """Calls CALLBACK (a function or a coroutine function) on each packet
        as it is read; StopCapture raised in it ends the capture.

        Raises asyncio.TimeoutError if not done after TIMEOUT seconds.
        """
        import asyncio
        coro = self.packets_from_tshark(callback, packet_count=packet_count)
        if timeout is not None:
            coro = asyncio.wait_for(coro, timeout)
        return self.eventloop.run_until_complete(coro)

    async def packets_from_tshark(self, packet_callback, packet_count=None, close_tshark=True):
        """A coroutine reading packets and calling PACKET_CALLBACK on each;
        for use in your own event loop."""
        self._verify_capture_parameters()
        stream = self._new_stream()
        try:
            await self._go_through_packets(stream, packet_callback, packet_count=packet_count)
        except StopCapture:
            pass
        finally:
            self._end_stream(stream)

    async def _anext_raw(self, stream, count):
        """The next raw packet without blocking the event loop for long."""
        import asyncio
        if not self._LIVE:
            now = time.monotonic()
            if count % 32 == 31 or now - stream.yielded >= 0.01:
                stream.yielded = now
                await asyncio.sleep(0)  # let timeouts and other tasks run
            return stream.next()
        delay = 0.001
        while True:
            try:
                return stream.next(0)
            except TimeoutError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.02)

    async def _stream_packets(self, stream):
        """STREAM's packets, wrapped, as they come; marks the end of the
        capture when it is reached."""
        captured = 0
        while True:
            raw = await self._anext_raw(stream, captured)
            if raw is None:
                self._eof_reached = True
                return
            captured += 1
            yield self._wrap(raw)

    async def _go_through_packets(self, stream, packet_callback, packet_count=None):
        import inspect
        is_coro = inspect.iscoroutinefunction(packet_callback)
        captured = 0
        packets = self._stream_packets(stream)
        try:
            async for packet in packets:
                captured += 1
                try:
                    if is_coro:
                        await packet_callback(packet)
                    else:
                        result = packet_callback(packet)
                        if inspect.isawaitable(result):
                            await result
                except StopCapture:
                    self._log.debug("User-initiated capture stop in callback")
                    break
                if packet_count and captured >= packet_count:
                    break
        finally:
            await packets.aclose()

    async def _apackets(self):
        if self.loaded:
            for packet in list(self._packets):
                yield packet
            return
        self._verify_capture_parameters()
        stream = self._new_stream()
        packets = self._stream_packets(stream)
        try:
            async for packet in packets:
                yield packet
        finally:
            await packets.aclose()
            self._end_stream(stream)

    def __aiter__(self):
        """async for packet in capture (beyond PyShark)."""
        return self._apackets()

    def close(self):
        """Releases the engine: a live capture stops; reads of a file give up
        the engine and, if used again (next(), cap[i]), go on where they
        were."""
        for stream in list(self._streams):
            stream.release()

    async def close_async(self):
        self.close()

    def __del__(self):
        try:
            if self._streams:
                self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    async def __aenter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        await self.close_async()

    def get_parameters(self, packet_count=None):
        """The tshark arguments PyShark would use (for information)."""
        params = []
        if self._capture_filter:
            params += ["-f", self._capture_filter]
        if self._display_filter:
            params += ["-Y", self._display_filter]
        if packet_count:
            params += ["-c", str(packet_count)]
        if self._custom_parameters:
            if isinstance(self._custom_parameters, list):
                params += self._custom_parameters
            elif isinstance(self._custom_parameters, dict):
                for key, val in self._custom_parameters.items():
                    params += [key, val]
        if all(self.encryption):
            params += ["-o", "wlan.enable_decryption:TRUE", "-o", 'uat:80211_keys:"'
                       + self.encryption[1] + '","' + self.encryption[0] + '"']
        if self._override_prefs:
            for name, value in self._override_prefs.items():
                if all(self.encryption) and name in ("wlan.enable_decryption", "uat:80211_keys"):
                    continue
                params += ["-o", f"{name}:{value}"]
        if self._output_file:
            params += ["-w", self._output_file]
        if self._decode_as:
            for criterion, proto in self._decode_as.items():
                params += ["-d", ",".join([criterion.strip(), proto.strip()])]
        if self._disable_protocol:
            params += ["--disable-protocol", str(self._disable_protocol).strip()]
        return params

    def __iter__(self):
        if self.loaded:
            return iter(self._packets)
        else:
            return self._packets_from_tshark_sync()

    def __repr__(self):
        return f"<{self.__class__.__name__} ({len(self._packets)} packets)>"


def _engine_is_free():
    from cshark import _engine
    return _engine._owner is None


def _validate_options(capture):
    """Open the capture once with its options so that a bad option, file or
    interface fails now, before any packet (when no other capture holds
    the engine; otherwise at the first read)."""
    if not _engine_is_free():
        return
    stream = Stream(capture._open_raw, resumable=True, name=repr(capture))
    try:
        stream.open()
    finally:
        stream.close()
