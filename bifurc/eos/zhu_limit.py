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

__all__ = ["EndPoint", "end_point"]

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
    solution: dict = {}
    for equation in [order0.coeff(u, k) for k in range(1, order + 1)] + \
                    [order2.coeff(u, k) for k in range(0, order)]:
        equation = sp.factor(equation.xreplace(solution))
        unknowns = [s for s in (*a, *b) if s in equation.free_symbols]
        if equation == 0 or not unknowns:
            continue
        # solve for the highest unknown; a zero root is the trivial curve (no 2-cycles), so a
        # non-zero one is preferred
        roots = sorted(sp.solve(equation, unknowns[-1], dict=True),
                       key=lambda r: any(v == 0 for v in r.values()))
        if roots:
            solution.update({k: sp.simplify(v.xreplace(solution)) for k, v in roots[0].items()})
            solution = {k: sp.simplify(v.xreplace(solution)) for k, v in solution.items()}
    if b[0] not in solution or solution[b[0]].free_symbols:
        raise ValueError(f"the invariant curve does not determine q* to order eta^2: {solution}")
    b0 = solution[b[0]]
    return EndPoint(pi_next, q_next, curve(u).xreplace(solution), 1 + b0 * eta**2 + sp.O(eta**4), 2 * b0)
