"""XmlLayer (pyshark.packet.layers.xml_layer): a layer whose fields are its
PDML <field> elements, flattened.

PyShark's rules, which this module keeps:
- every <field> under the layer's <proto>, at any depth (also inside nested
  <proto> elements), in document order, grouped by name into one
  LayerFieldsContainer per name (first occurrence first; text-only lines,
  whose name is "", gather under '');
- a field is found by its full name ('ip.src') or by the "sanitised" name
  (layer prefix removed everywhere, '.' and '-' made '_', lower case: 'src',
  'flags_df'), the first match in that order winning;
- PDML's fake-field-wrapper is the layer named DATA.

A layer read from a capture (cshark's tree-backed subclass) builds these
objects only when they are asked for.
"""
import io
import os
import typing

from cshark.packet.common import colored
from cshark.packet.fields import LayerField, LayerFieldsContainer
from cshark.packet.layers import base

__all__ = ['XmlLayer']

_OWN_SLOTS = frozenset(('raw_mode', '_all_fields', '_layer_name'))


class XmlLayer(base.BaseLayer):
    __slots__ = [
        "raw_mode",
        "_all_fields"
    ] + base.BaseLayer.__slots__

    def __init__(self, xml_obj=None, raw_mode=False):
        """A layer from a PDML <proto> element (lxml or ElementTree)."""
        super().__init__(xml_obj.attrib['name'])
        self.raw_mode = raw_mode
        all_fields = {}
        for field in xml_obj.findall('.//field'):
            attributes = dict(field.attrib)
            field_obj = LayerField(**attributes)
            name = attributes['name']
            if name in all_fields:
                all_fields[name].add_field(field_obj)
            else:
                all_fields[name] = LayerFieldsContainer(field_obj)
        self._all_fields = all_fields

    def get_field(self, name) -> typing.Union[LayerFieldsContainer, None]:
        """The field container of that name (full or sanitised), or None."""
        field = self._all_fields.get(name)
        if field is not None:
            return field
        sanitized = self._sanitize_field_name(name)
        for field_name, field in self._all_fields.items():
            if sanitized == self._sanitize_field_name(field_name):
                return field
        return None

    def get_field_value(self, name, raw=False) -> typing.Union[LayerFieldsContainer, None]:
        """The field (a str: show, else value, else showname), or its raw
        value with RAW; None when there is no such field."""
        field = self.get_field(name)
        if field is None:
            return None
        if raw:
            return field.raw_value
        return field

    @property
    def field_names(self) -> typing.List[str]:
        """The sanitised names of the layer's fields, in order."""
        return [self._sanitize_field_name(field_name) for field_name in self._all_fields]

    def has_field(self, name):
        """True if get_field(NAME) finds a field (full or sanitised name;
        PyShark only accepts sanitised names here)."""
        return self.get_field(name) is not None

    @property
    def layer_name(self):
        if self._layer_name == 'fake-field-wrapper':
            return base.DATA_LAYER_NAME
        return self._layer_name

    def __getattr__(self, item):
        if item in _OWN_SLOTS or item.startswith('__'):
            raise AttributeError(item)
        return self._attribute(item, self.get_field(item))

    def _attribute(self, item, val):
        """The field VAL as attribute ITEM answers (raw in raw mode)."""
        if val is None:
            raise AttributeError(f"{item} does not exist in Layer")
        return val.raw_value if self.raw_mode else val

    @property
    def _field_prefix(self) -> str:
        """Prefix of the layer's field names."""
        if self.layer_name == 'geninfo':
            return ''
        return self.layer_name + '.'

    def _sanitize_field_name(self, field_name):
        """The field name as a Python attribute: prefix removed, '.' and '-'
        made '_', lower case."""
        field_name = field_name.replace(self._field_prefix, '')
        return field_name.replace('.', '_').replace('-', '_').lower()

    def _pretty_print_layer_fields(self, file: io.IOBase):
        for field_line in self._get_all_field_lines():
            if ':' in field_line:
                field_name, field_line = field_line.split(':', 1)
                file.write(colored(field_name + ':', "green", attrs=["bold"]))
            file.write(colored(field_line, attrs=["bold"]))

    def _get_all_fields_with_alternates(self):
        all_fields = list(self._all_fields.values())
        all_fields += sum([field.alternate_fields for field in all_fields
                           if isinstance(field, LayerFieldsContainer)], [])
        return all_fields

    def _get_all_field_lines(self):
        """The lines showing the fields of the layer (names and values)."""
        for field in self._get_all_fields_with_alternates():
            yield from self._get_field_or_layer_repr(field)

    def _get_field_or_layer_repr(self, field):
        field_repr = self._get_field_repr(field)
        if field_repr:
            yield f"\t{field_repr}{os.linesep}"

    def _get_field_repr(self, field):
        if field.hide:
            return
        if field.showname:
            return field.showname
        elif field.show:
            return field.show
        elif field.raw_value:
            return f"{self._sanitize_field_name(field.name)}: {field.raw_value}"

    def get_field_by_showname(self, showname) -> typing.Union[LayerFieldsContainer, None]:
        """The field whose showname reads "SHOWNAME: ..." (the name shown in
        Wireshark's tree, e.g. 'User-Agent'), or None."""
        for field in self._get_all_fields_with_alternates():
            if field.showname_key == showname:
                return field
        return None


def _new_xml_layer():
    """An empty XmlLayer for unpickling (its slots come from __setstate__)."""
    return XmlLayer.__new__(XmlLayer)
