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

__all__ = ["uv_model", "cubic_map", "PARAMETERIZATIONS"]

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
