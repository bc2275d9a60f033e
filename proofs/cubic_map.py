"""Claim (Kalra et al., MATH.md §6): GD on the EoS-manifold loss ½(aθ² - b)² is the cubic map
θ' = θ(1 + 2ηab - 2ηa²θ²); its minima θ² = b/a lose stability by period doubling as ηab grows
(at ηab = 1/2), the first step of the period-doubling route to chaos.

Run: python proofs/cubic_map.py
"""

import sympy as sp

from bifurc.eos import cubic_map, fixed_points, period_two, stability

theta, eta, a, b = (sp.Symbol(s, real=True) for s in "theta eta a b".split())
model = cubic_map()
for step, expr in model.derivation:
    print(f"{step}:\n    {expr}")
assert sp.expand(model.map.updates[0] - theta * (1 + 2 * eta * a * b - 2 * eta * a**2 * theta**2)) == 0
solved, _ = fixed_points(model)
for fp in solved:
    print(f"fixed point {fp.point}: multiplier {fp.eigenvalues}")
minimum = next(fp for fp in solved if fp.point[theta] != 0)
(mu,) = minimum.eigenvalues
st = stability(model, mu, "eta")
print(f"minimum stable where {st['stable']}; period doubling at eta = {st['period_doubling']}")
assert [sp.simplify(v * a * b) for v in st["period_doubling"]] == [sp.Rational(1, 2)]
orbit2 = period_two(model)
print(f"period-2 orbits: {orbit2.condition}\n    points {orbit2.points}")
# the orbit born at the doubling: at eta a b = 1/2 its points coincide with the minimum
born = [pt for pt in orbit2.points if sp.simplify(pt.subs(eta, 1 / (2 * a * b)) ** 2 - b / a) == 0]
print(f"orbit born in the period doubling: {born}")
assert len(born) >= 2
print("the cubic map and its first period doubling: proved")
