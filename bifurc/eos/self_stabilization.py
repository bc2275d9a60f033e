"""Damian, Nichani & Lee's self-stabilization: GD at the edge of stability as a two-variable map.

At a reference point θ* where the sharpness S (the Hessian's top eigenvalue, eigenvector u) is
2/η, write θ - θ* = v, the displacement along u as x = u·v and the linearised sharpness excess
as y = ∇S·v (so S(θ) = 2/η + y + O(v²)). With α = -∇L·∇S (progressive sharpening) and
β = ‖∇S‖², one GD step on the cubic Taylor expansion of the loss is, in (x, y),

    x' = -(1 + ηy) x,        y' = y + η(α - βx²/2),

the paper's four stages in one map: y grows by ηα while x is small (1, progressive sharpening),
|x| grows while y > 0 (2, blow-up), the cubic term's gradient ½x²∇S lowers y once
x² > 2α/β (3, self-stabilization), and |x| shrinks while y < 0 (4, return to stability).
:func:`self_stabilization` derives the map from a generic cubic Taylor expansion: ∇S = ∇³L[u, u]
by implicit differentiation of the characteristic polynomial, then the GD step under the
paper's conditions, stated one by one in the derivation. The map is exact for a cubic loss
that meets them and a Taylor truncation otherwise: with x, y = O(ε) and α = O(ε²) the next
terms of the loss change a step by O(ε³), and a cycle of the stages lasts O(1/ε) steps.
:func:`reference_point` computes u, ∇S, α, β and those conditions, exactly, for a loss written
in its own parameters.

Sources: the stage equations and α, β are the paper's Section 4.1 (arXiv 2209.15594); the
stable set M = {S ≤ 2/η, ∇L·u = 0}, x = u·(θ - θ̂), y = ∇S(θ̂)·(θ - θ̂), S(θ) ≈ 2/η + y and
x' ≈ -(1 + ηy)x read the same in J. Lee's CSE 599 (winter 2023) lecture 11 notes, the reference
point θ* here being their θ̂₀ = proj_M(θ₀).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..definition.iterated_map import Map
from ..errors import InputError
from .cache import derived
from .exact import exact_point, loss_in
from .model import ReducedModel, real_symbols

__all__ = ["self_stabilization", "ReferencePoint", "reference_point"]

x, y, eta, alpha, beta = real_symbols("x y eta alpha beta")
#: Coordinates of the cubic Taylor expansion: a along u, b along ∇S/‖∇S‖.
_a, _b, _s = real_symbols("a b s")


def _cubic_taylor() -> tuple[sp.Expr, dict[str, sp.Symbol]]:
    """A generic cubic Taylor expansion in the plane (a, b), with S(θ*) = 2/η along a."""
    c = {n: sp.Symbol(n, real=True) for n in "g_a g_b h_ab h_bb t_aaa t_aab t_abb t_bbb".split()}
    L = (c["g_a"] * _a + c["g_b"] * _b + _a**2 / eta + c["h_ab"] * _a * _b + c["h_bb"] * _b**2 / 2
         + (c["t_aaa"] * _a**3 + 3 * c["t_aab"] * _a**2 * _b + 3 * c["t_abb"] * _a * _b**2
            + c["t_bbb"] * _b**3) / 6)
    return L, c


@derived
def self_stabilization() -> ReducedModel:
    """Damian, Nichani & Lee's reduced dynamics of GD at the edge of stability, derived.

    Returns
    -------
    ReducedModel
        State (x, y): the displacement along the top eigenvector and the linearised sharpness
        excess y = ∇S·(θ - θ*). Parameters ``eta`` (0.1), ``alpha`` = -∇L·∇S (0.01) and
        ``beta`` = ‖∇S‖² (1). ``results``: ``"grad S"`` (∇S = ∇³L[u, u] of a generic cubic
        expansion, in the frame (u, u⊥)), ``"two-cycle"`` (x = ±√(2α/β), y = 0: the
        sharpness on it is 2/η to first order), ``"two-step multipliers"`` (of the 2-cycle),
        ``"cycle balance"`` (Σ_t (α - βx_t²/2) = (y_n - y_0)/η: over whole cycles the mean of
        x² is 2α/β).

    Raises
    ------
    ValueError
        If the derived step is not the map above (it is).

    Examples
    --------
    The map is x' = -(1 + ηy)x, y' = y + η(α - βx²/2); (±√(2α/β), 0) is a 2-cycle:

    >>> import sympy as sp
    >>> from bifurc.eos import self_stabilization
    >>> model = self_stabilization()
    >>> (x, y), (eta, alpha, beta) = model.map.state_symbols, model.map.param_symbols
    >>> rule = (-(1 + eta*y)*x, y + eta*(alpha - beta*x**2/2))
    >>> [sp.expand(u - e) == 0 for u, e in zip(model.map.updates, rule)]
    [True, True]
    >>> start = {x: sp.sqrt(2*alpha/beta), y: 0}
    >>> [sp.simplify(u.subs(start)) for u in model.map.updates] == [-sp.sqrt(2*alpha/beta), 0]
    True
    """
    L, c = _cubic_taylor()
    hessian = sp.hessian(L, (_a, _b))
    # u = (1, 0) is an eigenvector with eigenvalue 2/η iff h_ab = 0
    at_u = hessian.subs({_a: 0, _b: 0}) * sp.Matrix([1, 0])
    if sp.expand(at_u[0] - 2 / eta) != 0:
        raise ValueError("the expansion does not have curvature 2/eta along u")
    frame = {c["h_ab"]: 0}
    # ∇S by implicit differentiation of det(∇²L(v) - S) = 0 at v = 0, S = 2/η (a simple eigenvalue
    # when h_bb ≠ 2/η): dS/dv = -(∂det/∂v)/(∂det/∂S)
    char = (hessian - _s * sp.eye(2)).det().subs(frame)
    at0 = {_a: 0, _b: 0, _s: 2 / eta}
    grad_s = [sp.simplify(-sp.diff(char, v).subs(at0) / sp.diff(char, _s).subs(at0)) for v in (_a, _b)]
    if [sp.expand(g) for g in grad_s] != [c["t_aaa"], c["t_aab"]]:
        raise ValueError(f"grad S is not T[u, u] = (t_aaa, t_aab): {grad_s}")
    # the paper's conditions: ∇S ⊥ u, so ∇S spans b with ‖∇S‖ = √β; the loss is flat along ∇S;
    # ∇L ∥ ∇S with -∇L·∇S = α; the cubic term is the part ∇³L[u, u] = ∇S keeps (t_abb = t_bbb = 0)
    root_beta = sp.sqrt(beta)
    conditions = {**frame, c["t_aaa"]: 0, c["t_aab"]: root_beta, c["h_bb"]: 0, c["g_a"]: 0,
                  c["g_b"]: -alpha / root_beta, c["t_abb"]: 0, c["t_bbb"]: 0}
    reduced = L.subs(conditions)
    step = {v: v - eta * sp.diff(reduced, v) for v in (_a, _b)}
    coords = {_a: x, _b: y / root_beta}
    x_next = sp.expand(step[_a].subs(coords))
    y_next = sp.expand((root_beta * step[_b]).subs(coords))
    expected = (-(1 + eta * y) * x, y + eta * (alpha - beta * x**2 / 2))
    if sp.expand(x_next - expected[0]) != 0 or sp.expand(y_next - expected[1]) != 0:
        raise ValueError(f"the derived step is not the self-stabilization map: {x_next}, {y_next}")
    m = Map.from_expressions({"x": x_next, "y": y_next}, {"eta": 0.1, "alpha": 0.01, "beta": 1.0},
                             name="damian_self_stabilization")
    amplitude = sp.sqrt(2 * alpha / beta)
    jacobian = sp.Matrix([x_next, y_next]).jacobian([x, y])
    monodromy = sp.expand(jacobian.subs({x: -amplitude, y: 0}) * jacobian.subs({x: amplitude, y: 0}))
    positive = {v: sp.Symbol(v.name, positive=True) for v in (eta, alpha, beta)}
    back = {p: v for v, p in positive.items()}
    multipliers = [sp.expand(v.xreplace(back)) for v in monodromy.xreplace(positive).eigenvals(multiple=True)]
    t, n = sp.symbols("t n", integer=True, nonnegative=True)
    derivation = (
        ("cubic Taylor expansion at theta* in the frame (u, u-perp), S(theta*) = 2/eta", L),
        ("grad S = T[u, u], by implicit differentiation of the characteristic polynomial",
         sp.ImmutableMatrix(grad_s)),
        ("the paper's conditions (grad S perp u, flat along grad S, grad L parallel to grad S, "
         "the cubic term T[u, u] only)", sp.Tuple(*(sp.Eq(k, v) for k, v in conditions.items()))),
        ("the cubic expansion under them", reduced),
        ("one GD step in x = u.v, y = grad S.v", sp.Tuple(sp.Eq(sp.Symbol("x'"), x_next),
                                                          sp.Eq(sp.Symbol("y'"), y_next))),
    )
    results = {
        "grad S": sp.ImmutableMatrix(grad_s),
        "two-cycle": sp.Tuple(sp.Eq(x, amplitude), sp.Eq(x, -amplitude), sp.Eq(y, 0)),
        "two-step multipliers": sp.Tuple(*multipliers),
        "cycle balance": sp.Eq(sp.Sum(alpha - beta * sp.Indexed("x", t) ** 2 / 2, (t, 0, n - 1)),
                               (sp.Indexed("y", n) - sp.Indexed("y", 0)) / eta),
    }
    return ReducedModel(m.name, m, derivation, results, positive=("eta", "alpha", "beta"))


@dataclass(frozen=True)
class ReferencePoint:
    """The self-stabilization constants of a loss at a point, exact (sympy numbers).

    Attributes
    ----------
    eta : sympy.Expr
        2/S(θ*): the step size for which θ* is at the edge of stability.
    u, grad_s : tuple of sympy.Expr
        The unit top eigenvector of the Hessian (sign fixed by its first non-zero entry) and
        ∇S = ∇³L[u, u], in the loss's parameters.
    alpha, beta : sympy.Expr
        -∇L·∇S and ‖∇S‖².
    conditions : mapping of str to sympy.Expr
        The paper's conditions, each zero when met: ``"grad S . u"``, ``"|H grad S|"`` (flat along
        ∇S) and ``"|grad L off grad S|"`` (∇L ∥ ∇S). Where they are not zero, the map drops
        terms of the order it keeps.

    Examples
    --------
    >>> from bifurc.eos import reference_point
    >>> reference_point("a**2 + a**2*b/2 - b/10", "a, b", [0, 0]).parameters
    {'eta': 1.0, 'alpha': 0.1, 'beta': 1.0}
    """

    eta: sp.Expr
    u: tuple[sp.Expr, ...]
    grad_s: tuple[sp.Expr, ...]
    alpha: sp.Expr
    beta: sp.Expr
    conditions: Mapping[str, sp.Expr]

    @property
    def parameters(self) -> dict[str, float]:
        """The map's parameters ``eta``, ``alpha``, ``beta`` as floats."""
        return {"eta": float(self.eta), "alpha": float(self.alpha), "beta": float(self.beta)}


def reference_point(loss: object, params: Sequence[str] | str, point: Sequence[object]) -> ReferencePoint:
    """The top eigenvector, ∇S, α and β of ``loss`` at ``point``, derived exactly.

    Parameters
    ----------
    loss
        The loss as a formula (or sympy expression) in the parameters.
    params
        The parameter names, ``"th1, th2"`` or a sequence.
    point
        The reference point θ*: one exact number (int, fraction, sympy number) or float per
        parameter.

    Returns
    -------
    ReferencePoint

    Raises
    ------
    InputError
        If a parameter name or a coordinate is malformed, the point does not match the
        parameters, the Hessian's top eigenvalue there is not positive and simple, or ∇S vanishes.

    Examples
    --------
    L = a² + a²b/2 - b/10 at 0: the Hessian diag(2, 0) gives S = 2 (η = 1) along u = (1, 0);
    ∇S = (∂³L/∂a³, ∂³L/∂a²∂b) = (0, 1), so β = 1, and α = -∇L·∇S = 1/10; every condition holds:

    >>> from bifurc.eos import reference_point
    >>> point = reference_point("a**2 + a**2*b/2 - b/10", "a, b", [0, 0])
    >>> point.eta, point.u, point.grad_s, point.alpha, point.beta
    (1, (1, 0), (0, 1), 1/10, 1)
    >>> all(value == 0 for value in point.conditions.values())
    True
    """
    L, theta = loss_in(loss, params)
    at = exact_point(point, theta)
    gradient = sp.Matrix([sp.diff(L, t) for t in theta])
    hessian = sp.hessian(L, theta)
    H = hessian.subs(at).applyfunc(sp.nsimplify)
    pairs = sorted(H.eigenvects(), key=lambda e: float(e[0]))
    top, multiplicity, vectors = pairs[-1]
    if multiplicity != 1 or float(top) <= 0:
        raise InputError(f"point: the Hessian's top eigenvalue there, {top}, is not positive and simple")
    u = vectors[0] / vectors[0].norm()
    u = -u if next(v for v in u if v != 0) < 0 else u
    u = u.applyfunc(sp.simplify)
    grad_s = sp.Matrix([sp.simplify(sum((sp.diff(hessian[j, k], t) * u[j] * u[k]).subs(at)
                                        for j in range(len(theta)) for k in range(len(theta))))
                        for t in theta])
    beta = sp.simplify(grad_s.dot(grad_s))
    if beta == 0:
        raise InputError("loss: grad S vanishes at the point, there is no self-stabilization to derive")
    g = gradient.subs(at)
    alpha = sp.simplify(-g.dot(grad_s))
    off = g - g.dot(grad_s) / beta * grad_s
    conditions = {"grad S . u": sp.simplify(grad_s.dot(u)), "|H grad S|": sp.simplify((H * grad_s).norm()),
                  "|grad L off grad S|": sp.simplify(off.norm())}
    return ReferencePoint(sp.simplify(2 / top), tuple(u), tuple(grad_s), alpha, beta, conditions)
