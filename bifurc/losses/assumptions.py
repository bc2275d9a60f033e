"""Song & Yun's assumptions on a loss, each decided symbolically or, failing that, on a grid.

A loss ℓ(p) of the residual p must satisfy ℓ'(0) = 0, ℓ''(0) = 1, be even, convex and
Lipschitz, and r(p) = ℓ'(p)/p must be bell-shaped (even, decreasing on p > 0). Each check
first asks sympy; when sympy cannot decide, it evaluates the derived expression on a
dense grid and records that it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = ["AssumptionCheck", "check_assumptions", "GRID_HALF_WIDTH", "GRID_POINTS"]

#: The grid fallback evaluates on [-GRID_HALF_WIDTH, GRID_HALF_WIDTH].
GRID_HALF_WIDTH = 20.0
#: Number of grid points of the fallback (odd, so p = 0 is a grid point).
GRID_POINTS = 8001
#: Slack of a grid inequality, in units of the largest magnitude on the grid: rounding
#: of a float64 evaluation of an O(1) expression is ~1e-16 per operation.
_GRID_SLACK = 1e-12


@dataclass(frozen=True)
class AssumptionCheck:
    """The verdict on one assumption.

    Attributes
    ----------
    name : str
        The assumption, e.g. ``"l''(0) = 1"``.
    holds : bool
        Whether it holds.
    method : str
        ``"symbolic"`` (decided by sympy) or ``"grid"`` (decided on a dense grid).
    detail : str
        The derived quantity the verdict rests on.

    Examples
    --------
    >>> from bifurc import losses
    >>> check = next(c for c in losses.logcosh.assumptions if c.name == "convex")
    >>> check.holds, check.method, check.detail  # (log cosh p)'' = 1/cosh^2 p > 0
    (True, 'symbolic', "l''(p) = cosh(p)**(-2)")
    """

    name: str
    holds: bool
    method: str
    detail: str


def _grid(positive: bool = False) -> np.ndarray:
    p = np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, GRID_POINTS)
    return p[p > 0] if positive else p


def _evaluate(expr: sp.Expr, p: sp.Symbol, grid: np.ndarray) -> np.ndarray:
    # derivatives of kinks (abs, sign) are Dirac deltas: zero almost everywhere
    f = sp.lambdify(p, expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0)), modules="numpy")
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(f(grid), dtype=np.float64), grid.shape)
    return values


def _is_zero(expr: sp.Expr) -> bool | None:
    """True/False if sympy decides whether ``expr`` is identically zero, else None."""
    for candidate in (expr, sp.simplify(expr), sp.simplify(expr.rewrite(sp.exp))):
        if candidate == 0:
            return True
        if candidate.is_zero is False and not candidate.free_symbols:
            return False
    return None


def _sign_symbolic(expr: sp.Expr, p: sp.Symbol, positive_only: bool, want: str) -> bool | None:
    """Decide ``expr >= 0`` (want="nonnegative") or ``expr < 0`` (want="negative") for real p."""
    var = sp.Symbol(p.name, positive=True) if positive_only else p
    e = expr.subs(p, var)
    for candidate in (e, sp.simplify(e), sp.factor(sp.simplify(e))):
        verdict = getattr(candidate, f"is_{want}")
        if verdict is not None:
            return verdict
    return None


def _value_at_zero(expr: sp.Expr, p: sp.Symbol) -> sp.Expr:
    value = expr.subs(p, 0)
    if value.is_finite and not value.has(sp.nan, sp.zoo):
        return sp.simplify(value)
    return sp.limit(expr, p, 0)


def check_assumptions(loss: sp.Expr, p: sp.Symbol) -> tuple[AssumptionCheck, ...]:
    """Check Song & Yun's assumptions on the loss ``loss`` of the residual ``p``.

    Parameters
    ----------
    loss
        ℓ(p), a sympy expression in the real symbol ``p``.
    p
        The residual symbol.

    Returns
    -------
    tuple of AssumptionCheck
        In the order l'(0) = 0, l''(0) = 1, even, convex, Lipschitz, r bell-shaped.
    """
    d1 = sp.diff(loss, p)
    d2 = sp.diff(loss, p, 2)
    r = d1 / p
    checks = []

    value = _value_at_zero(d1, p)
    checks.append(AssumptionCheck("l'(0) = 0", bool(value == 0), "symbolic", f"l'(0) = {value}"))
    value = _value_at_zero(d2, p)
    checks.append(AssumptionCheck("l''(0) = 1", bool(value == 1), "symbolic", f"l''(0) = {value}"))

    odd_part = loss.subs(p, -p) - loss
    verdict = _is_zero(odd_part)
    if verdict is None:
        gap = _evaluate(odd_part, p, _grid())
        scale = np.nanmax(np.abs(_evaluate(loss, p, _grid()))) or 1.0
        checks.append(AssumptionCheck("even", bool(np.all(np.abs(gap) <= _GRID_SLACK * scale)), "grid",
                                      f"max |l(-p) - l(p)| = {np.nanmax(np.abs(gap)):.3g} on the grid"))
    else:
        checks.append(AssumptionCheck("even", verdict, "symbolic", f"l(-p) - l(p) = {sp.simplify(odd_part)}"))

    verdict = _sign_symbolic(d2, p, False, "nonnegative")
    if verdict is None:
        values = _evaluate(d2, p, _grid())
        scale = np.nanmax(np.abs(values)) or 1.0
        holds = bool(np.all(np.isfinite(values)) and np.all(values >= -_GRID_SLACK * scale))
        checks.append(AssumptionCheck("convex", holds, "grid", f"min l'' on the grid = {np.min(values):.3g}"))
    else:
        checks.append(AssumptionCheck("convex", verdict, "symbolic", f"l''(p) = {sp.simplify(d2)}"))

    # l' is monotone for a convex loss, so sup |l'| is its larger limit at +-infinity.
    try:
        limits = (sp.limit(d1, p, sp.oo), sp.limit(d1, p, -sp.oo))
    except (NotImplementedError, ValueError):
        limits = None
    if limits is not None and all(v.is_finite is not None for v in limits):
        holds = all(bool(v.is_finite) for v in limits)
        checks.append(AssumptionCheck("Lipschitz", holds, "symbolic",
                                      f"l'(+oo) = {limits[0]}, l'(-oo) = {limits[1]}"))
    else:
        far = np.array([1e3, 1e6])
        slopes = np.abs(_evaluate(d1, p, np.concatenate([far, -far])))
        holds = bool(np.all(np.isfinite(slopes)) and np.all(slopes[[1, 3]] <= 2 * slopes[[0, 2]]))
        checks.append(AssumptionCheck("Lipschitz", holds, "grid",
                                      f"|l'| at p = ±1e3, ±1e6: {np.round(slopes, 6).tolist()}"))

    dr = sp.diff(r, p)
    verdict = _sign_symbolic(dr, p, True, "negative")
    if verdict is None:
        values = _evaluate(dr, p, _grid(positive=True))
        holds = bool(np.all(np.isfinite(values)) and np.all(values < 0))
        checks.append(AssumptionCheck("r bell-shaped", holds, "grid",
                                      f"max r'(p) for p in (0, {GRID_HALF_WIDTH:g}] = {np.max(values):.3g}"))
    else:
        checks.append(AssumptionCheck("r bell-shaped", verdict, "symbolic", f"r'(p) = {sp.simplify(dr)}"))
    return tuple(checks)
