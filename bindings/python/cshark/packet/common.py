"""Pickling helpers and terminal colours (pyshark.packet.common)."""
import sys

__all__ = ['Pickleable', 'SlotsPickleable', 'colored']


class Pickleable(object):
    """Pickles through __dict__ (the classes override __getattr__)."""

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, data):
        self.__dict__.update(data)


class SlotsPickleable(object):
    """Pickles the __slots__ of the most derived class."""
    __slots__ = []

    def __getstate__(self):
        ret = {}
        for slot in self.__slots__:
            ret[slot] = getattr(self, slot)
        return ret

    def __setstate__(self, data):
        for key, val in data.items():
            setattr(self, key, val)


# termcolor's codes, so that output matches PyShark's without depending on it.
_COLORS = {'grey': 30, 'black': 30, 'red': 31, 'green': 32, 'yellow': 33, 'blue': 34,
           'magenta': 35, 'cyan': 36, 'light_grey': 37, 'white': 97}
_HIGHLIGHTS = {'on_' + name: code + 10 for name, code in _COLORS.items()}
_ATTRIBUTES = {'bold': 1, 'dark': 2, 'underline': 4, 'blink': 5, 'reverse': 7, 'concealed': 8}


def _termcolor(text, color=None, on_color=None, attrs=None):
    fmt = '\033[%dm%s'
    if color is not None and color in _COLORS:
        text = fmt % (_COLORS[color], text)
    if on_color is not None and on_color in _HIGHLIGHTS:
        text = fmt % (_HIGHLIGHTS[on_color], text)
    for attr in attrs or ():
        if attr in _ATTRIBUTES:
            text = fmt % (_ATTRIBUTES[attr], text)
    return text + '\033[0m'


def colored(text, *args, **kwargs):
    """termcolor.colored when stdout is a terminal, else the text unchanged
    (PyShark checks sys.stdout whatever the writer is)."""
    try:
        enable_color = sys.stdout.isatty()
    except (AttributeError, NotImplementedError, FileNotFoundError, ValueError):
        enable_color = False
    if enable_color:
        return _termcolor(text, *args, **kwargs)
    return text
