"""Captures as a Dask DataFrame: one partition per capture file.

    import cshark.dask
    ddf = cshark.dask.read_pcaps('/data/ring/*.pcapng', ['ip.src', 'frame.len'])
    ddf.groupby('ip.src')['frame.len'].sum().compute()

Each partition is cshark.read_dataframe() of one file, computed on the
active scheduler: the local one, or a dask.distributed cluster, whose worker
processes each start the engine once (~0.45 s) and reuse it for every file
they read. The columns and their dtypes (meta) come from the field types,
without reading a file. A file is one partition however large: split a
huge capture first (editcap -c N, or -b at capture time).
"""
import functools
import glob
import os

from cshark import dataframe as _df

__all__ = ['read_pcaps']

_MAGIC = set('*?[')


def _paths(paths_or_glob):
    """The capture files named: a path, a glob, or a list of either; each
    glob sorted. FileNotFoundError naming a pattern that matches nothing or
    a file that is not there."""
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(
        paths_or_glob)
    if not items:
        raise ValueError('read_pcaps: no capture file given')
    out = []
    for item in items:
        item = os.fspath(item)
        if _MAGIC & set(item):
            found = sorted(p for p in glob.glob(item) if not os.path.isdir(p))
            if not found:
                raise FileNotFoundError(f'read_pcaps: no capture file matches {item!r}')
            out += found
        elif not os.path.exists(item):
            raise FileNotFoundError(f'read_pcaps: no such capture file: {item}')
        elif os.path.isdir(item):
            raise IsADirectoryError(f'read_pcaps: {item} is a directory (give a glob: '
                                    f'{os.path.join(item, "*.pcap*")})')
        else:
            out.append(item)
    return out


def _read_part(path, fields, display_filter, occurrence, options):
    # Looked up at each call (module attribute), so that a worker can be
    # instrumented (tests).
    return _df.read_dataframe(path, fields, display_filter=display_filter,
                              occurrence=occurrence, **options)


def read_pcaps(paths_or_glob, fields, display_filter=None, occurrence='first', **options):
    """A dask.dataframe.DataFrame of FIELDS in the capture files
    PATHS_OR_GLOB (a path, a glob or a list of them), a partition per file
    in order, each cshark.read_dataframe(path, fields, display_filter,
    occurrence, **options) (FileCapture's options). Checked now, in this
    process: the files exist (on a cluster, give paths valid on the workers
    too: shared storage), the fields are known, the filter and options are
    valid. Each partition's index counts its own rows from 0."""
    import dask
    from dask.dataframe.core import new_dd_object
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
    from cshark import check_filter
    from cshark.capture.capture import Capture

    paths = _paths(paths_or_glob)
    names = _df._names(fields)
    meta = _df.frame_meta(names, occurrence)  # FieldError naming an unknown field
    with _df.named_filter(display_filter):
        if display_filter:
            check_filter(display_filter)
        Capture(display_filter=display_filter, **options)  # the options' own checks
    token = dask.base.tokenize(paths, names, display_filter, occurrence, options)
    read = functools.partial(_read_part, fields=names, display_filter=display_filter,
                             occurrence=occurrence, options=options)
    # Each file's task is named by its path, so that a failure (a worker
    # killed while it read) names the file; the partitions refer to them.
    # (A graph by hand: dask's from_map/from_delayed name tasks by
    # partition number, and a collection per file costs 20 ms each.)
    reads, name = f'cshark-read-pcap-{token}', f'cshark-pcaps-{token}'
    keys = [f'{reads} {p} #{i}' for i, p in enumerate(paths)]
    graph = HighLevelGraph(
        {reads: MaterializedLayer({k: (read, p) for k, p in zip(keys, paths)}),
         name: MaterializedLayer({(name, i): k for i, k in enumerate(keys)})},
        {reads: set(), name: {reads}})
    return new_dd_object(graph, name, meta, [None] * (len(paths) + 1))
