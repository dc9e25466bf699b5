"""cshark: Wireshark's dissection engine in-process, with PyShark's API.

    import cshark as pyshark

    for packet in pyshark.FileCapture('trace.pcapng', display_filter='dns'):
        print(packet.dns.qry_name)

Everything PyShark code imports is here under the same module paths
(cshark.capture.file_capture.FileCapture, cshark.packet.packet.Packet, ...).
To make `import pyshark` itself load cshark (code you cannot edit):

    import sys, cshark
    sys.modules['pyshark'] = cshark     # pyshark.packet.packet etc. follow

The engine itself is cshark._cshark (Capture, Packet, Item: see its
docstrings and include/cshark/cshark.h).
"""
import importlib
import importlib.machinery
import sys

from cshark import _cshark
from cshark.exceptions import (CaptureOpenError, CapturePermissionError, CaptureReadError,
                               CsharkError, FieldError, FilterError, OptionError,
                               TSharkCrashException, UnsupportedParameterError)
from cshark.capture.capture import Capture, StopCapture
from cshark.capture.file_capture import FileCapture
from cshark.capture.live_capture import LiveCapture, UnknownInterfaceException
from cshark.capture.live_ring_capture import LiveRingCapture
from cshark.capture.remote_capture import RemoteCapture
from cshark.capture.inmem_capture import InMemCapture, LinkTypes
from cshark.capture.pipe_capture import PipeCapture
from cshark.packet.packet import Packet
from cshark.packet.packet_summary import PacketSummary
from cshark.packet.fields import LayerField, LayerFieldsContainer
from cshark.packet.layers.xml_layer import XmlLayer
# Data frames: pandas is imported when a frame is made, not here.
from cshark.dataframe import read_dataframe
# PyShark's live_capture imports pyshark.tshark.tshark: after `import pyshark`,
# pyshark.tshark.tshark.get_tshark_interfaces() works, and code relies on it.
from cshark import tshark  # noqa: F401
import cshark.tshark.tshark  # noqa: F401,E402

__version__, engine_version = _cshark.versions()

__all__ = ['FileCapture', 'LiveCapture', 'LiveRingCapture', 'RemoteCapture', 'InMemCapture',
           'PipeCapture', 'Capture', 'StopCapture', 'TSharkCrashException', 'Packet',
           'PacketSummary', 'LayerField', 'LayerFieldsContainer', 'XmlLayer', 'LinkTypes',
           'CsharkError', 'FilterError', 'FieldError', 'OptionError', 'CaptureOpenError',
           'CaptureReadError', 'CapturePermissionError', 'UnsupportedParameterError',
           'UnknownInterfaceException', 'UnsupportedVersionException', 'init', 'check_filter',
           'engine_version', 'read_dataframe']


class UnsupportedVersionException(Exception):
    pass


def init(no_personal_config=False):
    """Start the engine now (otherwise at the first capture, ~0.1 s);
    NO_PERSONAL_CONFIG ignores ~/.config/wireshark (the first call decides)."""
    _cshark.init(no_personal_config=no_personal_config)


def check_filter(display_filter):
    """Raise FilterError for an invalid display filter; return the engine's
    deprecation warning, or None."""
    return _cshark.check_filter(display_filter)


def __getattr__(name):
    """cshark.dask without `import cshark.dask` (dask is imported then)."""
    if name == 'dask':
        return importlib.import_module('cshark.dask')
    raise AttributeError(f"module 'cshark' has no attribute {name!r}")


class _PysharkAlias:
    """When sys.modules['pyshark'] is cshark, `pyshark.x.y` imports are
    cshark.x.y (the same module objects, so classes are the same). A meta path
    finder and loader by protocol (importlib.abc costs 14 ms of import)."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith('pyshark.') or sys.modules.get('pyshark') is not _this():
            return None
        real = 'cshark.' + fullname[len('pyshark.'):]
        try:
            module = importlib.import_module(real)
        except ImportError:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self,
                                              is_package=hasattr(module, '__path__'))
        spec._cshark_module = module
        return spec

    def create_module(self, spec):
        return spec._cshark_module

    def exec_module(self, module):
        pass


def _this():
    return sys.modules[__name__]


if not any(isinstance(f, _PysharkAlias) for f in sys.meta_path):
    sys.meta_path.insert(0, _PysharkAlias())
