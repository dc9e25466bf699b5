"""Packet (pyshark.packet.packet): a packet's layers and frame information.

Packets read from a capture are instances of a subclass that builds layers
and fields from the engine's tree only when they are touched
(cshark._tree.TreePacket); they pickle as plain Packets.
"""
import binascii
import datetime
import os
import typing

from cshark.packet import consts
from cshark.packet.common import Pickleable
from cshark.packet.layers.base import BaseLayer

__all__ = ['Packet']


class Packet(Pickleable):
    """A packet object which contains layers.

    Layers can be accessed via index or name.
    """

    def __init__(self, layers=None, frame_info=None, number=None,
                 length=None, captured_length=None, sniff_time=None, interface_captured=None):
        """
        :param layers: A list of BaseLayer objects.
        :param frame_info: Layer object for the entire packet frame (frame length, number...).
        :param number: The packet's number (a str, as PyShark has it).
        :param length: Length of the actual packet.
        :param captured_length: The length of the packet that was actually captured.
        :param sniff_time: The time the packet was captured (epoch time stamp string).
        :param interface_captured: The interface the packet was captured on.
        """
        if layers is None:
            self.layers = []
        else:
            self.layers = layers
        self.frame_info = frame_info
        self.number = number
        self.interface_captured = interface_captured
        self.captured_length = captured_length
        self.length = length
        self.sniff_timestamp = sniff_time

    def __getitem__(self, item):
        """A layer by its index or its name (case-insensitive)."""
        if isinstance(item, int):
            return self.layers[item]
        for layer in self.layers:
            if layer.layer_name.lower() == item.lower():
                return layer
        raise KeyError('Layer does not exist in packet')

    def __contains__(self, item):
        """True if a layer of that name is in the packet."""
        try:
            self[item]
            return True
        except KeyError:
            return False

    def __dir__(self):
        return dir(type(self)) + list(self.__dict__.keys()) + [l.layer_name for l in self.layers]

    def get_raw_packet(self) -> bytes:
        """The frame's bytes (kept when a packet read from a capture is pickled)."""
        raw_bytes = self.__dict__.get('_raw_bytes')
        if raw_bytes is not None:
            return raw_bytes
        assert "FRAME_RAW" in self, "Packet contains no raw data. In order to contains it, " \
                                    "make sure that use_json and include_raw are set to True " \
                                    "in the Capture object"
        raw_packet = b''
        byte_values = [''.join(x) for x in zip(self.frame_raw.value[0::2], self.frame_raw.value[1::2])]
        for value in byte_values:
            raw_packet += binascii.unhexlify(value)
        return raw_packet

    def __len__(self):
        return int(self.length)

    def __bool__(self):
        return True

    @property
    def sniff_time(self) -> datetime.datetime:
        """The capture time as a local, naive datetime (as PyShark)."""
        if self.sniff_timestamp[-1] == 'Z':
            return datetime.datetime.fromisoformat(self.sniff_timestamp)
        try:
            timestamp = float(self.sniff_timestamp)
        except ValueError:
            # A negative fraction: keep the whole seconds (as PyShark).
            timestamp = float(self.sniff_timestamp.split(".")[0])
        return datetime.datetime.fromtimestamp(timestamp)

    def __repr__(self):
        highest = self.highest_layer
        if highest is None:
            return '<Packet>'
        transport_protocol = ''
        if self.transport_layer != highest and self.transport_layer is not None:
            transport_protocol = self.transport_layer + '/'
        return f'<{transport_protocol}{highest} Packet>'

    def __str__(self):
        s = self._packet_string
        for layer in self.layers:
            s += str(layer)
        return s

    @property
    def _packet_string(self):
        """A simple pretty string that represents the packet."""
        return f'Packet (Length: {self.length}){os.linesep}'

    def pretty_print(self):
        for layer in self.layers:
            layer.pretty_print()
    # Alias
    show = pretty_print

    def __getattr__(self, item):
        """Layers as attributes, e.g. pkt.ip (case-insensitive)."""
        if item.startswith('__') or item == 'layers':
            raise AttributeError(item)
        for layer in self.layers:
            if layer.layer_name.lower() == item.lower():
                return layer
        raise AttributeError(f"No attribute named {item}")

    @property
    def highest_layer(self) -> typing.Optional[str]:
        """The last layer's name in upper case, e.g. 'HTTP'; None for a packet
        without layers (with fields=[...], a frame whose protocols add
        themselves only when asked for)."""
        layers = self.layers
        return layers[-1].layer_name.upper() if layers else None

    @property
    def transport_layer(self) -> typing.Optional[str]:
        """'UDP' or 'TCP' (checked in that order), or None."""
        for layer in consts.TRANSPORT_LAYERS:
            if layer in self:
                return layer

    def get_multiple_layers(self, layer_name) -> typing.List[BaseLayer]:
        """Every layer of that name (case-insensitive), e.g. both VLAN tags."""
        return [layer for layer in self.layers if layer.layer_name.lower() == layer_name.lower()]

    # ---- beyond PyShark -------------------------------------------------------

    def get(self, name, default=None):
        """The first occurrence of the field NAME ('dns.qry.name') anywhere in
        the packet, as a LayerFieldsContainer (a str), or DEFAULT."""
        for layer in self.layers:
            field = layer._all_fields.get(name) if hasattr(layer, '_all_fields') else None
            if field is not None:
                return field
        return default

    def get_all(self, name) -> list:
        """Every occurrence of the field NAME in the packet, in order, as a
        list of LayerFieldsContainers (strs) of one field each."""
        from cshark.packet.fields import LayerFieldsContainer
        out = []
        for layer in self.layers:
            field = layer._all_fields.get(name) if hasattr(layer, '_all_fields') else None
            if field is not None:
                out.extend(LayerFieldsContainer(f) for f in field.all_fields)
        return out
