"""cshark.capture: PyShark's pyshark.capture (the capture classes)."""
