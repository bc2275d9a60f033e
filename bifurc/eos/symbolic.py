"""Symbolic analysis of a reduced map: fixed points, multipliers, period-2 orbits, stability.

Each function takes a :class:`~bifurc.eos.model.ReducedModel` and returns sympy objects; results
are cached per model (sympy is slow, and the models are immutable).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import mpmath
import sympy as sp

from .cache import derived
from .elimination import at as _at
from .elimination import probe_point, solve_pair
from .model import ReducedModel

__all__ = ["FixedPoint", "Cycle", "PeriodTwo", "fixed_points", "eigenvalues", "period_two", "stability",
           "MAX_PLANE_DEGREE"]

#: Total degree above which the period-2 equations of a 2D map are not solved symbolically
#: (the resultant's degree grows as the product of the degrees; Zhu's minimalist map has 42).
MAX_PLANE_DEGREE = 16


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
class Cycle:
    """A period-2 orbit {a, b} of a 2D map (b = F(a), a = F(b), a ≠ b), or a curve of them.

    Attributes
    ----------
    points : tuple of two dict
        a and b, state symbol -> value; on a curve a state symbol mapped to itself is free.
    multipliers : tuple of sympy.Expr
        Eigenvalues of the monodromy matrix DF(b) DF(a): μ = T/2 ± √(T²/4 - D), T and D
        its trace and determinant.
    free : tuple of str
        The state variables left free (a curve of 2-cycles); empty for an isolated orbit.
    """

    points: tuple
    multipliers: tuple
    free: tuple = ()


@dataclass(frozen=True)
class PeriodTwo:
    """Period-2 orbits: f(f(x)) = x with the fixed points factored out.

    Attributes
    ----------
    condition : sympy.Basic
        The equation(s) the orbit points satisfy (after removing fixed points).
    points : tuple
        Explicit solutions, when sympy finds them: values (1D maps) or points (dicts, 2D maps).
    multiplier : sympy.Expr
        The multiplier of the orbit (1D maps), simplified on the orbit; None for 2D maps.
    orbits : tuple of Cycle
        The 2-cycles of a 2D map, points paired, with their multipliers.
    unsolved : tuple of sympy.Basic
        What sympy could not solve: resultant factors of degree > 2 (a coordinate of some
        orbit points is a root of each; quartic formulas are unreadable), or the whole system
        when it is transcendental or too large. :func:`bifurc.eos.numeric_period_two` solves
        it for given parameters.
    """

    condition: sp.Basic
    points: tuple
    multiplier: sp.Expr | None
    orbits: tuple = ()
    unsolved: tuple = ()


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


def _depth(expr: sp.Basic, symbol: sp.Symbol) -> int:
    """The smallest depth at which ``symbol`` occurs in the expression tree of ``expr``."""
    if expr == symbol:
        return 0
    depths = [_depth(a, symbol) for a in expr.args if a.has(symbol)]
    return 1 + min(depths) if depths else 10**6


def _curve(system: tuple[sp.Expr, ...], state: list[sp.Symbol]) -> list[dict] | None:
    """One equation shared by every component (e.g. zero loss): a curve, solved for one variable.

    The real solutions for the first state variable sympy can isolate, or None if there is none.
    """
    (equation,) = set(system)
    for s in sorted(state, key=lambda s: _depth(equation, s)):  # the shallowest variable is easiest
        try:
            values = [v for v in sp.solve(equation, s) if not v.has(sp.I)]
        except NotImplementedError:
            continue
        if values:
            return [{s: v} for v in values]
    return None


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

    Examples
    --------
    The cubic map θ(1 + 2ηab - 2ηa²θ²) fixes θ = 0 and θ² = b/a, where its slope is 1 - 4ηab:

    >>> import sympy as sp
    >>> from bifurc.eos import cubic_map, fixed_points
    >>> model = cubic_map()
    >>> (theta,), (eta, a, b) = model.map.state_symbols, model.map.param_symbols
    >>> solved, unsolved = fixed_points(model)
    >>> len(solved), unsolved
    (3, ())
    >>> all(sp.simplify(fp.point[theta] * (fp.point[theta]**2 - b/a)) == 0 for fp in solved)
    True
    >>> all(sp.simplify(fp.eigenvalues[0] - (1 - 4*eta*a*b)) == 0 for fp in solved if fp.point[theta] != 0)
    True
    """
    m = model.map
    pos = _positive(model)
    back = {v: k for k, v in pos.items()}
    state = [pos.get(s, s) for s in m.state_symbols]
    per_equation = [_factors(sp.numer(sp.together(u.xreplace(pos) - s)), state)
                    for u, s in zip(m.updates, state)]
    solved, unsolved, seen = [], [], set()
    for system in itertools.product(*per_equation):
        solutions = _curve(system, state) if len(set(system)) == 1 and len(state) > 1 else None
        if solutions is None and not _solvable(system, state):
            unsolved.append(sp.Tuple(*system).xreplace(back))
            continue
        if solutions is None:
            try:
                solutions = sp.solve(system, state, dict=True)
            except NotImplementedError:  # e.g. x = cos x: no closed form, left to the numeric solver
                unsolved.append(sp.Tuple(*system).xreplace(back))
                continue
        for sol in solutions:
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
    """Eigenvalues of the Jacobian of the model's map at ``point`` (symbol or name -> value).

    Examples
    --------
    The slope of θ(1 + 2ηab - 2ηa²θ²) at θ = 0 is 1 + 2ηab:

    >>> import sympy as sp
    >>> from bifurc.eos import cubic_map, eigenvalues
    >>> model = cubic_map()
    >>> (theta,), (eta, a, b) = model.map.state_symbols, model.map.param_symbols
    >>> eigenvalues(model, {"theta": 0}) == (1 + 2*eta*a*b,)
    True
    """
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

    Examples
    --------
    The cubic map's fixed point θ² = b/a has multiplier 1 - 4ηab: it period-doubles at η = 1/(2ab):

    >>> from bifurc.eos import cubic_map, stability
    >>> model = cubic_map()
    >>> (theta,), (eta, a, b) = model.map.state_symbols, model.map.param_symbols
    >>> regions = stability(model, 1 - 4*eta*a*b, "eta")
    >>> regions["stable"], regions["period_doubling"], regions["fold"]
    (eta < 1/(2*a*b), (1/(2*a*b),), ())
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
    """Period-2 orbits: solve f(f(x)) = x with the fixed points factored out.

    1D maps: for a rational map the numerator of f(f(x)) - x is divided by that of f(x) - x:
    every period-2 orbit. For a transcendental odd map (f(-x) = -f(x), e.g. the canonical
    map) the symmetric orbits {x, -x} are found, as the solutions of f(x) = -x.

    2D maps: for a rational map the numerators of F(F(x)) - x are divided by their greatest
    common divisor. Its factors that are not curves of fixed points are curves of 2-cycles;
    the remaining isolated solutions are found by eliminating the second variable with a
    resultant (:func:`bifurc.eos.elimination.solve_pair`). Fixed points among them are
    dropped (tested at a random rational parameter point to 30 digits), the points are paired
    into orbits {a, F(a)}, and each gets the eigenvalues of DF(b) DF(a). A transcendental map,
    or one whose equations exceed degree :data:`MAX_PLANE_DEGREE`, is left unsolved (the system
    F(a) = b, F(b) = a in ``unsolved``).

    Raises
    ------
    ValueError
        If the map is not 1D or 2D, or a 1D map is neither rational nor odd.

    Examples
    --------
    The cubic map's symmetric orbit {θ, -θ}: θ(1 + 2ηab - 2ηa²θ²) = -θ, so θ² = (1 + ηab)/(ηa²):

    >>> import sympy as sp
    >>> from bifurc.eos import cubic_map, period_two
    >>> model = cubic_map()
    >>> (theta,), (eta, a, b) = model.map.state_symbols, model.map.param_symbols
    >>> orbit = period_two(model)
    >>> any(sp.simplify(x**2 - (1 + eta*a*b)/(eta*a**2)) == 0 for x in orbit.points)
    True
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




def _tidy(expr: sp.Expr) -> sp.Expr:
    """Expanded, denominators rationalised, factored: cheap, and enough for square roots."""
    return sp.factor(sp.radsimp(sp.expand(expr)))


def _cycles_from(points: list[dict], updates: list[sp.Expr], state: list[sp.Symbol],
                 jacobian: sp.Matrix, params: set[sp.Symbol]) -> list[Cycle]:
    """Isolated period-2 points paired into orbits {a, F(a)}, fixed points dropped."""
    probe = probe_point(params)
    with mpmath.workdps(40):
        values = [[_at(p[s], probe) for s in state] for p in points]
        step = sp.lambdify(state, [u.xreplace(probe) for u in updates], "mpmath")
        images = [step(*value) for value in values]
    scale = 1 + max((abs(v) for row in values for v in row), default=0)
    tol = mpmath.mpf(10) ** -25 * scale
    cycles, used = [], set()
    for i, (point, value, image) in enumerate(zip(points, values, images)):
        if i in used:
            continue
        if max(abs(a - b) for a, b in zip(image, value)) < tol:
            continue  # a fixed point
        partner = [j for j, other in enumerate(values)
                   if j != i and max(abs(a - b) for a, b in zip(image, other)) < tol]
        if len(partner) != 1:
            raise ArithmeticError(f"the image of the period-2 point {point} is not among the solutions")
        (j,) = partner
        used |= {i, j}
        other = points[j]
        monodromy = jacobian.xreplace(other) * jacobian.xreplace(point)
        trace = _tidy(monodromy[0, 0] + monodromy[1, 1])
        det = _tidy(monodromy[0, 0] * monodromy[1, 1] - monodromy[0, 1] * monodromy[1, 0])
        root = sp.sqrt(_tidy(trace**2 / 4 - det))
        cycles.append(Cycle((point, other), (_tidy(trace / 2 + root), _tidy(trace / 2 - root))))
    return cycles


def _curve_cycles(factor: sp.Expr, updates: list[sp.Expr], state: list[sp.Symbol],
                  jacobian: sp.Matrix) -> list[Cycle]:
    """A curve ``factor`` = 0 of 2-cycles, solved for one state variable, the other free."""
    order = [(s, t) for s, t in ((state[0], state[1]), (state[1], state[0]))
             if sp.degree(factor, s) in (1, 2)]
    if not order:
        return []
    solved, free = order[0]
    out = []
    for value in sp.solve(factor, solved):
        point = {solved: value, free: free}
        other = {s: sp.simplify(u.xreplace(point)) for s, u in zip(state, updates)}
        monodromy = (jacobian.xreplace(other) * jacobian.xreplace(point)).applyfunc(sp.simplify)
        out.append(Cycle((point, other), tuple(sp.simplify(v) for v in monodromy.eigenvals(multiple=True)),
                         (free.name,)))
    return out


def _period_two_plane(model: ReducedModel) -> PeriodTwo:
    """Period-2 orbits of a 2D map (see :func:`period_two`)."""
    m = model.map
    pos = _positive(model)
    back = {v: k for k, v in pos.items()}
    state = [pos.get(s, s) for s in m.state_symbols]
    updates = [u.xreplace(pos) for u in m.updates]
    a = [sp.Symbol(f"{s.name}_a", real=True) for s in m.state_symbols]
    b = [sp.Symbol(f"{s.name}_b", real=True) for s in m.state_symbols]
    system = sp.Tuple(*[sp.Eq(u.xreplace(dict(zip(m.state_symbols, a))), v) for u, v in zip(m.updates, b)],
                      *[sp.Eq(u.xreplace(dict(zip(m.state_symbols, b))), v) for u, v in zip(m.updates, a)])
    if not all(sp.together(u).is_rational_function(*state) for u in updates):
        return PeriodTwo(system, (), None, (), (system,))
    twice = [u.xreplace(dict(zip(state, updates))) for u in updates]
    equations = [sp.numer(sp.together(t - s)) for t, s in zip(twice, state)]
    fixed = [sp.numer(sp.together(u - s)) for u, s in zip(updates, state)]
    common = sp.gcd(*equations)
    reduced = [sp.expand(sp.cancel(e / common)) for e in equations]
    condition = sp.Tuple(*[sp.Eq(sp.factor(e).xreplace(back), 0) for e in reduced])
    jacobian = m.jacobian.xreplace(pos)
    cycles = []
    for factor, _ in sp.factor_list(common, *state)[1]:
        if not factor.free_symbols & set(state):
            continue
        if all(sp.cancel(f / factor).is_polynomial(*state) for f in fixed):
            continue  # a curve of fixed points
        cycles += _curve_cycles(factor, updates, state, jacobian)
    if max(sp.Poly(e, *state).total_degree() for e in reduced) > MAX_PLANE_DEGREE:
        return PeriodTwo(condition, (), None, tuple(cycles), (condition,))
    params = set().union(*[u.free_symbols for u in updates]) - set(state)
    points, unsolved = solve_pair(*reduced, *state, probe_point(params))
    cycles += _cycles_from(points, updates, state, jacobian, params)

    def restore(value: object) -> object:
        if isinstance(value, dict):
            return {back.get(k, k): restore(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return tuple(restore(v) for v in value)
        return value.xreplace(back) if isinstance(value, sp.Basic) else value

    cycles = [Cycle(restore(c.points), restore(c.multipliers), c.free) for c in cycles]
    return PeriodTwo(condition, tuple(p for c in cycles for p in c.points), None, tuple(cycles),
                     tuple(sp.Eq(f.xreplace(back), 0) for f in unsolved))
