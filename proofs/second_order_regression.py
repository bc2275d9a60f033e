"""Claim: Agarwala, Pedregosa & Pennington's second-order regression model in two parameters,
f(θ) = ½(q1 a² + q2 b²) + j1 a + j2 b on one data point under GD on ½(f - y)², closes exactly in
the residual z = f - y and the tangent kernel λ = ‖∇f‖² (bifurc.eos.second_order_regression):
(i) z(θ') and λ(θ') equal the derived map at (z(θ), λ(θ)) identically in a, b;
(ii) on the minima z = 0 the multipliers are 1 - ηλ and 1: a minimum is stable iff ηλ < 2;
(iii) with Q = 0 (the linear, constant-NTK model) λ' = λ: no progressive sharpening;
(iv) in x = ηz, v = ηλ - 2 the map depends on η, y, J only through Y = η(y + Σ jᵢ²/(2qᵢ)); two
steps from ε(X, V) are (X, V) + ε·drift + O(ε²), and K = v² + b xv + a x² is conserved by the
drift (∇K·drift = 0 identically): a start ε from the edge point ends on the minima at
ηλ∞ = 2 - √K(x₀, v₀) + O(ε²) (bifurc.eos.edge_limit; the orders are measured by bifurc verify).

Run: python proofs/second_order_regression.py
"""

import sympy as sp

from bifurc.eos.second_order_regression import edge_limit, second_order_regression

model = second_order_regression()
z, lam, eta, y, q1, q2, j1, j2, a, b = (sp.Symbol(n, real=True)
                                        for n in "z lam eta y q1 q2 j1 j2 a b".split())
z_next, lam_next = model.map.updates
print(f"z'   = {z_next}\nlam' = {lam_next}")

# (i) GD in the parameters, then the coordinates, against the map
f = (q1 * a**2 + q2 * b**2) / 2 + j1 * a + j2 * b
grad = [sp.diff(f, v) for v in (a, b)]
step = {a: a - eta * (f - y) * grad[0], b: b - eta * (f - y) * grad[1]}
at = {z: f - y, lam: grad[0] ** 2 + grad[1] ** 2}
assert sp.expand((f - y).xreplace(step) - z_next.xreplace(at)) == 0
assert sp.expand((grad[0] ** 2 + grad[1] ** 2).xreplace(step) - lam_next.xreplace(at)) == 0
print("(i) z(theta') and lam(theta') are the map at (z(theta), lam(theta)), identically in a, b")

# (ii) the minima
jacobian = sp.Matrix([z_next, lam_next]).jacobian([z, lam]).subs(z, 0)
assert set(jacobian.eigenvals(multiple=True)) == {1 - eta * lam, 1}
print("(ii) on z = 0: multipliers 1 - eta lam and 1 (stable iff eta lam < 2)")

# (iii) the linear model
assert sp.expand(lam_next.subs({q1: 0, q2: 0}) - lam) == 0
print("(iii) Q = 0: lam' = lam (constant NTK)")
# (iv) the edge limit
limit = edge_limit()
x, v, Y = (sp.Symbol(n, real=True) for n in "x v Y".split())
assert limit.scaled[0].free_symbols <= {x, v, Y, q1, q2} and limit.scaled[1].free_symbols <= {x, v, Y, q1, q2}
flux = sp.diff(limit.invariant, x) * limit.drift[0] + sp.diff(limit.invariant, v) * limit.drift[1]
assert sp.expand(flux) == 0
assert sp.expand(limit.invariant.subs(x, 0) - v**2) == 0
print(f"(iv) K = {limit.invariant} is conserved by the two-step drift; on the minima K = v^2,")
print(f"     so eta lam_inf = {limit.limit} + O(eps^2); b^2 - 4a = {limit.discriminant}")
print("second-order regression model closes in (z, lam), and its edge limit: proved")
