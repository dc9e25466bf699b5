"""FileCapture (pyshark.capture.file_capture): packets of a capture file."""
import pathlib

from cshark import _cshark
from cshark.capture.capture import Capture, _validate_options, forwarded
from cshark.exceptions import UnsupportedParameterError
from cshark.packet.packet import Packet

__all__ = ['FileCapture']


class FileCapture(Capture):
    """A capture read from a file (any format Wireshark reads: pcap, pcapng,
    gzip-compressed, ...)."""

    def __init__(self, input_file=None, keep_packets=True, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type="wpa-pwk", decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None,
                 use_json=False, use_ek=False,
                 output_file=None, include_raw=False, eventloop=None, custom_parameters=None,
                 debug=False, fields=None, two_pass=False):
        """Creates a packet capture object by reading from file.

        :param input_file: File path of the capture.
        :param keep_packets: Whether next() and cap[i] keep the packets they read (for cap[i]
        and len(cap)); iterating never keeps them.
        :param display_filter: A display (wireshark) filter; invalid ones raise FilterError here.
        :param only_summaries: Produce PacketSummary objects (see the README for the columns).
        :param decryption_key: Key of the 802.11 traffic.
        :param encryption_type: 'wep', 'wpa-pwd' (passphrase[:ssid]), 'wpa-psk' (64 hex digits),
        or 'wpa-pwk' (PyShark's default: either, by the key's form).
        :param decode_as: {decode_criterion_string: protocol}, e.g. {'tcp.port==8888': 'http'}.
        :param disable_protocol: A protocol (or a list of them) to disable.
        :param override_prefs: {PREFERENCE_NAME: PREFERENCE_VALUE, ...}.
        :param custom_parameters: tshark arguments as a list or dict: -o, -d, -Y, -2, -c, -n,
        -N, --disable-protocol, --enable-protocol.
        :param fields: (cshark) the field names you will read: the engine builds only those
        (several times faster); other fields are absent.
        :param two_pass: (cshark) dissect twice, as tshark -2, for fields that look ahead.
        :param tshark_path, use_json, use_ek, include_raw, eventloop: accepted (PyShark's),
        without effect on the packets (XML-mode layers; get_raw_packet() always works).
        """
        super(FileCapture, self).__init__(**forwarded(Capture, locals()))
        if output_file:
            raise UnsupportedParameterError(
                'output_file is only supported by live captures in cshark (the engine writes '
                'captured frames, not frames read from a file)')
        self.input_filepath = pathlib.Path(input_file)
        if not self.input_filepath.exists():
            raise FileNotFoundError(f"[Errno 2] No such file or directory: {self.input_filepath}")
        if not self.input_filepath.is_file():
            raise FileNotFoundError(f"{self.input_filepath} is a directory")

        self.keep_packets = keep_packets
        # The engine dissects the next packet in a thread of its own while
        # Python reads this one: for regular files (a read there never waits
        # long), and not with name resolution, where a name learned from a
        # later packet could show in this one's strings.
        self._read_ahead = self.input_filepath.is_file() and not any(
            op[0] == 'set_name_resolution' and op[1] != ''
            for op in self._options)
        self._packet_generator = self._packets_from_tshark_sync()
        _validate_options(self)

    def _open_raw(self):
        raw = self._apply_options(_cshark.Capture.open_file(str(self.input_filepath)))
        if self._read_ahead:
            # The fields of interest are what the caller reads: their strings
            # are made in the worker too.
            raw.set_read_ahead(True, list(self._fields or ()))
        return raw

    def next(self) -> Packet:
        """The next packet of the file; kept for cap[i] and len(cap) if the
        capture's keep_packets is True."""
        if not self.keep_packets:
            return self._packet_generator.send(None)
        elif self._current_packet >= len(self._packets):
            packet = self._packet_generator.send(None)
            self._packets += [packet]
        return super(FileCapture, self).next_packet()

    def __getitem__(self, packet_index):
        if not self.keep_packets:
            raise NotImplementedError("Cannot use getitem if packets are not kept")
        while packet_index >= len(self._packets):
            try:
                self.next()
            except StopIteration:
                raise KeyError(f"Packet of index {packet_index} does not exist in capture")
        return super(FileCapture, self).__getitem__(packet_index)

    def get_parameters(self, packet_count=None):
        return super(FileCapture, self).get_parameters(packet_count=packet_count) + [
            "-r", self.input_filepath.as_posix()]

    def _verify_capture_parameters(self):
        try:
            with self.input_filepath.open("rb"):
                pass
        except PermissionError:
            raise PermissionError(f"Permission denied for file {self.input_filepath}")

    def __repr__(self):
        if self.keep_packets:
            return f"<{self.__class__.__name__} {self.input_filepath.as_posix()}>"
        else:
            return f"<{self.__class__.__name__} {self.input_filepath.as_posix()} ({len(self._packets)} packets)>"
