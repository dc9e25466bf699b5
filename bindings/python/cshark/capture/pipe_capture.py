"""PipeCapture (pyshark.capture.pipe_capture): packets of a capture file
(pcap, pcapng) written to a pipe."""
import io
import os
import threading

from cshark import _cshark
from cshark.capture.capture import Capture, forwarded

__all__ = ['PipeCapture']


class PipeCapture(Capture):
    """Reads a capture (pcap, pcapng, gzip-compressed or not) from a pipe: a
    file descriptor or a binary file object, as PyShark gives tshark -r -.

    The engine reads the pipe as the packets arrive (each packet is there as
    soon as its record is), with no temporary file. A pipe can be read once:
    two passes are refused, and a second read finds it at its end.
    """
    _REREAD = False

    def __init__(self, pipe, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type='wpa-pwk', decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None, use_json=False,
                 use_ek=False, include_raw=False, eventloop=None, custom_parameters=None, debug=False,
                 fields=None, analyses=None):
        super(PipeCapture, self).__init__(**forwarded(Capture, locals()))
        self._named = tuple(analyses or ())  # attached to its reads (Analyses)
        self._pipe = pipe
        self._pump = None  # our pipe's read end, for a file object without a descriptor

    def _fd(self):
        if isinstance(self._pipe, int):
            return self._pipe
        try:
            return self._pipe.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            pass
        if self._pump is None:
            # A file-like object without a descriptor (BytesIO...): a thread
            # copies it into a pipe of our own.
            read_fd, write_fd = os.pipe()
            source = getattr(self._pipe, 'buffer', self._pipe)

            def pump():
                import shutil
                try:
                    with os.fdopen(write_fd, 'wb') as out:
                        shutil.copyfileobj(source, out)
                except (BrokenPipeError, OSError, ValueError):
                    pass  # the reader went away
            threading.Thread(target=pump, name='cshark-pipe', daemon=True).start()
            self._pump = read_fd
        return self._pump

    def _open_raw(self):
        # The pipe itself, by its /dev/fd name: wiretap opens captures by name.
        return self._apply_options(_cshark.Capture.open_file(f'/dev/fd/{self._fd()}'))

    def get_parameters(self, packet_count=None):
        params = super(PipeCapture, self).get_parameters(packet_count=packet_count)
        params += ['-r', '-']
        return params

    def close(self):
        """Closes the pipe (as PyShark)."""
        super(PipeCapture, self).close()
        for stream in list(self._streams):
            stream.close()
        self._streams.clear()
        for attr in ('_pipe', '_pump'):
            fd = getattr(self, attr)
            if isinstance(fd, int) and fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, attr, -1 if attr == '_pipe' else None)

    def sniff_continuously(self, packet_count=None):
        """A generator of the pipe's packets (all of them, or PACKET_COUNT)."""
        return self._packets_from_tshark_sync(packet_count=packet_count)
