"""Packets and layers backed by the engine's protocol tree.

TreePacket and TreeLayer are the Packet and XmlLayer a capture returns. They
keep the engine's packet (cshark._cshark.Packet, valid as long as
referenced) and build Python objects only when asked:

- the layer list is the names of the top-level tree items; `'ip' in pkt`
  compares names, `pkt.ip` makes one layer object;
- `pkt.ip.src` finds the field through the engine's index by full name
  ('ip.src'), checks that the occurrences are inside this layer, and builds
  one LayerFieldsContainer; the whole layer is flattened (PyShark's
  `_all_fields`) only when the answer depends on fields not found that way;
- they pickle (and copy) as plain Packet / XmlLayer objects holding every
  field;
- a layer or field attribute name, once answered by __getattr__, becomes a
  class attribute (_cshark.Attr, a descriptor calling the same lookup), so
  later lookups skip the failed attribute search and its AttributeError.

PyShark's lookup of an attribute name goes: the exact field name, else the
first field in the layer whose sanitised name equals the sanitised
attribute. An exact name found in the layer is the answer. Otherwise the
direct path computes, once per layer name and attribute, the registered
field names with that sanitised form (the attribute with each '.', '_' or
'-' read as any of them, with and without the layer prefix); when there is
exactly one and it occurs in the layer, it is PyShark's answer, provided no
other field name could have the same sanitised form without being found
that way: names with capitals or with the layer prefix inside them. Those
are learned per protocol from its flattened layers (see _learned), and the
first lookup in a layer of a protocol not seen yet flattens it. Anything
else flattens the layer's names and applies PyShark's rule as is.
"""
import itertools
import re
from collections import namedtuple

from cshark import _cshark
from cshark.exceptions import CsharkError
from cshark.packet.fields import LayerField, LayerFieldsContainer, _from_items
from cshark.packet.layers.xml_layer import XmlLayer, _new_xml_layer
from cshark.packet.packet import Packet

__all__ = ['TreePacket', 'TreeLayer', 'Endpoints']

Endpoints = namedtuple('Endpoints', 'network src dst transport src_port dst_port stream')
Endpoints.__doc__ = """Who talks to whom in a packet, from the headers that carry its
transport (a VXLAN or tunnel's inner headers; an ICMP error's own, not those it
quotes): network 'ip'/'ipv6', transport 'tcp', 'udp', 'sctp', 'dccp', 'icmp' or
'icmpv6', ports (None for ICMP) and stream the tcp.stream/udp.stream index
(cap.follow takes it); None where the packet has none."""

_PROTOCOL = 1          # cshark_type CSHARK_TYPE_PROTOCOL
_UNKNOWN = -1
_MAX_SEPARATORS = 5    # 3**5 spellings per attribute at most

_field_types = {}      # field name -> cshark_type, or _UNKNOWN
_candidates = {}       # (prefix, attribute) -> [registered names] or None
_SEPARATOR = re.compile(r'[._-]')


def _field_type(name):
    t = _field_types.get(name)
    if t is None:
        try:
            t = _cshark.field_type(name) if name else _UNKNOWN
        except CsharkError:
            t = _UNKNOWN
        _field_types[name] = t
    return t


def _sanitize(prefix, name):
    """XmlLayer._sanitize_field_name for a layer whose prefix is PREFIX."""
    return name.replace(prefix, '').replace('.', '_').replace('-', '_').lower()


def _names_for(prefix, attribute):
    """The registered field names that sanitise like ATTRIBUTE in a layer
    with field prefix PREFIX (None: too many spellings to try)."""
    key = (prefix, attribute)
    found = _candidates.get(key, False)
    if found is not False:
        return found
    target = _sanitize(prefix, attribute)
    found = []
    seen = set()
    for base in (attribute.replace(prefix, ''), target):
        parts = _SEPARATOR.split(base)
        if len(parts) - 1 > _MAX_SEPARATORS:
            found = None
            break
        for seps in itertools.product('._-', repeat=len(parts) - 1):
            spelled = parts[0] + ''.join(s + p for s, p in zip(seps, parts[1:]))
            for name in (spelled, prefix + spelled) if prefix else (spelled,):
                if name in seen:
                    continue
                seen.add(name)
                if _sanitize(prefix, name) == target and _field_type(name) != _UNKNOWN:
                    found.append(name)
    _candidates[key] = found
    return found


_plans = {}  # (prefix, attribute) -> (registered?, the one name it may stand for)

# What the direct path has learned of each protocol (layer name): the
# sanitised names that field names _names_for() cannot find took in its
# layers flattened so far (names with capitals, as in ASN.1 dissectors where
# 'x.Foo' and 'x.foo' may both exist, or with the layer prefix inside, as
# 'mptcp.ack' in a tcp layer). The direct path answers for a protocol only
# once one of its layers has been flattened (the first lookup in a layer of
# a new protocol flattens it), and never for those sanitised names.
_learned = {}


def _enumerable(prefix, name):
    return name == name.lower() and prefix not in name[1:]


def _plan(prefix, attribute):
    """How to look ATTRIBUTE up directly: whether it is a registered name
    itself, the single registered name with its sanitised form (or None
    when there are several, none, or too many spellings), and that form."""
    plan = _plans.get((prefix, attribute))
    if plan is None:
        names = _names_for(prefix, attribute)
        single = names[0] if names is not None and len(names) == 1 else None
        plan = _plans[(prefix, attribute)] = (_field_type(attribute) != _UNKNOWN, single,
                                              _sanitize(prefix, attribute))
    return plan


def _install(cls, name, fn):
    """Make NAME a class attribute of CLS answered by FN(instance, NAME),
    unless the class already has that attribute (which then wins, as it
    does over __getattr__). Attr has no __set__: an instance's own
    __dict__ still comes first."""
    if name[:1] not in ('_', '') and not hasattr(cls, name):
        setattr(cls, name, _cshark.Attr(fn, name))


def _class_dir(cls):
    """dir(CLS) without the names _install() added."""
    return [n for n in dir(cls) if not isinstance(getattr(cls, n, None), _cshark.Attr)]


_base_all_fields = XmlLayer._all_fields  # the slot of plain XmlLayers
_MISSING = object()
_TREE_SLOTS = frozenset(('_item', '_raw', '_index', '_by_name', '_lookups', '_prefix', '_flat',
                         '_all_fields', '_layer_name'))


class TreeLayer(XmlLayer):
    """An XmlLayer read from the engine's tree on demand."""
    __slots__ = ['_item', '_raw', '_index', '_by_name', '_lookups', '_prefix', '_flat']

    @classmethod
    def _new(cls, item, name, raw):
        layer = object.__new__(cls)
        layer._layer_name = name
        layer.raw_mode = False
        layer._item = item        # the top-level tree item
        layer._raw = raw          # the engine's packet
        layer._index = None       # field name -> [items], in PDML order
        layer._by_name = {}       # field name -> LayerFieldsContainer
        layer._lookups = {}       # attribute -> LayerFieldsContainer or None
        layer._prefix = 'DATA.' if name == 'fake-field-wrapper' else name + '.'
        layer._flat = False       # _all_fields built (then PyShark's code answers)
        return layer

    def __getattr__(self, item):
        # '' is a name too: the text-only items of the layer, as in PyShark.
        if item[:1] == '_' and (item in _TREE_SLOTS or item.startswith('__')):
            raise AttributeError(item)
        val = self._field_attr(item)
        _install(TreeLayer, item, TreeLayer._field_attr)
        return val

    def _field_attr(self, item):
        """The field ITEM as an attribute (AttributeError when absent)."""
        if self._flat:
            val = XmlLayer.get_field(self, item)
        else:
            val = self._lookups.get(item, _MISSING)
            if val is _MISSING:
                val = self._lookups[item] = self._lookup(item)
        return self._attribute(item, val)

    # -- PyShark's _all_fields, built on first use --------------------------------

    @property
    def _all_fields(self):
        if self._flat:
            return _base_all_fields.__get__(self)
        index = self._index if self._index is not None else self._build_index()
        by_name = self._by_name
        fields = {}
        for name, items in index.items():
            container = by_name.get(name)
            if container is None:
                container = by_name[name] = _from_items(items)
            fields[name] = container
        _base_all_fields.__set__(self, fields)
        self._flat = True
        return fields

    @_all_fields.setter
    def _all_fields(self, value):
        _base_all_fields.__set__(self, value)
        self._flat = True

    def _build_index(self):
        """Every PDML <field> under the layer (not nested <proto> elements,
        but their fields), grouped by name, in document order."""
        index = {}
        stack = self._item.children()
        stack.reverse()
        while stack:
            item = stack.pop()
            if item.kind != 'proto':
                name = item.name
                items = index.get(name)
                if items is None:
                    index[name] = [item]
                else:
                    items.append(item)
            if item.nchildren:
                children = item.children()
                children.reverse()
                stack.extend(children)
        self._index = index
        unsafe = _learned.get(self._layer_name)
        if unsafe is None:
            unsafe = _learned[self._layer_name] = set()
        prefix = self._prefix
        for name in index:
            if name and not _enumerable(prefix, name):
                unsafe.add(_sanitize(prefix, name))
        return index

    def _container(self, name):
        """The container of field NAME's occurrences inside this layer (not
        the layer itself), or None when there are none."""
        container = self._by_name.get(name)
        if container is None:
            try:
                container = _cshark.layer_container(self._raw, self._item, name,
                                                    _field_types.get(name) == _PROTOCOL)
            except CsharkError:  # a field registered only for another capture
                return None
            if container is not None:
                self._by_name[name] = container
        return container

    def _container_of(self, name, items):
        container = self._by_name.get(name)
        if container is None:
            container = self._by_name[name] = _from_items(items)
        return container

    def get_field(self, name):
        """The field container of that name (full or sanitised), or None."""
        if self._flat:
            return XmlLayer.get_field(self, name)
        lookups = self._lookups
        if name in lookups:
            return lookups[name]
        found = self._lookup(name)
        lookups[name] = found
        return found

    def _lookup(self, name):
        index = self._index
        if index is None:
            container = self._by_name.get(name)
            if container is not None:
                return container
            exact, single, sanitized = _plan(self._prefix, name)
            if exact:
                container = self._container(name)
                if container is not None:
                    return container
            if single is not None:
                unsafe = _learned.get(self._layer_name)
                if unsafe is not None and sanitized not in unsafe:
                    container = self._container(single)
                    if container is not None:
                        return container
            index = self._build_index()
        # PyShark's rule over the layer's names.
        items = index.get(name)
        if items is not None:
            return self._container_of(name, items)
        prefix = self._prefix
        sanitized = _sanitize(prefix, name)
        for field_name, items in index.items():
            if _sanitize(prefix, field_name) == sanitized:
                return self._container_of(field_name, items)
        return None

    def __dir__(self):
        return _class_dir(type(self)) + self.field_names

    @property
    def field_names(self):
        index = self._index if self._index is not None else self._build_index()
        prefix = self._prefix
        return [_sanitize(prefix, name) for name in index]

    # -- beyond PyShark -------------------------------------------------------------

    def get_tree(self):
        """The layer's top-level tree items as LayerFields (each with its
        .children): the hierarchy PyShark flattens."""
        return [LayerField._from_item(i) for i in self._item.children()]

    def __reduce__(self):
        return (_new_xml_layer, (), {'_layer_name': self._layer_name, 'raw_mode': self.raw_mode,
                                     '_all_fields': self._all_fields})

    def __copy__(self):
        return _plain_layer(self)

    def __deepcopy__(self, memo):
        import copy
        return copy.deepcopy(_plain_layer(self), memo)


def _plain_layer(layer):
    plain = _new_xml_layer()
    plain._layer_name = layer._layer_name
    plain.raw_mode = layer.raw_mode
    plain._all_fields = dict(layer._all_fields)
    return plain


def _info_field(name, showname, number, caplen):
    return LayerFieldsContainer(LayerField(name=name, pos='0', show=str(number), showname=showname,
                                           value=format(number, 'x'), size=str(caplen)))


class TreePacket(Packet):
    """A Packet read from a capture; layers and fields are built on demand."""
    __slots__ = ['_raw', '_items', '_names', '_objs', '_frame', '_info', '_layer_list']

    def __init__(self, raw):
        self._raw = raw
        self._names = None     # lower-case layer names ('data' for fake-field-wrapper)
        self._items = None
        self._objs = None
        self._frame = None
        self._info = None      # number, length, captured_length containers
        self._layer_list = None

    def _top(self):
        # Names first: the tree items of the layers are made when used.
        names, self._items, self._frame = self._raw.pyshark_layers()
        self._objs = [None] * len(names)
        self._names = names
        return names

    def _layer(self, index):
        obj = self._objs[index]
        if obj is None:
            item = self._raw.layer(self._items[index])
            obj = self._objs[index] = TreeLayer._new(item, item.name, self._raw)
        return obj

    # -- PyShark's attributes -------------------------------------------------------

    @property
    def layers(self):
        if self._layer_list is None:
            if self._names is None:
                self._top()
            self._layer_list = [self._layer(i) for i in range(len(self._items))]
        return self._layer_list

    @layers.setter
    def layers(self, value):
        self._layer_list = value
        self._names = None if value is None else [l.layer_name.lower() for l in value]
        self._items = None

    @property
    def frame_info(self):
        if self._names is None:
            self._top()
        frame = self._frame
        if frame is None or isinstance(frame, XmlLayer):
            return frame
        self._frame = TreeLayer._new(self._raw.layer(frame), 'frame', self._raw)
        return self._frame

    def endpoints(self):
        """The packet's Endpoints, or None when it has neither a network nor
        a transport layer (ARP) (beyond PyShark)."""
        found = self._raw.endpoints()
        return Endpoints(*found) if found is not None else None

    @frame_info.setter
    def frame_info(self, value):
        if self._names is None:
            self._top()
        self._frame = value

    def _info_fields(self):
        info = self._info
        if info is None:
            raw = self._raw
            caplen = raw.captured_length
            info = self._info = {
                'number': _info_field('num', 'Number', raw.number, caplen),
                'length': _info_field('len', 'Frame Length', raw.length, caplen),
                'captured_length': _info_field('caplen', 'Captured Length', caplen, caplen),
                'sniff_timestamp': raw.timestamp,
                'interface_captured': raw.interface_name,
            }
        return info

    number = property(lambda self: self._info_fields()['number'],
                      lambda self, v: self._info_fields().__setitem__('number', v),
                      doc="The frame number, a str as PyShark ('1').")
    length = property(lambda self: self._info_fields()['length'],
                      lambda self, v: self._info_fields().__setitem__('length', v),
                      doc="The length on the wire, a str as PyShark.")
    captured_length = property(lambda self: self._info_fields()['captured_length'],
                               lambda self, v: self._info_fields().__setitem__('captured_length', v),
                               doc="The captured length, a str as PyShark.")
    sniff_timestamp = property(lambda self: self._info_fields()['sniff_timestamp'],
                               lambda self, v: self._info_fields().__setitem__('sniff_timestamp', v),
                               doc="The capture time as PDML's epoch string, '1295981838.356677000'.")
    interface_captured = property(
        lambda self: self._info_fields()['interface_captured'],
        lambda self, v: self._info_fields().__setitem__('interface_captured', v),
        doc="The name of the interface the packet was captured on, or None (PyShark: always None).")

    def __len__(self):
        return self._raw.length

    def __getitem__(self, item):
        if self._layer_list is not None:
            return Packet.__getitem__(self, item)
        names = self._names if self._names is not None else self._top()
        if isinstance(item, int):
            return self._layer(item)
        key = item.lower()
        if key in names:
            return self._layer(names.index(key))
        raise KeyError('Layer does not exist in packet')

    def __contains__(self, item):
        names = self._names
        if names is None:
            names = self._top()
        if isinstance(item, str) and self._layer_list is None:
            return item.lower() in names
        return Packet.__contains__(self, item)

    def __getattr__(self, item):
        if item.startswith('__'):
            raise AttributeError(item)
        layer = self._layer_attr(item)
        _install(TreePacket, item, TreePacket._layer_attr)
        return layer

    def _layer_attr(self, item):
        """The layer ITEM (case-insensitive) as an attribute."""
        names = self._names
        if names is None:
            names = self._top()
        if self._layer_list is None:
            key = item.lower()
            if key in names:
                return self._layer(names.index(key))
        else:
            for layer in self._layer_list:
                if layer.layer_name.lower() == item.lower():
                    return layer
        raise AttributeError(f"No attribute named {item}")

    def __dir__(self):
        # PyShark's: the layers' layer_name, so 'DATA' for PDML's wrapper.
        return _class_dir(type(self)) + list(self.__dict__.keys()) + \
            [layer.layer_name for layer in self.layers]

    @property
    def highest_layer(self):
        if self._layer_list is not None:
            return Packet.highest_layer.fget(self)
        names = self._names if self._names is not None else self._top()
        return names[-1].upper() if names else None

    @property
    def transport_layer(self):
        names = self._names if self._names is not None else self._top()
        if self._layer_list is None:
            if 'udp' in names:
                return 'UDP'
            if 'tcp' in names:
                return 'TCP'
            return None
        return Packet.transport_layer.fget(self)

    def get_raw_packet(self) -> bytes:
        """The frame's bytes (PyShark needs use_json and include_raw)."""
        return self._raw.raw

    # -- beyond PyShark --------------------------------------------------------------

    def get(self, name, default=None):
        """The first occurrence of field NAME ('dns.qry.name') in the packet,
        as a LayerFieldsContainer (a str), or DEFAULT when absent; FieldError
        when Wireshark has no such field."""
        item = self._raw.field(name)
        if item is None:
            return default
        return LayerFieldsContainer(LayerField._from_item(item))

    def get_all(self, name):
        """Every occurrence of field NAME in the packet, in tree order, as
        LayerFieldsContainers (strs); [] when absent."""
        return [LayerFieldsContainer(LayerField._from_item(i)) for i in self._raw.fields(name)]

    @property
    def interface_id(self):
        """The capture interface's index (pcapng, live), or None."""
        return self._raw.interface_id

    @property
    def sniff_time_ns(self):
        """The capture time as (seconds, nanoseconds) since the epoch."""
        return self._raw.time

    def __reduce__(self):
        state = {
            'layers': [_plain_layer(l) for l in self.layers],
            'frame_info': None if self.frame_info is None else _plain_layer(self.frame_info),
            'number': self.number,
            'interface_captured': self.interface_captured,
            'captured_length': self.captured_length,
            'length': self.length,
            'sniff_timestamp': self.sniff_timestamp,
            '_raw_bytes': self._raw.raw,
        }
        return (_new_packet, (), state)

    def __copy__(self):
        packet = _new_packet()
        packet.__setstate__(self.__reduce__()[2])
        return packet

    def __deepcopy__(self, memo):
        import copy
        return copy.deepcopy(self.__copy__(), memo)


def _new_packet():
    """An empty Packet for unpickling (its attributes come from __setstate__)."""
    return Packet.__new__(Packet)
