"""Constants of pyshark.packet.consts."""

# Checked in this order by Packet.transport_layer (UDP before TCP, as PyShark).
TRANSPORT_LAYERS = ['UDP', 'TCP']
