"""Where Zhu et al.'s minimalist model ends: the sharpness gap 2/η - λ∞ to leading order.

GD on ¼(1 - x²y²)² closes in π = xy and S = x² + y². With q = 2/(ηλ(S)), λ(S) the
sharpness of the minimum at that S, the map in (π, q) has the structure of Song & Yun's
two-layer map: at η → 0 q freezes and π follows a 1D map that period-doubles at π = 1,
q = 1. The trajectory slides along the invariant curve q = Q(π) of the 2-cycles into the
minimum, so it ends at q* = Q(1). Writing u = π - 1 and
Q = 1 + a₁u + a₂u² + ... + η²(b₀ + b₁u + ...), invariance under one step is solved order
by order in u at η⁰ (the 2-cycle curve) and η² (its correction); q* = 1 + b₀η² + O(η⁴),
and the sharpness ends at 2/(ηq*) = 2/η - 2b₀η + O(η³).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .cache import derived
from .model import ReducedModel, real_symbols
from .zhu import _in_invariants

__all__ = ["EndPoint", "end_point", "EndPointExpansion", "end_point_expansion"]

x, y, eta = real_symbols("x y eta")


@dataclass(frozen=True)
class EndPoint:
    """The limit of GD along the edge of stability, derived.

    Attributes
    ----------
    pi_next, q_next : sympy.Expr
        The exact one-step map in (π, q) (symbols ``pi``, ``q``, ``eta``).
    curve : sympy.Expr
        The invariant curve Q(u) to the orders solved (u = π - 1, ``epsilon`` = η²).
    q_star : sympy.Expr
        1 + b₀η² + O(η⁴).
    gap : sympy.Expr
        (2/η - λ∞)/η to leading order: 2b₀.

    Examples
    --------
    >>> from bifurc.eos import end_point, minimalist
    >>> end_point(minimalist()).q_star
    1 + eta**2/4 + O(eta**4)
    """

    pi_next: sp.Expr
    q_next: sp.Expr
    curve: sp.Expr
    q_star: sp.Expr
    gap: sp.Expr


@derived
def end_point(model: ReducedModel, order: int = 5) -> EndPoint:
    """The end point of the minimalist (or degree-2) model's EoS phase, from its invariant curve.

    Parameters
    ----------
    model
        :func:`bifurc.eos.minimalist` (or another model whose step closes in xy, x² + y²).
    order
        Highest power of u kept in the curve (5 determines b₀).

    Raises
    ------
    ValueError
        If the order-by-order equations do not determine b₀.

    Examples
    --------
    The minimalist model ends at sharpness 2/η - η/2 + O(η³) (Zhu et al.'s gap η/2):

    >>> from bifurc.eos import end_point, minimalist
    >>> end_point(minimalist()).gap
    1/2
    """
    pi, S, q, u, eps = sp.symbols("pi S q u epsilon")
    fx, fy = model.map.updates
    lam = _in_invariants(model.results["sharpness at a minimum"], pi, S)
    S_of_q = sp.solve(sp.Eq(q, 2 / (eta * lam)), S)[0]
    pi_next = sp.expand(_in_invariants(fx * fy, pi, S).xreplace({S: S_of_q}))
    lam_next = _in_invariants(model.results["sharpness at a minimum"].xreplace({x: fx, y: fy}), pi, S)
    q_next = sp.simplify(2 / (eta * lam_next.xreplace({S: S_of_q})))
    a = sp.symbols(f"a1:{order + 1}")
    b = sp.symbols(f"b0:{order}")

    def curve(v: sp.Expr) -> sp.Expr:
        lead = sum(a[i] * v ** (i + 1) for i in range(order))
        return 1 + lead + eps * sum(b[i] * v**i for i in range(order))

    on_curve = {pi: 1 + u, q: curve(u), eta: sp.sqrt(eps)}
    landed = sp.expand(pi_next.xreplace(on_curve)) - 1
    residual = curve(landed) - q_next.xreplace(on_curve)
    order0 = sp.expand(sp.series(residual.subs(eps, 0), u, 0, order + 1).removeO())
    order2 = sp.expand(sp.series(sp.diff(residual, eps).subs(eps, 0), u, 0, order).removeO())
    solution = _solve_in_order([order0.coeff(u, k) for k in range(1, order + 1)]
                               + [order2.coeff(u, k) for k in range(0, order)], (*a, *b))
    if b[0] not in solution or solution[b[0]].free_symbols:
        raise ValueError(f"the invariant curve does not determine q* to order eta^2: {solution}")
    b0 = solution[b[0]]
    return EndPoint(pi_next, q_next, curve(u).xreplace(solution), 1 + b0 * eta**2 + sp.O(eta**4), 2 * b0)


def _solve_in_order(equations: list, unknowns: tuple) -> dict:
    """The curve's coefficients from its order-by-order equations, taken in turn.

    Each equation, with the coefficients already found substituted, is solved for the last of
    ``unknowns`` it holds; a zero root is the trivial curve (no 2-cycles), so a non-zero one is
    preferred. Equations left without unknowns are skipped.
    """
    solution: dict = {}
    for equation in equations:
        equation = sp.factor(sp.expand(sp.sympify(equation).xreplace(solution)))
        present = [s for s in unknowns if s in equation.free_symbols]
        if equation == 0 or not present:
            continue
        roots = sorted(sp.solve(equation, present[-1], dict=True),
                       key=lambda r: any(v == 0 for v in r.values()))
        if roots:
            solution.update({k: sp.simplify(v.xreplace(solution)) for k, v in roots[0].items()})
            solution = {k: sp.simplify(v.xreplace(solution)) for k, v in solution.items()}
    return solution


@dataclass(frozen=True)
class EndPointExpansion:
    """The end point of the EoS phase to the next order in η², from the same invariant curve.

    Attributes
    ----------
    q_star : sympy.Expr
        1 + b₀η² + c₀η⁴ + O(η⁶).
    gap : sympy.Expr
        (2/η - λ∞)/η = (2/η²)(1 - 1/q*) = 2b₀ + 2(c₀ - b₀²)η² + O(η⁴).
    coefficients : dict
        Every coefficient of the curve the equations determined (``a1``..., ``b0``..., ``c0``...).
    """

    q_star: sp.Expr
    gap: sp.Expr
    coefficients: dict


class _Truncated:
    """Power series in u and ε = η², keeping u^i ε^j for j ≤ depth and i ≤ order - j."""

    def __init__(self, order: int, depth: int) -> None:
        self.order, self.depth = order, depth

    def keep(self, i: int, j: int) -> bool:
        return j <= self.depth and i <= self.order - j

    def add(self, *series: dict) -> dict:
        out: dict = {}
        for d in series:
            for k, v in d.items():
                out[k] = out.get(k, 0) + v
        return {k: e for k, v in out.items() if self.keep(*k) and (e := sp.expand(v)) != 0}

    def scale(self, d: dict, c: sp.Expr) -> dict:
        return self.add({k: c * v for k, v in d.items()})

    def mul(self, d1: dict, d2: dict) -> dict:
        out: dict = {}
        for (i1, j1), v1 in d1.items():
            for (i2, j2), v2 in d2.items():
                if self.keep(i1 + i2, j1 + j2):
                    out[i1 + i2, j1 + j2] = out.get((i1 + i2, j1 + j2), 0) + v1 * v2
        return self.add(out)

    def inverse(self, d: dict) -> dict:
        """1/d for a series whose constant term is a non-zero number."""
        d0 = sp.nsimplify(d.get((0, 0), 0))
        if d0 == 0 or d0.free_symbols:
            raise ValueError("the denominator vanishes (or is undetermined) at the end point")
        rest = self.scale(self.add(d, {(0, 0): -d0}), -1 / d0)
        out, term = {(0, 0): 1 / d0}, {(0, 0): 1 / d0}
        for _ in range(self.order + self.depth):
            term = self.mul(term, rest)
            out = self.add(out, term)
        return out

    def evaluate(self, poly: sp.Poly, values: list[dict]) -> dict:
        """A polynomial of the generators of ``poly`` at the series ``values`` (one per generator)."""
        powers: dict = {}

        def power(g: int, n: int) -> dict:
            if (g, n) not in powers:
                powers[g, n] = {(0, 0): 1} if n == 0 else self.mul(power(g, n - 1), values[g])
            return powers[g, n]

        out: dict = {}
        for monomial, coefficient in poly.terms():
            term = {(0, 0): coefficient}
            for g, n in enumerate(monomial):
                term = self.mul(term, power(g, n))
            out = self.add(out, term)
        return out


@derived
def end_point_expansion(model: ReducedModel, order: int = 7) -> EndPointExpansion:
    """q* to O(η⁴): the invariant curve of :func:`end_point` solved to second order in η².

    The curve is Q(u) = 1 + Σ aᵢuⁱ + η² Σ bᵢuⁱ + η⁴ Σ cᵢuⁱ; its invariance under the exact
    one-step map in (π, q) is expanded as a truncated power series in u and η² (polynomial
    arithmetic, no symbolic limits) and solved order by order as in :func:`end_point`; the
    end point is q* = Q(0) = 1 + b₀η² + c₀η⁴.

    Parameters
    ----------
    model
        :func:`bifurc.eos.minimalist` (or another model whose step closes in xy, x² + y²).
    order
        Highest power of u kept at η⁰ (7 determines c₀ for the minimalist model).

    Raises
    ------
    ValueError
        If the equations do not determine b₀ and c₀.
    """
    base = end_point(model)
    pi, q, eps, u = sp.symbols("pi q epsilon u")
    series = _Truncated(order, 2)
    a = sp.symbols(f"a1:{order + 1}")
    b = sp.symbols(f"b0:{order}")
    c = sp.symbols(f"c0:{order}")
    curve = series.add({(0, 0): 1}, {(i + 1, 0): a[i] for i in range(order)},
                       {(i, 1): b[i] for i in range(order)}, {(i, 2): c[i] for i in range(order)})

    def compose(d: dict) -> dict:
        """Q at a series d without constant term."""
        out, dp = {(0, 0): 1}, {(0, 0): 1}
        for i in range(order + 1):
            if i:
                dp = series.mul(dp, d)
                out = series.add(out, series.scale(dp, a[i - 1]))
            if i < order:
                out = series.add(out, series.mul(dp, {(0, 1): b[i], (0, 2): c[i]}))
        return out

    def at_curve(expr: sp.Expr) -> dict:
        """A rational function of (π, q, η²) on π = 1 + u, q = Q(u), as a series."""
        numerator, denominator = sp.fraction(sp.together(expr.xreplace({eta: sp.sqrt(eps)})))
        values = [{(0, 0): 1, (1, 0): 1}, curve, {(0, 1): 1}]
        top, bottom = (series.evaluate(sp.Poly(sp.expand(e), pi, q, eps), values)
                       for e in (numerator, denominator))
        return series.mul(top, series.inverse(bottom))

    landed = series.add(at_curve(base.pi_next), {(0, 0): -1})
    if (0, 0) in landed:
        raise ValueError("the minimum pi = 1 is not a fixed line of the map")
    residual = series.add(compose(landed), series.scale(at_curve(base.q_next), -1))
    equations = [residual.get((k, j), 0) for j in range(3) for k in range(1 if j == 0 else 0, order + 1 - j)]
    solution = _solve_in_order(equations, (*a, *b, *c))
    b0, c0 = solution.get(b[0]), solution.get(c[0])
    if b0 is None or c0 is None or b0.free_symbols or c0.free_symbols:
        raise ValueError(f"the invariant curve does not determine q* to order eta^4: {solution}")
    return EndPointExpansion(1 + b0 * eta**2 + c0 * eta**4 + sp.O(eta**6),
                             2 * b0 + 2 * (c0 - b0**2) * eta**2 + sp.O(eta**4),
                             {str(k): v for k, v in solution.items()})
