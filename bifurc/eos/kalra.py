"""Kalra, He & Barkeshli's UV model in function space, and the cubic map of the EoS manifold.

The UV model f = c vᵀu (u, v ∈ Rⁿ, one example, squared loss) is derived for a symbolic
width with :mod:`bifurc.eos.invariants`: GD reduced to A = ‖u‖², B = ‖v‖², C = vᵀu closes in
the output f = cC and the tangent kernel λ (B drops out).
"""

from __future__ import annotations

import sympy as sp

from ..definition.iterated_map import Map
from .cache import derived
from .invariants import gd_step, reduce_words, tangent_kernel
from .model import ReducedModel, real_symbols
from .symbolic import FixedPoint, fixed_points

__all__ = ["uv_model", "cubic_map", "PARAMETERIZATIONS", "uv_fixed_point_labels", "balanced_lines"]

#: Output scale c and per-layer step multiplier of each parameterisation, for width n and
#: scalar input x: standard (c = x/√n, step η) and maximal update (c = x/n, step η n).
PARAMETERIZATIONS = {
    "sp": (lambda n, x: x / sp.sqrt(n), lambda n: sp.Integer(1)),
    "mup": (lambda n, x: x / n, lambda n: n),
}


@derived
def uv_model(parameterization: str = "sp") -> ReducedModel:
    """The UV model's exact map in function space (f, λ).

    Parameters
    ----------
    parameterization
        ``"sp"`` (standard: f = vᵀu x/√n, step η) or ``"mup"`` (maximal update:
        f = vᵀu x/n, per-layer step η n). λ is the tangent kernel of the step actually
        taken, so that η λ is the output's step.

    Returns
    -------
    ReducedModel
        State (f, lam), parameters ``eta`` (0.1), ``y`` (1), ``n`` (width, 100) and
        ``x`` (input, 1). ``results["c2_eff"]`` is the coefficient κ of the nonlinear terms
        f' = f - η λ Δ + η² κ Δ² f, λ' = λ + η κ Δ (η λ Δ - 4 f), Δ = f - y.

    Raises
    ------
    ValueError
        If the parameterisation is unknown, or the update does not close in (f, λ).
    """
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization must be one of {', '.join(PARAMETERIZATIONS)}, "
                         f"got {parameterization!r}")
    n_pos, x_pos = sp.symbols("n x", positive=True)
    scale, multiplier = PARAMETERIZATIONS[parameterization]
    c, mult = scale(n_pos, x_pos), multiplier(n_pos)
    width = sp.Symbol("n", integer=True, positive=True)
    u, v = sp.MatrixSymbol("u", width, 1), sp.MatrixSymbol("v", width, 1)
    f_sym, lam_sym, eta, y = real_symbols("f lam eta y")
    A, B, C = real_symbols("A B C")
    out = c * v.T * u
    delta = f_sym - y  # l'(f - y) for the squared loss
    new = gd_step(out, [u, v], {u: eta * mult, v: eta * mult}, delta)
    invariants = {u.T * u: A, v.T * v: B, v.T * u: C}
    kernel = tangent_kernel(out, [u, v], {u: mult, v: mult})
    lam = reduce_words(kernel, invariants)
    to_f = {C: f_sym / c, A: lam_sym / (mult * c**2) - B}
    f_next = sp.expand(reduce_words(out.xreplace(new), invariants).xreplace(to_f))
    lam_next = sp.expand(reduce_words(kernel.xreplace(new), invariants).xreplace(to_f))
    leftover = (f_next.free_symbols | lam_next.free_symbols) - {f_sym, lam_sym, eta, y, n_pos, x_pos}
    if leftover:
        raise ValueError(f"the (f, lam) update depends on {sorted(map(str, leftover))}: it does not close")
    real = {n_pos: sp.Symbol("n", real=True), x_pos: sp.Symbol("x", real=True)}
    updates = {"f": f_next.xreplace(real), "lam": lam_next.xreplace(real)}
    kappa = sp.simplify(mult**2 * c**2).xreplace(real)
    m = Map.from_expressions(updates, {"eta": 0.1, "y": 1.0, "n": 100.0, "x": 1.0},
                             name=f"uv_model[{parameterization}]")
    derivation = (
        ("output f = c v^T u, c and the step multiplier set by the parameterisation", out),
        ("GD steps of u and v (squared loss: l' = f - y)", sp.Tuple(new[u], new[v])),
        ("tangent kernel of the step", sp.Eq(sp.Symbol("lambda"), lam)),
        ("update in function space; B drops out", sp.Tuple(*updates.values())),
    )
    return ReducedModel(m.name, m, derivation, {"c2_eff": kappa}, positive=("eta", "n", "x"))


def balanced_lines(model: ReducedModel) -> dict[str, sp.Expr]:
    """The invariant lines u = v and u = -v of the UV model in (f, λ): λ = 2√κ f and λ = -2√κ f.

    On u = ±v, ‖u‖² = ‖v‖² = ±vᵀu, so λ = ±2√κ f (κ = ``results["c2_eff"]``); GD keeps u = ±v,
    and by Cauchy-Schwarz every state has λ ≥ 2√κ|f|: the lines bound the reachable region.

    Returns
    -------
    dict
        ``"balanced"`` and ``"antibalanced"``: each λ - (±2√κ f), zero on its line.
    """
    f, lam = model.map.state_symbols
    root = sp.sqrt(model.results["c2_eff"])
    return {"balanced": lam - 2 * root * f, "antibalanced": lam + 2 * root * f}


@derived
def uv_fixed_point_labels(parameterization: str = "sp") -> dict[str, FixedPoint]:
    """The UV model's fixed points with Kalra et al.'s numerals I-IV.

    I is the line of minima Δ = 0 (f = y); II the origin (f, λ) = (0, 0), the saddle that
    early sharpness reduction flows towards. Of the two points Δ = ±2/(η√κ), the paper's IV
    is the one the edge-of-stability oscillation runs towards, "between fixed points II and
    IV": the point on the balanced line u = v, λ = 2√κ f (:func:`balanced_lines`), which joins
    II to IV; III lies on the antibalanced line λ = -2√κ f. For y > 0 (and η, n, x > 0) IV is
    f = y + 2/(η√κ) and III is f = y - 2/(η√κ). The evidence is in
    ``proofs/uv_fixed_points.py``: the lines are invariant, and at the edge of stability the
    compiled map oscillates along the direction from II to IV (exactly on the balanced line
    when η√κ y = 1, the setting of the Kalra checks).

    Returns
    -------
    dict
        ``"I"``, ``"II"``, ``"III"``, ``"IV"`` -> :class:`~bifurc.eos.symbolic.FixedPoint`.

    Raises
    ------
    ArithmeticError
        If the fixed points are not one line, the origin, and one point on each balanced line.
    """
    model = uv_model(parameterization)
    f, lam = model.map.state_symbols
    solved, _ = fixed_points(model)
    lines = balanced_lines(model)

    positive = {sym: sp.Symbol(sym.name, positive=True) for sym in model.map.param_symbols
                if sym.name in model.positive}

    def on(fp: FixedPoint, line: str) -> bool:
        return sp.simplify(lines[line].xreplace(fp.point).xreplace(positive)) == 0

    labels = {
        "I": [fp for fp in solved if fp.free],
        "II": [fp for fp in solved if fp.point == {f: 0, lam: 0}],
        "III": [fp for fp in solved if not fp.free and fp.point[f] != 0 and on(fp, "antibalanced")],
        "IV": [fp for fp in solved if not fp.free and fp.point[f] != 0 and on(fp, "balanced")],
    }
    if any(len(found) != 1 for found in labels.values()) or len(solved) != 4:
        raise ArithmeticError(f"the UV fixed points {solved} do not match Kalra et al.'s I-IV")
    return {name: found[0] for name, found in labels.items()}


@derived
def cubic_map() -> ReducedModel:
    """GD on the EoS-manifold loss ½(aθ² - b)²: the cubic map θ' = θ(1 + 2ηab - 2ηa²θ²).

    Returns
    -------
    ReducedModel
        State ``theta``, parameters ``eta`` (0.1), ``a`` (1) and ``b`` (1).
    """
    theta, eta, a, b = real_symbols("theta eta a b")
    L = (a * theta**2 - b) ** 2 / 2
    update = sp.factor(theta - eta * sp.diff(L, theta))
    m = Map.from_expressions({"theta": update}, {"eta": 0.1, "a": 1.0, "b": 1.0}, name="cubic_eos")
    derivation = (("loss on the EoS manifold", L), ("GD step", sp.Eq(sp.Symbol("theta'"), update)))
    return ReducedModel(m.name, m, derivation, positive=("eta", "a", "b"))
