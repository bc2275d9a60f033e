"""Chen & Bruna's two-step updates: when GD beyond 2/λ converges to a period-2 orbit.

At a minimum x̄ of a loss in one variable (or of the loss's restriction to the line through a
minimum along the Hessian's top eigenvector u), write δ = x - x̄, λ = f''(x̄), f3 = f'''(x̄),
f4 = f''''(x̄) and η = 2(1 + s)/λ (s > 0: beyond the edge of stability). The two-step map
F∘F of GD F(δ) = δ - ηf'(δ) is derived from the quartic Taylor expansion; in δ it is

    F(F(δ)) = (1 + 2s)²δ - 2 f3 s(1 + s)(1 + 2s)/λ δ² + k3(s) δ³ + O(δ⁴),
    k3(0) = -2C/(3λ²),   C = 3 f3² - λ f4,

Chen & Bruna's local condition on the third (and fourth) derivative: the period-doubling of
GD at η = 2/λ is supercritical iff C > 0. Solving F(m ± a) = m ∓ a order by order in
ε = √|s| gives the 2-cycle {m + a, m - a}

    a² = 6 s λ²/C + O(s²),   m = -3 s λ f3/C + O(s²),   multiplier F'(m + a)F'(m - a) = 1 - 8s + O(s²):

for C > 0 it exists beyond 2/λ (s > 0) and attracts (multiplier below 1): GD converges to it;
for C < 0 it exists only below 2/λ, where it repels, and GD beyond 2/λ leaves the minimum.
The quartic expansion is exact for a quartic loss (the double well ¼(x² - 1)² at x̄ = 1: λ = 2,
f3 = f4 = 6, C = 96 > 0 although f4 > 0) and a Taylor truncation otherwise; a, m and the
multiplier are expansions in s whatever the higher terms.

In several variables the other directions enter through the centre manifold: a direction v_j of
curvature λ_j > 0 with coupling κ_j = ∇³L[u, u, v_j] (the component of ∇S along it) is slaved
to w_j = -κ_jδ²/(2λ_j) and turns f4 into f4 - 3Σκ_j²/λ_j, so the condition is the effective
C + 3λΣκ_j²/λ_j: the restriction of the loss to the line along u alone can call a minimum
subcritical whose GD converges to a 2-cycle. On a manifold of minima (λ_j = 0, κ_j ≠ 0) the
correction is infinite: there is no centre manifold of this kind, and GD drifts along the
manifold instead (Zhu's models).

:func:`line_derivatives` computes λ, f3, f4, C and the effective C for a loss at a minimum, exactly;
:func:`manifold_instance` compares the condition with Zhu et al.'s two-step map on their
manifolds of minima (:mod:`bifurc.eos.zhu`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ..definition.iterated_map import Map
from ..errors import InputError
from .cache import derived
from .exact import exact_point, loss_in
from .model import ReducedModel, real_symbols
from .zhu import two_step

__all__ = ["two_step_updates", "LineDerivatives", "line_derivatives", "ManifoldInstance", "manifold_instance"]

delta, eta, lam, f3, f4, s = real_symbols("delta eta lam f3 f4 s")
_w, _kappa, _mu = real_symbols("w kappa mu")
_eps, _t = sp.symbols("epsilon t", positive=True)


def _quartic(d: sp.Expr) -> sp.Expr:
    """The quartic Taylor expansion of the loss at the minimum."""
    return lam * d**2 / 2 + f3 * d**3 / 6 + f4 * d**4 / 24


def _centre_manifold() -> tuple[sp.Expr, sp.Expr]:
    """One transverse direction w: the centre manifold w = hδ² at η = 2/λ and the effective f4.

    The loss λδ²/2 + f3δ³/6 + f4δ⁴/24 + κδ²w/2 + μw²/2 (μ > 0, κ = ∇³L[u, u, w]): invariance of
    w = hδ² under GD at order δ² fixes h; on it the cubic term of GD along u is -η f4_eff δ³/6.
    Several transverse directions add their κ²/μ (each enters at this order alone).

    Raises
    ------
    ValueError
        If the centre manifold is not w = -κδ²/(2μ) or f4_eff is not f4 - 3κ²/μ (they are).
    """
    h = sp.Symbol("h", real=True)
    L = _quartic(delta) + _kappa * delta**2 * _w / 2 + _mu * _w**2 / 2
    on = {_w: h * delta**2}
    step_delta, step_w = ((v - eta * sp.diff(L, v)).xreplace(on).subs(eta, 2 / lam) for v in (delta, _w))
    invariance = sp.expand(step_w - h * step_delta**2)
    (h_value,) = sp.solve(invariance.coeff(delta, 2), h)
    cubic = sp.expand(step_delta.subs(h, h_value)).coeff(delta, 3)
    f4_effective = sp.expand(-6 * cubic * lam / 2)
    stated = f4 - 3 * _kappa**2 / _mu
    if sp.simplify(h_value + _kappa / (2 * _mu)) != 0 or sp.expand(f4_effective - stated) != 0:
        raise ValueError(f"the centre manifold is not the stated one: h = {h_value}, f4_eff = {f4_effective}")
    return h_value * delta**2, f4_effective


@derived
def two_step_updates() -> ReducedModel:
    """Chen & Bruna's GD at a one-dimensional minimum, its two-step map and its 2-cycle, derived.

    Returns
    -------
    ReducedModel
        State ``delta`` = x - x̄; parameters ``eta`` (1.02), ``lam`` = f''(x̄) (2), ``f3`` (6),
        ``f4`` (6): the double well ¼(x² - 1)² at x̄ = 1, s = 0.02. ``results``: ``"condition"``
        (C = 3 f3² - λ f4), ``"two-step map"`` (F∘F, exact), ``"two-step coefficients"``
        (k1, k2, k3 of δ, δ², δ³ in F∘F at η = 2(1 + s)/λ, k3 at s = 0), ``"2-cycle half-width
        squared"`` (6sλ²/C), ``"2-cycle centre"`` (-3sλf3/C) and ``"2-cycle multiplier"``
        (1 - 8s), each to leading order in s; with a transverse direction w of curvature μ and
        coupling κ = ∇³L[u, u, w]: ``"centre manifold"`` (w = -κδ²/(2μ)), ``"effective f4"``
        (f4 - 3κ²/μ) and ``"effective condition"`` (C + 3λκ²/μ), which replace f4 and C above.

    Raises
    ------
    ValueError
        If a step of the derivation does not give what the module docstring states (it does).

    Examples
    --------
    The double well ¼(x² - 1)² at x̄ = 1 has λ = 2, f3 = f4 = 6, so C = 3·36 - 2·6 = 96:

    >>> from bifurc.eos import two_step_updates
    >>> model = two_step_updates()
    >>> lam, f3, f4 = (model.map.param_symbols[i] for i in (1, 2, 3))
    >>> model.results["condition"].subs({lam: 2, f3: 6, f4: 6})
    96
    >>> model.results["2-cycle multiplier"]
    1 - 8*s
    """
    L = _quartic(delta)
    step = delta - eta * sp.diff(L, delta)
    twice = sp.expand(step.subs(delta, step))
    edge = {eta: 2 * (1 + s) / lam}
    poly = sp.Poly(sp.expand(twice.subs(edge)), delta)
    k1, k2, k3 = (sp.factor(poly.coeff_monomial(delta**j)) for j in (1, 2, 3))
    condition = 3 * f3**2 - lam * f4
    k3_edge = sp.factor(k3.subs(s, 0))
    if sp.expand(k1 - (1 + 2 * s) ** 2) != 0 or sp.simplify(k3_edge + 2 * condition / (3 * lam**2)) != 0:
        raise ValueError(f"the two-step map's coefficients are not the stated ones: {k1}, {k3_edge}")
    # the 2-cycle {m + a, m - a}: a = a1 ε + a3 ε³, m = m2 ε² + m4 ε⁴, s = ε²; F(m ± a) = m ∓ a
    a1, a3, m2, m4 = sp.symbols("a1 a3 m2 m4", real=True)
    half, centre = a1 * _eps + a3 * _eps**3, m2 * _eps**2 + m4 * _eps**4
    gd = step.subs(edge).subs(s, _eps**2)
    plus = sp.expand(gd.subs(delta, centre + half) - (centre - half))
    minus = sp.expand(gd.subs(delta, centre - half) - (centre + half))
    total, difference = sp.expand(plus + minus), sp.expand(plus - minus)
    (m2_value,) = sp.solve(total.coeff(_eps, 2), m2)
    cubic = sp.factor(difference.coeff(_eps, 3).subs(m2, m2_value))
    width2 = sp.Symbol("w", positive=True)
    roots = [r for r in sp.solve(sp.cancel(cubic / a1).subs(a1, sp.sqrt(width2)), width2) if r != 0]
    if len(roots) != 1 or sp.simplify(roots[0] - 6 * lam**2 / condition) != 0:
        raise ValueError(f"the 2-cycle's half-width is not a^2 = 6 s lam^2 / C: {roots}")
    a1_squared = roots[0]
    centre_leading = sp.factor(m2_value.subs(a1**2, a1_squared))
    slope = sp.diff(gd, delta)
    multiplier = sp.expand(slope.subs(delta, centre + half) * slope.subs(delta, centre - half))
    mu = [sp.factor(multiplier.coeff(_eps, j).subs(m2, m2_value).subs(a1**2, a1_squared)) for j in (0, 1, 2)]
    if mu != [1, 0, -8]:
        raise ValueError(f"the 2-cycle's multiplier is not 1 - 8s: {mu}")
    transverse, f4_effective = _centre_manifold()
    m = Map.from_expressions({"delta": step}, {"eta": 1.02, "lam": 2.0, "f3": 6.0, "f4": 6.0},
                             name="chen_bruna_two_step")
    derivation = (
        ("quartic Taylor expansion of the loss at the minimum x-bar, delta = x - x-bar", L),
        ("one GD step", sp.Eq(sp.Symbol("delta'"), step)),
        ("two-step map F(F(delta)) at eta = 2(1 + s)/lam: coefficients of delta, delta^2, delta^3 "
         "(the last at s = 0)", sp.Tuple(k1, k2, k3_edge)),
        ("Chen & Bruna's condition: supercritical iff C > 0", sp.Eq(sp.Symbol("C"), condition)),
        ("2-cycle {m + a, m - a}, s = epsilon^2: order epsilon^2 of F(m+a) + F(m-a) = 2m",
         sp.Eq(sp.Symbol("m2"), m2_value)),
        ("order epsilon^3 of F(m+a) - F(m-a) = -2a", sp.Eq(cubic, 0)),
        ("2-cycle multiplier F'(m+a) F'(m-a), orders epsilon^0, epsilon^1, epsilon^2", sp.Tuple(*mu)),
        ("a transverse direction w (curvature mu, coupling kappa = T[u, u, w]): the centre manifold "
         "at eta = 2/lam", sp.Eq(_w, transverse)),
        ("on it, GD along u is the one-dimensional map with f4 replaced by", f4_effective),
    )
    results = {
        "condition": condition,
        "two-step map": twice,
        "two-step coefficients": sp.Tuple(k1, k2, k3_edge),
        "2-cycle half-width squared": sp.factor(s * a1_squared),
        "2-cycle centre": sp.factor(s * centre_leading),
        "2-cycle multiplier": 1 - 8 * s,
        "centre manifold": sp.Eq(_w, transverse),
        "effective f4": f4_effective,
        "effective condition": sp.expand(3 * f3**2 - lam * f4_effective),
    }
    return ReducedModel(m.name, m, derivation, results, positive=("eta", "lam"))


@dataclass(frozen=True)
class LineDerivatives:
    """The loss along the top eigenvector through a minimum: φ(t) = L(θ̄ + t u), exactly.

    Attributes
    ----------
    u : tuple of sympy.Expr
        The unit top eigenvector of the Hessian at θ̄ (sign fixed by its first non-zero entry).
    lam, f3, f4 : sympy.Expr
        φ''(0) (the sharpness), φ'''(0) = ∇³L[u, u, u] and φ''''(0) = ∇⁴L[u, u, u, u].
    condition : sympy.Expr
        C = 3 f3² - λ f4 of the line alone.
    coupling : sympy.Expr
        3λ Σ_j κ_j²/λ_j over the Hessian's other eigenpairs (λ_j, v_j), κ_j = ∇³L[u, u, v_j]:
        0 for one variable, ``sympy.oo`` where some λ_j ≤ 0 has κ_j ≠ 0 (no centre manifold of
        this kind: a manifold of minima, or a saddle).
    effective : sympy.Expr
        C + coupling: positive when GD just beyond 2/λ converges to a 2-cycle near θ̄.

    Examples
    --------
    The double well: the derivatives of ¼(x² - 1)² are 3x² - 1, 6x and 6:

    >>> from bifurc.eos import line_derivatives
    >>> line = line_derivatives("(x**2 - 1)**2/4", "x", [1])
    >>> line.parameters
    {'lam': 2.0, 'f3': 6.0, 'f4': 6.0}
    """

    u: tuple[sp.Expr, ...]
    lam: sp.Expr
    f3: sp.Expr
    f4: sp.Expr
    condition: sp.Expr
    coupling: sp.Expr = sp.Integer(0)
    effective: sp.Expr | None = None

    def __post_init__(self) -> None:
        if self.effective is None:
            object.__setattr__(self, "effective", sp.simplify(self.condition + self.coupling))

    @property
    def parameters(self) -> dict[str, float]:
        """``lam``, ``f3`` and the effective ``f4`` (f4 - coupling/λ) as floats, for the map of
        :func:`two_step_updates`: GD along u on the centre manifold."""
        return {"lam": float(self.lam), "f3": float(self.f3),
                "f4": float(self.f4 - self.coupling / self.lam)}


def _along(L: sp.Expr, theta: Sequence[sp.Symbol], at: dict, u: Sequence[sp.Expr]) -> LineDerivatives:
    """φ'', φ''', φ'''' of φ(t) = L(θ̄ + t u) at t = 0."""
    phi = L.xreplace({th: at[th] + _t * v for th, v in zip(theta, u)})
    lam_, f3_, f4_ = (sp.simplify(sp.diff(phi, _t, k).subs(_t, 0)) for k in (2, 3, 4))
    return LineDerivatives(tuple(u), lam_, f3_, f4_, sp.simplify(3 * f3_**2 - lam_ * f4_))


def line_derivatives(loss: object, params: Sequence[str] | str, point: Sequence[object]) -> LineDerivatives:
    """λ, f3, f4, Chen & Bruna's C and its effective form for ``loss`` at the minimum ``point``.

    Parameters
    ----------
    loss
        The loss as a formula (or sympy expression) in the parameters.
    params
        The parameter names, ``"x, y"`` or a sequence.
    point
        The minimum θ̄: one exact number (int, fraction, sympy number) or float per parameter.

    Returns
    -------
    LineDerivatives

    Raises
    ------
    InputError
        If a name or a coordinate is malformed, the point does not match the parameters, the
        gradient does not vanish there, or the Hessian's top eigenvalue is not positive and simple.

    Examples
    --------
    L = x² + y²/2 + x²y at the origin: λ = 2 along u = (1, 0), the line alone is φ(t) = t²
    (f3 = f4 = 0, C = 0), and the coupling κ = ∂³L/∂x²∂y = 2 to y (curvature 1) adds
    3λκ²/1 = 24:

    >>> from bifurc.eos import line_derivatives
    >>> line = line_derivatives("x**2 + y**2/2 + x**2*y", "x, y", [0, 0])
    >>> line.u, line.lam, line.condition, line.coupling, line.effective
    ((1, 0), 2, 0, 24, 24)
    """
    L, theta = loss_in(loss, params)
    at = exact_point(point, theta)
    if any(sp.simplify(sp.diff(L, t).subs(at)) != 0 for t in theta):
        raise InputError("point: the gradient of the loss does not vanish there, it is not a minimum")
    H = sp.hessian(L, theta).subs(at).applyfunc(sp.nsimplify)
    top, multiplicity, vectors = sorted(H.eigenvects(), key=lambda e: float(e[0]))[-1]
    if multiplicity != 1 or float(top) <= 0:
        raise InputError(f"point: the Hessian's top eigenvalue there, {top}, is not positive and simple")
    u = vectors[0] / vectors[0].norm()
    u = (-u if next(v for v in u if v != 0) < 0 else u).applyfunc(sp.simplify)
    line = _along(L, theta, at, list(u))
    # κ_j = ∇³L[u, u, v_j]: the t-second derivative of ∇L(θ̄ + t u) along v_j
    on_line = {th: at[th] + _t * v for th, v in zip(theta, u)}
    third = sp.Matrix([sp.diff(sp.diff(L, th).xreplace(on_line), _t, 2).subs(_t, 0) for th in theta])
    coupling = sp.Integer(0)
    for value, _, basis in sorted(H.eigenvects(), key=lambda e: float(e[0]))[:-1]:
        for v in sp.GramSchmidt(basis, True):
            kappa = sp.simplify(third.dot(v))
            if kappa == 0:
                continue
            if float(value) <= 0:
                coupling = sp.oo
                break
            coupling += 3 * line.lam * kappa**2 / value
        if coupling == sp.oo:
            break
    return LineDerivatives(line.u, line.lam, line.f3, line.f4, line.condition, sp.simplify(coupling))


@dataclass(frozen=True)
class ManifoldInstance:
    """Chen & Bruna's one-dimensional condition on a model with a manifold of minima (Zhu et al.'s).

    At the minimum (x, 1/x) whose sharpness is 2/η, the loss along the top eigenvector gives
    C and the two-step coefficient k3 = -2C/(3λ²); in Zhu's residual e (e ≈ -h₁δ, h₁ the
    residual's slope along u) it is the coefficient c_line = k3/h₁² of e³ in e'' - e.

    Attributes
    ----------
    condition : sympy.Expr
        C at the edge-of-stability minimum, leading term in η.
    c_line_on_edge : sympy.Expr
        The one-dimensional coefficient of e³ at the edge-of-stability minimum, exact in η.
    c_line : sympy.Expr
        Its leading term in η.
    c_zhu : sympy.Expr
        Zhu's coefficient c of e³ (:func:`bifurc.eos.zhu.two_step`), leading term in η.
    a_zhu : sympy.Expr
        Zhu's coefficient a of σe, σ = ηλ/2 - 1 = s: the one-dimensional theory's 4 (k1 = 1 + 4s + ...).
    instance : bool
        True when c_line and c_zhu have the same leading term: the one-dimensional two-step map
        is Zhu's e-equation; False when c_line is of higher order in η than c_zhu, whose cubic
        term then comes from the drift along the manifold, outside the one-dimensional theory.

    Examples
    --------
    >>> from bifurc.eos import manifold_instance, minimalist
    >>> result = manifold_instance(minimalist())  # Zhu's minimalist model: c = -4, a = 4
    >>> result.instance, result.c_zhu, result.a_zhu
    (True, -4, 4)
    """

    condition: sp.Expr
    c_line_on_edge: sp.Expr
    c_line: sp.Expr
    c_zhu: sp.Expr
    a_zhu: sp.Expr
    instance: bool


@derived
def manifold_instance(model: ReducedModel) -> ManifoldInstance:
    """Chen & Bruna's condition against Zhu's two-step map for :func:`~bifurc.eos.minimalist` or
    :func:`~bifurc.eos.degree2`.

    Raises
    ------
    ValueError
        If the model is not one of the two (:func:`~bifurc.eos.zhu.two_step` says so), or the
        top eigenvector at a minimum is not the residual's gradient (it is).

    Examples
    --------
    Zhu's degree-2 model is not an instance: the one-variable e³ coefficient is of order η⁴,
    Zhu's c of order η²:

    >>> from bifurc.eos import degree2, manifold_instance
    >>> result = manifold_instance(degree2())
    >>> result.instance, result.c_line, result.c_zhu
    (False, -4*eta**4, -4*eta**2)
    """
    zhu = two_step(model)
    x, y = model.map.state_symbols
    L = model.results["loss"]
    h = model.results["minimum"].lhs  # the residual is 1 - h
    x_pos = sp.Symbol("x", positive=True)
    at = {x: x_pos, y: 1 / x_pos}
    grad_h = sp.Matrix([sp.diff(h, v) for v in (x, y)]).subs(at)
    u = grad_h / sp.sqrt(sp.factor(grad_h.dot(grad_h)))
    hessian = sp.hessian(L, (x, y)).subs(at)
    line = _along(L, (x, y), at, list(u))
    if sp.simplify(hessian * u - line.lam * u) != sp.zeros(2, 1):
        raise ValueError("the residual's gradient is not the top eigenvector at the minimum")
    slope = sp.simplify(sp.diff(h.xreplace({v: at[v] + _t * c for v, c in zip((x, y), u)}), _t).subs(_t, 0))
    c_line = sp.simplify(-2 * line.condition / (3 * line.lam**2) / slope**2)
    # the edge-of-stability minimum: λ(x) = 2/η, on the branch x² → ∞ as η → 0
    positive_eta = sp.Symbol("eta", positive=True)
    branch = max(sp.solve(sp.Eq(line.lam, 2 / positive_eta), x_pos),
                 key=lambda r: float(r.subs(positive_eta, sp.Rational(1, 100))))

    def on_edge(expr: sp.Expr) -> sp.Expr:
        return sp.simplify(expr.subs(x_pos, branch))

    def leading(expr: sp.Expr) -> sp.Expr:
        return sp.simplify(expr.as_leading_term(positive_eta)).subs(positive_eta, eta)

    c_edge = on_edge(c_line)
    c_line_lead, condition = leading(c_edge), leading(on_edge(line.condition))
    return ManifoldInstance(condition, c_edge.subs(positive_eta, eta), c_line_lead, zhu.c, zhu.a,
                            sp.simplify(c_line_lead - zhu.c) == 0)
