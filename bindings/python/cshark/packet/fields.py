"""Fields of a layer (pyshark.packet.fields): LayerField, one PDML <field>
element, and LayerFieldsContainer, the str that groups every occurrence of
one field name in a layer."""
import binascii
import typing

from cshark import _cshark
from cshark.packet.common import Pickleable, SlotsPickleable

__all__ = ['LayerField', 'LayerFieldsContainer']

_PDML_SLOTS = ('name', 'showname', 'raw_value', 'show', 'hide', 'pos', 'size', 'unmaskedvalue')


class LayerField(SlotsPickleable):
    """One field: its PDML attributes as strings, as PyShark has them.

    ``name``, ``showname``, ``show``, ``raw_value`` (PDML's ``value``),
    ``unmaskedvalue``, ``pos`` and ``size`` are the attribute strings (``pos``
    and ``size`` too: ``'14'``), or None when PDML omits the attribute;
    ``hide`` is True for ``hide="yes"``, else False.

    Beyond PyShark, a field read from a capture knows its place in the
    protocol tree: ``children`` lists the fields nested under it.
    """

    __slots__ = list(_PDML_SLOTS) + ['_item']

    def __init__(self, name=None, showname=None, value=None, show=None, hide=None, pos=None,
                 size=None, unmaskedvalue=None):
        self.name = name
        self.showname = showname
        self.raw_value = value
        self.show = show
        self.pos = pos
        self.size = size
        self.unmaskedvalue = unmaskedvalue
        self.hide = bool(hide and hide == 'yes') or hide is True
        self._item = None

    @classmethod
    def _from_item(cls, item):
        """A field from a cshark._cshark.Item: its attributes are read from
        the item when first used (most code reads show alone, and a
        showname or hex value costs the engine a formatting each)."""
        f = object.__new__(cls)
        f._item = item
        return f

    def __getattr__(self, attr):
        # Only called for an unset slot: a field from a capture, not read yet.
        getter = _FROM_ITEM.get(attr)
        if getter is None:
            raise AttributeError(attr)
        value = getter(object.__getattribute__(self, '_item'))
        setattr(self, attr, value)
        return value

    def __getstate__(self):
        # The tree item stays behind: a pickled field is plain data.
        return {slot: getattr(self, slot) for slot in _PDML_SLOTS}

    def __setstate__(self, data):
        self._item = None
        for key, val in data.items():
            setattr(self, key, val)

    def __repr__(self):
        return f'<LayerField {self.name}: {self.get_default_value()}>'

    def get_default_value(self) -> str:
        """Gets the best 'value' string this field has: show, else value, else showname."""
        val = self.show
        if not val:
            val = self.raw_value
        if not val:
            val = self.showname
        return val

    @property
    def showname_value(self) -> typing.Union[str, None]:
        """The "pretty value" (as displayed by Wireshark) of the field."""
        if self.showname and ': ' in self.showname:
            return self.showname.split(': ', 1)[1]
        return None

    @property
    def showname_key(self) -> typing.Union[str, None]:
        """The "pretty name" (as displayed by Wireshark) of the field."""
        if self.showname and ': ' in self.showname:
            return self.showname.split(': ', 1)[0]
        return None

    @property
    def binary_value(self) -> bytes:
        """The raw value as bytes (assuming it is a hex string)."""
        str_raw_value = str(self.raw_value)
        if len(str_raw_value) % 2 == 1:
            str_raw_value = '0' + str_raw_value
        return binascii.unhexlify(str_raw_value)

    @property
    def int_value(self) -> int:
        """The raw value as an int (assuming it is a decimal integer)."""
        return int(self.raw_value)

    @property
    def hex_value(self) -> int:
        """The raw value as an int, read in base 16."""
        return int(self.raw_value, 16)

    base16_value = hex_value

    # ---- beyond PyShark: the tree ------------------------------------------

    @property
    def children(self) -> typing.List['LayerField']:
        """The items nested under this one in the protocol tree (fields,
        text lines, nested protocols), as LayerFields; [] for a field built
        by hand or unpickled."""
        item = self._item
        if item is None or not item.nchildren:
            return []
        return [LayerField._from_item(c) for c in item.children()]

    @property
    def typed_value(self):
        """The value as a Python object by the field's type (int, bool,
        float, bytes, str, (seconds, nanoseconds) for times, bytes for
        addresses), or None (text items, protocols, hand-made fields)."""
        return None if self._item is None else self._item.typed()


def _str_or_none(n):
    return None if n is None else str(n)


# PDML attribute -> how to read it from a tree item.
_FROM_ITEM = {
    'name': lambda i: i.name,
    'showname': lambda i: i.showname,
    'raw_value': lambda i: i.value,
    'show': lambda i: i.show,
    'unmaskedvalue': lambda i: i.unmaskedvalue,
    'pos': lambda i: _str_or_none(i.pos),
    'size': lambda i: _str_or_none(i.size),
    'hide': lambda i: i.hide,
}


class LayerFieldsContainer(str, Pickleable):
    """A str holding every occurrence of one field name in a layer.

    Its value is the main (first) field's ``show``, else ``value``, else
    ``showname``; attributes (showname, raw_value, ...) are the main field's.
    """

    def __new__(cls, main_field, *args, **kwargs):
        if hasattr(main_field, 'get_default_value'):
            obj = str.__new__(cls, main_field.get_default_value(), *args, **kwargs)
        else:
            obj = str.__new__(cls, main_field, *args, **kwargs)
        obj.fields = [main_field]
        return obj

    def __dir__(self):
        return dir(type(self)) + list(self.__dict__.keys()) + dir(self.main_field)

    def add_field(self, field) -> None:
        self.fields.append(field)

    @property
    def all_fields(self) -> list:
        """All fields: the main field followed by the alternate ones."""
        return self.fields

    @property
    def main_field(self) -> LayerField:
        return self.fields[0]

    @property
    def alternate_fields(self) -> list:
        """The fields after the main one."""
        return self.fields[1:]

    def __getattr__(self, item):
        if item == 'fields':  # not yet set (unpickling): no recursion
            raise AttributeError(item)
        return getattr(self.main_field, item)


def _from_items(items):
    """The LayerFieldsContainer of a non-empty list of tree items
    (cshark._cshark.Item): its str comes from the engine in one call, its
    fields read the rest when used."""
    c = str.__new__(LayerFieldsContainer, items[0].default)
    c.fields = [LayerField._from_item(i) for i in items]
    return c


# What _cshark.layer_container() builds: the same objects as _from_items().
_cshark.set_field_classes(LayerFieldsContainer, LayerField)
