"""cshark: Wireshark's dissection engine in-process (placeholder while the
PyShark-compatible layer is written)."""
from . import _cshark  # noqa: F401
