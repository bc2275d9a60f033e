"""A finished (or partial) sweep, read back from its store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from .store import KEY, SweepStore
from .tiles import PRIMARY

__all__ = ["SweepResult", "read_sweep"]


@dataclass(frozen=True)
class SweepResult:
    """A sweep's values over its grid, as stored; ``values[i, j]`` belongs to (xs[j], ys[i]).

    Attributes
    ----------
    path : pathlib.Path
        The store.
    map_name, quantity : str
        The map and what was computed (see :data:`bifurc.sweep.QUANTITIES`).
    axes : tuple of str
        The x and y axes' names (state variables or parameters).
    xs, ys : numpy.ndarray
        The grids.
    values : zarr.Array
        The result, read on indexing (``values[:]`` for all, ``values[::8, ::8]`` for a
        preview): attractor label (-1 escaped, -2 unresolved), period (-1 escaped, 0 none),
        largest Lyapunov exponent (NaN escaped), escape step (0 none within ``n``), or the
        observable at the final state (NaN escaped). Cells not computed yet are -3 or NaN.
    period : zarr.Array or None
        The period of each cell, for ``attractor`` and ``observable``.
    attractors : list of numpy.ndarray
        For ``attractor``: label i's cycle, shape (period, dim), canonical point first.
    attractor_cells : list of tuple of int
        For ``attractor``: the cell (i, j) where label i first appears (its parameters are
        the cycle's).
    escaped : int
        Orbits that escaped, in the tiles done.
    complete : bool
        Every tile is done (and, for ``attractor``, the labels are merged).
    definition : dict
        Everything the values depend on (map formulas, fixed values, settings, version).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc.sweep import sweep
    >>> m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    >>> with tempfile.TemporaryDirectory() as folder:  # values are read from the store: read them inside
    ...     s = sweep(m, Path(folder) / "store", "x", [-0.5, 0.5], "y", [0.0], progress=False)
    ...     labels = s.values[:]
    >>> s.quantity, labels.tolist()  # two attractors: the stable fixed points (-+1, 0)
    ('attractor', [[0, 1]])
    >>> np.vstack(s.attractors).round(12) + 0.0
    array([[-1.,  0.],
           [ 1.,  0.]])
    """

    path: Path
    map_name: str
    quantity: str
    axes: tuple
    xs: np.ndarray
    ys: np.ndarray
    values: object
    period: object
    attractors: list = field(default_factory=list)
    attractor_cells: list = field(default_factory=list)
    escaped: int = 0
    complete: bool = False
    definition: dict = field(default_factory=dict)


def read_sweep(path: str | os.PathLike) -> SweepResult:
    """Open the sweep stored at ``path`` (values are read lazily).

    Raises
    ------
    ValueError
        If there is no bifurc sweep store at ``path``, or it is damaged (metadata, grids,
        or chunks of tiles marked done missing); a chunk that cannot be decoded is found
        only when read.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc.sweep import read_sweep, sweep
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = Path(folder) / "store"
    ...     _ = sweep(bifurc.maps.logistic, store, "r", [2.5, 3.2], "x", [0.3], "lyapunov", progress=False)
    ...     exponents = read_sweep(store).values[:]
    >>> r = np.array([2.5, 3.2])  # ln |2 - r| at the fixed point, ln |4 + 2r - r^2| / 2 on the 2-cycle
    >>> np.allclose(exponents[0], [np.log(abs(2 - r[0])), np.log(abs(4 + 2 * r[1] - r[1] ** 2)) / 2])
    True
    """
    store = SweepStore.read(path)
    group = store.group
    try:
        definition = dict(group.attrs[KEY])
        quantity = definition["quantity"]
        names = tuple(a["name"] for a in definition["axes"])
        sizes = tuple(int(a["size"]) for a in definition["axes"])
        stored = group.attrs.get("attractors", [])
        attractors = [np.array(a["points"]) for a in stored]
        firsts = [tuple(a["cell"]) for a in stored]
        xs, ys, values = group["xs"][:], group["ys"][:], group[PRIMARY[quantity]]
        period = group["period"] if quantity in ("attractor", "observable") else None
        escaped = int(group["escaped"][:].sum())
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError, OSError) as error:
        raise InputError(f"store {str(store.path)!r} is damaged: {type(error).__name__} reading its "
                         f"definition or arrays ({str(error)[:80]})") from None
    if (xs.size, ys.size) != sizes or values.shape != sizes[::-1]:
        raise InputError(f"store {str(store.path)!r} is damaged: grids of {xs.size} x {ys.size} and values "
                         f"of shape {values.shape}, for a sweep of {sizes[0]} x {sizes[1]} cells")
    missing = store.missing_chunks(store.done())
    if missing:
        raise InputError(f"store {str(store.path)!r} is damaged: {len(missing)} tiles marked done have "
                         f"chunks missing (first {missing[0]}); run the sweep again to compute them")
    return SweepResult(store.path, definition["map"]["name"], quantity, names, xs, ys, values, period,
                       attractors, firsts, escaped, bool(group.attrs.get("complete")), definition)
