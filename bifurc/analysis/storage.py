"""Saving and loading result objects: arrays in a ``.npz`` file, the rest as JSON metadata.

Every result is a frozen dataclass; :func:`save` writes its array fields as arrays and
every other field, with the bifurc version and a format number, as JSON inside the same
file, so a result can be read back (and plotted) without the call that made it.
Files are written atomically: an interrupted save leaves no partial file.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..atomic import replacing
from ..backends.recording import Recording
from ..errors import InputError
from ..jsonready import plain
from .arguments import affordable, nonnegative_int
from .basins import Basins
from .cascade import Cascade
from .lyapunov import LyapunovSweep
from .orbits import OrbitDiagram
from .periods import PeriodicOrbit
from .planes import ParameterPlane

__all__ = ["save", "load", "FORMAT"]

#: Version of the file layout; files of another format are refused.
FORMAT = 1
_TYPES = {cls.__name__: cls for cls in (OrbitDiagram, LyapunovSweep, Cascade, Basins, ParameterPlane,
                                        PeriodicOrbit, Recording)}
_META = "__bifurc__"


def save(result: object, path: str | os.PathLike) -> Path:
    """Write a result object to ``path`` (``.npz`` is appended if missing).

    Parameters
    ----------
    result
        An :class:`~bifurc.OrbitDiagram`, :class:`~bifurc.LyapunovSweep`,
        :class:`~bifurc.Cascade`, :class:`~bifurc.Basins`, :class:`~bifurc.ParameterPlane`
        or :class:`~bifurc.PeriodicOrbit`.
    path
        Target file.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import bifurc
    >>> d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", [2.9, 3.3], 0.3, transient=100, keep=4)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = bifurc.save(d, Path(folder) / "diagram")
    ...     back = bifurc.load(path)
    >>> path.name, np.array_equal(back.points, d.points), back.values.tolist()
    ('diagram.npz', True, [2.9, 3.3])
    """
    from .. import __version__

    name = type(result).__name__
    if name not in _TYPES or not dataclasses.is_dataclass(result):
        raise InputError(f"cannot save a {name}; savable results: {', '.join(_TYPES)}")
    target = Path(path)
    if target.suffix != ".npz":
        target = target.with_name(target.name + ".npz")
    arrays: dict[str, np.ndarray] = {}
    fields: dict[str, object] = {}
    lists: dict[str, int] = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, np.ndarray):
            arrays[f.name] = value
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            lists[f.name] = len(value)
            arrays.update({f"{f.name}__{i}": v for i, v in enumerate(value)})
        else:
            fields[f.name] = plain(value)
    meta = {"format": FORMAT, "type": name, "version": __version__, "fields": fields, "lists": lists}
    arrays[_META] = np.array(json.dumps(meta))
    with replacing(target) as handle:
        np.savez_compressed(handle, **arrays)
    return target


def load(path: str | os.PathLike) -> object:
    """Read a result written by :func:`save`.

    The file is checked before anything large is read: each array's size as its header
    states it must match what the archive holds and fit in memory, and every field must be
    present and of its type. Arrays are read without unpickling.

    Raises
    ------
    InputError
        If the file is missing, empty, truncated or damaged, not a bifurc result, of another
        format version, or holds fields that are missing, unknown or of the wrong type.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import bifurc
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     c = bifurc.cascade(bifurc.maps.logistic, "r", 2.8, 3.47, 0.3, count=2)
    ...     back = bifurc.load(bifurc.save(c, Path(folder) / "cascade.npz"))
    ...     _ = (Path(folder) / "junk.npz").write_bytes(b"not a result")
    ...     try:
    ...         bifurc.load(Path(folder) / "junk.npz")
    ...     except bifurc.InputError:
    ...         print("refused")
    refused
    >>> type(back).__name__, np.array_equal(back.points, c.points)
    ('Cascade', True)
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(f"no such file: {source}")
    if source.stat().st_size == 0:
        raise InputError(f"{source} is empty, not a bifurc result file")
    try:
        with zipfile.ZipFile(source) as archive:
            contents = _read_arrays(archive, source)
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise InputError(f"{source} is not a bifurc result file, or is damaged ({error})") from None
    except RuntimeError as error:  # zipfile's word for an entry flagged as encrypted
        raise InputError(f"{source} is not a bifurc result file, or is damaged ({error})") from None
    if _META not in contents:
        raise InputError(f"{source} is not a bifurc result file (no metadata)")
    meta = _metadata(contents.pop(_META), source)
    cls = _TYPES[meta["type"]]
    values: dict[str, object] = dict(meta["fields"])
    for name, count in meta["lists"].items():
        try:
            values[name] = [contents.pop(f"{name}__{i}") for i in range(count)]
        except KeyError:
            raise InputError(f"{source}: the list {name!r} misses some of its {count} arrays") from None
    clash = sorted(set(values) & set(contents))
    if clash:
        raise InputError(f"{source}: fields stored twice: {', '.join(clash)}")
    values.update(contents)
    return cls(**_checked_fields(cls, values, source))


#: The types a field of a result may have, by its annotation (JSON has no tuples).
_FIELD_TYPES = {"str": str, "int": int, "float": (int, float), "dict": dict, "tuple": list, "list": list,
                "np.ndarray": np.ndarray}


def _read_arrays(archive: zipfile.ZipFile, source: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive, their sizes checked from the headers before any is read."""
    members = [info for info in archive.infolist() if info.filename.endswith(".npy")]
    if len(members) != len(archive.infolist()):
        raise InputError(f"{source} is not a bifurc result file (it holds other files than arrays)")
    headers = {}
    for info in members:
        with archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            shape, _, dtype = (np.lib.format.read_array_header_1_0(handle) if version == (1, 0)
                               else np.lib.format.read_array_header_2_0(handle))
            start = handle.tell()
        if dtype.hasobject:
            raise InputError(f"{source}: the array {info.filename!r} holds Python objects (not read)")
        size = math.prod(shape) * dtype.itemsize
        if start + size != info.file_size:
            raise InputError(f"{source} is damaged: the array {info.filename!r} claims {math.prod(shape):,} "
                             f"values ({size:,} bytes) but holds {info.file_size - start:,} bytes")
        headers[info.filename] = size
    affordable((sum(headers.values()),), f"reading {source}", itemsize=1)
    arrays = {}
    for info in members:
        with archive.open(info) as handle:
            arrays[info.filename[:-4]] = np.lib.format.read_array(handle, allow_pickle=False)
    return arrays


def _metadata(stored: np.ndarray, source: Path) -> dict:
    """The JSON metadata of a result file, checked."""
    try:
        meta = json.loads(str(stored)) if stored.dtype.kind == "U" and stored.ndim == 0 else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise InputError(f"{source} is not a bifurc result file (its metadata is not a JSON object)")
    if meta.get("format") != FORMAT:
        raise InputError(
            f"{source} has result format {meta.get('format')} (written by bifurc {meta.get('version')}); "
            f"this bifurc reads format {FORMAT}"
        )
    if not isinstance(meta.get("type"), str) or meta["type"] not in _TYPES:
        raise InputError(f"{source} holds an unknown result type {meta.get('type')!r}")
    lists = meta.get("lists")
    counts = lists.values() if isinstance(lists, dict) else [None]
    if not isinstance(meta.get("fields"), dict) or not all(type(n) is int and n >= 0 for n in counts):
        raise InputError(f"{source}: damaged metadata (fields or lists)")
    return meta


def _checked_fields(cls: type, values: dict[str, object], source: Path) -> dict[str, object]:
    """``values`` as the keyword arguments of ``cls``: every field present, none unknown, each of its type."""
    fields = {f.name: f.type for f in dataclasses.fields(cls)}
    unknown, missing = sorted(set(values) - set(fields)), sorted(set(fields) - set(values))
    if unknown or missing:
        raise InputError(f"{source}: a {cls.__name__} with fields missing ({', '.join(missing) or 'none'}) "
                         f"or unknown ({', '.join(unknown) or 'none'})")
    checked = {}
    for name, annotation in fields.items():
        value, kind = values[name], _FIELD_TYPES[annotation]
        wrong = not isinstance(value, kind) or isinstance(value, bool) and annotation != "np.ndarray"
        if isinstance(value, np.ndarray) and value.dtype.kind not in "biufc":
            wrong = True  # numbers and flags only; strings are stored in the metadata
        if annotation == "list" and not all(isinstance(v, np.ndarray) and v.dtype.kind in "biufc"
                                            for v in value):
            wrong = True
        if wrong:
            raise InputError(f"{source}: the field {name!r} of a {cls.__name__} should be {annotation}, "
                             f"got {type(value).__name__}")
        if annotation == "int":  # steps, periods, digits: never negative, within the limits on counts
            nonnegative_int(value, f"{source}: the field {name!r}")
        checked[name] = tuple(value) if annotation == "tuple" else value
    return checked
