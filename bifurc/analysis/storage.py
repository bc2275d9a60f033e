"""Saving and loading result objects: arrays in a ``.npz`` file, the rest as JSON metadata.

Every result is a frozen dataclass; :func:`save` writes its array fields as arrays and
every other field, with the bifurc version and a format number, as JSON inside the same
file, so a result can be read back (and plotted) without the call that made it.
Files are written atomically: an interrupted save leaves no partial file.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np

from ..atomic import replacing
from ..errors import InputError
from ..jsonready import plain
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
                                        PeriodicOrbit)}
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

    Raises
    ------
    InputError
        If the file is missing, not a bifurc result, or of another format version.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(f"no such file: {source}")
    try:
        with np.load(source, allow_pickle=False) as data:
            contents = {k: data[k] for k in data.files}
    except (OSError, ValueError) as error:
        raise InputError(f"{source} is not a bifurc result file ({error})") from None
    if _META not in contents:
        raise InputError(f"{source} is not a bifurc result file (no metadata)")
    meta = json.loads(str(contents.pop(_META)))
    if meta.get("format") != FORMAT:
        raise InputError(
            f"{source} has result format {meta.get('format')} (written by bifurc {meta.get('version')}); "
            f"this bifurc reads format {FORMAT}"
        )
    cls = _TYPES.get(meta["type"])
    if cls is None:
        raise InputError(f"{source} holds an unknown result type {meta['type']!r}")
    values: dict[str, object] = dict(meta["fields"])
    for name, count in meta["lists"].items():
        values[name] = [contents.pop(f"{name}__{i}") for i in range(count)]
    values.update(contents)
    for f in dataclasses.fields(cls):  # JSON has no tuples
        if isinstance(values.get(f.name), list) and f.type in ("tuple", tuple):
            values[f.name] = tuple(values[f.name])
    return cls(**values)
