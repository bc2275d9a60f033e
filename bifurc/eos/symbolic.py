"""Symbolic analysis of a reduced map: fixed points, multipliers, period-2 orbits, stability.

Each function takes a :class:`~bifurc.eos.model.ReducedModel` and returns sympy objects; results
are cached per model (sympy is slow, and the models are immutable).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from .cache import derived
from .model import ReducedModel

__all__ = ["FixedPoint", "PeriodTwo", "fixed_points", "eigenvalues", "period_two", "stability"]


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point, or a line (curve) of fixed points when some state variable stays free.

    Attributes
    ----------
    point : dict
        State symbol -> its value; a symbol mapped to itself is free (a line of fixed points).
    eigenvalues : tuple of sympy.Expr
        Eigenvalues of the Jacobian there, with multiplicity.
    free : tuple of str
        The state variables left free.
    """

    point: dict
    eigenvalues: tuple
    free: tuple


@dataclass(frozen=True)
class PeriodTwo:
    """Period-2 orbits: f(f(x)) = x with the fixed points factored out.

    Attributes
    ----------
    condition : sympy.Basic
        The equation the orbit points satisfy (after removing fixed points).
    points : tuple
        Explicit solutions, when sympy finds them (empty when the condition is transcendental).
    multiplier : sympy.Expr
        The multiplier of the orbit (1D maps), simplified on the orbit.
    """

    condition: sp.Basic
    points: tuple
    multiplier: sp.Expr | None


def _positive(model: ReducedModel) -> dict:
    """Substitution of the model's positive symbols by positive twins (and back)."""
    names = set(model.positive)
    symbols = (*model.map.state_symbols, *model.map.param_symbols)
    return {s: sp.Symbol(s.name, positive=True) for s in symbols if s.name in names}


def _factors(expr: sp.Expr, state: list[sp.Symbol]) -> list[sp.Expr]:
    """The factors of ``expr`` that involve the state (constant factors cannot vanish)."""
    _, factors = sp.factor_list(expr)
    return [f for f, _ in factors if f.free_symbols & set(state)]


def _solvable(system: tuple[sp.Expr, ...], state: list[sp.Symbol]) -> bool:
    """Whether sympy.solve can be trusted to finish: polynomial, or one unknown per equation."""
    return all(e.is_polynomial(*state) or len(e.free_symbols & set(state)) == 1 for e in system)


def _on_line(point: dict, line: FixedPoint) -> bool:
    """Whether ``point`` is a special case of a line of fixed points already found."""
    if not line.free:
        return False
    fixed = [(s, value) for s, value in line.point.items() if s.name not in line.free]
    return all(sp.simplify(point[s] - value) == 0 for s, value in fixed)


@derived
def fixed_points(model: ReducedModel) -> tuple[tuple[FixedPoint, ...], tuple[sp.Basic, ...]]:
    """The fixed points of the model's map, lines of fixed points included.

    Each equation F_i(x) - x_i = 0 is factored; every choice of one factor per equation is
    solved with ``sympy.solve`` when it is polynomial or has one unknown per equation, and
    is returned unsolved otherwise. A state variable absent from a solution is free.

    Returns
    -------
    solved : tuple of FixedPoint
        The fixed points and lines of fixed points found, with their Jacobian eigenvalues.
    unsolved : tuple of sympy.Tuple
        Factor systems sympy cannot solve in closed form (transcendental), as equations = 0.
    """
    m = model.map
    pos = _positive(model)
    back = {v: k for k, v in pos.items()}
    state = [pos.get(s, s) for s in m.state_symbols]
    per_equation = [_factors(sp.numer(sp.together(u.xreplace(pos) - s)), state)
                    for u, s in zip(m.updates, state)]
    solved, unsolved, seen = [], [], set()
    for system in itertools.product(*per_equation):
        if not _solvable(system, state):
            unsolved.append(sp.Tuple(*system).xreplace(back))
            continue
        for sol in sp.solve(system, state, dict=True):
            point = {s: sp.simplify(sol.get(ps, s).xreplace(back)) for s, ps in zip(m.state_symbols, state)}
            key = tuple(point.items())
            if key in seen:
                continue
            seen.add(key)
            free = tuple(s.name for s in m.state_symbols if point[s] == s)
            if any(_on_line(point, other) for other in solved):
                continue
            solved.append(FixedPoint(point, eigenvalues(model, point), free))
    return tuple(solved), tuple(unsolved)


def eigenvalues(model: ReducedModel, point: dict) -> tuple[sp.Expr, ...]:
    """Eigenvalues of the Jacobian of the model's map at ``point`` (symbol or name -> value)."""
    names = {s.name: s for s in model.map.state_symbols}
    subs = {names[k] if isinstance(k, str) else k: v for k, v in point.items()}
    Jp = model.map.jacobian.xreplace(subs).applyfunc(sp.simplify)
    out = []
    for value, mult in Jp.eigenvals().items():
        out += [sp.simplify(value)] * mult
    return tuple(out)


def stability(model: ReducedModel, multiplier: sp.Expr, variable: str) -> dict[str, sp.Basic]:
    """Where a multiplier μ gives stability, and where it crosses -1 or +1.

    Parameters
    ----------
    model
        The model (its positive symbols are used when solving).
    multiplier
        An eigenvalue μ, an expression in the parameters.
    variable
        The parameter (or state variable) to solve for.

    Raises
    ------
    ValueError
        If the multiplier does not depend on ``variable``.

    Returns
    -------
    dict
        ``"stable"``: the condition |μ| < 1, solved for the variable;
        ``"period_doubling"``: solutions of μ = -1; ``"fold"``: solutions of μ = 1.
    """
    pos = _positive(model)
    back = {v: k for k, v in pos.items()}
    mu = sp.sympify(multiplier).xreplace(pos)
    matches = [s for s in mu.free_symbols if s.name == variable]
    if not matches:
        raise ValueError(f"the multiplier {multiplier} does not depend on {variable!r}")
    (var,) = matches
    stable = sp.reduce_inequalities([mu < 1, mu > -1], var)
    return {
        "stable": stable.xreplace(back),
        "period_doubling": tuple(s.xreplace(back) for s in sp.solve(sp.Eq(mu, -1), var)),
        "fold": tuple(s.xreplace(back) for s in sp.solve(sp.Eq(mu, 1), var)),
    }


@derived
def period_two(model: ReducedModel) -> PeriodTwo:
    """Period-2 orbits of a 1D map: solve f(f(x)) = x with the fixed points factored out.

    For a rational map the numerator of f(f(x)) - x is divided by that of f(x) - x: every
    period-2 orbit. For a 2D polynomial map the two equations F(F(x)) - x = 0 are returned
    with the factors they share with F(x) - x removed (points are not solved for, and the
    multiplier is None). For a transcendental odd map (f(-x) = -f(x), e.g. the canonical map) the
    symmetric orbits {x, -x} are found, as the solutions of f(x) = -x.

    Raises
    ------
    ValueError
        If the map is not 1D or 2D, a 1D map is neither rational nor odd, or a 2D map is
        not polynomial.
    """
    m = model.map
    if m.dim == 2:
        return _period_two_plane(model)
    if m.dim != 1:
        raise ValueError(f"period_two needs a 1D or 2D map; {model.name!r} has state {m.state}")
    (x,) = m.state_symbols
    (f,) = m.updates
    pos = _positive(model)
    back = {v: k for k, v in pos.items()}
    fx = f.xreplace(pos)
    xs = pos.get(x, x)
    fixed = sp.numer(sp.together(fx - xs))
    derivative = sp.diff(fx, xs)
    if sp.together(fx).is_rational_function(xs):
        both = sp.numer(sp.together(fx.subs(xs, fx) - xs))
        condition, remainder = sp.div(sp.Poly(both, xs), sp.Poly(fixed, xs))
        if not remainder.is_zero:
            raise ValueError("f(f(x)) - x is not divisible by f(x) - x")
        condition = sp.factor(condition.as_expr())
        multiplier = sp.factor(sp.expand(derivative * derivative.subs(xs, fx)))
    elif sp.simplify(fx.subs(xs, -xs) + fx) == 0:
        equation = sp.numer(sp.together(fx + xs))
        condition = sp.simplify(sp.cancel(equation / xs) if fixed.subs(xs, 0) == 0 else equation)
        multiplier = derivative**2  # f' is even, so f'(x) f'(-x) = f'(x)^2
    else:
        raise ValueError(f"{model.name!r}: period-2 orbits need a rational map or an odd one")
    try:
        points = tuple(sp.solve(condition, xs))
    except NotImplementedError:
        points = ()
    return PeriodTwo(sp.Eq(condition.xreplace(back), 0), tuple(p.xreplace(back) for p in points),
                     multiplier.xreplace(back))


def _period_two_plane(model: ReducedModel) -> PeriodTwo:
    """Period-2 equations of a 2D polynomial map, with the fixed-point factors removed."""
    m = model.map
    state = list(m.state_symbols)
    if not all(u.is_polynomial(*state) for u in m.updates):
        raise ValueError(f"{model.name!r}: period-2 orbits of a 2D map need a polynomial map")
    once = dict(zip(state, m.updates))
    equations = []
    for u, s in zip(m.updates, state):
        fixed = {f for f, _ in sp.factor_list(sp.numer(sp.together(u - s)))[1]}
        twice = sp.factor_list(sp.numer(sp.together(sp.expand(u.xreplace(once) - s))))[1]
        kept = [f**k for f, k in twice if f.free_symbols & set(state) and f not in fixed]
        equations.append(sp.Eq(sp.Mul(*kept), 0))
    return PeriodTwo(sp.Tuple(*equations), (), None)
