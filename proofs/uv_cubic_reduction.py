"""Claim (Kalra et al.'s sub-quadratic mechanism, MATH.md §6): in the scaled variables
g = η√κ f, L = ηλ, Y = η√κ y the UV map is one map for SP and μP; in P = L - 2g, Q = L + 2g
(P ∝ ‖u - v‖², Q ∝ ‖u + v‖²) it is P' = P(1 + D)², Q' = Q(1 - D)², D = g - Y, so the balanced
line P = 0 is invariant, and on it GD is exactly the cubic map θ' = θ(1 + 2ηab - 2ηa²θ²) of the
EoS-manifold loss ½(aθ² - b)², with g = 2ηa²θ² and Y = 2ηab.

Run: python proofs/uv_cubic_reduction.py
"""

import sympy as sp

from bifurc.eos import cubic_map, uv_model
from bifurc.eos.kalra import uv_cubic_reduction, uv_scaled

g, L, Y = (sp.Symbol(s, real=True) for s in "g L Y".split())
theta, eta, a, b = (sp.Symbol(s, real=True) for s in "theta eta a b".split())
D = g - Y

model = uv_scaled()
g_next, L_next = model.map.updates
print(f"scaled UV map (SP and muP alike):\n    g' = {g_next}\n    L' = {L_next}")
# the same map, substituted by hand from each parameterisation's raw update
for par in ("sp", "mup"):
    raw = uv_model(par)
    f, lam = raw.map.state_symbols
    p = {s.name: sp.Symbol(s.name, positive=True) for s in raw.map.param_symbols}
    kappa = raw.results["c2_eff"].xreplace({s: p[s.name] for s in raw.map.param_symbols})
    c = p["eta"] * sp.sqrt(kappa)
    back = {f: g / c, lam: L / p["eta"], sp.Symbol("y", real=True): Y / c}
    back.update({s: p[s.name] for s in raw.map.param_symbols if s.name != "y"})
    f_new, lam_new = (u.xreplace(back) for u in raw.map.updates)
    assert sp.simplify(c * f_new - g_next) == 0 and sp.simplify(p["eta"] * lam_new - L_next) == 0
    print(f"  {par}: eta sqrt(kappa) = {c}: substituted update equals the scaled map")
# P' = P (1 + D)^2 and Q' = Q (1 - D)^2, identically
P, Q = L - 2 * g, L + 2 * g
step = {g: g_next, L: L_next}
assert sp.expand(P.xreplace(step) - P * (1 + D) ** 2) == 0
assert sp.expand(Q.xreplace(step) - Q * (1 - D) ** 2) == 0
print("P' = P (1 + D)^2, Q' = Q (1 - D)^2: both balanced lines are invariant")
# on P = 0 (L = 2g): g' = g (1 + Y - g)^2
line = sp.expand(g_next.xreplace({L: 2 * g}))
assert sp.expand(line - g * (1 + Y - g) ** 2) == 0
print(f"on the balanced line L = 2g: g' = {sp.factor(line)}")
# the cubic map, conjugated: g = 2 eta a^2 theta^2, Y = 2 eta a b
(cubic,) = cubic_map().map.updates
to_g = {g: 2 * eta * a**2 * theta**2, Y: 2 * eta * a * b}
assert sp.expand((2 * eta * a**2 * cubic**2) - line.xreplace(to_g)) == 0
print(f"theta' = {sp.factor(cubic)} carries g = 2 eta a^2 theta^2 to g' (Y = 2 eta a b)")
# the package derives the same objects
r = uv_cubic_reduction()
assert sp.expand(r.coordinates["P"] - P) == 0 and sp.expand(r.coordinates["Q"] - Q) == 0
assert sp.expand(r.rates["P"] - (1 + D) ** 2) == 0 and sp.expand(r.rates["Q"] - (1 - D) ** 2) == 0
assert sp.expand(r.line_map - line) == 0
assert sp.expand(r.conjugacy["g"] - to_g[g]) == 0 and sp.expand(r.conjugacy["Y"] - to_g[Y]) == 0
print("the UV map on its EoS manifold is the cubic map (uv_cubic_reduction): proved")
