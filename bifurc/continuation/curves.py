"""Fold, flip and Neimark-Sacker curves of cycles continued in two parameters.

A special point found on a one-parameter branch is followed as a second parameter moves:
the unknowns are z = (x, a, b) and the equations (F^k(x; a, b) - x, g(z)) = 0, with g the
bordered test function of :mod:`bifurc.continuation.location` (whose gradient comes from
the map's derived second derivatives), solved by the same pseudo-arclength continuation
as a branch. The borders are renewed from the null vectors at each accepted point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.arguments import escape_radius
from ..analysis.orbits import DEFAULT_ESCAPE
from ..definition.iterated_map import Map
from ..errors import InputError
from .branch import make_settings, march, multipliers, unit_tangent
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
    status, message : str
        Why the continuation stopped (as for a :class:`~bifurc.continuation.results.Branch`,
        the bound being on the second parameter).
    fixed : dict
        The other parameters.
    start, stop, step, min_step, max_step, max_points, tol, bounds
        The settings used (``start``, ``stop`` and ``bounds`` refer to the second parameter).
    """

    map_name: str
    kind: str
    params: tuple
    values: np.ndarray
    states: np.ndarray
    period: int
    multipliers: np.ndarray
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

    def renew(z: np.ndarray, t: np.ndarray, z_new: np.ndarray, t_new: np.ndarray) -> None:
        out = equations(z_new)
        if out is not None:
            edges[:] = [out[2] / np.linalg.norm(out[2]), out[3] / np.linalg.norm(out[3])]

    start = equations(z0)
    if start is None or np.max(np.abs(start[0])) > 1e-8 * (1 + np.max(np.abs(z0))):
        raise InputError(f"point is not a {point.kind} point of the map's period-{point.period} cycles")
    t0 = unit_tangent(start[1], np.append(np.zeros(n + 1), np.sign(stop - first)))
    if t0 is None:
        raise InputError(f"the {point.kind} curve is singular at the point (a codimension-2 point?)")
    zs, _, status, message = march(equations, z0, t0, settings, n + 1, other, renew)
    Z = np.array(zs)
    mu = np.array([multipliers(system.residual(z)[2]) for z in zs])
    fixed = {k: v for k, v in point.params.items() if k != other}
    return Curve(m.name, point.kind, (point.param, other), Z[:, n:].copy(), Z[:, :n].copy(), system.period,
                 mu, status, message, fixed, settings.start, settings.stop, settings.step, settings.min_step,
                 settings.max_step, settings.max_points, settings.tol, settings.bounds)

