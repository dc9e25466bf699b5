"""cshark.packet.layers: PyShark's layer classes."""
