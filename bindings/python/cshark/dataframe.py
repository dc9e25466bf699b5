"""Typed pandas data frames of capture fields, built in C.

    import cshark
    df = cshark.read_dataframe('trace.pcapng', ['ip.src', 'tcp.len', 'frame.time'])

One row per delivered packet, one column per field, named by the field. The
engine reads only the fields asked for (the fields-of-interest fast path);
cshark._cshark.read_frame() reads without the GIL, numbers into C arrays
and text as a code per cell into a table of distinct values, and here
numpy makes the columns from them. pandas is imported in a thread of its
own meanwhile.

Column types, by the field's type (the README's "Data frames" section has
the table and how each relates to tshark -T fields' text):

    unsigned integers, FT_FRAMENUM, FT_CHAR   UInt64 (exact: never a float)
    signed integers                           Int64
    FT_BOOLEAN                                boolean (tshark prints 1/0)
    FT_NONE (a flag-like label)               boolean: True where present
    FT_FLOAT, FT_DOUBLE                       float64 (absent: NaN)
    FT_ABSOLUTE_TIME                          datetime64[ns, UTC]
    FT_RELATIVE_TIME                          timedelta64[ns]
    FT_BYTES, FT_UINT_BYTES                   bytes
    everything else (addresses, strings,      str: exactly tshark -n -T fields'
    protocols, GUIDs, OIDs, ...)              text of the occurrence

Absent fields are pd.NA (NaN in float64 columns, NaT in time columns).
occurrence='first' (tshark's -E occurrence=f), 'last' (l), an int N (the
N-th, from 1; -N the N-th from the end) or 'all' (a): with 'all' every
present cell is a list of the occurrences' values (of the types above, as
Python objects: int, bool, float, pd.Timestamp, pd.Timedelta, str, bytes),
and the columns are of dtype object.

pandas is optional for the rest of the package: these functions raise an
ImportError naming the package to install when it is missing.
"""
import itertools
import sys
import threading

from cshark import _cshark

__all__ = ['read_dataframe', 'frame_meta', 'field_kinds', 'engine_stats']

# Column kinds, as _frame.c numbers them.
UINT, INT, BOOL, PRESENT, DOUBLE, ABSTIME, RELTIME, OBJECT = range(8)

# cshark_type (include/cshark/cshark.h) -> kind.
_KIND_OF_TYPE = {
    0: PRESENT,   # CSHARK_TYPE_NONE
    1: OBJECT,    # PROTOCOL: its label, as tshark
    2: UINT,
    3: INT,
    4: BOOL,
    5: DOUBLE,
    6: OBJECT,    # STRING
    7: OBJECT,    # BYTES (bytes for FT_BYTES/FT_UINT_BYTES, text for FT_ETHER, FT_OID, ...)
    8: OBJECT,    # IPV4
    9: OBJECT,    # IPV6
    10: ABSTIME,
    11: RELTIME,
    12: OBJECT,   # OTHER: GUID, EUI64, ...
}

DTYPES = {UINT: 'UInt64', INT: 'Int64', BOOL: 'boolean', PRESENT: 'boolean',
          DOUBLE: 'float64', ABSTIME: 'datetime64[ns, UTC]', RELTIME: 'timedelta64[ns]',
          OBJECT: 'object'}

# What this process did, for tests and monitoring (a Dask worker's, through
# client.run): engine_inits stays 1 however many captures it reads.
engine_stats = {'engine_inits': 0, 'captures': 0, 'rows': 0}


def _missing(e):
    return ImportError(
        f'cshark data frames need pandas (and numpy), which cannot be imported ({e}): '
        'install python3-pandas (apt-get install python3-pandas) or pip install pandas')


def _pandas():
    if _importer is not None:
        _importer.join()
    try:
        import numpy
        import pandas
    except ImportError as e:
        raise _missing(e) from e
    return pandas, numpy


_importer = None


def _pandas_soon():
    """Start importing pandas in a thread of its own (~0.3 s), so that it
    runs beside the first read (which gives up the GIL); _pandas() waits
    for it. ImportError now if pandas or numpy cannot be found."""
    global _importer
    if _importer is not None or sys.modules.get('pandas') is not None:
        return
    import importlib.util  # here: 4 ms that `import cshark` need not pay
    for name in ('numpy', 'pandas'):
        if importlib.util.find_spec(name) is None:
            raise _missing(f"No module named '{name}'")
    # Not a daemon: an import cut short at the interpreter's exit could
    # leave it in an undefined state. Errors surface in _pandas().
    _importer = threading.Thread(target=_import_pandas, name='cshark-import-pandas')
    _importer.start()


def _import_pandas():
    try:
        import pandas  # noqa: F401
    except BaseException:  # _pandas() imports again and raises it
        pass


def _names(fields):
    if isinstance(fields, str):
        fields = [fields]
    names = list(fields)
    if not names:
        raise ValueError('fields: name at least one field')
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f'fields: {name!r} is not a field name (str)')
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f'fields: {", ".join(dup)} named twice (a column per field)')
    return names


PROTOCOL_TYPE = 1  # CSHARK_TYPE_PROTOCOL


def field_kinds(fields):
    """The column kind of each field; FieldError naming an unknown one."""
    return [_KIND_OF_TYPE.get(_cshark.field_type(name), OBJECT) for name in fields]


def _tree_fields(names, occ):
    """The fields of interest for NAMES, or None for the full tree: a
    protocol's value is its tree line, which only a full tree has (as the
    CLI's -T fields). read_frame takes frame.number, .len, .cap_len, .time
    and .time_relative from the packet's own data (but for 'all'): asking
    the engine for them would build the frame protocol's whole subtree."""
    if any(_cshark.field_type(n) == PROTOCOL_TYPE for n in names):
        return None
    return [n for n in names if occ == 0 or n not in _cshark.FRAME_META_FIELDS]


def occurrence_code(occurrence):
    """tshark's -E occurrence as read_frame's number: 1 first, -1 last, 0 all."""
    codes = {'first': 1, 'f': 1, 'last': -1, 'l': -1, 'all': 0, 'a': 0}
    if isinstance(occurrence, str) and occurrence in codes:
        return codes[occurrence]
    if isinstance(occurrence, int) and not isinstance(occurrence, bool) and occurrence != 0:
        return occurrence
    raise ValueError(f"occurrence {occurrence!r}: 'first', 'last', 'all' or a non-zero "
                     "int (the N-th, from 1; negative: from the end)")


def frame_meta(fields, occurrence='first'):
    """An empty frame with the columns and dtypes read_dataframe gives
    (Dask's meta), without reading a capture."""
    pd, _ = _pandas()
    names = _names(fields)
    kinds = field_kinds(names)
    every = occurrence_code(occurrence) == 0
    return pd.DataFrame({n: pd.Series([], dtype='object' if every else DTYPES[k])
                         for n, k in zip(names, kinds)})


def _column(pd, np, kind, col, every):
    if kind == OBJECT and not every:
        # Each distinct value once, then a cell per row by its code (0: absent).
        values, codes = col
        table = np.fromiter(itertools.chain((pd.NA,), values), dtype=object,
                            count=len(values) + 1)
        return table[np.frombuffer(codes, dtype=np.uint32)]
    if every:
        # fromiter stores each cell as it is; a slice assignment would first
        # probe every unknown object (pd.NA) for the array protocols, three
        # failed attribute lookups a cell (30 times slower).
        values = np.fromiter(col, dtype=object, count=len(col))
        if every and kind in (ABSTIME, RELTIME):
            make = ((lambda ns: pd.Timestamp(ns, unit='ns', tz='UTC')) if kind == ABSTIME
                    else (lambda ns: pd.Timedelta(ns, unit='ns')))
            for i, cell in enumerate(values):
                if isinstance(cell, list):
                    values[i] = [make(v) for v in cell]
        return values
    raw, mask_bytes = col
    mask = np.frombuffer(mask_bytes, dtype=np.bool_)
    if kind == UINT:
        return pd.arrays.IntegerArray(np.frombuffer(raw, dtype=np.uint64), mask)
    if kind == INT:
        return pd.arrays.IntegerArray(np.frombuffer(raw, dtype=np.int64), mask)
    if kind in (BOOL, PRESENT):
        return pd.arrays.BooleanArray(np.frombuffer(raw, dtype=np.uint64) != 0, mask)
    if kind == DOUBLE:
        values = np.frombuffer(raw, dtype=np.float64)  # a bytearray's: writable
        values[mask] = np.nan
        return values
    values = np.frombuffer(raw, dtype=np.int64)
    values[mask] = np.iinfo(np.int64).min  # NaT
    if kind == ABSTIME:
        return pd.arrays.DatetimeArray(values.view('M8[ns]'),
                                       dtype=pd.DatetimeTZDtype('ns', 'UTC'))
    return pd.arrays.TimedeltaArray(values.view('m8[ns]'))


def _frame(pd, np, names, kinds, occ, rows, cols):
    every = occ == 0
    data = {n: _column(pd, np, k, c, every) for n, k, c in zip(names, kinds, cols)}
    return pd.DataFrame(data, index=pd.RangeIndex(rows), copy=False)


class _Reader:
    """One frame read's parameters, checked before the capture is opened."""

    def __init__(self, fields, occurrence):
        _pandas_soon()
        self.names = _names(fields)
        self.kinds = field_kinds(self.names)
        self.occ = occurrence_code(occurrence)

    def read(self, raw, limit=0, timeout=None):
        # Lists ('all') are filled with pd.NA as they are read; other
        # columns take it at the end.
        missing = _pandas()[0].NA if self.occ == 0 else None
        rows, ended, cols = _cshark.read_frame(raw, self.names, self.kinds, self.occ, limit,
                                               timeout, missing)
        engine_stats['rows'] += rows
        pd, np = _pandas()
        return _frame(pd, np, self.names, self.kinds, self.occ, rows, cols), ended


def _stream(capture, names, occ):
    """A Stream of CAPTURE (a Capture) whose engine capture reads NAMES (as
    its fields of interest when it can), in the caller's thread."""
    from cshark._engine import Stream
    tree = _tree_fields(names, occ)

    def opener():
        saved = capture._options
        capture._options = [op for op in saved if op[0] != 'set_fields'] + (
            [('set_fields', tree)] if tree is not None else [])
        try:
            raw = capture._open_raw()
        finally:
            capture._options = saved
        try:
            raw.set_read_ahead(False)  # the frame is built in this thread
        except BaseException:
            raw.close()
            raise
        if not engine_stats['engine_inits']:
            engine_stats['engine_inits'] = 1  # the open above started the engine
        engine_stats['captures'] += 1
        return raw

    stream = Stream(opener, resumable=False, name=repr(capture))
    capture._streams.add(stream)
    return stream


def capture_frame(capture, fields, occurrence='first', packet_count=0, timeout=None):
    """Capture.to_dataframe (see there)."""
    reader = _Reader(fields, occurrence)
    capture._verify_capture_parameters()
    stream = _stream(capture, reader.names, reader.occ)
    try:
        frame, ended = stream.call(lambda raw: reader.read(raw, packet_count or 0, timeout))
    finally:
        capture._end_stream(stream)
    if ended:
        capture._eof_reached = True
    return frame


def capture_frames(capture, fields, batch_size=65536, batch_timeout=None, occurrence='first'):
    """Capture.iter_dataframes (see there)."""
    reader = _Reader(fields, occurrence)
    if batch_size is not None and batch_size < 1:
        raise ValueError('batch_size: at least 1 (or None: no limit)')
    capture._verify_capture_parameters()
    stream = _stream(capture, reader.names, reader.occ)
    try:
        while True:
            frame, ended = stream.call(
                lambda raw: reader.read(raw, batch_size or 0, batch_timeout))
            if len(frame) or not ended:
                yield frame
            if ended:
                capture._eof_reached = True
                return
    finally:
        capture._end_stream(stream)


def read_dataframe(path, fields, display_filter=None, occurrence='first', **options):
    """A pandas DataFrame of FIELDS (names) in every packet of the capture
    file PATH that passes DISPLAY_FILTER: one row per packet, one typed
    column per field (see the module's docstring). OCCURRENCE: 'first',
    'last', 'all' (lists) or an int N (the N-th, from 1). OPTIONS are
    FileCapture's: decode_as, override_prefs, decryption_key,
    encryption_type, disable_protocol, two_pass, custom_parameters (-o, -d,
    -N, -2, ...)."""
    _pandas_soon()
    from cshark.capture.file_capture import FileCapture
    with named_filter(display_filter):
        capture = FileCapture(path, display_filter=display_filter, keep_packets=False, **options)
    return capture.to_dataframe(fields, occurrence=occurrence)


class named_filter:
    """A FilterError raised inside names the filter (the engine's message
    says what is wrong, not in which filter)."""

    def __init__(self, display_filter):
        self.filter = display_filter

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        from cshark.exceptions import FilterError
        if isinstance(error, FilterError) and self.filter and self.filter not in str(error):
            raise FilterError(f'display filter {self.filter!r}: {error}') from error
        return False
