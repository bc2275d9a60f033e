"""Branch switching at a flip and at a branch point, and a period-doubling cascade followed branch by branch.

At a flip of a period-k cycle (a multiplier -1, eigenvector q) the cycle of period 2k is
born: as a fixed point of F^{2k} it lies at x* +- eta q, with the parameter moving only by
O(eta^2), so its branch leaves the flip point z* = (x*, a*) along (q, 0), while the
period-k cycle, also a solution of F^{2k}(x) = x, crosses it transversally. A predictor
z* + h (q, 0) corrected on the hyperplane orthogonal to (q, 0) therefore lands on the new
branch (its minimal period is checked), which is then continued like any other. At a
branch point the same step is taken along the other branch's tangent (see
:mod:`bifurc.continuation.branch_points`); the cycles found there may have a period that
divides the branch's (the period-k cycles a doubled branch was born from), and are then
followed with that period. A switched branch starts at the special point it leaves, so
that it is drawn joined to the branch it was switched from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ..analysis.arguments import positive_int
from ..analysis.orbits import DEFAULT_ESCAPE
from ..analysis.periods import cycle_points, minimal_period
from ..definition.iterated_map import Map
from ..errors import InputError
from .branch import Settings, corrector, first_point, multipliers, setup, trace, unit_tangent
from .results import Branch, SpecialPoint
from .system import CycleSystem

__all__ = ["switch_at_flip", "switch_at_branch_point", "follow_cascade", "CascadeBranches"]


def _switched_start(system: CycleSystem, z_star: np.ndarray, direction: np.ndarray, settings: Settings,
                    periods: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The first point of the branch leaving ``z_star`` along ``direction``, its tangent and its cycles'
    minimal period; None if there is none within the steps allowed.

    The point is a fixed point of F^k, k = ``system.period``; its minimal period must be one of
    ``periods`` (default: k itself). The tangent is that of the branch of that period.
    """
    n = system.dim
    periods = periods or (system.period,)
    t0 = direction / np.linalg.norm(direction)
    h = settings.step
    while h >= settings.min_step:
        corrected = corrector(system.equations, z_star + h * t0, t0, settings.tol)
        if corrected is not None:
            z1 = corrected[0]
            p = system.parameters(z1[n])
            period = minimal_period(cycle_points(system.m, z1[:n], p, system.period), 1e-9)
            out = _period(system, period).residual(z1) if period in periods else None
            t1 = unit_tangent(out[1], t0) if out is not None else None
            if t1 is not None:
                return z1, t1, period
        h /= 2
    return None


def _period(system: CycleSystem, period: int) -> CycleSystem:
    """The same cycle system for cycles of another period."""
    if period == system.period:
        return system
    params = system.m.named_parameters(system.base)
    return CycleSystem(system.m, system.param, period, params, system.escape)


def _from_origin(system: CycleSystem, z_star: np.ndarray, branch: Branch) -> Branch:
    """``branch`` with the special point ``z_star`` it was switched from as its first point.

    The multipliers there are those of the branch's cycles (one lies on the unit circle), and
    its stability flag is that of the next point, the branch it leaves on.
    """
    n = system.dim
    out = system.residual(z_star)
    mu = multipliers(out[2]) if out is not None else np.full(n, np.nan, dtype=complex)
    return replace(branch, values=np.insert(branch.values, 0, z_star[n]),
                   states=np.vstack([z_star[:n], branch.states]),
                   multipliers=np.vstack([mu, branch.multipliers]),
                   stable=np.insert(branch.stable, 0, branch.stable[0]))


def _flip_start(system: CycleSystem, point: SpecialPoint,
                settings: Settings) -> tuple[np.ndarray, np.ndarray] | None:
    """The first point of the period-2k branch born at the flip ``point``, and its tangent."""
    direction = np.append(np.real(point.vector), 0.0)
    start = _switched_start(system, np.append(point.state, point.value), direction, settings)
    return None if start is None else start[:2]


def switch_at_flip(
    m: Map,
    point: SpecialPoint,
    stop: float,
    step: float | None = None,
    min_step: float | None = None,
    max_step: float | None = None,
    max_points: int = 2000,
    tol: float = 1e-12,
    escape: float = DEFAULT_ESCAPE,
    bounds: tuple[float, float] | None = None,
) -> Branch:
    """The branch of period-2k cycles born at the flip ``point`` of a period-k cycle, followed to ``stop``.

    Parameters
    ----------
    m
        The map whose branch holds ``point``.
    point
        A ``"flip"`` point of a :class:`~bifurc.continuation.results.Branch`.
    stop
        Where to stop; the new branch starts at ``point.value``. For a supercritical flip
        the doubled cycle exists on the side where the period-k cycle is unstable, for a
        subcritical one on the other.
    step, min_step, max_step, max_points, tol, escape, bounds
        As for :func:`~bifurc.continuation.continuation` (``step`` is also the distance
        from the flip point along q of the first point).

    Returns
    -------
    Branch
        Of period ``2 * point.period``, starting at ``point`` itself (whose cycle, run twice,
        is the doubled cycle at its birth).

    Raises
    ------
    ValueError
        If ``point`` is not a flip, or no period-2k cycle is found near it on the side of ``stop``.

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import continuation, switch_at_flip
    >>> fixed = continuation(maps.logistic, "r", 0.6, 2.5, 3.6)
    >>> doubled = switch_at_flip(maps.logistic, fixed.special("flip")[0], 3.6)
    >>> doubled.period, round(float(doubled.values[0]), 9)  # born where 2 - r = -1
    (2, 3.0)
    >>> [round(p.value, 9) for p in doubled.special("flip")]  # and flips at r = 1 + sqrt 6
    [3.449489743]
    """
    if not isinstance(point, SpecialPoint) or point.kind != "flip":
        raise InputError(f"point must be a flip point of a branch, got {getattr(point, 'kind', point)!r}")
    settings, system, others = setup(m, point.param, point.value, stop, 2 * point.period, point.params,
                                     step, min_step, max_step, max_points, tol, escape, bounds)
    start = _flip_start(system, point, settings)
    lo, hi = settings.bounds
    if start is None or not lo <= start[0][-1] <= hi:
        side = "" if start is None else f" in [{lo!r}, {hi!r}]: it lies on the other side of the flip"
        raise InputError(f"found no period-{system.period} cycle near the flip at "
                         f"{point.param}={point.value!r}{side}")
    return _from_origin(system, np.append(point.state, point.value), trace(system, *start, settings, others))


def switch_at_branch_point(
    m: Map,
    point: SpecialPoint,
    stop: float,
    step: float | None = None,
    min_step: float | None = None,
    max_step: float | None = None,
    max_points: int = 2000,
    tol: float = 1e-12,
    escape: float = DEFAULT_ESCAPE,
    bounds: tuple[float, float] | None = None,
) -> Branch:
    """The other branch of cycles through the branch point ``point``, followed to ``stop``.

    It leaves along ``point.vector`` (the root of the algebraic branching equation that is
    not the branch already followed), in the direction of ``stop``; a branch that leaves
    with the parameter fixed (a pitchfork) is followed along +``point.vector``. Its cycles
    have the period k of ``point``'s, or a divisor d of k: where a branch of doubled cycles
    ends on the cycles it was born from (a flip seen from the period-2k side), the other
    branch is that of the period-d cycles, and it is followed as such.

    Parameters
    ----------
    m
        The map whose branch holds ``point``.
    point
        A ``"branch-point"`` of a :class:`~bifurc.continuation.results.Branch`.
    stop, step, min_step, max_step, max_points, tol, escape, bounds
        As for :func:`switch_at_flip`.

    Returns
    -------
    Branch
        Of period k or d, starting at ``point`` itself.

    Raises
    ------
    ValueError
        If ``point`` is not a branch point or no cycle is found on the other branch.

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import continuation, switch_at_branch_point
    >>> zero = continuation(maps.logistic, "r", 0.0, 0.5, 1.5)  # the fixed point 0
    >>> point = zero.special("branch-point")[0]
    >>> round(point.value, 9)  # it crosses the fixed point 1 - 1/r at r = 1 (transcritical)
    1.0
    >>> other = switch_at_branch_point(maps.logistic, point, 1.5)
    >>> print(round(other.values[-1], 9), round(other.states[-1, 0], 9), round(1 - 1 / 1.5, 9))
    1.5 0.333333333 0.333333333
    """
    if not isinstance(point, SpecialPoint) or point.kind != "branch-point":
        raise InputError(f"point must be a branch point of a branch, got {getattr(point, 'kind', point)!r}")
    settings, system, others = setup(m, point.param, point.value, stop, point.period, point.params,
                                     step, min_step, max_step, max_points, tol, escape, bounds)
    direction = np.array(point.vector, dtype=np.float64)
    if direction[-1] * (settings.stop - settings.start) < 0:
        direction = -direction
    z_star = np.append(point.state, point.value)
    divisors = tuple(d for d in range(1, point.period + 1) if point.period % d == 0)
    start = _switched_start(system, z_star, direction, settings, divisors)
    lo, hi = settings.bounds
    if start is None or not lo <= start[0][-1] <= hi:
        side = "" if start is None else f" in [{lo!r}, {hi!r}]: it lies on the other side of the point"
        raise InputError(f"found no second branch of cycles of period {point.period} or a divisor of it "
                         f"at the branch point {point.param}={point.value!r}{side}")
    system = _period(system, start[2])
    return _from_origin(system, z_star, trace(system, *start[:2], settings, others))


@dataclass(frozen=True)
class CascadeBranches:
    """A period-doubling cascade followed by continuation and branch switching.

    Attributes
    ----------
    map_name, param : str
        The map and the parameter.
    flips : tuple of SpecialPoint
        The flips met, of periods k, 2k, 4k, ..., each with its cubic coefficient.
    branches : tuple of Branch
        The branch of each period, from its birth to its flip.
    message : str
        Why the cascade stopped.
    params : dict
        The other parameters.
    start, stop : float
        The parameter interval.
    count : int
        How many flips were asked for.

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import follow_cascade
    >>> c = follow_cascade(maps.logistic, "r", 0.6, 2.5, 3.47, count=2)
    >>> [f.period for f in c.flips], [f.criticality for f in c.flips]
    ([1, 2], ['supercritical', 'supercritical'])
    """

    map_name: str
    param: str
    flips: tuple
    branches: tuple
    message: str
    params: dict = field(default_factory=dict)
    start: float = float("nan")
    stop: float = float("nan")
    count: int = 0

    @property
    def points(self) -> np.ndarray:
        """The flips' parameter values."""
        return np.array([f.value for f in self.flips])

    @property
    def periods(self) -> np.ndarray:
        """The period that doubles at each flip."""
        return np.array([f.period for f in self.flips], dtype=np.int64)

    @property
    def delta(self) -> np.ndarray:
        """Feigenbaum ratios (mu_{i+1} - mu_i) / (mu_{i+2} - mu_{i+1})."""
        gaps = np.diff(self.points)
        return gaps[:-1] / gaps[1:]


def follow_cascade(
    m: Map,
    param: str,
    x0: object,
    start: float,
    stop: float,
    count: int = 6,
    period: int = 1,
    params: Mapping[str, float] | None = None,
    max_points: int = 2000,
    tol: float = 1e-12,
    escape: float = DEFAULT_ESCAPE,
) -> CascadeBranches:
    """Follow the cycle through ``x0`` to its flip, switch to the doubled cycle, and repeat.

    Each branch is continued (pseudo-arclength) from its birth until its own flip is
    located (Newton on the augmented system), where :func:`switch_at_flip` starts the
    next. The steps of each branch are scaled to the last gap between flips. Works for a
    map of any dimension; the cycles need not be stable.

    Parameters
    ----------
    m, param, x0, start, stop, period, params, max_points, tol, escape
        As for :func:`~bifurc.continuation.continuation`; ``x0`` is near a period-``period``
        cycle at ``start``.
    count
        How many flips to find at most.

    Returns
    -------
    CascadeBranches
        ``points``, ``periods`` and Feigenbaum ratios ``delta``; ``message`` says why it stopped.

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import follow_cascade
    >>> c = follow_cascade(maps.logistic, "r", 0.6, 2.5, 3.57, count=3)
    >>> [b.period for b in c.branches], [round(f.value, 9) for f in c.flips[:2]]  # r = 3, 1 + sqrt 6
    ([1, 2, 4], [3.0, 3.449489743])
    """
    count = positive_int(count, "count")
    settings, system, others = setup(m, param, start, stop, period, params, None, None, None, max_points, tol,
                                     escape)
    branch = trace(system, *first_point(system, x0, settings), settings, others, stop_at=("flip",))
    branches, flips = [branch], []
    message = f"found the {count} flips asked for"
    while True:
        found = branch.special("flip")
        if not found:
            message = f"no flip of the period-{branch.period} cycle: {branch.message}"
            break
        flips.append(found[0])
        if len(flips) == count:
            break
        flip = flips[-1]
        gap = abs(flip.value - flips[-2].value) if len(flips) > 1 else abs(stop - flip.value) / 4
        bounds = (min(flip.value, settings.stop), max(flip.value, settings.stop))
        step_settings = Settings(flip.value, settings.stop, gap / 20, 1e-9 * gap, 2 * gap,
                                 settings.max_points, settings.tol, bounds)
        system = CycleSystem(m, param, 2 * flip.period, m.named_parameters(system.base), system.escape)
        begun = _flip_start(system, flip, step_settings)
        doubled = f"the period-{2 * flip.period} cycle born at {param}={flip.value!r}"
        if begun is None:
            message = f"could not switch to {doubled}"
            break
        if not bounds[0] <= begun[0][-1] <= bounds[1]:
            side = (begun[0][-1] - flip.value) * (settings.stop - flip.value) > 0
            message = (f"{doubled} passes {param}={settings.stop!r} before it could flip" if side else
                       f"{doubled} lies on the side of {param}={settings.start!r}, away from stop")
            break
        branch = _from_origin(system, np.append(flip.state, flip.value),
                              trace(system, *begun, step_settings, others, stop_at=("flip",)))
        branches.append(branch)
    return CascadeBranches(m.name, param, tuple(flips), tuple(branches), message, others, settings.start,
                           settings.stop, count)
