"""Claim: Agarwala, Pedregosa & Pennington's second-order regression model in two parameters,
f(θ) = ½(q1 a² + q2 b²) + j1 a + j2 b on one data point under GD on ½(f - y)², closes exactly in
the residual z = f - y and the tangent kernel λ = ‖∇f‖² (bifurc.eos.second_order_regression):
(i) z(θ') and λ(θ') equal the derived map at (z(θ), λ(θ)) identically in a, b;
(ii) on the minima z = 0 the multipliers are 1 - ηλ and 1: a minimum is stable iff ηλ < 2;
(iii) with Q = 0 (the linear, constant-NTK model) λ' = λ: no progressive sharpening.

Run: python proofs/second_order_regression.py
"""

import sympy as sp

from bifurc.eos.second_order_regression import second_order_regression

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
print("second-order regression model closes in (z, lam): proved")
