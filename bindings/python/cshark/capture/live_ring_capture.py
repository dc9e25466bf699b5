"""LiveRingCapture (pyshark.capture.live_ring_capture): a live capture that
also writes a ring buffer of pcapng files."""
from cshark.capture.capture import forwarded
from cshark.capture.live_capture import LiveCapture

__all__ = ['LiveRingCapture']


class LiveRingCapture(LiveCapture):
    """A live capture writing every captured frame to a ring of files."""

    def __init__(self, ring_file_size=1024, num_ring_files=1, ring_file_name='/tmp/pyshark.pcap',
                 interface=None, bpf_filter=None, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type='wpa-pwk', decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None, capture_filter=None,
                 use_json=False, use_ek=False, include_raw=False, eventloop=None,
                 custom_parameters=None, debug=False, fields=None):
        """
        :param ring_file_size: Size of each ring file in kB (default 1024).
        :param num_ring_files: Number of ring files to keep (default 1).
        :param ring_file_name: Name of the ring files: its stem gets _NNNNN_YYYYmmddHHMMSS
        before the extension, as tshark -b names them.
        Other parameters: as LiveCapture.
        """
        super(LiveRingCapture, self).__init__(**forwarded(LiveCapture, locals()))
        self.ring_file_size = ring_file_size
        self.num_ring_files = num_ring_files
        self.ring_file_name = ring_file_name

    def _live_options(self, raw):
        super(LiveRingCapture, self)._live_options(raw)
        raw.set_output(str(self.ring_file_name), int(self.ring_file_size), int(self.num_ring_files))

    def get_parameters(self, packet_count=None):
        params = super(LiveRingCapture, self).get_parameters(packet_count=packet_count)
        params += ['-b', 'filesize:' + str(self.ring_file_size), '-b', 'files:' + str(self.num_ring_files),
                   '-w', self.ring_file_name, '-P', '-V']
        return params
