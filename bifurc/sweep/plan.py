"""What a sweep computes: the map, its two axes, the fixed values, the quantity and its settings.

A :class:`SweepPlan` is checked once, when it is made, and is then a pure description:
it pickles (to Dask workers) and it is written, as :meth:`SweepPlan.definition` and the
two grids, into the store, so that a store can tell whether it holds the same sweep.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.arguments import escape_radius, grid, nonnegative_int, positive_float, positive_int
from ..definition.iterated_map import Map
from ..errors import InputError

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["QUANTITIES", "Axis", "SweepPlan", "make_plan", "auto_tile", "FORMAT"]

#: What a sweep can compute in each cell.
QUANTITIES = ("attractor", "period", "lyapunov", "escape", "observable")

#: The settings each quantity depends on (the others are not recorded, so not compared).
_SETTINGS = {
    "attractor": ("transient", "max_period", "tol", "escape", "max_attractors"),
    "period": ("transient", "max_period", "tol", "escape"),
    "lyapunov": ("n", "transient", "escape"),
    "escape": ("n", "escape"),
    "observable": ("transient", "max_period", "tol", "escape"),
}

#: Version of the store layout.
FORMAT = 1


@dataclass(frozen=True, eq=False)
class Axis:
    """One axis of the grid: a state coordinate or a parameter, and its values.

    Attributes
    ----------
    name : str
        The state variable or parameter.
    kind : str
        ``"state"`` or ``"parameter"``.
    index : int
        Its position in the state vector or in the kernels' parameter vector.
    values : numpy.ndarray
        The grid.
    """

    name: str
    kind: str
    index: int
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class SweepPlan:
    """A checked sweep description; cell (i, j) has ``y.values[i]`` and ``x.values[j]``.

    Attributes
    ----------
    map : Map
        The map.
    quantity : str
        One of :data:`QUANTITIES`.
    x, y : Axis
        The axes (x along columns, y along rows).
    x0 : numpy.ndarray
        The start of every orbit, its swept coordinates replaced cell by cell.
    params : numpy.ndarray
        The parameter vector, its swept entries replaced cell by cell.
    observable : sympy.Expr or None
        The expression evaluated at the final state (quantity ``"observable"``).
    n, transient, max_period, tol, escape, max_attractors : int or float
        Iteration settings (see :func:`bifurc.sweep.sweep`).
    tile : tuple of int
        Rows and columns of a tile (None until :meth:`with_tile` sets it, when chosen from the
        grid and the workers).
    """

    map: Map
    quantity: str
    x: Axis
    y: Axis
    x0: np.ndarray
    params: np.ndarray
    observable: sp.Expr | None
    n: int
    transient: int
    max_period: int
    tol: float
    escape: float
    max_attractors: int
    tile: tuple[int, int] | None

    def with_tile(self, tile: object) -> SweepPlan:
        """This plan with tiles of ``tile`` (a positive integer or a pair of them)."""
        return replace(self, tile=_tile(tile))

    @property
    def shape(self) -> tuple[int, int]:
        """Rows (y) and columns (x) of the grid."""
        return self.y.values.size, self.x.values.size

    @property
    def tiles(self) -> tuple[int, int]:
        """Number of tiles along the rows and along the columns."""
        return tuple(-(-size // step) for size, step in zip(self.shape, self.tile))

    def tile_slices(self, ty: int, tx: int) -> tuple[slice, slice]:
        """The rows and columns of tile (ty, tx)."""
        (h, w), (rows, cols) = self.tile, self.shape
        return slice(ty * h, min(rows, (ty + 1) * h)), slice(tx * w, min(cols, (tx + 1) * w))

    @cached_property
    def observable_map(self) -> Map:
        """The observable compiled as the first component of a map on the same state and parameters.

        It thereby goes through the one symbolic -> numba path (printer, loader, disk cache):
        the kernel ``step`` of this map evaluates the observable in its first output.
        """
        updates = (self.observable, *self.map.state_symbols[1:])
        return Map(f"{self.map.name}: observable {self.observable}", self.map.state, dict(self.map.params),
                   updates)

    def definition(self) -> dict:
        """Everything the values depend on, as JSON-ready data (the grids apart: stored as arrays)."""
        import sympy as sp

        from .. import __version__

        swept = {(a.kind, a.name) for a in (self.x, self.y)}
        settings = {name: getattr(self, name) for name in _SETTINGS[self.quantity]}
        return {
            "format": FORMAT,
            "bifurc": __version__,
            "map": {"name": self.map.name, "state": list(self.map.state), "parameters": list(self.map.params),
                    "updates": [sp.srepr(u) for u in self.map.updates]},
            "quantity": self.quantity,
            "observable": None if self.observable is None else sp.srepr(self.observable),
            "axes": [{"name": a.name, "kind": a.kind, "size": int(a.values.size)} for a in (self.x, self.y)],
            "x0": {s: float(v) for s, v in zip(self.map.state, self.x0) if ("state", s) not in swept},
            "parameters": {k: v for k, v in self.map.named_parameters(self.params).items()
                           if ("parameter", k) not in swept},
            "settings": settings,
            "tile": list(self.tile),
        }


def _axis(m: Map, name: object, values: object, what: str) -> Axis:
    if not isinstance(name, str):
        raise InputError(f"{what} must name a state variable or a parameter, got {name!r}")
    array = grid(values, f"{what} grid")
    if name in m.state:
        return Axis(name, "state", m.state.index(name), array)
    if name in m.params:
        return Axis(name, "parameter", m.parameter_index(name), array)
    raise InputError(f"{what} {name!r} is neither a state variable ({', '.join(m.state)}) nor a parameter "
                     f"({', '.join(m.params) or 'none'}) of map {m.name!r}")


def _tile(tile: object) -> tuple[int, int]:
    if isinstance(tile, (int, np.integer)) and not isinstance(tile, bool):
        tile = (tile, tile)
    if not isinstance(tile, (tuple, list)) or len(tile) != 2:
        raise InputError(f"tile must be a positive integer or a pair of them, got {tile!r}")
    return positive_int(tile[0], "tile rows"), positive_int(tile[1], "tile columns")


#: Fewest and most cells of a tile chosen for a cluster: a task's fixed cost (about 10 ms on
#: Dask, with the tile's store writes) stays a few per cent of a tile of 2**12 cells or more;
#: up to 2**22 (2048 x 2048, about 0.5 GB while computed) so that a few workers of many
#: threads each (one per node) get tiles long enough for the scheduler to keep up.
CLUSTER_TILE = (2**12, 2**22)
#: Tiles per cluster worker: a worker's share ends within one tile of the others', so eight
#: or more tiles each keep the idle tail below a few per cent.
TILES_PER_WORKER = 8
#: Fewest and most cells of a tile chosen for numba's threads (one tile at a time on all of
#: them): 4096 cells or more per thread.
THREAD_TILE = (2**16, 2**20)


def auto_tile(shape: tuple[int, int], workers: int, distributed: bool) -> tuple[int, int]:
    """Tile rows and columns for a grid of ``shape`` computed by ``workers`` (numba threads,
    or, ``distributed``, cluster workers that each take whole tiles).

    On a cluster, tiles are cut so that each worker gets :data:`TILES_PER_WORKER` or more,
    within :data:`CLUSTER_TILE` cells; on threads, one tile is shared out cell by cell, so it
    holds 4096 cells per thread, within :data:`THREAD_TILE`. Columns are a power of two,
    rows make up the cells; neither exceeds the grid.
    """
    rows, cols = shape
    if distributed:
        low, high = CLUSTER_TILE
        target = min(max(rows * cols // (TILES_PER_WORKER * workers), low), high)
    else:
        low, high = THREAD_TILE
        target = min(max(2**12 * workers, low), high)
    width = min(cols, 2 ** math.ceil(math.log2(math.sqrt(target))))
    return min(rows, -(-target // width)), width


def make_plan(
    m: Map,
    xaxis: str,
    xs: object,
    yaxis: str,
    ys: object,
    quantity: str,
    x0: object,
    params: Mapping[str, float] | None,
    observable: object,
    n: int,
    transient: int,
    max_period: int,
    tol: float,
    escape: float,
    max_attractors: int,
    tile: object,
) -> SweepPlan:
    """Check a sweep's arguments and make its plan (the arguments and their defaults are
    :func:`bifurc.sweep.sweep`'s; ``tile=None`` leaves the tile to :meth:`SweepPlan.with_tile`).

    Raises
    ------
    ValueError
        Naming the bad argument.
    """
    if not isinstance(m, Map):
        raise InputError(f"m must be a bifurc Map, got {type(m).__name__}")
    if quantity not in QUANTITIES:
        raise InputError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    x, y = _axis(m, xaxis, xs, "xaxis"), _axis(m, yaxis, ys, "yaxis")
    if x.name == y.name:
        raise InputError(f"xaxis and yaxis must differ, both are {x.name!r}")
    swept_state = {a.name for a in (x, y) if a.kind == "state"}
    if x0 is None:
        missing = [s for s in m.state if s not in swept_state]
        if missing:
            raise InputError(f"x0 is needed: the state variables {', '.join(missing)} are not swept")
        start = np.zeros(m.dim)
    else:
        start = m.state_vector(x0)
    if (quantity == "observable") != (observable is not None):
        raise InputError("observable (an expression in the state and parameters) is needed with "
                         "quantity 'observable', and only then")
    expr = None
    if observable is not None:
        import sympy as sp

        from ..definition.formulas import as_expression

        symbols = dict(zip(m.state, m.state_symbols)) | dict(zip(m.params, m.param_symbols))
        try:
            expr = sp.sympify(as_expression(observable, symbols))
        except ValueError as error:
            raise InputError(f"observable: {error}") from None
    return SweepPlan(
        m, quantity, x, y, start, m.parameter_vector(params), expr,
        positive_int(n, "n"), nonnegative_int(transient, "transient"), positive_int(max_period, "max_period"),
        positive_float(tol, "tol"), escape_radius(escape),
        positive_int(max_attractors, "max_attractors"), None if tile is None else _tile(tile),
    )
