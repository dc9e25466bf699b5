"""cshark.packet: PyShark's pyshark.packet (packets, layers, fields)."""
