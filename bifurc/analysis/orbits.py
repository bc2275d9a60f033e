"""Orbits and orbit (bifurcation) diagrams."""

from __future__ import annotations

from collections.abc import Mapping
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
    positive_int,
    warn_escape,
)
from .precision import warn_if_collapsed

__all__ = ["DEFAULT_ESCAPE", "orbit", "orbit_diagram", "OrbitDiagram", "lanes", "diagram_bytes"]

#: Default escape radius: a state component beyond it in magnitude counts as divergence.
DEFAULT_ESCAPE = 1e8


def orbit(
    m: Map,
    x0: object,
    n: int,
    transient: int = 0,
    params: Mapping[str, float] | None = None,
    escape: float = DEFAULT_ESCAPE,
) -> np.ndarray:
    """The orbit x_t, t = transient, ..., transient + n - 1.

    Parameters
    ----------
    m
        The map.
    x0
        Initial state (a scalar for a 1D map).
    n
        Number of states returned.
    transient
        Steps discarded first.
    params
        Overrides of the map's default parameters.
    escape
        Escape radius; an orbit that leaves it or becomes non-finite has escaped.

    Returns
    -------
    numpy.ndarray
        Shape (n, dim). Rows from the escape on are NaN, and an
        :class:`~bifurc.analysis.arguments.EscapeWarning` says so. If the last state lies
        exactly on an unstable cycle (a float64 collapse, e.g. the slope-2 tent map ends at
        0), a :class:`~bifurc.analysis.arguments.PrecisionWarning` says so.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> x = bifurc.orbit(bifurc.maps.logistic, 0.3, 4, transient=2000, params={"r": 2.5})
    >>> x.shape
    (4, 1)
    >>> np.round(x[:, 0], 12)  # the stable fixed point 1 - 1/r = 0.6
    array([0.6, 0.6, 0.6, 0.6])
    """
    n = positive_int(n, "n")
    transient = nonnegative_int(transient, "transient")
    radius = escape_radius(escape)
    x = m.state_vector(x0)
    p = m.parameter_vector(params)
    out = np.full(affordable((n, m.dim), "the orbit"), np.nan)
    written = m.kernels_for(transient + n).orbit(x, p, n, transient, radius, out)
    if written < n:
        out[written:] = np.nan
        warn_escape(1, 1, f"orbits (escaped after {transient + written} steps)")
    else:
        warn_if_collapsed(m, out[-1], p, f"at step {transient + n - 1}")
    return out


@dataclass(frozen=True)
class OrbitDiagram:
    """An orbit diagram: the states kept after a transient, for each parameter value.

    Attributes
    ----------
    map_name, param : str
        The map and the swept parameter.
    values : numpy.ndarray
        Parameter values, shape (P,).
    points : numpy.ndarray
        Kept states, shape (P, keep, dim); NaN for escaped orbits.
    escaped : numpy.ndarray
        Boolean (P,): the orbit escaped at some step (transient included).
    x0 : numpy.ndarray
        The common initial state.
    params : dict
        All other parameters.
    transient, keep : int
        Steps discarded and kept.
    escape : float
        The escape radius used.
    state : tuple of str
        State variable names.

    Examples
    --------
    >>> import bifurc
    >>> d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", [2.5, 2.8, 3.1], 0.3, transient=100, keep=8)
    >>> d.param, d.values.shape, d.points.shape, d.escaped.tolist()
    ('r', (3,), (3, 8, 1), [False, False, False])
    """

    map_name: str
    param: str
    values: np.ndarray
    points: np.ndarray
    escaped: np.ndarray
    x0: np.ndarray
    params: dict = field(default_factory=dict)
    transient: int = 0
    keep: int = 0
    escape: float = DEFAULT_ESCAPE
    state: tuple = ()

    @property
    def n_escaped(self) -> int:
        """How many parameter values gave an escaping orbit."""
        return int(self.escaped.sum())


def lanes(x0: np.ndarray, param_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise states and parameters for kernels that advance many orbits at once.

    ``param_rows`` is (L, npar); returns X (dim, L) filled with ``x0`` and P (npar, L).
    """
    X = np.ascontiguousarray(np.repeat(x0[:, None], param_rows.shape[0], axis=1))
    return X, np.ascontiguousarray(param_rows.T)


def parameter_rows(m: Map, param: str, values: np.ndarray, params: Mapping[str, float] | None) -> np.ndarray:
    """(len(values), npar) parameter vectors: the base ones with ``param`` swept."""
    index = m.parameter_index(param)
    rows = np.repeat(m.parameter_vector(params)[None, :], values.size, axis=0)
    rows[:, index] = values
    return rows


def diagram_bytes(m: Map, keep: int) -> int:
    """Memory :func:`orbit_diagram` needs per parameter value: the value, its parameter row (twice,
    as rows and as lanes), its lane of states, the ``keep`` states kept and the escape flag."""
    return 8 * (1 + 2 * m.parameter_vector().size + m.dim + keep * m.dim) + 1


def _follow(m: Map, x0: np.ndarray, rows: np.ndarray, transient: int, keep: int, radius: float,
            out: np.ndarray, bad: np.ndarray) -> None:
    """Fill ``out`` and ``bad`` value by value, each orbit starting where the previous one ended."""
    x = x0
    for i, p in enumerate(rows):
        written = m.kernels_for(transient + keep).orbit(x, p, keep, transient, radius, out[i])
        bad[i] = written < keep
        x = x0 if bad[i] else out[i, -1].copy()


def orbit_diagram(
    m: Map,
    param: str,
    values: object,
    x0: object,
    transient: int = 1000,
    keep: int = 1000,
    params: Mapping[str, float] | None = None,
    escape: float = DEFAULT_ESCAPE,
    follow: bool = False,
) -> OrbitDiagram:
    """The orbit diagram of ``m`` over a grid of one parameter.

    Orbits for all parameter values start at ``x0`` and run side by side in compiled,
    vectorised blocks, the blocks in parallel. With ``follow``, the orbit at each value
    starts instead from the last state of the one before (in the order of ``values``;
    the first from ``x0``), one value after the other: the attractor is followed through
    the parameter, so coexisting attractors and hysteresis show (sweep up and down to see
    both). An orbit that escapes is recorded as NaN and counted (see
    :attr:`OrbitDiagram.escaped`); nothing is raised. When following, the orbit after an
    escape starts again from ``x0``.

    Parameters
    ----------
    m
        The map.
    param
        The parameter swept.
    values
        Its values: a non-empty, strictly monotone grid.
    x0
        Initial state, common to all values.
    transient, keep
        Steps discarded, then kept.
    params
        Overrides of the other parameters' defaults.
    escape
        Escape radius.
    follow
        Start each orbit from the last state of the previous one (sequential).

    Returns
    -------
    OrbitDiagram
        ``x0`` holds the first start; the result does not record ``follow``.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", [2.5, 3.2], 0.3, transient=2000, keep=4)
    >>> d.points.shape  # (values, keep, dim)
    (2, 4, 1)
    >>> np.round(d.points[0, :, 0], 9)  # r = 2.5: the fixed point 1 - 1/r
    array([0.6, 0.6, 0.6, 0.6])
    >>> r = 3.2  # the period-2 cycle (r + 1 -+ sqrt((r - 3)(r + 1))) / (2r)
    >>> cycle = (r + 1 + np.array([-1, 1]) * np.sqrt((r - 3) * (r + 1))) / (2 * r)
    >>> np.allclose(np.sort(d.points[1, :2, 0]), cycle, rtol=0, atol=1e-12)
    True
    """
    values = grid(values, "values")
    transient = nonnegative_int(transient, "transient")
    keep = positive_int(keep, "keep")
    radius = escape_radius(escape)
    if isinstance(x0, str) and x0 == "follow":  # DynamicalSystems.jl's spelling; a Map has no state
        raise InputError("x0='follow': give the first start as x0 and pass follow=True")
    x = m.state_vector(x0)
    affordable((values.size,), "the orbit diagram", itemsize=diagram_bytes(m, keep))
    finishable(values.size, transient + keep, "the orbit diagram")
    rows = parameter_rows(m, param, values, params)
    out = np.empty((values.size, keep, m.dim))
    bad = np.zeros(values.size, dtype=np.bool_)
    if follow:
        _follow(m, x, rows, transient, keep, radius, out, bad)
    else:
        X, P = lanes(x, rows)
        m.kernels_for(values.size * (transient + keep)).diagram(X, P, transient, keep, radius, out, bad)
    out[bad] = np.nan
    warn_escape(int(bad.sum()), values.size, "orbits")
    others = m.named_parameters(rows[0], exclude=(param,))
    return OrbitDiagram(
        m.name, param, values, out, bad, x, others, transient, keep, radius, m.state
    )
