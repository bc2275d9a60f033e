"""Zhu et al.'s minimalist model ½(1 - xyzw)², its degree-2 counterpart, and their two-step maps.

The reduction of the 4-variable model to (x, y) is derived: the coupling x = z, y = w is
invariant under GD, and on it GD equals GD on κ·L(x, y, x, y) for a constant κ found by
matching gradients (κ = ½, giving ¼(1 - x²y²)²). The sharpness at a minimum is the
non-zero eigenvalue of the 4×4 Hessian there, reduced modulo the minimum condition.

Both models close in the invariants π = xy and S = x² + y² (GD maps symmetric, sign-even
polynomials to such), so the two-step map is written in the residual e and the relative
sharpness deviation σ = ηλ/2 - 1 and expanded near the minimum with sharpness 2/η.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.polys.polyfuncs import symmetrize

from .cache import derived
from .model import ReducedModel, real_symbols
from .reduction import reduce

__all__ = ["minimalist", "degree2", "TwoStep", "two_step"]

x, y, z, w, eta = real_symbols("x y z w eta")


@derived
def minimalist() -> ReducedModel:
    """Zhu et al.'s ¼(1 - x²y²)², derived from ½(1 - xyzw)² under the coupling x = z, y = w.

    Returns
    -------
    ReducedModel
        State (x, y), parameter ``eta`` (0.1). ``results``: ``"loss"`` (the reduced loss),
        ``"sharpness at a minimum"`` (of the 4-variable model, reduced modulo x²y² = 1) and
        ``"minimum"`` (the condition).

    Raises
    ------
    ValueError
        If the coupling is not invariant or the gradients cannot be matched (neither happens).

    Examples
    --------
    GD on ¼(1 - x²y²)² is x' = x + η(1 - x²y²)xy², y' = y + η(1 - x²y²)x²y; the sharpness of the
    4-variable model at a minimum is 2(x² + y²):

    >>> import sympy as sp
    >>> from bifurc.eos import minimalist
    >>> model = minimalist()
    >>> (x, y), (eta,) = model.map.state_symbols, model.map.param_symbols
    >>> gd = (x + eta*(1 - x**2*y**2)*x*y**2, y + eta*(1 - x**2*y**2)*x**2*y)
    >>> [sp.expand(u - e) == 0 for u, e in zip(model.map.updates, gd)]
    [True, True]
    >>> sp.expand(model.results["sharpness at a minimum"] - 2*(x**2 + y**2)) == 0
    True
    """
    L4 = (1 - x * y * z * w) ** 2 / 2
    coords = (x, y, z, w)
    step = {c: c - eta * sp.diff(L4, c) for c in coords}
    coupling = {z: x, w: y}
    on = {c: sp.expand(e.xreplace(coupling)) for c, e in step.items()}
    if sp.expand(on[z] - on[x]) != 0 or sp.expand(on[w] - on[y]) != 0:
        raise ValueError("the coupling x = z, y = w is not invariant under GD")
    kappa = sp.Symbol("kappa")
    restricted = L4.xreplace(coupling)
    eqs = [sp.expand(sp.diff(kappa * restricted, c) - sp.diff(L4, c).xreplace(coupling)) for c in (x, y)]
    (solution,) = sp.solve(eqs, kappa, dict=True)
    L2 = sp.factor(solution[kappa] * restricted)
    # GD on κ·½(f - 1)² of f = x²y², by the one derivation path of :func:`~bifurc.eos.reduce`
    residual = sp.Symbol("p", real=True)
    reduced = reduce(x**2 * y**2, "x, y", {"x": x, "y": y}, loss=solution[kappa] * residual**2 / 2, target=1,
                     name="zhu_minimalist")
    updates = reduced.updates
    if any(sp.expand(updates[c.name] - on[c]) != 0 for c in (x, y)):
        raise ValueError("GD on the coupling is not GD on the reduced loss")
    hessian = sp.hessian(L4, coords).xreplace(coupling)
    at_min = hessian.xreplace({y: 1 / x}).applyfunc(sp.simplify)  # x y = 1 (x y = -1 is alike)
    if at_min.rank() != 1:
        raise ValueError("the Hessian at a minimum is not of rank one")
    sharpness = sp.reduced(sp.expand(hessian.trace()), [x**2 * y**2 - 1], x, y)[1]
    m = reduced.map
    derivation = (
        ("4-variable loss", L4),
        ("GD step on the coupling x = z, y = w (z' = x', w' = y': invariant)", sp.Tuple(on[x], on[y])),
        ("reduced loss kappa L(x, y, x, y), kappa matched from the gradients", sp.Eq(sp.Symbol("L"), L2)),
        ("sharpness at a minimum: trace of the rank-one Hessian, mod x^2 y^2 = 1", sharpness),
    )
    return ReducedModel(m.name, m, derivation,
                        {"loss": L2, "sharpness at a minimum": sharpness, "minimum": sp.Eq(x**2 * y**2, 1)},
                        positive=("eta",))


@derived
def degree2() -> ReducedModel:
    """Zhu et al.'s degree-2 model ½(1 - xy)².

    Returns
    -------
    ReducedModel
        State (x, y), parameter ``eta`` (0.1). ``results`` as for :func:`minimalist`.

    Examples
    --------
    GD on ½(1 - xy)² is x' = x + η(1 - xy)y, y' = y + η(1 - xy)x; the sharpness at a minimum is x² + y²:

    >>> import sympy as sp
    >>> from bifurc.eos import degree2
    >>> model = degree2()
    >>> (x, y), (eta,) = model.map.state_symbols, model.map.param_symbols
    >>> [sp.expand(u - e) == 0 for u, e in zip(model.map.updates, (x + eta*(1 - x*y)*y, y + eta*(1 - x*y)*x))]
    [True, True]
    >>> sp.expand(model.results["sharpness at a minimum"] - (x**2 + y**2)) == 0
    True
    """
    L2 = (1 - x * y) ** 2 / 2
    m = reduce(x * y, "x, y", {"x": x, "y": y}, target=1, name="zhu_degree2").map
    hessian = sp.hessian(L2, (x, y))
    sharpness = sp.reduced(sp.expand(hessian.trace()), [x * y - 1], x, y)[1]
    derivation = (("loss", L2), ("GD step", sp.Tuple(*m.updates)),
                  ("sharpness at a minimum: trace of the rank-one Hessian, mod x y = 1", sharpness))
    return ReducedModel(m.name, m, derivation,
                        {"loss": L2, "sharpness at a minimum": sharpness, "minimum": sp.Eq(x * y, 1)},
                        positive=("eta",))


@dataclass(frozen=True)
class TwoStep:
    """The two-step map near the minimum with sharpness 2/η, to leading order.

    With the residual e and σ = ηλ/2 - 1 (λ the sharpness a minimum at that S would have):
    e'' = e + a σ e + c e³ + ..., σ'' = σ - b e² + ..., each coefficient to leading order
    in η. As a flow, d(e²)/dσ = -(2/b)(a σ + c e²): when c is of the same order as a the
    orbit is drawn to the parabola a σ + c e² = O(b) (a cubic term); when c is of higher
    order in η, a σ² + b e² is conserved: an ellipse.

    Attributes
    ----------
    e_next, sigma_next : sympy.Expr
        The two-step map in (e, σ), exact.
    a, b, c : sympy.Expr
        Leading-order coefficients of σe and e³ in e'' - e, and of -e² in σ'' - σ.
    curve : str
        ``"parabola"`` or ``"ellipse"``.
    """

    e_next: sp.Expr
    sigma_next: sp.Expr
    a: sp.Expr
    b: sp.Expr
    c: sp.Expr
    curve: str


def _leading(expr: sp.Expr) -> sp.Expr:
    """The leading term of ``expr`` as η → 0."""
    return sp.expand(expr).as_leading_term(eta)


def _in_invariants(expr: sp.Expr, pi: sp.Symbol, S: sp.Symbol) -> sp.Expr:
    """A polynomial in (x, y), symmetric and even under (x, y) -> (-x, -y), in π = xy, S = x² + y².

    Raises
    ------
    ValueError
        If the polynomial is not of that kind (the map would not close in (π, S)).
    """
    s1 = sp.Symbol("s1")  # x + y; only its even powers can occur, (x + y)^2 = S + 2 pi
    sym, rest, _ = symmetrize(sp.expand(expr), x, y, formal=True, symbols=[s1, pi])
    if rest != 0:
        raise ValueError(f"{expr} is not symmetric in x and y")
    out = sp.expand(sym).replace(lambda t: t.is_Pow and t.base == s1 and t.exp % 2 == 0,
                                 lambda t: (S + 2 * pi) ** (t.exp // 2))
    out = sp.expand(out)
    if s1 in out.free_symbols:
        raise ValueError(f"{expr} is not even under (x, y) -> (-x, -y)")
    return out


@derived
def two_step(model: ReducedModel) -> TwoStep:
    """The two-step GD map of :func:`minimalist` or :func:`degree2` near the EoS minimum.

    Raises
    ------
    ValueError
        If the model is not one of the two, or the map does not close in (xy, x² + y²).

    Examples
    --------
    Zhu et al.: the minimalist model's two-step orbits follow a parabola (a cubic term), the degree-2
    model's lie on ellipses:

    >>> from bifurc.eos import degree2, minimalist, two_step
    >>> two_step(minimalist()).curve, two_step(degree2()).curve
    ('parabola', 'ellipse')
    """
    if model.name not in ("zhu_minimalist", "zhu_degree2"):
        raise ValueError(f"two_step needs zhu_minimalist or zhu_degree2, got {model.name!r}")
    power = 2 if model.name == "zhu_minimalist" else 1  # the residual is 1 - (xy)^power
    pi, S, e, sigma = sp.symbols("pi S e sigma")
    fx, fy = model.map.updates
    pi_next = _in_invariants(fx * fy, pi, S)
    S_next = _in_invariants(fx**2 + fy**2, pi, S)
    lam = _in_invariants(model.results["sharpness at a minimum"], pi, S)
    S_of = sp.solve(sp.Eq(sigma, eta * lam / 2 - 1), S)[0]
    pi_of = (1 - e) ** sp.Rational(1, power)
    e_step = sp.expand(1 - pi_next**power)
    coords = {pi: pi_of, S: S_of}
    e1 = sp.expand(e_step.xreplace(coords))
    sigma1 = sp.expand((eta * lam / 2 - 1).xreplace({S: S_next}).xreplace(coords))
    e2 = e1.xreplace({e: e1, sigma: sigma1})
    sigma2 = sigma1.xreplace({e: e1, sigma: sigma1})
    eps = sp.Symbol("epsilon", positive=True)
    scale = {e: eps * e, sigma: eps**2 * sigma}
    de = sp.expand(sp.series(e2.xreplace(scale), eps, 0, 4).removeO())
    ds = sp.expand(sp.series(sigma2.xreplace(scale), eps, 0, 3).removeO())
    a = _leading(de.coeff(eps, 3).coeff(sigma, 1).coeff(e, 1))
    c = _leading(de.coeff(eps, 3).coeff(e, 3).subs(sigma, 0))
    b = _leading(-ds.coeff(eps, 2).coeff(e, 2).subs(sigma, 0))
    ratio = sp.limit(c / a, eta, 0)
    curve = "parabola" if ratio != 0 else "ellipse"
    return TwoStep(e2, sigma2, a, b, c, curve)
