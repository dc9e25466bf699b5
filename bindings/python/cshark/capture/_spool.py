"""Temporary capture files for sources the engine cannot open by path
(bytes in memory, pipes): the C API reads files by name, with random access."""
import os
import struct
import tempfile

PCAP_MAGIC = 0xa1b2c3d4  # microsecond pcap, native byte order (as PyShark writes)
SNAPLEN = 262144


def pcap_header(linktype):
    return struct.pack('=IHHiIII', PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, linktype)


def pcap_record(data, seconds, microseconds):
    return struct.pack('=IIII', seconds, microseconds, len(data), len(data)) + data


def new_file(suffix):
    """A new temporary file: (binary file object, path)."""
    fd, path = tempfile.mkstemp(prefix='cshark-', suffix=suffix)
    return os.fdopen(fd, 'wb'), path


def remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass
