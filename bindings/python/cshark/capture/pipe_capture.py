"""PipeCapture (pyshark.capture.pipe_capture): packets of a capture file
(pcap, pcapng) written to a pipe."""
import os
import shutil

from cshark import _cshark
from cshark.capture import _spool
from cshark.capture.capture import Capture

__all__ = ['PipeCapture']


class PipeCapture(Capture):
    """Reads a capture from a pipe (a file descriptor or a binary file object).

    The engine opens captures by name with random access, so the pipe is
    read to its end into a temporary file when the first packet is asked
    for (blocking until the writer closes it), and that file is read (and
    can be read again) until close().
    """

    def __init__(self, pipe, display_filter=None, only_summaries=False,
                 decryption_key=None, encryption_type='wpa-pwk', decode_as=None,
                 disable_protocol=None, tshark_path=None, override_prefs=None, use_json=False,
                 use_ek=False, include_raw=False, eventloop=None, custom_parameters=None, debug=False,
                 fields=None, two_pass=False):
        super(PipeCapture, self).__init__(display_filter=display_filter,
                                          only_summaries=only_summaries,
                                          decryption_key=decryption_key,
                                          encryption_type=encryption_type,
                                          decode_as=decode_as, disable_protocol=disable_protocol,
                                          tshark_path=tshark_path, override_prefs=override_prefs,
                                          use_json=use_json, use_ek=use_ek, include_raw=include_raw,
                                          eventloop=eventloop, custom_parameters=custom_parameters,
                                          debug=debug, fields=fields, two_pass=two_pass)
        self._pipe = pipe
        self._spooled = None

    def _spool(self):
        if self._spooled is None:
            out, path = _spool.new_file('.cap')
            try:
                with out:
                    if isinstance(self._pipe, int):
                        while True:
                            chunk = os.read(self._pipe, 1 << 16)
                            if not chunk:
                                break
                            out.write(chunk)
                    else:
                        shutil.copyfileobj(getattr(self._pipe, 'buffer', self._pipe), out)
            except BaseException:
                _spool.remove(path)
                raise
            self._spooled = path
        return self._spooled

    def _open_raw(self):
        raw = _cshark.Capture.open_file(self._spool())
        try:
            self._apply_options(raw)
        except BaseException:
            raw.close()
            raise
        return raw

    def get_parameters(self, packet_count=None):
        params = super(PipeCapture, self).get_parameters(packet_count=packet_count)
        params += ['-r', '-']
        return params

    def close(self):
        """Closes the pipe (as PyShark) and drops the spooled copy."""
        super(PipeCapture, self).close()
        for stream in list(self._streams):
            stream.close()
        self._streams.clear()
        if isinstance(self._pipe, int):
            try:
                os.close(self._pipe)
            except OSError:
                pass
            self._pipe = -1
        if self._spooled is not None:
            _spool.remove(self._spooled)
            self._spooled = None

    def __del__(self):
        try:
            if self._spooled is not None:
                _spool.remove(self._spooled)
        except Exception:
            pass

    def sniff_continuously(self, packet_count=None):
        """A generator of the pipe's packets (all of them, or PACKET_COUNT)."""
        return self._packets_from_tshark_sync(packet_count=packet_count)
