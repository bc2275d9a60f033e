"""Basins of attraction over a 2D grid of initial conditions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..definition.iterated_map import Map
from ..errors import InputError
from .arguments import (
    affordable,
    escape_radius,
    finishable,
    grid,
    nonnegative_int,
    positive_float,
    positive_int,
)
from .orbits import DEFAULT_ESCAPE

__all__ = [
    "Basins", "basins", "ESCAPED", "UNRESOLVED", "mesh", "settle_cells", "settle_bytes", "group_cycles",
    "cycle_points",
]

#: Label of a cell whose orbit escaped.
ESCAPED = -1
#: Label of a cell whose orbit showed no period up to ``max_period`` (chaotic,
#: quasi-periodic, or not settled within the transient).
UNRESOLVED = -2


@dataclass(frozen=True)
class Basins:
    """Which attractor each initial condition of a grid goes to.

    Attributes
    ----------
    map_name : str
        The map.
    axes : tuple of str
        The two state variables spanned by the grid (x axis, y axis).
    xs, ys : numpy.ndarray
        Grid coordinates; ``labels[i, j]`` belongs to (xs[j], ys[i]).
    labels : numpy.ndarray
        int64 (len(ys), len(xs)): the attractor's index in ``attractors``,
        :data:`ESCAPED` (-1) or :data:`UNRESOLVED` (-2).
    attractors : list of numpy.ndarray
        Each attracting cycle's points, shape (period, dim), first point first in sort order.
    tol : float
        Period-detection tolerance; cycles closer than 1000 tol are the same attractor.
    params : dict
        The parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    >>> b = bifurc.basins(m, np.linspace(-1.5, 1.5, 6), np.linspace(-1, 1, 5))
    >>> b.axes, b.labels.shape, len(b.attractors)  # labels[i, j] belongs to (xs[j], ys[i])
    (('x', 'y'), (5, 6), 2)
    """

    map_name: str
    axes: tuple
    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    attractors: list
    tol: float
    params: dict = field(default_factory=dict)

    @property
    def fractions(self) -> dict[int, float]:
        """Share of the grid for each label (attractor index, -1, -2)."""
        values, counts = np.unique(self.labels, return_counts=True)
        return {int(v): c / self.labels.size for v, c in zip(values, counts)}


def mesh(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flattened coordinates of the grid cells, row-major with ``ys`` along rows."""
    X, Y = np.meshgrid(xs, ys)
    return X.ravel(), Y.ravel()


def settle_bytes(m: Map) -> int:
    """Memory :func:`settle_cells` needs per cell: its start, parameter row, period and final state."""
    return 8 * (2 * m.dim + m.parameter_vector().size + 1)


def settle_cells(
    m: Map, X0: np.ndarray, rows: np.ndarray, transient: int, max_period: int, tol: float, escape: float
) -> tuple[np.ndarray, np.ndarray]:
    """Period (-1 escaped, 0 none) and final cycle point of each (state, parameter) cell."""
    finishable(X0.shape[0], transient + 2 * max_period, "finding the periods")
    periods = np.empty(X0.shape[0], dtype=np.int64)
    finals = np.empty_like(X0)
    m.kernels_for(X0.shape[0] * (transient + 2 * max_period)).settle_many(
        np.ascontiguousarray(X0), np.ascontiguousarray(rows), transient, max_period, tol, escape,
        periods, finals,
    )
    return periods, finals


def group_cycles(periods: np.ndarray, finals: np.ndarray, tol: float) -> tuple[np.ndarray, list[int]]:
    """Label cells by the cycle they settled on, numbered in order of first appearance.

    Cells are taken in order; a cell with a period opens a new group unless an earlier
    group's first cell has the same period and a canonical point within 1000 ``tol``
    (relative) of its own.

    Parameters
    ----------
    periods, finals
        Each cell's period (-1 escaped, 0 none) and canonical cycle point, as returned by
        :func:`settle_cells`.
    tol
        The period-detection tolerance.

    Returns
    -------
    labels : numpy.ndarray
        int64: the group's index, :data:`ESCAPED` or :data:`UNRESOLVED`.
    firsts : list of int
        The first cell of each group.
    """
    labels = np.where(periods < 0, ESCAPED, UNRESOLVED).astype(np.int64)
    firsts: list[int] = []
    same = 1e3 * tol
    open_cells = periods > 0
    while np.any(open_cells):
        first = int(np.argmax(open_cells))
        k, point = periods[first], finals[first]
        match = open_cells & (periods == k) & np.all(
            np.abs(finals - point) <= same * (1 + np.abs(point)), axis=1
        )
        labels[match] = len(firsts)
        open_cells &= ~match
        firsts.append(first)
    return labels, firsts


def cycle_points(m: Map, point: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """The k points of the cycle through ``point``, shape (k, dim), ``point`` first."""
    cycle = np.empty((k, m.dim))
    m.kernels_for(k).orbit(np.ascontiguousarray(point, dtype=np.float64), p, k, 0, np.inf, cycle)
    return cycle


def _state_index(m: Map, axis: int | str) -> int:
    if isinstance(axis, str):
        if axis not in m.state:
            raise InputError(f"unknown state variable {axis!r} (state: {', '.join(m.state)})")
        return m.state.index(axis)
    if not 0 <= int(axis) < m.dim:
        raise InputError(f"axis {axis!r} out of range for a {m.dim}-dimensional map")
    return int(axis)


def basins(
    m: Map,
    xs: object,
    ys: object,
    params: Mapping[str, float] | None = None,
    axes: Sequence[int | str] = (0, 1),
    base: object = None,
    transient: int = 1000,
    max_period: int = 64,
    tol: float = 1e-9,
    escape: float = DEFAULT_ESCAPE,
) -> Basins:
    """Label every initial condition of a 2D grid by the attractor its orbit reaches.

    Each cell is iterated ``transient`` steps (in parallel), then its period is found
    (up to ``max_period``, tolerance ``tol``); cells whose cycles coincide share a label.

    Parameters
    ----------
    m
        The map, of dimension >= 2.
    xs, ys
        Grid values of the two state variables named by ``axes``.
    params
        Parameter overrides.
    axes
        The two state variables spanned (indices or names).
    base
        The other state variables' values for maps of dimension > 2 (default zeros).
    transient, max_period, tol, escape
        Settling steps, longest period looked for, its tolerance, escape radius.

    Returns
    -------
    Basins

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    >>> b = bifurc.basins(m, np.linspace(-1.5, 1.5, 4), np.linspace(-1, 1, 3))
    >>> np.vstack(b.attractors).round(12) + 0.0  # the stable fixed points (-+1, 0)
    array([[-1.,  0.],
           [ 1.,  0.]])
    >>> b.labels  # each half-plane x < 0, x > 0 is the basin of its fixed point
    array([[0, 0, 1, 1],
           [0, 0, 1, 1],
           [0, 0, 1, 1]])
    """
    xs, ys = grid(xs, "xs"), grid(ys, "ys")
    transient = nonnegative_int(transient, "transient")
    max_period = positive_int(max_period, "max_period")
    tol = positive_float(tol, "tol")
    escape = escape_radius(escape)
    if m.dim < 2:
        raise InputError(f"basins need a map of dimension >= 2; {m.name!r} has dimension {m.dim}")
    # the cells to settle, their grid coordinates, labels and group_cycles' temporaries
    affordable((xs.size * ys.size,), "the basin map", itemsize=settle_bytes(m) + 8 * (4 + 2 * m.dim) + 2)
    ix, iy = (_state_index(m, a) for a in axes)
    if ix == iy:
        raise InputError("axes must name two different state variables")
    start = np.zeros(m.dim) if base is None else m.state_vector(base, "base")
    cx, cy = mesh(xs, ys)
    X0 = np.repeat(start[None, :], cx.size, axis=0)
    X0[:, ix], X0[:, iy] = cx, cy
    p = m.parameter_vector(params)
    rows = np.repeat(p[None, :], cx.size, axis=0)
    periods, finals = settle_cells(m, X0, rows, transient, max_period, tol, escape)
    labels, firsts = group_cycles(periods, finals, tol)
    attractors = [cycle_points(m, finals[first], p, int(periods[first])) for first in firsts]
    params_used = m.named_parameters(p)
    return Basins(
        m.name, (m.state[ix], m.state[iy]), xs, ys, labels.reshape(ys.size, xs.size), attractors, tol,
        params_used,
    )
