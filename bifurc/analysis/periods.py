"""Periods of attractors, and periodic orbits of a given period with their multipliers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..definition.iterated_map import Map
from ..errors import InputError
from .arguments import (
    affordable,
    escape_radius,
    nonnegative_int,
    positive_float,
    positive_int,
    warn_precision,
)
from .orbits import DEFAULT_ESCAPE
from .precision import unstable_cycle

__all__ = ["period", "PeriodicOrbit", "periodic_orbits", "fixed_points", "classify", "newton_cycle"]


def period(
    m: Map,
    x0: object,
    params: Mapping[str, float] | None = None,
    transient: int = 10_000,
    max_period: int = 1024,
    tol: float = 1e-9,
    escape: float = DEFAULT_ESCAPE,
) -> int:
    """The period of the attractor reached from ``x0``.

    After ``transient`` steps, the smallest k <= ``max_period`` with
    |F^k(x) - x| <= tol (1 + |x|) in every component, confirmed over a second cycle.

    Returns
    -------
    int
        The period; 0 if none was found up to ``max_period`` (chaos, quasi-periodicity,
        or a transient too short near a bifurcation); -1 if the orbit escaped. If the cycle
        found is unstable (the orbit was put on it by float64 rounding, as the slope-2 tent
        map is put on 0), a :class:`~bifurc.analysis.arguments.PrecisionWarning` says so.

    Examples
    --------
    >>> import bifurc
    >>> [bifurc.period(bifurc.maps.logistic, 0.3, {"r": r}) for r in (2.8, 3.2, 3.5, 3.83)]  # 3.83: a window
    [1, 2, 4, 3]
    """
    transient = nonnegative_int(transient, "transient")
    max_period = positive_int(max_period, "max_period")
    tol = positive_float(tol, "tol")
    x = m.state_vector(x0)
    p = m.parameter_vector(params)
    kernels = m.kernels_for(transient + 2 * max_period)
    k = int(kernels.settle(x, p, transient, max_period, tol, escape_radius(escape)))
    modulus = unstable_cycle(m, x, p, k) if k > 0 else None
    if modulus is not None:
        warn_precision(f"the period-{k} orbit found at {x.tolist()} is unstable "
                       f"(|multiplier| {modulus:.4g}): the orbit sits on it only by rounding "
                       "(or started exactly on it)")
    return k


#: How closely Newton places a neutral cycle, relative. It is a multiple root of F^k(x) = x
#: (double at a fold, triple at a pitchfork), which float64 resolves only to about eps^(1/m):
#: F^k(x) - x rounds to 0 all over a band of that width (at the pitchfork of f_q's 2-cycle for
#: the Cauchy loss, starts converged to points up to 4e-6 apart). Cycles found within ten times
#: eps^(1/3) of a neutral one are that cycle.
NEUTRAL_SPREAD = 10 * float(np.finfo(np.float64).eps) ** (1 / 3)


@dataclass(frozen=True)
class PeriodicOrbit:
    """A periodic orbit of a map.

    Attributes
    ----------
    points : numpy.ndarray
        The k points of the cycle, shape (k, dim), starting with the one that sorts first.
    multipliers : numpy.ndarray
        Eigenvalues of the monodromy matrix D(F^k) (complex), by decreasing modulus.
    kind : str
        ``"stable"`` (all |mu| < 1), ``"unstable"`` (all > 1), ``"saddle"`` (some of
        each) or ``"neutral"`` (some |mu| within ``1e-9`` of 1: a multiple root of
        F^k(x) = x, whose points float64 places only to about :data:`NEUTRAL_SPREAD`).
    residual : float
        max |F^k(x) - x| over the cycle's points: the tolerance reached.

    Examples
    --------
    >>> import bifurc
    >>> (p,) = bifurc.fixed_points(bifurc.maps.logistic, [(0.1, 1)], {"r": 2.5})
    >>> print(round(p.points[0, 0], 12), round(p.multipliers[0].real, 12), p.kind)  # 1 - 1/r, 2 - r
    0.6 -0.5 stable
    """

    points: np.ndarray
    multipliers: np.ndarray
    kind: str
    residual: float

    @property
    def period(self) -> int:
        """The minimal period k."""
        return self.points.shape[0]

    @property
    def stable(self) -> bool:
        """True if the orbit attracts (every multiplier inside the unit circle)."""
        return self.kind == "stable"


def classify(multipliers: np.ndarray, tol: float = 1e-9) -> str:
    """Stability type from the multipliers: stable, unstable, saddle or neutral."""
    moduli = np.abs(multipliers)
    if np.any(np.abs(moduli - 1.0) <= tol):
        return "neutral"
    if np.all(moduli < 1.0):
        return "stable"
    if np.all(moduli > 1.0):
        return "unstable"
    return "saddle"


def newton_cycle(
    m: Map, x: np.ndarray, p: np.ndarray, k: int, tol: float = 1e-13, max_iter: int = 60,
    escape: float = DEFAULT_ESCAPE,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Newton's method on F^k(x) = x from ``x``; the solution and its monodromy matrix, or None."""
    x = np.array(x, dtype=np.float64)
    M = np.empty((m.dim, m.dim))
    if m.kernels_for(max_iter * k * (1 + m.dim * m.dim)).newton_cycle(x, p, k, tol, max_iter, escape, M) < 0:
        return None
    return x, M


def cycle_points(m: Map, x: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    points = np.empty((k, m.dim))
    m.kernels_for(k).orbit(x, p, k, 0, np.inf, points)
    first = min(range(k), key=lambda i: tuple(points[i]))
    return np.roll(points, -first, axis=0)


def minimal_period(points: np.ndarray, tol: float) -> int:
    """The smallest d dividing k with the cycle invariant under a shift by d."""
    k = points.shape[0]
    scale = 1.0 + np.abs(points).max()
    for d in range(1, k + 1):
        if k % d == 0 and np.all(np.abs(np.roll(points, -d, axis=0) - points) <= tol * scale):
            return d
    return k


def periodic_orbits(
    m: Map,
    k: int,
    box: Sequence[tuple[float, float]],
    params: Mapping[str, float] | None = None,
    starts: int = 64,
    tol: float = 1e-12,
    seed: int | None = 0,
) -> list[PeriodicOrbit]:
    """All periodic orbits of minimal period ``k`` that Newton finds from starts in a box.

    Newton's method on F^k(x) = x runs from a regular grid of ``starts`` points per axis
    over ``box`` (jittered by ``seed`` so that grid-aligned degeneracies are avoided),
    in parallel. Solutions of lower period, duplicates and cycle shifts are removed.
    Like every search from finitely many starts it can miss orbits with tiny basins of
    Newton convergence; raise ``starts`` to be thorough.

    Parameters
    ----------
    m
        The map.
    k
        The minimal period sought (1 for fixed points).
    box
        (low, high) for each state variable; orbits whose first point lies outside
        are discarded.
    params
        Parameter overrides.
    starts
        Grid points per axis.
    tol
        Newton's step tolerance (relative); also the tolerance for telling points apart
        (scaled by 1e4).
    seed
        Seed of the jitter; None for an exact grid.

    Returns
    -------
    list of PeriodicOrbit
        Sorted by the first point.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> (cycle,) = bifurc.periodic_orbits(bifurc.maps.logistic, 2, [(0, 1)], {"r": 3.2})
    >>> r = 3.2  # closed form: x = (r + 1 -+ sqrt((r - 3)(r + 1))) / (2r)
    >>> np.allclose(cycle.points[:, 0], (r + 1 + np.array([-1, 1]) * np.sqrt((r - 3) * (r + 1))) / (2 * r))
    True
    >>> print(round(cycle.multipliers[0].real, 9))  # 4 + 2r - r^2
    0.16
    >>> cycle.kind
    'stable'
    """
    k = positive_int(k, "k")
    starts = positive_int(starts, "starts")
    tol = positive_float(tol, "tol")
    lows, highs = _box(m, box)
    p = m.parameter_vector(params)
    affordable((starts**m.dim,), "the grid of starts", itemsize=8 * (2 * m.dim + 1))  # starts, jitter, status
    axes = [np.linspace(lo, hi, starts) for lo, hi in zip(lows, highs)]
    X = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)
    if seed is not None:
        spacing = (highs - lows) / max(starts - 1, 1)
        X += np.random.default_rng(seed).uniform(-0.25, 0.25, X.shape) * spacing
    X = np.ascontiguousarray(X)
    status = np.empty(X.shape[0], dtype=np.int64)
    kernels = m.kernels_for(X.shape[0] * 60 * k * (1 + m.dim * m.dim))
    kernels.newton_cycles_many(X, p, k, tol, 60, DEFAULT_ESCAPE, status)
    found: list[PeriodicOrbit] = []
    same = 1e4 * tol
    for x in X[status >= 0]:
        if np.any(x < lows - same * (1 + abs(lows))) or np.any(x > highs + same * (1 + abs(highs))):
            continue
        points = cycle_points(m, x, p, k)
        if minimal_period(points, same) != k:
            continue
        if any(_near(points[0], other.points[0], same) for other in found):
            continue  # the usual duplicate, dropped before its monodromy is computed
        orbit = _orbit_from(m, points, p, k)
        if orbit is None or any(_near(points[0], other.points[0], NEUTRAL_SPREAD) for other in found
                                if "neutral" in (orbit.kind, other.kind)):
            continue
        found.append(orbit)
    return sorted(found, key=lambda o: tuple(o.points[0]))


def _near(x: np.ndarray, key: np.ndarray, close: float) -> bool:
    """True if ``x`` agrees with ``key`` within ``close``, relative (to 1 + |key|)."""
    return bool(np.all(np.abs(x - key) <= close * (1 + np.abs(key))))


def _orbit_from(m: Map, points: np.ndarray, p: np.ndarray, k: int) -> PeriodicOrbit | None:
    """The orbit through ``points`` with its multipliers; None where the monodromy matrix is not
    finite (a transcendental map overflowing far out: no multipliers to report)."""
    y = np.empty(m.dim)
    M = np.empty((m.dim, m.dim))
    kernels = m.kernels_for(k * (2 + m.dim * m.dim))  # the monodromy, then a step from each point
    kernels.flow_with_monodromy(points[0].copy(), p, k, np.inf, y, M)
    if not np.all(np.isfinite(M)):
        return None
    image = np.empty_like(points)
    for point, out in zip(points, image):
        kernels.step(point, p, out)
    residual = float(np.abs(image - np.roll(points, -1, axis=0)).max())
    mults = np.linalg.eigvals(M)
    mults = mults[np.argsort(-np.abs(mults), kind="stable")]
    return PeriodicOrbit(points, mults, classify(mults), residual)


def _box(m: Map, box: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    try:
        array = np.asarray(box, dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError):
        raise InputError(f"box must be (low, high) pairs, one per state variable, got {box!r}") from None
    if array.shape[0] != m.dim:
        raise InputError(
            f"box must have {m.dim} (low, high) pairs ({', '.join(m.state)}), got {array.shape[0]}"
        )
    if not np.all(np.isfinite(array)) or np.any(array[:, 0] >= array[:, 1]):
        raise InputError(f"box must have finite bounds with low < high, got {array.tolist()}")
    return array[:, 0].copy(), array[:, 1].copy()


def fixed_points(
    m: Map,
    box: Sequence[tuple[float, float]],
    params: Mapping[str, float] | None = None,
    starts: int = 64,
    tol: float = 1e-12,
) -> list[PeriodicOrbit]:
    """Fixed points of ``m`` in ``box`` with their multipliers: :func:`periodic_orbits` with k = 1.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> a, b = 1.4, 0.3  # Henon: x = (-(1 - b) -+ sqrt((1 - b)^2 + 4a)) / (2a), y = b x
    >>> x = (-(1 - b) + np.array([-1, 1]) * np.sqrt((1 - b) ** 2 + 4 * a)) / (2 * a)
    >>> points = bifurc.fixed_points(bifurc.maps.henon, [(-2, 2), (-1, 1)])
    >>> np.allclose([p.points[0] for p in points], np.column_stack([x, b * x]))
    True
    >>> [p.kind for p in points]
    ['saddle', 'saddle']
    """
    return periodic_orbits(m, 1, box, params=params, starts=starts, tol=tol)
