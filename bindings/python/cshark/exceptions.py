"""cshark's exceptions.

The engine's errors are raised by the extension (cshark._cshark) as these
classes, all subclasses of CsharkError, which is also PyShark's
TSharkCrashException: PyShark reports every tshark failure (a bad display
filter, an unreadable file, a bad preference) that way, so code written for
it keeps catching them, while ``except cshark.FilterError`` is precise.

The extension imports this module when it loads: it imports nothing of the
package.
"""
import builtins

__all__ = ['TSharkCrashException', 'CsharkError', 'FilterError', 'FieldError', 'OptionError',
           'CaptureOpenError', 'CaptureReadError', 'CapturePermissionError',
           'UnsupportedParameterError']


class TSharkCrashException(Exception):
    """PyShark's error for a failed capture (tshark exiting with an error)."""


class CsharkError(TSharkCrashException):
    """An error of the engine; the message names the file, filter, field or
    option at fault."""


class FilterError(CsharkError):
    """An invalid display filter (or capture filter): tshark's message, the
    filter and a caret under the fault."""


class FieldError(CsharkError):
    """A field or protocol name Wireshark does not know."""


class OptionError(CsharkError):
    """An invalid preference, decode-as rule, protocol name or key."""


class CaptureOpenError(CsharkError):
    """The capture cannot be opened (not a capture file, unknown interface)."""


class CaptureReadError(CsharkError):
    """A read error or a capture cut off mid-record (the packets before it
    were delivered)."""


class CapturePermissionError(CsharkError, builtins.PermissionError):
    """Capturing needs root or CAP_NET_RAW."""


class UnsupportedParameterError(CsharkError, ValueError):
    """A tshark command-line parameter (custom_parameters) with no in-process
    equivalent."""
