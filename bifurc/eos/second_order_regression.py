"""Agarwala, Pedregosa & Pennington's second-order regression model in two parameters, reduced.

The model's output on one data point is quadratic in its parameters, f(θ) = ½θᵀQθ + Jᵀθ, trained
by GD on ½(f - y)². GD commutes with rotations of θ, so a symmetric Q may be taken diagonal,
Q = diag(q1, q2), with J rotated alike. In two parameters GD closes exactly in the residual
z = f - y and the tangent kernel λ = ‖∇f‖² (the sharpness at a minimum): (a, b)² enter the update
only through z and λ, which fix them when q1² ≠ q2². The map is derived by
:func:`bifurc.eos.reduce` (the one derivation path), so it is GD itself, not an approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..definition.iterated_map import Map
from .cache import derived
from .model import ReducedModel, real_symbols
from .reduction import ntk, reduce

__all__ = ["second_order_regression", "EdgeLimit", "edge_limit", "scaled_second_order_regression",
           "gd_in_parameters"]

z, lam, eta = real_symbols("z lam eta")
#: The scaled state x = ηz, v = ηλ - 2, its ε-scaled form (X, V) and the scaled target Y = η(y + c).
x, v, X, V, Y, epsilon = real_symbols("x v X V Y epsilon")

#: The output on one data point, with the eigenvalues q1, q2 of Q and J's components j1, j2.
_OUTPUT = "(q1*a**2 + q2*b**2)/2 + j1*a + j2*b"
_CONSTANTS = "q1, q2, j1, j2"


@derived
def second_order_regression() -> ReducedModel:
    """GD on the two-parameter second-order regression model, reduced to (z, λ) exactly.

    Returns
    -------
    ReducedModel
        State (z, lam): the residual f - y and the tangent kernel ‖∇f‖². Parameters ``eta``
        (0.1), ``y`` (1) and ``q1``, ``q2``, ``j1``, ``j2`` (1 each: set them; q1² = q2² is the
        degenerate case where z and λ no longer fix the state, though the map still holds).
        ``results``: ``"output"`` and ``"ntk"`` (in the parameters a, b), ``"coordinates"``,
        ``"multipliers on the minima"`` (at z = 0: 1 - ηλ and 1, so a minimum is stable iff
        ηλ < 2).

    Examples
    --------
    One GD step on (a, b), computed with numpy, moves (z, λ) as the reduced map does; a minimum's
    multipliers are 1 - ηλ and 1:

    >>> import numpy as np
    >>> from bifurc.eos import second_order_regression
    >>> model = second_order_regression()
    >>> q1, q2, j1, j2, y, eta = 1.0, 2.0, 0.5, -1.0, 1.0, 0.1
    >>> def coordinates(a, b):
    ...     grad = np.array([q1*a + j1, q2*b + j2])
    ...     return (q1*a**2 + q2*b**2)/2 + j1*a + j2*b - y, grad @ grad, grad
    >>> z, lam, grad = coordinates(0.3, 0.7)
    >>> after = coordinates(*(np.array([0.3, 0.7]) - eta*z*grad))[:2]
    >>> symbols = (*model.map.state_symbols, *model.map.param_symbols)
    >>> values = dict(zip(symbols, (z, lam, eta, y, q1, q2, j1, j2)))
    >>> bool(np.allclose([float(u.subs(values)) for u in model.map.updates], after, rtol=1e-12))
    True
    >>> model.results["multipliers on the minima"]
    (-eta*lam + 1, 1)
    """
    kernel = ntk(_OUTPUT, "a, b", constants=_CONSTANTS)
    model = reduce(_OUTPUT, "a, b", {"z": f"{_OUTPUT} - y", "lam": kernel}, constants=_CONSTANTS,
                   name="agarwala_second_order_regression")
    z_next, lam_next = model.map.updates
    jacobian = sp.Matrix([z_next, lam_next]).jacobian([z, lam]).subs(z, 0)
    multipliers = sp.Tuple(*sorted((sp.expand(v) for v in jacobian.eigenvals(multiple=True)), key=str))
    results = {**model.results, "output": sp.sympify(_OUTPUT), "ntk": kernel,
               "multipliers on the minima": multipliers}
    return ReducedModel(model.name, model.map, model.derivation, results, positive=("eta",))


@dataclass(frozen=True)
class EdgeLimit:
    """Where GD on the second-order regression model ends when it starts near the edge, derived.

    Attributes
    ----------
    scaled : tuple of sympy.Expr
        One GD step in x = ηz, v = ηλ - 2: it depends on η, y and J only through the scaled
        target Y = η(y + j1²/(2q1) + j2²/(2q2)), so (x, v) with ``Y``, ``q1``, ``q2`` is the whole
        model. The edge point is x = 0, v = 0 (the minimum with ηλ = 2).
    drift : tuple of sympy.Expr
        Two steps from (x, v) = ε(X, V) are (X, V) + ε·drift + O(ε²): the period-2 dynamics near
        the edge point, a homogeneous quadratic field in (X, V).
    invariant : sympy.Expr
        K = v² + b·xv + a·x², the quadratic form the drift conserves (∇K·drift = 0, solved for a, b).
    limit : sympy.Expr
        ηλ∞ = 2 - √K(x₀, v₀) + O(ε²): on the minima x = 0, K = v², and the orbit leaves the edge
        point's neighbourhood on the stable side v < 0.
    discriminant : sympy.Expr
        b² - 4a = 8q1q2(q1Y - 1)(q2Y - 1): negative (K an ellipse, the limit defined for every
        start) exactly when the edge point exists, both components of the gradient non-zero.
    """

    scaled: tuple[sp.Expr, sp.Expr]
    drift: tuple[sp.Expr, sp.Expr]
    invariant: sp.Expr
    limit: sp.Expr
    discriminant: sp.Expr


def _to_first_order(expr: sp.Expr) -> sp.Expr:
    """A polynomial in ε, truncated after the ε¹ term."""
    poly = sp.Poly(sp.expand(expr), epsilon)
    return sum((poly.coeff_monomial(epsilon**k) * epsilon**k for k in (0, 1)), sp.Integer(0))


@derived
def edge_limit() -> EdgeLimit:
    """The EoS limit of the two-parameter second-order regression model, from its derived map.

    The map of :func:`second_order_regression` is rewritten in x = ηz, v = ηλ - 2 (the target
    absorbed into Y), scaled x = εX, v = εV, composed with itself to first order in ε, and the
    quadratic first integral K of the resulting drift is solved for. A start at distance ε from
    the edge point ends, on the minima, at ηλ∞ = 2 - √K(x₀, v₀) + O(ε²): the NTK converges to a
    value O(ε) below 2/η, which a start below the edge with K < v₀² reaches by sharpening.

    Returns
    -------
    EdgeLimit

    Raises
    ------
    ValueError
        If the scaled step still depends on η, y or J, or no quadratic invariant exists (neither
        happens: the derivation checks its own steps).
    """
    model = second_order_regression()
    y, q1, q2, j1, j2 = (sp.Symbol(n, real=True) for n in ("y", "q1", "q2", "j1", "j2"))
    shift = j1**2 / (2 * q1) + j2**2 / (2 * q2)
    into = {z: x / eta, lam: (2 + v) / eta, y: Y / eta - shift}
    z_next, lam_next = model.map.updates
    scaled = (sp.factor(sp.expand(eta * z_next.xreplace(into))), sp.expand(eta * lam_next.xreplace(into) - 2))
    if any(s.free_symbols - {x, v, Y, q1, q2} for s in scaled):
        raise ValueError(f"the scaled step depends on more than x, v, Y, q1, q2: {scaled}")

    def step(point: tuple[sp.Expr, sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
        at = {x: epsilon * point[0], v: epsilon * point[1]}
        return tuple(_to_first_order(sp.expand(s.xreplace(at) / epsilon)) for s in scaled)

    two = step(step((X, V)))
    if sp.expand(two[0].subs(epsilon, 0) - X) != 0 or sp.expand(two[1].subs(epsilon, 0) - V) != 0:
        raise ValueError(f"two steps are not the identity at leading order: {two}")
    drift = tuple(sp.expand(t.coeff(epsilon, 1)) for t in two)
    a, b = sp.symbols("a b")
    form = V**2 + b * X * V + a * X**2
    flux = sp.Poly(sp.expand(sp.diff(form, X) * drift[0] + sp.diff(form, V) * drift[1]), X, V)
    solutions = sp.solve(flux.coeffs(), [a, b], dict=True)
    if len(solutions) != 1:
        raise ValueError(f"no unique quadratic invariant of the drift: {solutions}")
    coefficients = {k: sp.factor(val) for k, val in solutions[0].items()}
    invariant = (v**2 + b * x * v + a * x**2).xreplace(coefficients)
    discriminant = sp.factor(coefficients[b] ** 2 - 4 * coefficients[a])
    return EdgeLimit(scaled, (drift[0].xreplace({X: x, V: v}), drift[1].xreplace({X: x, V: v})),
                     invariant, 2 - sp.sqrt(invariant), discriminant)


@derived
def scaled_second_order_regression() -> ReducedModel:
    """The model in x = ηz, v = ηλ - 2 with its edge limit: what ``bifurc derive`` prints for it.

    Returns
    -------
    ReducedModel
        State (x, v); parameters ``Y`` (1/4, the scaled target), ``q1`` (2) and ``q2`` (-1), the
        setting of ``bifurc verify``'s check. ``results``: those of :func:`second_order_regression`
        and ``"two-step drift"``, ``"edge invariant K"``, ``"edge limit (eta lam_inf)"`` and
        ``"discriminant of K"`` of :func:`edge_limit`.
    """
    model, limit = second_order_regression(), edge_limit()
    m = Map.from_expressions({"x": limit.scaled[0], "v": limit.scaled[1]}, {"Y": 0.25, "q1": 2.0, "q2": -1.0},
                             name="agarwala_second_order_regression_scaled")
    derivation = (*model.derivation,
                  ("in x = eta z, v = eta lam - 2, Y = eta (y + j1**2/(2 q1) + j2**2/(2 q2))",
                   sp.Tuple(*(sp.Eq(sp.Symbol(f"{n}'"), e) for n, e in zip("xv", limit.scaled)))),
                  ("two steps from eps (x, v): (x, v) + eps drift + O(eps**2)", sp.Tuple(*limit.drift)),
                  ("the drift's quadratic first integral K = v**2 + b x v + a x**2", limit.invariant))
    results = {**model.results, "two-step drift": sp.Tuple(*limit.drift), "edge invariant K": limit.invariant,
               "edge limit (eta lam_inf)": limit.limit, "discriminant of K": limit.discriminant}
    return ReducedModel(m.name, m, derivation, results)


def gd_in_parameters(Q: np.ndarray, J: np.ndarray, y: float, eta: float, theta: np.ndarray, steps: int,
                     stop: tuple[float, float] = (0.0, np.inf)) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force GD on ½(f - y)², f(θ) = ½θᵀQθ + Jᵀθ, in the parameters: (ηz, ηλ) before each step.

    The reference the reduced map is checked against (z = f - y, λ = ‖∇f‖²). The run ends after
    ``steps`` steps, or after the first step whose |ηz| is outside ``stop`` = (converged, escaped).

    Examples
    --------
    With Q = 0 the NTK is constant, λ = ‖J‖², and z contracts by 1 - ηλ each step:

    >>> import numpy as np
    >>> from bifurc.eos.second_order_regression import gd_in_parameters
    >>> x, w = gd_in_parameters(np.zeros((2, 2)), np.array([1.0, 1.0]), 1.0, 0.25, np.zeros(2), 3)
    >>> w.tolist(), np.round(x / x[0], 12).tolist()  # ηλ = 0.5, ratios (1 - 0.5)^t
    ([0.5, 0.5, 0.5], [1.0, 0.5, 0.25])
    """
    xs, ws = [], []
    theta = np.array(theta, dtype=float)
    for _ in range(steps):
        g = Q @ theta + J
        residual = theta @ Q @ theta / 2 + J @ theta - y
        xs.append(eta * residual)
        ws.append(eta * (g @ g))
        if not stop[0] <= abs(eta * residual) <= stop[1]:
            break
        theta = theta - eta * residual * g
    return np.array(xs), np.array(ws)
