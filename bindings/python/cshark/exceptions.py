"""cshark's exceptions.

The engine's errors (cshark._cshark.CsharkError and its subclasses) reach
Python code as these subclasses, which are also PyShark's
TSharkCrashException: PyShark reports every tshark failure (a bad display
filter, an unreadable file, a bad preference) that way, so code written for
it keeps catching them, while ``except cshark.FilterError`` is precise.
"""
import builtins

from cshark import _cshark

__all__ = ['TSharkCrashException', 'CsharkError', 'FilterError', 'FieldError', 'OptionError',
           'CaptureOpenError', 'CaptureReadError', 'CapturePermissionError',
           'UnsupportedParameterError']


class TSharkCrashException(Exception):
    """PyShark's error for a failed capture (tshark exiting with an error)."""


class CsharkError(_cshark.CsharkError, TSharkCrashException):
    """An error of the engine; the message names the file, filter, field or
    option at fault."""


class FilterError(CsharkError, _cshark.FilterError):
    """An invalid display filter (or capture filter): tshark's message, the
    filter and a caret under the fault."""


class FieldError(CsharkError, _cshark.FieldError):
    """A field or protocol name Wireshark does not know."""


class OptionError(CsharkError, _cshark.OptionError):
    """An invalid preference, decode-as rule, protocol name or key."""


class CaptureOpenError(CsharkError, _cshark.CaptureOpenError):
    """The capture cannot be opened (not a capture file, unknown interface)."""


class CaptureReadError(CsharkError, _cshark.CaptureReadError):
    """A read error or a capture cut off mid-record (the packets before it
    were delivered)."""


class CapturePermissionError(CsharkError, _cshark.PermissionError, builtins.PermissionError):
    """Capturing needs root or CAP_NET_RAW."""


class UnsupportedParameterError(CsharkError, ValueError):
    """A tshark command-line parameter (custom_parameters) with no in-process
    equivalent."""


_TRANSLATE = {
    _cshark.CsharkError: CsharkError,
    _cshark.FilterError: FilterError,
    _cshark.FieldError: FieldError,
    _cshark.OptionError: OptionError,
    _cshark.CaptureOpenError: CaptureOpenError,
    _cshark.CaptureReadError: CaptureReadError,
    _cshark.PermissionError: CapturePermissionError,
}


def translate(error):
    """The cshark exception for an exception of the extension (the same
    object when it is one already or is not an engine error)."""
    cls = _TRANSLATE.get(type(error))
    if cls is None:
        return error
    new = cls(*error.args)
    new.__cause__ = None
    new.__suppress_context__ = True
    return new
