"""Claim (Zhu et al., MATH.md §5): GD on ½(1 - xyzw)² restricted to x = z, y = w is GD on
¼(1 - x²y²)², with sharpness 2(x² + y²) at a minimum; its two-step map near the minimum with
sharpness 2/η has a cubic term of order 1 that draws orbits onto a parabola, while the
degree-2 model ½(1 - xy)² (sharpness x² + y²) has that term only at order η², so its two-step
orbits keep an ellipse.

Run: python proofs/zhu_two_step.py
"""

import sympy as sp

from bifurc.eos import degree2, minimalist, two_step

eta = sp.Symbol("eta", real=True)
for model in (minimalist(), degree2()):
    print(model.name)
    for step, expr in model.derivation:
        print(f"  {step}:\n      {expr}")
    t = two_step(model)
    print(f"  two-step map near sigma = 0: e'' - e = {t.a} sigma e + ({t.c}) e^3 + ...,"
          f" sigma'' - sigma = -({t.b}) e^2 + ...  => {t.curve}")
x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
assert sp.expand(minimalist().results["loss"] - (1 - x**2 * y**2) ** 2 / 4) == 0
assert sp.expand(minimalist().results["sharpness at a minimum"] - 2 * (x**2 + y**2)) == 0
assert sp.expand(degree2().results["sharpness at a minimum"] - (x**2 + y**2)) == 0
m4, m2 = two_step(minimalist()), two_step(degree2())
assert m4.a == m2.a and m4.b == m2.b  # same linear part and same drift of the sharpness
assert sp.limit(m4.c / m4.a, eta, 0) != 0  # cubic term at the order of the linear one: parabola
assert sp.limit(m2.c / m2.a, eta, 0) == 0  # cubic term only at order eta^2: ellipse
assert (m4.curve, m2.curve) == ("parabola", "ellipse")
print("two-step map: parabola (degree 4) vs ellipse (degree 2): proved")
