"""LiveCapture (pyshark.capture.live_capture): packets captured on network
interfaces, through libpcap, in-process (no dumpcap, no tshark)."""
import os

from cshark import _cshark
from cshark.capture.capture import Capture, forwarded
from cshark.exceptions import CaptureOpenError
from cshark.tshark.tshark import get_tshark_interfaces as _interface_names

__all__ = ['LiveCapture', 'UnknownInterfaceException']


class UnknownInterfaceException(CaptureOpenError):
    """An interface libpcap does not know (the message lists the valid ones)."""


class LiveCapture(Capture):
    """A live capture on one or several network interfaces."""
    _LIVE = True

    def __init__(self, interface=None, bpf_filter=None, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type='wpa-pwk', output_file=None, decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None, capture_filter=None,
                 monitor_mode=False, use_json=False, use_ek=False,
                 include_raw=False, eventloop=None, custom_parameters=None,
                 debug=False, fields=None, analyses=None):
        """Creates a live capture on the given interfaces; capturing starts
        with the first read (sniff, sniff_continuously, iteration...).

        :param interface: An interface name (or its number in
        cshark.tshark.tshark.get_tshark_interfaces()), or a list of them. None: 'any'
        (every interface, Linux) when libpcap has it, else the first interface.
        :param bpf_filter: BPF (capture) filter, compiled by libpcap.
        :param capture_filter: Also a BPF filter (both: packets must pass both).
        :param display_filter: Display (wireshark) filter; invalid ones raise FilterError here.
        :param monitor_mode: 802.11 monitor mode.
        :param output_file: Also write the captured frames to this pcapng file.
        :param custom_parameters: as FileCapture's, plus -f, -s, -B, -I, -p, -a duration:N.
        Other parameters: as FileCapture.
        """
        super(LiveCapture, self).__init__(**forwarded(Capture, locals()))
        self._named = tuple(analyses or ())  # attached to its reads (Analyses)
        self.bpf_filter = bpf_filter
        self.monitor_mode = monitor_mode
        if interface is None:
            names = _interface_names()
            self.interfaces = ['any'] if 'any' in names else names[:1]
        elif isinstance(interface, str):
            self.interfaces = [interface]
        else:
            self.interfaces = list(interface)

    def _bpf(self):
        filters = [f for f in (self.bpf_filter, self._capture_filter) if f]
        if len(filters) == 2:
            return f'({filters[0]}) and ({filters[1]})'
        return filters[0] if filters else None

    def _live_options(self, raw):
        bpf = self._bpf()
        if bpf:
            raw.set_capture_filter(bpf)
        if self.monitor_mode:
            raw.set_monitor_mode(1)
        if self._output_file:
            raw.set_output(str(self._output_file))

    def _resolved_interfaces(self):
        names = None
        out = []
        for name in self.interfaces:
            name = str(name)
            if name.isnumeric():  # tshark -D numbering, from 1
                names = names or _interface_names()
                index = int(name) - 1
                if not 0 <= index < len(names):
                    raise UnknownInterfaceException(
                        f"Interface number {name} does not exist; there are {len(names)}: "
                        + os.linesep.join(names))
                name = names[index]
            out.append(name)
        return out

    def _open_raw(self):
        try:
            raw = _cshark.Capture.open_live(self._resolved_interfaces())
        except CaptureOpenError as e:
            raise UnknownInterfaceException(*e.args) from None
        try:
            self._live_options(raw)
            self._apply_options(raw)
        except BaseException:
            raw.close()
            raise
        return raw

    def _verify_capture_parameters(self):
        self._resolved_interfaces()

    def get_parameters(self, packet_count=None):
        params = super(LiveCapture, self).get_parameters(packet_count=packet_count)
        for interface in self.interfaces:
            params += ["-i", str(interface)]
        if self.bpf_filter:
            params += ["-f", self.bpf_filter]
        if self.monitor_mode:
            params += ["-I"]
        return params

    def stop(self):
        """Stops the running capture (from any thread): the pending read ends
        as at the end of a file (beyond PyShark)."""
        for stream in list(self._streams):
            stream.stop()

    # Backwards compatibility
    sniff = Capture.load_packets

    def sniff_continuously(self, packet_count=None):
        """A generator of captured packets, forever or for PACKET_COUNT packets:

            for packet in capture.sniff_continuously():
                print('Woo, another packet:', packet)
        """
        return self._packets_from_tshark_sync(packet_count=packet_count)
