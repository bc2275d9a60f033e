"""Claim (Theorem 4.3): (p_t, q_t) -> (0, q*) with q* = 1 - η²/(2 r''(0)) + O(η⁴), limiting
sharpness 2/η - η/|r''(0)| + O(η³) (MATH.md §4). Derived as Q(0) of the alignment curve, then
checked against the iterated two-layer map (y = 1, q0 = 0.8), evaluated from the derived
expressions with lambdify.

Run: python proofs/q_star_series.py
"""

import sympy as sp

from bifurc import losses
from bifurc.eos import alignment, two_layer_linear

eta = sp.Symbol("eta", real=True)


def limit_point(model, step, p, q, steps=100000):
    """Iterate the derived (p, q) map at y = 1 until p has converged to 0."""
    update = sp.lambdify(model.map.state_symbols + model.map.param_symbols, model.map.updates, "math")
    for _ in range(steps):
        p, q = update(p, q, step, 1.0)
        if abs(p) < 1e-13:
            return p, q
    raise AssertionError(f"p has not converged after {steps} steps (p = {p})")


for loss in (losses.logcosh, losses.pseudo_huber):
    a = alignment(loss)
    r2 = loss.r2_at_zero
    print(f"{loss.name}: r''(0) = {r2}, q* = {a.q_star}, limiting sharpness = {a.limiting_sharpness}")
    assert sp.simplify(a.q_star.removeO() - (1 - eta**2 / (2 * r2))) == 0 and a.q_star.getO() == sp.O(eta**4)
    assert sp.simplify(a.limiting_sharpness.removeO() - (2 / eta - eta / abs(r2))) == 0
    model = two_layer_linear(loss)
    for step in (0.2, 0.1, 0.05):
        end = limit_point(model, step, 0.5, 0.8)
        ratio = (end[1] - 1) / step**2
        print(f"    eta = {step}: p_T = {end[0]:.2e}, (q* - 1)/eta^2 = {ratio:.4f}  (theory {float(a.h0)})")
        assert abs(ratio - float(a.h0)) < 0.1 * step  # the O(eta^2) remainder, relative to eta^2
print("q* series: proved and checked")
