"""PyShark's tshark helpers (pyshark.tshark.tshark), answered in-process:
there is no tshark to find or run. The version is libwireshark's."""
import re

from cshark import _cshark

__all__ = ['TSharkNotFoundException', 'TSharkVersionException', 'get_process_path',
           'get_tshark_version', 'tshark_supports_duplicate_keys', 'tshark_supports_json',
           'get_tshark_display_filter_flag', 'get_tshark_interfaces',
           'get_all_tshark_interfaces_names']


class TSharkNotFoundException(Exception):
    pass


class TSharkVersionException(Exception):
    pass


class _Version(tuple):
    """A comparable version ('4.0.17'), like packaging's Version."""

    def __new__(cls, text):
        obj = tuple.__new__(cls, (int(p) for p in re.findall(r'\d+', str(text))[:3]))
        obj._text = str(text)
        return obj

    def _coerce(self, other):
        return other if isinstance(other, tuple) else _Version(other)

    def __lt__(self, other):
        return tuple(self) < tuple(self._coerce(other))

    def __le__(self, other):
        return tuple(self) <= tuple(self._coerce(other))

    def __gt__(self, other):
        return tuple(self) > tuple(self._coerce(other))

    def __ge__(self, other):
        return tuple(self) >= tuple(self._coerce(other))

    def __eq__(self, other):
        return tuple(self) == tuple(self._coerce(other))

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return tuple.__hash__(self)

    def __str__(self):
        return self._text

    def __repr__(self):
        return f"<Version('{self._text}')>"

    @property
    def major(self):
        return self[0]

    @property
    def minor(self):
        return self[1]

    @property
    def micro(self):
        return self[2]


def _parse(text):
    try:
        from packaging import version
        return version.parse(text)
    except ImportError:
        return _Version(text)


def get_process_path(tshark_path=None, process_name="tshark"):
    """PyShark's tshark lookup. cshark runs no process: the engine's library
    path is not exposed, so this returns a description instead."""
    return f"(in-process libwireshark {_cshark.versions()[1]})"


def get_tshark_version(tshark_path=None):
    """The engine's version (libwireshark's, e.g. 4.0.17)."""
    return _parse(_cshark.versions()[1])


def tshark_supports_duplicate_keys(tshark_version):
    return tshark_version >= _parse("2.6.7")


def tshark_supports_json(tshark_version):
    return tshark_version >= _parse("2.2.0")


def get_tshark_display_filter_flag(tshark_version):
    """'-Y' (tshark >= 1.10)."""
    return "-Y" if tshark_version >= _parse("1.10.0") else "-R"


def get_tshark_interfaces(tshark_path=None):
    """The names of the interfaces libpcap can capture on (tshark -D's)."""
    return [i['name'] for i in _cshark.interfaces()]


def get_all_tshark_interfaces_names(tshark_path=None):
    """Every interface name, and description where there is one."""
    names = []
    for i in _cshark.interfaces():
        names.append(i['name'])
        if i['description']:
            names.append(i['description'])
    return names
