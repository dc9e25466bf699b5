"""InMemCapture (pyshark.capture.inmem_capture): dissects packets given as
bytes."""
import datetime
import itertools
import time
import warnings

from cshark import _cshark
from cshark._engine import Stream
from cshark.capture.capture import Capture, asyncTimeoutError, forwarded

__all__ = ['InMemCapture', 'LinkTypes', 'DEFAULT_TIMEOUT']

DEFAULT_TIMEOUT = 30


class LinkTypes(object):
    """pcap link-layer types (LINKTYPE_*)."""
    NULL = 0
    ETHERNET = 1
    IEEE802_5 = 6
    PPP = 9
    RAW = 101
    IEEE802_11 = 105
    LINUX_SLL = 113
    IEEE802_11_RADIOTAP = 127


class InMemCapture(Capture):
    """Dissects binary packets: parse_packet(bytes) / parse_packets([bytes, ...]).

    The frames go straight to the engine (no tshark, no pipe, no file), in one
    dissection session that lasts across calls, as PyShark's tshark does:
    conversations, reassembly and frame numbers carry on from call to call.
    If another capture is read in between, the engine is handed over and the
    next call starts a new session (frame numbers from 1 again).
    """

    def __init__(self, bpf_filter=None, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type='wpa-pwk', decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None, use_json=False,
                 use_ek=False, linktype=LinkTypes.ETHERNET, include_raw=False, eventloop=None,
                 custom_parameters=None, debug=False, fields=None, analyses=None):
        """
        :param linktype: The link-layer type of the packets (LinkTypes, pcap's LINKTYPE_ values).
        :param bpf_filter: Accepted (PyShark's); not applied.
        Other parameters: as FileCapture.
        """
        super(InMemCapture, self).__init__(**forwarded(Capture, locals()))
        self._named = tuple(analyses or ())  # attached to its reads (Analyses)
        self.bpf_filter = bpf_filter
        self._current_linktype = linktype
        self._feed = None

    @staticmethod
    def _time_of(sniff_time):
        """(seconds, nanoseconds) of a sniff time (now when None), to the
        microsecond as PyShark's pcap records."""
        if sniff_time is None:
            now = time.time()
        elif isinstance(sniff_time, datetime.datetime):
            now = sniff_time.timestamp()
        else:
            now = float(sniff_time)
        secs = int(now)
        usecs = int(round((now - secs) * 1000000))
        if usecs >= 1000000:
            secs, usecs = secs + 1, usecs - 1000000
        return secs, usecs * 1000

    def _open_raw(self):
        raw = _cshark.Capture.open_feed(self._current_linktype)
        # PyShark feeds `tshark -i -`: dumpcap's pcapng names the pipe's
        # interface "-", which the frame layer shows (interface_id 0).
        raw.set_feed_interface('-')
        return self._apply_options(raw)

    def _feed_stream(self):
        if self._feed is None or self._feed.done:
            self._feed = Stream(self._open_raw, resumable=True, replay=False, name=repr(self))
            if self._named:
                self._feed.on_close = self._keep_final
            self._streams.add(self._feed)
        return self._feed

    def _parse(self, binary_packets, sniff_times, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        stream = self._feed_stream()
        parsed = []
        for packet, sniff_time in itertools.zip_longest(binary_packets, sniff_times or []):
            if packet is None:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise asyncTimeoutError("Timed out while waiting for the packets to be parsed")
            secs, nsecs = self._time_of(sniff_time)
            data = bytes(packet)
            stream.call(lambda raw: raw.feed(data, secs, nsecs))
            while True:  # what the engine made of it (nothing if filtered out)
                try:
                    raw = stream.next(0)
                except TimeoutError:
                    break
                if raw is None:
                    break
                parsed.append(self._wrap(raw))
        return parsed

    def parse_packet(self, binary_packet, sniff_time=None, timeout=DEFAULT_TIMEOUT):
        """Parses one binary packet and returns it (None if the display filter
        drops it)."""
        if sniff_time is not None:
            sniff_time = [sniff_time]
        parsed = self.parse_packets([binary_packet], sniff_time, timeout)
        return parsed[0] if parsed else None

    def parse_packets(self, binary_packets, sniff_times=None, timeout=DEFAULT_TIMEOUT):
        """Parses binary packets and returns the parsed packets (those that
        pass the display filter)."""
        return self._parse(list(binary_packets), sniff_times, timeout)

    async def parse_packets_async(self, binary_packets, sniff_times=None, timeout=DEFAULT_TIMEOUT):
        """parse_packets, as a coroutine."""
        return self._parse(list(binary_packets), sniff_times, timeout)

    def feed_packet(self, binary_packet, linktype=LinkTypes.ETHERNET, timeout=DEFAULT_TIMEOUT):
        """DEPRECATED. Use parse_packet instead. Parses the packet and keeps it."""
        warnings.warn("Deprecated method. Use InMemCapture.parse_packet() instead.")
        self._set_linktype(linktype)
        pkt = self.parse_packet(binary_packet, timeout=timeout)
        self.close()
        self._packets.append(pkt)
        return pkt

    def feed_packets(self, binary_packets, linktype=LinkTypes.ETHERNET, timeout=DEFAULT_TIMEOUT):
        """Parses binary packets, keeps them in the capture and returns them."""
        self._set_linktype(linktype)
        parsed_packets = self.parse_packets(binary_packets, timeout=timeout)
        self._packets.extend(parsed_packets)
        self.close()
        return parsed_packets

    def _set_linktype(self, linktype):
        if linktype != self._current_linktype:
            self._current_linktype = linktype
            self.close()

    def close(self):
        """Ends the dissection session (the next parse starts a new one)."""
        for stream in list(self._streams):
            stream.close()
        self._streams.clear()
        self._feed = None

    def __iter__(self):
        return iter(self._packets)
