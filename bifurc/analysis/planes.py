"""Parameter planes: the period or the largest Lyapunov exponent over two parameter grids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..definition.iterated_map import Map
from ..errors import InputError
from .arguments import (
    affordable,
    escape_radius,
    grid,
    nonnegative_int,
    positive_float,
    positive_int,
    warn_escape,
)
from .basins import mesh, settle_bytes, settle_cells
from .lyapunov import spectra, sweep_bytes
from .orbits import DEFAULT_ESCAPE

__all__ = ["ParameterPlane", "parameter_plane", "QUANTITIES"]

#: What a parameter plane can show.
QUANTITIES = ("period", "lyapunov")


@dataclass(frozen=True)
class ParameterPlane:
    """A quantity over a grid of two parameters.

    Attributes
    ----------
    map_name, quantity : str
        The map and ``"period"`` or ``"lyapunov"``.
    params_xy : tuple of str
        The parameters on the x and y axes.
    xs, ys : numpy.ndarray
        Their grids; ``values[i, j]`` belongs to (xs[j], ys[i]).
    values : numpy.ndarray
        Period (-1 escaped, 0 none found up to ``max_period``) as int64, or the largest
        exponent (NaN where the orbit escaped).
    settings : dict
        x0, the other parameters and the iteration settings used.

    Examples
    --------
    >>> import bifurc
    >>> plane = bifurc.parameter_plane(bifurc.maps.henon, "a", [0.2, 1.0, 1.4], "b", [0.1, 0.3],
    ...                                [0.1, 0.1], quantity="lyapunov", n=500)
    >>> plane.params_xy, plane.values.shape, plane.values.dtype
    (('a', 'b'), (2, 3), dtype('float64'))
    """

    map_name: str
    quantity: str
    params_xy: tuple
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    settings: dict = field(default_factory=dict)


def parameter_plane(
    m: Map,
    xparam: str,
    xs: object,
    yparam: str,
    ys: object,
    x0: object,
    quantity: str = "period",
    params: Mapping[str, float] | None = None,
    n: int = 2000,
    transient: int = 1000,
    max_period: int = 64,
    tol: float = 1e-9,
    escape: float = DEFAULT_ESCAPE,
) -> ParameterPlane:
    """The period or the largest Lyapunov exponent over a grid of two parameters.

    Every cell's orbit starts at ``x0``; cells run in parallel.

    Parameters
    ----------
    m
        The map.
    xparam, xs, yparam, ys
        The two parameters and their grids.
    x0
        Initial state.
    quantity
        ``"period"`` (see :func:`bifurc.period`) or ``"lyapunov"`` (largest exponent
        from ``n`` steps, see :func:`bifurc.lyapunov`).
    params
        Overrides of the other parameters.
    n, transient, max_period, tol, escape
        Iteration settings.

    Returns
    -------
    ParameterPlane

    Examples
    --------
    >>> import bifurc
    >>> plane = bifurc.parameter_plane(bifurc.maps.henon, "a", [0.1, 0.3, 0.5], "b", [0.3], [0.1, 0.1])
    >>> plane.values  # at b = 0.3 the fixed point flips at a = 3 (1 - b)^2 / 4 = 0.3675
    array([[1, 1, 2]])
    """
    if quantity not in QUANTITIES:
        raise InputError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    if xparam == yparam:
        raise InputError("xparam and yparam must be different parameters")
    xs, ys = grid(xs, "xs"), grid(ys, "ys")
    n = positive_int(n, "n")
    transient = nonnegative_int(transient, "transient")
    max_period = positive_int(max_period, "max_period")
    tol = positive_float(tol, "tol")
    escape = escape_radius(escape)
    cell = 16 + (settle_bytes(m) if quantity == "period" else sweep_bytes(m))  # and its grid coordinates
    affordable((xs.size * ys.size,), "the parameter plane", itemsize=cell)
    x = m.state_vector(x0)
    ix, iy = m.parameter_index(xparam), m.parameter_index(yparam)
    cx, cy = mesh(xs, ys)
    rows = np.repeat(m.parameter_vector(params)[None, :], cx.size, axis=0)
    rows[:, ix], rows[:, iy] = cx, cy
    X0 = np.repeat(x[None, :], cx.size, axis=0)
    if quantity == "period":
        values, _ = settle_cells(m, X0, rows, transient, max_period, tol, escape)
    else:
        exponents, escaped = spectra(m, X0, rows, n, transient, escape)
        warn_escape(int(escaped.sum()), cx.size, "orbits")
        values = exponents[:, 0]
    others = m.named_parameters(rows[0], exclude=(xparam, yparam))
    settings = dict(x0=x.tolist(), params=others, n=n, transient=transient, max_period=max_period, tol=tol)
    return ParameterPlane(
        m.name, quantity, (xparam, yparam), xs, ys, values.reshape(ys.size, xs.size), settings
    )
