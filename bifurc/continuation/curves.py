"""Fold, flip and Neimark-Sacker curves of cycles continued in two parameters.

A special point found on a one-parameter branch is followed as a second parameter moves:
the unknowns are z = (x, a, b) and the equations (F^k(x; a, b) - x, g(z)) = 0, with g the
bordered test function of :mod:`bifurc.continuation.location` (whose gradient comes from
the map's derived second derivatives), solved by the same pseudo-arclength continuation
as a branch. The borders are renewed from the null vectors at each accepted point, and the
codimension-2 points on the curve are located (:mod:`bifurc.continuation.codim2`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..analysis.arguments import escape_radius
from ..analysis.orbits import DEFAULT_ESCAPE
from ..definition.iterated_map import Map
from ..errors import InputError
from .branch import make_settings, march, multipliers, unit_tangent
from .codim2 import locate_on_curve, test_values
from .location import augmented, borders
from .results import SpecialPoint
from .system import CycleSystem

__all__ = ["Curve", "bifurcation_curve"]


@dataclass(frozen=True)
class Curve:
    """A curve of fold, flip or Neimark-Sacker points of period-k cycles in two parameters.

    Attributes
    ----------
    map_name, kind : str
        The map and the kind of the points (as in :class:`~bifurc.continuation.results.SpecialPoint`).
    params : tuple of str
        The two parameters: the one of the starting point's branch, then the other.
    values : numpy.ndarray
        Their values along the curve, shape (N, 2).
    states : numpy.ndarray
        A point of the critical cycle at each point, shape (N, dim).
    period : int
        The cycles' period.
    multipliers : numpy.ndarray
        The monodromy matrix's eigenvalues, by decreasing modulus, shape (N, dim).
    points : tuple of SpecialPoint
        The codimension-2 points located on the curve (kinds in
        :data:`bifurc.continuation.codim2.TESTS`), each with ``value`` the first parameter
        and the second in ``params``.
    status, message : str
        Why the continuation stopped (as for a :class:`~bifurc.continuation.results.Branch`,
        the bound being on the second parameter).
    fixed : dict
        The other parameters.
    start, stop, step, min_step, max_step, max_points, tol, bounds
        The settings used (``start``, ``stop`` and ``bounds`` refer to the second parameter).

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import bifurcation_curve, continuation
    >>> flip = continuation(maps.henon, "a", [1.2, 0.36], 0.1, 0.5).special("flip")[0]
    >>> curve = bifurcation_curve(maps.henon, flip, "b", 0.2)
    >>> curve.kind, curve.period, curve.values.shape[1]
    ('flip', 1, 2)
    >>> print(round(curve.values[-1, 0], 9), round(3 * (1 - 0.2) ** 2 / 4, 9))  # a = 3 (1 - b)^2 / 4
    0.48 0.48
    """

    map_name: str
    kind: str
    params: tuple
    values: np.ndarray
    states: np.ndarray
    period: int
    multipliers: np.ndarray
    points: tuple
    status: str
    message: str
    fixed: dict
    start: float
    stop: float
    step: float
    min_step: float
    max_step: float
    max_points: int
    tol: float
    bounds: tuple


def bifurcation_curve(
    m: Map,
    point: SpecialPoint,
    other: str,
    stop: float,
    step: float | None = None,
    min_step: float | None = None,
    max_step: float | None = None,
    max_points: int = 2000,
    tol: float = 1e-12,
    escape: float = DEFAULT_ESCAPE,
    bounds: tuple[float, float] | None = None,
) -> Curve:
    """Continue the fold, flip or Neimark-Sacker ``point`` as the parameter ``other`` moves to ``stop``.

    Parameters
    ----------
    m
        The map whose branch holds ``point``.
    point
        A special point of a :class:`~bifurc.continuation.results.Branch`.
    other
        The second parameter; it starts at its value in ``point.params``.
    stop
        Where ``other`` stops.
    step, min_step, max_step, max_points, tol, escape, bounds
        As for :func:`~bifurc.continuation.continuation`, in (x, param, other) space;
        ``bounds`` limits ``other``.

    Returns
    -------
    Curve

    Raises
    ------
    ValueError
        For bad arguments (``other`` unknown, or the parameter of the point's branch).

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import maps
    >>> from bifurc.continuation import bifurcation_curve, continuation
    >>> branch = continuation(maps.henon, "a", [1.2, 0.36], 0.1, 0.5)  # at b = 0.3
    >>> flip = branch.special("flip")[0]
    >>> curve = bifurcation_curve(maps.henon, flip, "b", 0.1)
    >>> a, b = curve.values.T  # Henon's fixed point flips on a = 3 (1 - b)^2 / 4
    >>> curve.params, bool(np.allclose(a, 3 * (1 - b) ** 2 / 4, rtol=0, atol=1e-10))
    (('a', 'b'), True)
    """
    if not isinstance(point, SpecialPoint):
        raise InputError(f"point must be a special point of a branch, got {point!r}")
    if other == point.param or other not in point.params:
        known = ", ".join(point.params) or "none"
        raise InputError(f"other must be a parameter of the map other than {point.param!r} (one of: {known})")
    first = point.params[other]
    settings = make_settings(first, stop, step, min_step, max_step, max_points, tol, bounds)
    system = CycleSystem(m, (point.param, other), point.period, {**point.params, point.param: point.value},
                         escape_radius(escape))
    n = system.dim
    z0 = np.concatenate([point.state, [point.value, first]])
    edges = list(borders(system, point.kind, z0))

    def equations(z: np.ndarray):
        return augmented(system, point.kind, z, *edges)

    found: list[SpecialPoint] = []
    notes: list[str] = []
    tests = [test_values(system, point.kind, z0)]

    def visit(z: np.ndarray, t: np.ndarray, z_new: np.ndarray, t_new: np.ndarray) -> None:
        tests.append(test_values(system, point.kind, z_new))
        for name, before in tests[-2].items():
            if before * tests[-1][name] < 0:
                def test(y: np.ndarray, name: str = name) -> float:
                    return test_values(system, point.kind, y)[name]

                located = locate_on_curve(equations, test, z, t, z_new, settings.tol)
                if located is not None:
                    found.append(_codim2_point(system, name, located, point.params))
                else:
                    notes.append(f"a {name} point between {other}={float(z[n + 1])!r} and "
                                 f"{float(z_new[n + 1])!r} could not be located")
        out = equations(z_new)  # new borders: the null vectors at the last point
        if out is not None:
            edges[:] = [out[2] / np.linalg.norm(out[2]), out[3] / np.linalg.norm(out[3])]

    start = equations(z0)
    if start is None or np.max(np.abs(start[0])) > 1e-8 * (1 + np.max(np.abs(z0))):
        raise InputError(f"point is not a {point.kind} point of the map's period-{point.period} cycles")
    t0 = unit_tangent(start[1], np.append(np.zeros(n + 1), np.sign(stop - first)))
    if t0 is None:
        raise InputError(f"the {point.kind} curve is singular at the point (a codimension-2 point?)")
    zs, _, status, message = march(equations, z0, t0, settings, n + 1, other, visit)
    if notes:
        message += "; " + "; ".join(notes)
    Z = np.array(zs)
    mu = np.array([multipliers(system.residual(z)[2]) for z in zs])
    fixed = {k: v for k, v in point.params.items() if k != other}
    return Curve(m.name, point.kind, (point.param, other), Z[:, n:].copy(), Z[:, :n].copy(), system.period,
                 mu, tuple(found), status, message, fixed, **asdict(settings))


def _codim2_point(system: CycleSystem, kind: str, z: np.ndarray, params: dict) -> SpecialPoint:
    """A codimension-2 point at ``z`` = (x, a, b): ``value`` is a, ``params`` holds b."""
    n = system.dim
    first, second = system.free
    mu = multipliers(system.residual(z)[2])
    others = {**{k: v for k, v in params.items() if k != first}, second: float(z[n + 1])}
    return SpecialPoint(kind, first, float(z[n]), z[:n].copy(), system.period, mu, math.nan, "",
                        np.zeros(n), math.nan, others)

