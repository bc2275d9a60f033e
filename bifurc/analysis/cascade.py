"""Period-doubling cascades located by continuation and root finding, and Feigenbaum ratios."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..definition.iterated_map import Map
from ..errors import InputError
from .arguments import MAX_DOUBLINGS, escape_radius, positive_int
from .orbits import DEFAULT_ESCAPE
from .periods import cycle_points, minimal_period, newton_cycle
from .precision import GUARD_DIGITS, flip_point_mp, precision_digits

__all__ = ["Cascade", "cascade"]

#: Used only to guess where the next doubling lies (the search then brackets it);
#: no reported number depends on it.
_RATIO_GUESS = 4.67
_XTOL = 1e-15
_RTOL = 8.9e-16  # scipy's lower limit, 4 machine epsilons


@dataclass(frozen=True)
class Cascade:
    """The period doublings found along one parameter.

    Attributes
    ----------
    map_name, param : str
        The map and the parameter varied.
    points : numpy.ndarray
        Parameter values where the period-``periods[i]`` orbit has a multiplier -1 and
        gives way to period ``2 periods[i]``, in the order met from ``start``.
    periods : numpy.ndarray
        The period that doubles at each point.
    tolerance : numpy.ndarray
        Bound on the error of each point. In float64: the root bracket's width
        (1e-15 + 8.9e-16 |mu|) plus twice the width over which rounding decides the sign
        of det(I + M) (measured at each point; it grows with the period, about 1e-14 at
        period 16384 of the logistic map); checked against high-precision points in the
        tests. With ``digits``: the certified high-precision bound.
    params : dict
        The other parameters.
    message : str
        Why the search stopped.
    digits : int
        0 for float64; else the points were refined in high precision (mpmath) to this
        many digits, ``tolerance`` is the certified bound of that refinement, and
        ``precise_points`` holds them as decimal strings.
    precise_points : tuple of str
        The high-precision points (empty for float64).

    Examples
    --------
    >>> import bifurc
    >>> c = bifurc.cascade(bifurc.maps.logistic, "r", 2.8, 3.47, 0.3, count=2)
    >>> c.param, c.periods.tolist(), c.points.shape
    ('r', [1, 2], (2,))
    >>> print(round(c.points[0], 12))  # the fixed point's multiplier 2 - r is -1 at r = 3
    3.0
    """

    map_name: str
    param: str
    points: np.ndarray
    periods: np.ndarray
    tolerance: np.ndarray
    params: dict = field(default_factory=dict)
    message: str = ""
    digits: int = 0
    precise_points: tuple = ()

    @property
    def delta(self) -> np.ndarray:
        """Feigenbaum ratios (mu_{i+1} - mu_i) / (mu_{i+2} - mu_{i+1}).

        With ``precise_points`` the gaps are taken in high precision, then rounded (in
        float64 the differences of deep doublings keep few digits; their ratios lose none).
        """
        gaps = self.gaps
        return gaps[:-1] / gaps[1:]

    @property
    def gaps(self) -> np.ndarray:
        """Distances between successive doublings (taken in high precision if available)."""
        if not self.precise_points:
            return np.diff(self.points)
        with mpmath.workdps(self.digits + GUARD_DIGITS):
            mu = [mpmath.mpf(v) for v in self.precise_points]
            return np.array([float(b - a) for a, b in zip(mu, mu[1:])])


class _Branch:
    """A periodic orbit followed in the parameter by Newton continuation."""

    def __init__(self, m: Map, base: np.ndarray, index: int, escape: float) -> None:
        self.m, self.base, self.index, self.escape = m, base, index, escape

    def params(self, mu: float) -> np.ndarray:
        p = self.base.copy()
        p[self.index] = mu
        return p

    def solve(self, x: np.ndarray, k: int, mu: float) -> tuple[np.ndarray, np.ndarray] | None:
        """The period-k orbit at ``mu`` by Newton from ``x``, if it keeps minimal period k."""
        p = self.params(mu)
        sol = newton_cycle(self.m, x, p, k, escape=self.escape)
        if sol is None or minimal_period(cycle_points(self.m, sol[0], p, k), 1e-9) != k:
            return None
        return sol

    @staticmethod
    def flip_function(M: np.ndarray) -> float:
        """det(I + M): positive on a stable orbit, zero where a multiplier is -1."""
        return float(np.linalg.det(np.eye(M.shape[0]) + M))


def _solve_flip(
    branch: _Branch, x: np.ndarray, k: int, a: float, b: float
) -> tuple[float, np.ndarray, float]:
    """The parameter in [a, b] where det(I + M) of the period-k orbit vanishes, the orbit, and
    the error bound: the root bracket plus the width of the rounding noise of g."""

    def g(nu: float) -> float:
        s = branch.solve(x, k, nu)
        if s is None:
            raise RuntimeError(f"lost the period-{k} orbit at {nu!r}")
        return branch.flip_function(s[1])

    from scipy.optimize import brentq  # imported here: scipy costs a third of a second to import

    root = brentq(g, a, b, xtol=_XTOL, rtol=_RTOL, maxiter=200)
    return root, branch.solve(x, k, root)[0], _XTOL + _RTOL * abs(root) + _noise_width(g, a, b, root)


def _noise_width(g, a: float, b: float, root: float) -> float:
    """How far rounding in float64 g = det(I + M) can move its zero from ``root``.

    g is sampled at the 9 float64 numbers around ``root`` spaced by 4 ulp; their scatter
    about the line of slope (g(b) - g(a))/(b - a) through ``root``, divided by that slope,
    is the width of parameters where the computed sign of g is decided by rounding
    (long orbits: about sqrt(k) ulp). Twice it is reported.
    """
    slope = (g(b) - g(a)) / (b - a)
    nus = root + 4 * np.spacing(abs(root)) * np.arange(-4, 5)
    scatter = 0.0
    for nu in nus:
        try:
            scatter = max(scatter, abs(g(nu) - slope * (nu - root)))
        except RuntimeError:  # Newton's 1e-13 not reached: rounding dominates there too
            scatter = max(scatter, abs(slope * (nu - root)))
    return 2 * scatter / abs(slope)


def _march_to_flip(
    branch: _Branch, x: np.ndarray, k: int, mu: float, stop: float, h: float
) -> tuple[float, np.ndarray, float] | None:
    """Follow the period-k orbit from ``mu`` towards ``stop``; return the flip point."""
    direction = np.sign(stop - mu)
    sol = branch.solve(x, k, mu)
    if sol is None:
        return None
    x, M = sol
    if branch.flip_function(M) <= 0:
        return None
    h_max = 4 * h
    while (stop - mu) * direction > 0:
        nxt = mu + direction * h
        if (nxt - stop) * direction > 0:
            nxt = stop
        sol = branch.solve(x, k, nxt)
        if sol is None:
            h /= 2
            if h < 1e-14 * (1 + abs(mu)):
                return None
            continue
        if branch.flip_function(sol[1]) <= 0:
            return _solve_flip(branch, x, k, mu, nxt)
        mu, x = nxt, sol[0]
        h = min(1.25 * h, h_max)
    return None


def _seed_doubled(
    branch: _Branch, x: np.ndarray, k: int, mu: float, gap: float, stop: float, transient: int
) -> tuple[np.ndarray, float] | None:
    """The stable period-2k orbit just past a flip at ``mu``, reached by iteration."""
    m = branch.m
    for frac in (0.5, 0.3, 0.7, 0.15, 0.85, 0.05):
        nu = mu + frac * gap
        if (nu - stop) * np.sign(gap) > 0:
            continue
        sol = branch.solve(x, k, nu)
        if sol is None:
            continue
        xk, M = sol
        values, vectors = np.linalg.eig(M)
        v = np.real(vectors[:, np.argmin(np.abs(values + 1))])
        y = xk + 1e-4 * (1 + np.abs(xk).max()) * v / np.abs(v).max()
        p = branch.params(nu)
        budget = min(transient * 2 * k, 50_000_000)
        if m.kernels.settle(y, p, budget, 2 * k, 1e-10, branch.escape) != 2 * k:
            continue
        doubled = branch.solve(y, 2 * k, nu)
        if doubled is not None:
            return doubled[0], nu
    return None


def cascade(
    m: Map,
    param: str,
    start: float,
    stop: float,
    x0: object,
    count: int = 8,
    params: Mapping[str, float] | None = None,
    transient: int = 2000,
    escape: float = DEFAULT_ESCAPE,
    digits: int | None = None,
) -> Cascade:
    """Locate successive period doublings of the attractor reached from ``x0``.

    At ``start`` the attractor's period k is found by iteration. Its orbit is then
    followed towards ``stop`` by Newton continuation on F^k(x) = x, watching
    det(I + M) (M the monodromy matrix), which changes sign exactly where a real
    multiplier crosses -1; each crossing is bracketed and solved by Brent's method, the
    orbit being re-solved by Newton at every evaluation. Past each doubling the new
    period-2k orbit is reached by iterating the map from the old orbit pushed along the
    flip eigenvector, and the search goes on. Parameters run from ``start`` to ``stop``
    in either direction.

    Parameters
    ----------
    m
        The map.
    param
        The parameter varied.
    start, stop
        The search interval; at ``start`` the attractor must be periodic.
    x0
        Initial state for finding the attractor at ``start``.
    count
        How many doublings to find at most (up to
        :data:`~bifurc.analysis.arguments.MAX_DOUBLINGS`).
    params
        Overrides of the other parameters.
    transient
        Iterations (per period) allowed for settling on each new orbit.
    escape
        Escape radius.
    digits
        If given (at least 16), each doubling found in float64 is refined in mpmath to
        this many digits by :func:`bifurc.analysis.precision.flip_point_mp` (the same
        condition det(I + M) = 0, the orbit re-solved in high precision), with a certified
        error bound. Costs about 20 evaluations of the period-k orbit in mpmath per point
        (1.5 s at period 8192). The other parameters enter as given in ``params``: as
        decimal strings (``{"b": "0.3"}``) they are exact, as floats (and the map's
        defaults) they are their float64 values (0.3 is 0.29999999999999998890).

    Returns
    -------
    Cascade
        Points in the order met; ``delta`` holds the Feigenbaum ratios. A warning is
        issued if fewer than ``count`` doublings were found.

    Raises
    ------
    ValueError
        For bad arguments, or if the attractor at ``start`` is not periodic.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> c = bifurc.cascade(bifurc.maps.logistic, "r", 2.8, 3.5699, 0.3, count=7)
    >>> c.periods.tolist()
    [1, 2, 4, 8, 16, 32, 64]
    >>> print(round(c.points[0], 12), round(c.points[1], 12), round(1 + np.sqrt(6), 12))  # 3, 1 + sqrt 6
    3.0 3.449489742783 3.449489742783
    >>> print(round(c.delta[-1], 2))  # the ratios tend to Feigenbaum's delta = 4.6692...
    4.67
    """
    count = positive_int(count, "count", MAX_DOUBLINGS)
    if digits is not None:
        digits = precision_digits(digits)
    transient = positive_int(transient, "transient")
    escape = escape_radius(escape)
    start, stop = float(start), float(stop)
    if not (np.isfinite(start) and np.isfinite(stop)) or start == stop:
        raise InputError(f"start and stop must be finite and different, got {start}, {stop}")
    index = m.parameter_index(param)
    branch = _Branch(m, m.parameter_vector({**(params or {}), param: start}), index, escape)
    x = m.state_vector(x0)
    k = int(m.kernels.settle(x, branch.params(start), 100 * transient, 4096, 1e-10, escape))
    if k <= 0:
        what = "escaped" if k < 0 else "has no period up to 4096"
        raise InputError(f"the orbit from x0 at {param}={start} {what}: start must be in a periodic window")
    points: list[float] = []
    periods: list[int] = []
    orbits: list[np.ndarray] = []
    widths: list[float] = []
    mu, h = start, abs(stop - start) / 64
    message = f"found the {count} doublings asked for"
    while len(points) < count:
        flip = _march_to_flip(branch, x, k, mu, stop, h)
        if flip is None:
            message = f"no further doubling of the period-{k} orbit before {param}={stop}"
            break
        mu_flip, x_flip, width = flip
        points.append(mu_flip)
        widths.append(width)
        periods.append(k)
        orbits.append(x_flip)
        if len(points) == count:
            break
        scale = abs(points[-1] - points[-2]) if len(points) > 1 else abs(stop - mu_flip) / 4 * _RATIO_GUESS
        gap = np.sign(stop - start) * scale / _RATIO_GUESS
        seeded = _seed_doubled(branch, x_flip, k, mu_flip, gap, stop, transient)
        if seeded is None:
            message = f"could not settle on the period-{2 * k} orbit after {param}={mu_flip!r}"
            break
        x, mu = seeded
        k, h = 2 * k, abs(gap) / 16
    if len(points) < count:
        warnings.warn(
            f"cascade: {len(points)} of {count} doublings found; {message}", RuntimeWarning, stacklevel=2
        )
    pts = np.array(points)
    others = m.named_parameters(branch.base, exclude=(param,))
    periods_array = np.array(periods, dtype=np.int64)
    if digits is None:
        return Cascade(m.name, param, pts, periods_array, np.array(widths), others, message)
    exact = {**others, **{k: v for k, v in (params or {}).items() if k != param}}  # strings kept as given
    refined = [flip_point_mp(m, param, k, mu, x, exact, digits) for mu, k, x in zip(points, periods, orbits)]
    precise = tuple(mpmath.nstr(mu, digits, strip_zeros=False) for mu, _, _ in refined)
    return Cascade(m.name, param, np.array([float(mu) for mu, _, _ in refined]), periods_array,
                   np.array([float(t) for _, t, _ in refined]), others, message, digits, precise)
