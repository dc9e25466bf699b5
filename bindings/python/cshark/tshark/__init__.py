"""cshark.tshark: PyShark's pyshark.tshark, answered by the in-process engine."""
