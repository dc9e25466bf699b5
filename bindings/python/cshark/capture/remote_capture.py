"""RemoteCapture (pyshark.capture.remote_capture): a live capture on a remote
rpcapd interface, rpcap://HOST:PORT/INTERFACE, when libpcap supports it."""
from cshark.capture.live_capture import LiveCapture

__all__ = ['RemoteCapture']


class RemoteCapture(LiveCapture):
    """A capture performed on a remote machine running rpcapd."""

    def __init__(self, remote_host, remote_interface, *args, remote_port=2002, bpf_filter=None,
                 only_summaries=False, decryption_key=None, encryption_type="wpa-pwk",
                 decode_as=None, disable_protocol=None, tshark_path=None, override_prefs=None,
                 eventloop=None, debug=False, **kwargs):
        interface = f'rpcap://{remote_host}:{remote_port}/{remote_interface}'
        super(RemoteCapture, self).__init__(interface, *args, bpf_filter=bpf_filter,
                                            only_summaries=only_summaries,
                                            decryption_key=decryption_key,
                                            encryption_type=encryption_type,
                                            tshark_path=tshark_path, decode_as=decode_as,
                                            disable_protocol=disable_protocol,
                                            override_prefs=override_prefs, eventloop=eventloop,
                                            debug=debug, **kwargs)
