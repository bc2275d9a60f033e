"""Claim: GD on a two-layer linear network f = vᵀUx (one point, ‖x‖ = 1, any width) closes in
the canonical coordinates (p, q) = (f - y, 2/(η λ)), and its η → 0 limit is Song & Yun's
f_q(p) = p(1 - 2 r(p)/q) with q frozen (MATH.md §2-4).

Run: python proofs/canonical_map_closure.py
"""

import sympy as sp

from bifurc import losses
from bifurc.eos import canonical_map, two_layer_linear
from bifurc.eos.song_yun import SLOPE, two_layer_invariant_map

derivation, p_next, q_next = two_layer_invariant_map()
for step, expr in derivation:
    print(f"{step}:\n    {expr}")
print("free symbols of the (p, q) update:", sorted(map(str, p_next.free_symbols | q_next.free_symbols)))
p, q, eta, y = (sp.Symbol(n, real=True) for n in "p q eta y".split())
assert (p_next.free_symbols | q_next.free_symbols) <= {p, q, eta, y, SLOPE}

# the same step with explicit width-2 components, for a cross-check of the matrix calculus
u11, u12, u21, u22, v1, v2, g = sp.symbols("u11 u12 u21 u22 v1 v2 g", real=True)
c, s = sp.Rational(3, 5), sp.Rational(4, 5)  # a unit input x
U, v, x = sp.Matrix([[u11, u12], [u21, u22]]), sp.Matrix([v1, v2]), sp.Matrix([c, s])
U1, v1_ = U - eta * g * v * x.T, v - eta * g * U * x  # dL/dU = l' v x^T, dL/dv = l' U x
f0, f1 = (v.T * U * x)[0], (v1_.T * U1 * x)[0]
lam0 = (U * x).dot(U * x) + v.dot(v)
lam1 = (U1 * x).dot(U1 * x) + v1_.dot(v1_)
explicit = {p: f0 - y, q: 2 / (eta * lam0), SLOPE: g}
assert sp.simplify(p_next.xreplace(explicit) - (f1 - y)) == 0
assert sp.simplify(q_next.xreplace(explicit) - 2 / (eta * lam1)) == 0
print("explicit width-2 check: the reduced update equals GD in components")

for loss in (losses.logcosh, losses.pseudo_huber):
    model = canonical_map(loss)
    print(f"{loss.name}: two-layer map {two_layer_linear(loss).map.updates}")
    print(f"{loss.name}: eta -> 0 gives f_q(p) = {model.map.updates[0]}  (= {model.results['f_q via r']})")
    r = loss.r
    assert sp.simplify(model.map.updates[0] - p * (1 - 2 * r / q)) == 0
print("closure and the canonical map: proved")
