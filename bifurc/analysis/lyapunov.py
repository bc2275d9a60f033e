"""Lyapunov exponents: the full spectrum of one orbit, and sweeps over a parameter grid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..definition.iterated_map import Map
from .arguments import (
    affordable,
    escape_radius,
    finishable,
    grid,
    nonnegative_int,
    positive_int,
    warn_escape,
)
from .orbits import DEFAULT_ESCAPE, parameter_rows
from .precision import COLLAPSE_HORIZON, warn_if_collapsed

__all__ = ["lyapunov", "lyapunov_sweep", "LyapunovSweep", "sweep_bytes"]


def lyapunov(
    m: Map,
    x0: object,
    n: int,
    transient: int = 1000,
    params: Mapping[str, float] | None = None,
    escape: float = DEFAULT_ESCAPE,
) -> np.ndarray:
    """All ``dim`` Lyapunov exponents of the orbit from ``x0``, in descending order.

    Benettin's method: the tangent basis is carried by the derived Jacobian and
    re-orthonormalised (Gram-Schmidt, i.e. QR) at every step; the exponents are the
    averages of log |R_ii| over ``n`` steps after ``transient``. Their sum equals the orbit
    average of log |det J| up to rounding. The statistical error of a chaotic orbit's
    exponents decreases like n^(-1/2).

    Returns
    -------
    numpy.ndarray
        Shape (dim,), descending; NaN with an
        :class:`~bifurc.analysis.arguments.EscapeWarning` if the orbit escaped.
        An orbit that lands exactly on a point where the tangent vector vanishes (a
        superstable point, e.g. x = 1/2 of the logistic map) has exponent -inf. An orbit
        that float64 rounding has put exactly on an unstable cycle within the first 4096
        steps (the slope-2 tent map ends at 0) gives that cycle's exponents, with a
        :class:`~bifurc.analysis.arguments.PrecisionWarning`.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> lam = bifurc.lyapunov(bifurc.maps.logistic, 0.3, 200_000, params={"r": 4.0})
    >>> print(round(lam[0], 4))  # ln 2 = 0.693147...; at r = 4 the sum of log |F'| telescopes: error O(1/n)
    0.6931
    >>> exps = bifurc.lyapunov(bifurc.maps.henon, [0.1, 0.1], 10_000)
    >>> print(round(exps.sum(), 6), round(np.log(0.3), 6))  # the sum is ln |det J| = ln b exactly
    -1.203973 -1.203973
    """
    n = positive_int(n, "n")
    transient = nonnegative_int(transient, "transient")
    x = m.state_vector(x0)
    p = m.parameter_vector(params)
    out = np.empty(m.dim)
    radius = escape_radius(escape)
    horizon = min(transient + n, COLLAPSE_HORIZON)
    # one choice of kernels for the spectrum and the collapse check
    kernels = m.kernels_for((transient + n) * (1 + m.dim * m.dim) + horizon)
    status = kernels.lyapunov_spectrum(x, p, n, transient, radius, out)
    if status != 0:
        warn_escape(1, 1, f"orbits (escaped after {status} steps)")
        return np.full(m.dim, np.nan)
    state = np.empty((1, m.dim))
    if kernels.orbit(x, p, 1, horizon, radius, state) == 1:
        warn_if_collapsed(m, state[0], p, f"at step {horizon}")
    return np.sort(out)[::-1]


@dataclass(frozen=True)
class LyapunovSweep:
    """Lyapunov spectra over a grid of one parameter.

    Attributes
    ----------
    map_name, param : str
        The map and the swept parameter.
    values : numpy.ndarray
        Parameter values, shape (P,).
    exponents : numpy.ndarray
        Shape (P, dim), each row descending; NaN where the orbit escaped.
    escaped : numpy.ndarray
        Boolean (P,).
    n, transient : int
        Steps averaged and discarded.
    params : dict
        The other parameters.

    Examples
    --------
    >>> import bifurc
    >>> s = bifurc.lyapunov_sweep(bifurc.maps.henon, "a", [1.2, 1.3, 1.4], [0.1, 0.1], n=1000)
    >>> s.param, s.exponents.shape, s.escaped.tolist()  # two exponents per value of a
    ('a', (3, 2), [False, False, False])
    """

    map_name: str
    param: str
    values: np.ndarray
    exponents: np.ndarray
    escaped: np.ndarray
    n: int
    transient: int
    params: dict = field(default_factory=dict)

    @property
    def largest(self) -> np.ndarray:
        """The largest exponent at each parameter value."""
        return self.exponents[:, 0]


def spectra(
    m: Map, X0: np.ndarray, rows: np.ndarray, n: int, transient: int, escape: float
) -> tuple[np.ndarray, np.ndarray]:
    """Spectra (descending) and escape flags of many (state, parameter) cells, in parallel.

    A 1D map's exponent is the orbit mean of log|F'|, computed with 64 orbits side by
    side (logarithms batched over 8 steps, which changes only the rounding, by about
    n machine epsilons); larger maps use Benettin's method cell by cell.
    """
    finishable(rows.shape[0], n + transient, "the Lyapunov exponents")
    if m.dim == 1:
        out = np.empty(rows.shape[0])
        escaped = np.zeros(rows.shape[0], dtype=np.bool_)
        m.kernels_for(2 * rows.shape[0] * (n + transient)).logdet_means(
            np.ascontiguousarray(X0.T), np.ascontiguousarray(rows.T), n, transient, escape, out, escaped
        )
        out[escaped] = np.nan
        return out[:, None], escaped
    out = np.empty((rows.shape[0], m.dim))
    status = np.empty(rows.shape[0], dtype=np.int64)
    m.kernels_for(rows.shape[0] * (transient + n) * (1 + m.dim * m.dim)).lyapunov_many(
        np.ascontiguousarray(X0), np.ascontiguousarray(rows), n, transient, escape, out, status
    )
    escaped = status != 0
    out[escaped] = np.nan
    return -np.sort(-out, axis=1), escaped


def sweep_bytes(m: Map) -> int:
    """Memory :func:`lyapunov_sweep` needs per parameter value: the value, its parameter row and
    start (each also transposed for the kernels), the spectrum (and its sorted copy), the flags."""
    return 8 * (1 + 2 * m.parameter_vector().size + 4 * m.dim + 1) + 1


def lyapunov_sweep(
    m: Map,
    param: str,
    values: object,
    x0: object,
    n: int = 10_000,
    transient: int = 1000,
    params: Mapping[str, float] | None = None,
    escape: float = DEFAULT_ESCAPE,
) -> LyapunovSweep:
    """Lyapunov spectra of the orbits from ``x0`` over a parameter grid, in parallel.

    See :func:`lyapunov` for the method. Escaping orbits give NaN rows and are counted.

    Returns
    -------
    LyapunovSweep

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> s = bifurc.lyapunov_sweep(bifurc.maps.logistic, "r", [2.5, 3.2], 0.3, n=2000)
    >>> r = s.values  # fixed point (r = 2.5): ln |2 - r|; 2-cycle (r = 3.2): ln |4 + 2r - r^2| / 2
    >>> np.allclose(s.exponents[:, 0], [np.log(abs(2 - r[0])), np.log(abs(4 + 2 * r[1] - r[1] ** 2)) / 2])
    True
    """
    values = grid(values, "values")
    n = positive_int(n, "n")
    transient = nonnegative_int(transient, "transient")
    escape = escape_radius(escape)
    x = m.state_vector(x0)
    affordable((values.size,), "the Lyapunov sweep", itemsize=sweep_bytes(m))
    rows = parameter_rows(m, param, values, params)
    X0 = np.repeat(x[None, :], values.size, axis=0)
    exponents, escaped = spectra(m, X0, rows, n, transient, escape)
    warn_escape(int(escaped.sum()), values.size, "orbits")
    others = m.named_parameters(rows[0], exclude=(param,))
    return LyapunovSweep(m.name, param, values, exponents, escaped, n, transient, others)
