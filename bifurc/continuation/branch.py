"""Pseudo-arclength continuation of fixed points and period-k cycles in one parameter.

The branch is the curve of solutions z = (x, a) of F^k(x; a) - x = 0. From a point and its
unit tangent t (the null vector of [M - I, dF^k/da], oriented along the previous one) a
step of arclength h predicts z + h t, and Newton's method corrects it on the hyperplane
t . (z - z_pred) = 0 (Keller's method), so folds, where the parameter turns back, are passed
like any other point. The step grows after quick corrections and is halved after failed
ones or sharp turns. Along the branch the sign of a test function of the multipliers
(:func:`~bifurc.continuation.location.test_value`) is watched; each change is located by
Newton's method on a minimally augmented system and classified by its normal form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from ..analysis.arguments import escape_radius, positive_float, positive_int
from ..analysis.orbits import DEFAULT_ESCAPE
from ..analysis.periods import cycle_points, minimal_period, newton_cycle
from ..definition.iterated_map import Map
from ..errors import InputError
from .branch_points import extended_determinant, locate_branch_point, other_direction
from .location import KINDS, locate, test_value
from .normal_forms import flip_coefficient, fold_coefficient, neimark_sacker_coefficient
from .results import Branch, SpecialPoint
from .steps import corrector, unit_tangent
from .system import CycleSystem

__all__ = [
    "continuation", "Settings", "make_settings", "trace", "march", "first_point", "special_point", "setup",
    "corrector", "unit_tangent", "multipliers",
]

#: Largest angle between successive tangents (cosine): beyond it the step is halved, so the
#: corrector cannot jump to a neighbouring branch.
_MIN_COSINE = 0.95


@dataclass(frozen=True)
class Settings:
    """Step control of one continuation.

    Its fields end each result, under the same names (:class:`~bifurc.continuation.results.Branch`,
    :class:`~bifurc.continuation.curves.Curve`).
    """

    start: float
    stop: float
    step: float
    min_step: float
    max_step: float
    max_points: int
    tol: float
    bounds: tuple[float, float]


def multipliers(A: np.ndarray) -> np.ndarray:
    """Eigenvalues of A by decreasing modulus."""
    mu = np.linalg.eigvals(A)
    return mu[np.argsort(-np.abs(mu), kind="stable")]


def march(equations: Callable, z0: np.ndarray, t0: np.ndarray, settings: Settings, index: int, name: str,
          visit: Callable | None = None) -> tuple[list, list, str, str]:
    """Pseudo-arclength continuation of H(z) = 0 from ``z0`` along the unit tangent ``t0``.

    The coordinate ``index`` (the parameter called ``name``) is kept within ``settings.bounds``:
    a step that leaves them is replaced by a point on the bound. ``visit(z, t, z_new, t_new)``
    is called with each new point and stops the march by returning a message. Returns the
    points, their tangents, the status (``"bound"``, ``"closed"``, ``"max_points"``,
    ``"step"`` or ``"special"``) and a message.
    """
    lo, hi = settings.bounds
    zs, tangents = [np.array(z0, dtype=np.float64)], [np.array(t0, dtype=np.float64)]
    h = settings.step
    status, message = "max_points", f"stopped after max_points={settings.max_points} points"
    while len(zs) < settings.max_points:
        z, t = zs[-1], tangents[-1]
        corrected = corrector(equations, z + h * t, t, settings.tol)
        t_new = None
        if corrected is not None:
            out = equations(corrected[0])
            t_new = unit_tangent(out[1], t) if out is not None else None
        if t_new is None or t_new @ t < _MIN_COSINE:
            h /= 2
            if h < settings.min_step:
                status = "step"
                message = (f"the step could not be reduced below min_step={settings.min_step:g} at "
                           f"{name}={float(z[index])!r}: the corrector fails there "
                           "(a singular point, the edge of the map's domain, or escape)")
                break
            continue
        z_new, iterations = corrected
        landed = False
        if not lo <= z_new[index] <= hi:
            bound = hi if z_new[index] > hi else lo
            e = np.zeros(z.size)
            e[index] = 1.0
            guess = z + (bound - z[index]) / (z_new[index] - z[index]) * (z_new - z)
            guess[index] = bound
            landing = corrector(equations, guess, e, settings.tol)
            out = equations(landing[0]) if landing is not None else None
            t_new = unit_tangent(out[1], t) if out is not None else None
            if t_new is None:
                status, message = "step", f"could not land on the bound {name}={float(bound)!r}"
                break
            z_new, landed = landing[0], True
        zs.append(z_new)
        tangents.append(t_new)
        stop = visit(z, t, z_new, t_new) if visit is not None else None
        if landed:
            status, message = "bound", f"reached the bound {name}={float(z_new[index])!r}"
            break
        if stop:
            status, message = "special", stop
            break
        if len(zs) > 3 and _closes(zs[0], tangents[0], z, z_new, t_new, h):
            status, message = "closed", f"closed after {len(zs) - 1} points"
            zs[-1], tangents[-1] = zs[0], tangents[0]
            break
        if iterations <= 3:
            h = min(1.5 * h, settings.max_step)
        elif iterations >= 6:
            h = max(h / 2, settings.min_step)
    return zs, tangents, status, message


def trace(system: CycleSystem, z0: np.ndarray, t0: np.ndarray, settings: Settings,
          params: dict, stop_at: tuple[str, ...] = ()) -> Branch:
    """Follow the branch from the solution ``z0`` along the unit tangent ``t0``.

    Stops at a bound of [start, stop] (landing on it), on a closed branch, after
    ``max_points``, when the step falls below ``min_step``, or after the first special point
    of a kind in ``stop_at``.
    """
    n = system.dim
    out = system.residual(z0)
    if out is None:
        raise InputError(f"the period-{system.period} cycle escapes at the start of the branch")
    mults = [multipliers(out[2])]
    dets = [extended_determinant(out[1], t0)]
    found: list[SpecialPoint] = []
    notes: list[tuple[str, float, float]] = []

    def visit(z: np.ndarray, t: np.ndarray, z_new: np.ndarray, t_new: np.ndarray) -> str | None:
        _, DG, A = system.residual(z_new)
        mults.append(multipliers(A))
        dets.append(extended_determinant(DG, t_new))
        found.extend(_detect(system, (z, z_new), (t, t_new), mults[-2:], dets[-2:], params, notes))
        if stop_at and any(p.kind in stop_at for p in found):
            return f"stopped at the first {'/'.join(stop_at)} point"
        return None

    zs, _, status, message = march(system.equations, z0, t0, settings, n, system.param, visit)
    if status == "closed":
        mults[-1] = mults[0]
    if notes:
        message += "; " + "; ".join(_missed(notes, system.param))
    Z = np.array(zs)
    mu = np.array(mults)
    return Branch(
        system.m.name, system.param, system.period, Z[:, n].copy(), Z[:, :n].copy(), mu,
        np.all(np.abs(mu) < 1.0, axis=1), tuple(found), status, message, params, **asdict(settings),
    )


def _closes(z0: np.ndarray, t0: np.ndarray, z: np.ndarray, z_new: np.ndarray, t_new: np.ndarray,
            h: float) -> bool:
    """True if the step z -> z_new passed the first point z0 in its direction."""
    chord = z_new - z
    s = float((z0 - z) @ chord / (chord @ chord))
    return 0.0 <= s <= 1.0 and np.linalg.norm(z + s * chord - z0) <= 0.1 * h and t_new @ t0 > 0


def _detect(system: CycleSystem, zs: tuple, ts: tuple, mus: list, dets: list, params: dict,
            notes: list[tuple[str, float, float]]) -> list[SpecialPoint]:
    """The special points between two successive points of a branch, located and classified.

    ``zs``, ``ts``, ``mus``, ``dets``: the two points, their tangents, multipliers and
    extended determinants det [DG; t]. A detected point that could not be located is added
    to ``notes`` as (kind, lowest, highest parameter value).
    """
    n = system.dim
    (z0, z1), (t0, t1) = zs, ts
    lo, hi = float(min(z0[n], z1[n])), float(max(z0[n], z1[n]))
    found = []
    if dets[0] * dets[1] < 0:
        guess = z0 + dets[0] / (dets[0] - dets[1]) * (z1 - z0)
        z = locate_branch_point(system, guess)
        direction = other_direction(system, z, t0) if z is not None else None
        if direction is None or np.linalg.norm(z - guess) > 2 * np.linalg.norm(z1 - z0):
            notes.append(("branch-point", lo, hi))
        else:
            found.append(_branch_point(system, z, direction, params))
    for kind in KINDS:
        if kind == "neimark-sacker" and n < 2:
            continue
        f0, f1 = test_value(kind, mus[0]), test_value(kind, mus[1])
        if not f0 * f1 < 0 or (kind == "fold" and t0[n] * t1[n] > 0):
            continue  # a multiplier 1 without a turn of the branch: the branch point above
        guess = z0 + f0 / (f0 - f1) * (z1 - z0)
        located = locate(system, kind, guess)
        if located is None or np.linalg.norm(located[0] - guess) > 2 * np.linalg.norm(z1 - z0):
            notes.append((kind, lo, hi))
            continue
        point = special_point(system, kind, located[0], params)
        if point is None:  # a real pair with product 1: a neutral saddle, not a bifurcation
            continue
        found.append(point)
    found.sort(key=lambda p: abs(p.value - z0[n]))
    return found


def _missed(notes: list[tuple[str, float, float]], param: str) -> list[str]:
    """One sentence per kind of the points detected but not located (a sign change of a test
    function repeated at every step, e.g. along a branch with a multiplier stuck at 1, is one)."""
    out = []
    for kind in dict.fromkeys(k for k, _, _ in notes):
        spans = [(lo, hi) for k, lo, hi in notes if k == kind]
        lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
        label = "branch point" if kind == "branch-point" else f"{kind} point"
        what = f"a {label}" if len(spans) == 1 else f"{len(spans)} {label}s"
        out.append(f"{what} at {param} in [{lo!r}, {hi!r}] could not be located")
    return out


def _branch_point(system: CycleSystem, z: np.ndarray, direction: np.ndarray, params: dict) -> SpecialPoint:
    n = system.dim
    mu = multipliers(system.residual(z)[2])
    return SpecialPoint("branch-point", system.param, float(z[n]), z[:n].copy(), system.period, mu, math.nan,
                        "", direction, math.nan, dict(params))


def special_point(system: CycleSystem, kind: str, z: np.ndarray, params: dict) -> SpecialPoint | None:
    """The special point of ``kind`` at the located ``z`` with its normal-form coefficient.

    None for a Neimark-Sacker test zero whose critical pair is real (a neutral saddle).
    """
    n = system.dim
    forms = system.forms(z)
    A = forms.monodromy[:n, :n]
    mu = multipliers(A)
    angle = math.nan
    if kind == "fold":
        coefficient, q = fold_coefficient(forms, n)
        criticality = ""
    elif kind == "flip":
        coefficient, q = flip_coefficient(forms, n)
        criticality = "supercritical" if coefficient > 0 else "subcritical"
    else:
        critical = mu[np.argmin(np.abs(np.abs(mu) - 1) + (np.imag(mu) <= 0))]
        if abs(np.imag(critical)) <= 1e-8:
            return None
        critical = critical / abs(critical)
        coefficient, q = neimark_sacker_coefficient(forms, n, critical)
        criticality = "supercritical" if coefficient < 0 else "subcritical"
        angle = float(abs(np.angle(critical)))
    scale = _coefficient_scale(forms, n, q, kind)
    if abs(coefficient) <= 1e-10 * scale:
        criticality = "degenerate" if kind != "fold" else criticality
    return SpecialPoint(kind, system.param, float(z[n]), z[:n].copy(), system.period, mu, coefficient,
                        criticality, q, angle, dict(params))


def _coefficient_scale(forms, n: int, q: np.ndarray, kind: str) -> float:
    """Size of the terms a coefficient is made of, to judge when it vanishes."""
    pad = np.concatenate([q, np.zeros(forms.jacobians[0].shape[0] - n, dtype=q.dtype)])
    size = np.linalg.norm(forms.second(pad, pad))
    if kind != "fold":
        size += np.linalg.norm(forms.third(pad, pad, np.conj(pad))) + size**2
    return float(size) + 1e-300


def continuation(
    m: Map,
    param: str,
    x0: object,
    start: float,
    stop: float,
    period: int = 1,
    params: Mapping[str, float] | None = None,
    step: float | None = None,
    min_step: float | None = None,
    max_step: float | None = None,
    max_points: int = 2000,
    tol: float = 1e-12,
    escape: float = DEFAULT_ESCAPE,
    bounds: tuple[float, float] | None = None,
) -> Branch:
    """Follow the period-``period`` cycle through ``x0`` as ``param`` varies from ``start``.

    Newton's method first puts ``x0`` on a cycle at ``param = start``; the branch is then
    followed by pseudo-arclength continuation towards ``stop`` (through folds, where it turns
    back), until the parameter leaves the interval between ``start`` and ``stop``, the
    branch closes on itself, or ``max_points`` points were taken. Stability is read from the
    multipliers at each point, and folds, flips and Neimark-Sacker points are located by
    Newton's method on augmented systems, with their normal-form coefficients.

    Parameters
    ----------
    m
        The map.
    param
        The parameter continued.
    x0
        A state near a point of the cycle at ``param = start``.
    start, stop
        The parameter interval; the branch starts at ``start`` heading towards ``stop``.
    period
        The period k of the cycle (1 for fixed points).
    params
        Overrides of the other parameters.
    step, min_step, max_step
        Arclength steps in (x, param) space: initial (default |stop - start|/100), smallest
        before giving up (default 1e-9 |stop - start|) and largest (default |stop - start|/10).
    max_points
        The most points on the branch.
    tol
        Newton's tolerance on each point, relative.
    escape
        Escape radius: a cycle beyond it is lost.
    bounds
        The interval the parameter may explore, containing ``start`` (default: between
        ``start`` and ``stop``); wider bounds let a branch that turns back at a fold pass
        ``start`` again, and a closed branch close.

    Returns
    -------
    Branch
        With ``status`` saying why it stopped.

    Raises
    ------
    ValueError
        For bad arguments, or if Newton's method finds no cycle of minimal period ``period``
        near ``x0`` at ``start``.

    Examples
    --------
    >>> from bifurc import maps
    >>> b = continuation(maps.logistic, "r", 0.6, 2.5, 3.6)
    >>> [round(p.value, 12) for p in b.special("flip")]
    [3.0]
    """
    settings, system, params_out = setup(m, param, start, stop, period, params, step, min_step, max_step,
                                          max_points, tol, escape, bounds)
    z0, t0 = first_point(system, x0, settings)
    return trace(system, z0, t0, settings, params_out)


def first_point(system: CycleSystem, x0: object, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The cycle near ``x0`` at ``start`` (as z = (x, a)) and the unit tangent towards ``stop``."""
    m, param = system.m, system.param
    p = system.parameters(settings.start)
    where = f"period-{system.period} cycle at {param}={settings.start!r}"
    solved = newton_cycle(m, m.state_vector(x0), p, system.period, escape=system.escape)
    if solved is None:
        out = system.residual(np.append(m.state_vector(x0), settings.start))
        if out is not None and np.max(np.abs(out[0])) <= 1e-10 * (1 + np.max(np.abs(m.state_vector(x0)))) \
                and np.linalg.svd(out[2] - np.eye(system.dim), compute_uv=False)[-1] <= 1e-8:
            raise InputError(f"x0 is a {where} with a multiplier 1 (a fold or a branch point), where "
                             f"Newton's method cannot start a branch: start at another value of {param}")
        raise InputError(f"x0 is not near a {where}: Newton's method did not converge")
    x, _ = solved
    distance = float(np.max(np.abs(x - m.state_vector(x0))))
    if distance > 0.1 * (1 + float(np.max(np.abs(x)))):
        raise InputError(f"x0 is not near a {where}: "
                         f"Newton's method went to one at distance {distance:.3g}, {x.tolist()}")
    k = minimal_period(cycle_points(m, x, p, system.period), 1e-9)
    if k != system.period:
        raise InputError(f"x0 converges to a cycle of period {k} at {param}={settings.start!r}, "
                         f"not of period {system.period}")
    z0 = np.append(x, settings.start)
    out = system.residual(z0)
    if out is None:
        raise InputError(f"the {where} escapes")
    _, s, Vt = np.linalg.svd(out[1])
    if s[-1] <= 1e-10 * s[0]:
        raise InputError(f"x0 is a {where} where two branches cross (the extended system is singular): "
                         f"start at another value of {param} and switch at the branch point found")
    t0 = Vt[-1]
    if t0[-1] * (settings.stop - settings.start) < 0:
        t0 = -t0
    return z0, t0


def make_settings(start: float, stop: float, step, min_step, max_step, max_points: int, tol: float,
                  bounds: tuple[float, float] | None = None) -> Settings:
    """Checked step control: InputError naming the bad argument."""
    try:
        start, stop = float(start), float(stop)
    except (TypeError, ValueError):
        raise InputError(f"start and stop must be numbers, got {start!r}, {stop!r}") from None
    if not (math.isfinite(start) and math.isfinite(stop)) or start == stop:
        raise InputError(f"start and stop must be finite and different, got {start}, {stop}")
    max_points = positive_int(max_points, "max_points")
    tol = positive_float(tol, "tol")
    width = abs(stop - start)
    step = positive_float(step, "step") if step is not None else width / 100
    min_step = positive_float(min_step, "min_step") if min_step is not None else 1e-9 * width
    max_step = positive_float(max_step, "max_step") if max_step is not None else max(width / 10, step)
    if not min_step <= step <= max_step:
        raise InputError(f"step must lie between min_step and max_step, got {min_step}, {step}, {max_step}")
    if bounds is None:
        bounds = (min(start, stop), max(start, stop))
    try:
        lo, hi = sorted(float(v) for v in bounds)
    except (TypeError, ValueError):
        raise InputError(f"bounds must be two numbers, got {bounds!r}") from None
    if not lo <= start <= hi:
        raise InputError(f"bounds must contain start={start}, got {bounds!r}")
    return Settings(start, stop, step, min_step, max_step, max_points, tol, (lo, hi))


def setup(m: Map, param: str, start: float, stop: float, period: int, params, step, min_step, max_step,
          max_points: int, tol: float, escape: float,
          bounds: tuple[float, float] | None = None) -> tuple[Settings, CycleSystem, dict]:
    """Checked settings, the cycle system and the other parameters by name."""
    settings = make_settings(start, stop, step, min_step, max_step, max_points, tol, bounds)
    period = positive_int(period, "period")
    system = CycleSystem(m, param, period, params, escape_radius(escape))
    return settings, system, m.named_parameters(system.base, exclude=(param,))
