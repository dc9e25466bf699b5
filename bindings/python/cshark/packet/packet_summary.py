"""PacketSummary (pyshark.packet.packet_summary): one line of the packet list
(No., Time, Source, Destination, Protocol, Length, Info)."""

import re

__all__ = ['PacketSummary']

# PyShark reads the PSML with lxml.objectify, which turns a section that
# looks like a number (or true/false) into one, and PacketSummary then takes
# str() of it: Time "0.000020" reads "2e-05", "0.000000" reads "0.0". These
# are objectify's rules (checked against lxml 4.9 on generated strings): an
# int of decimal digits; a float with a '.' or an upper-case 'E' exponent,
# or inf/nan; surrounding white space ignored.
_INT = re.compile(r'\s*[+-]?\d+\s*\Z')
_FLOAT = re.compile(r'\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?\s*\Z')
_SPECIAL = re.compile(r'\s*[+-]?(?:inf|nan)\s*\Z', re.IGNORECASE)


def as_pyshark_reads(text):
    """A PSML section's text as PyShark's PacketSummary holds it."""
    c = text[:1]
    if not c or not (c in '+-.tfiInN' or c.isdigit() or c.isspace()):
        return text  # the common case: no number can start so
    if _INT.match(text):
        return str(int(text))
    if (_FLOAT.match(text) and ('.' in text or 'E' in text)) or _SPECIAL.match(text):
        return str(float(text))
    if text in ('true', 'false'):
        return str(text == 'true')
    return text


class PacketSummary(object):
    """A packet summary: the columns as attributes (no, time, source,
    destination, protocol, length, info) and in _fields."""

    def __init__(self, structure, values):
        self._fields = {}
        self._field_order = []

        for key, val in zip(structure, values):
            key, val = str(key), str(val)
            self._fields[key] = val
            self._field_order.append(key)
            setattr(self, key.lower().replace('.', '').replace(',', ''), val)

    def __repr__(self):
        protocol, src, dst = self._fields.get('Protocol', '?'), self._fields.get('Source', '?'),\
                             self._fields.get('Destination', '?')
        return f'<{self.__class__.__name__} {protocol}: {src} to {dst}>'

    def __str__(self):
        return self.summary_line

    @property
    def summary_line(self) -> str:
        return ' '.join([self._fields[key] for key in self._field_order])
