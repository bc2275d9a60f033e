"""Claim: the UV model's edge of stability (scaled variables g = η√κ f, L = ηλ, Y = η√κ y).
(i) Threshold Y* = 1: the line of minima g = Y has multiplier 1 - L, and every reachable state
has L ≥ 2|g| (Cauchy-Schwarz, the balanced lines), so minima with L < 2 are reachable iff Y < 1.
(ii) For Y > 1 a 2-cycle on the balanced line L = 2g has sharpness ηλ = 1 + Y ± √((Y - 1)(Y + 3)):
mean (1 + Y)/η and product (2/η)², i.e. geometric mean exactly 2/η.
(iii) Its multipliers are 7 - 4Y - 2Y² along the line and (2Y - 3)² across it: stable for
1 < Y < √5 - 1, where it doubles to period 4.
(iv) At Y = 1 the line map's flip is degenerate (multiplier -1, a cubic normal form): the
oscillation decays like t^(-1/2); on the balanced line ηλ swings peak to peak by 2/√t.

Run: python proofs/uv_edge.py
"""

import sympy as sp

from bifurc.eos.kalra import uv_edge, uv_scaled

g, L, Y, t = (sp.Symbol(s, real=True) for s in "g L Y t".split())
g_next, L_next = uv_scaled().map.updates
F = {g: g_next, L: L_next}
J = sp.Matrix([g_next, L_next]).jacobian([g, L])

# (i) the line of minima and the reachable bound
assert sp.expand(g_next.subs(g, Y) - Y) == 0 and sp.expand(L_next.subs(g, Y) - L) == 0
line_multipliers = sorted(J.subs(g, Y).eigenvals(multiple=True), key=str)
assert set(sp.expand(v) for v in line_multipliers) == {1, 1 - L}
print("line of minima g = Y: multipliers 1 and 1 - L (flip at L = 2)")
print("reachable: L >= 2|g| (L = +-2g invariant), so on g = Y: L >= 2Y;")
print("    stable minima (L < 2) are reachable iff Y < 1")

# (ii) the 2-cycle
root = sp.sqrt((Y - 1) * (Y + 3))
a = {g: (1 + Y - root) / 2, L: 1 + Y - root}
b = {g: (1 + Y + root) / 2, L: 1 + Y + root}
positive = {Y: 1 + sp.Symbol("s", positive=True)}  # Y > 1
for p, q in ((a, b), (b, a)):
    assert all(sp.simplify((F[s].xreplace(p) - q[s]).subs(positive)) == 0 for s in (g, L))
assert sp.simplify((a[L] + b[L]) / 2 - (1 + Y)) == 0 and sp.expand(a[L] * b[L]) == 4
print("2-cycle: eta lambda = 1 + Y -+ sqrt((Y-1)(Y+3)); mean 1 + Y, product 4 (geometric mean 2)")

# (iii) its multipliers
monodromy = (J.xreplace(b) * J.xreplace(a)).subs(positive).applyfunc(sp.simplify)
s = sp.Symbol("s", positive=True)
values = [sp.expand(sp.simplify(v).subs(s, Y - 1)) for v in monodromy.eigenvals(multiple=True)]
in_line, transverse = sp.expand(7 - 4 * Y - 2 * Y**2), sp.expand((2 * Y - 3) ** 2)
assert set(values) == {in_line, transverse}, values
assert set(sp.solve(sp.Eq(in_line, -1), Y)) == {-1 + sp.sqrt(5), -1 - sp.sqrt(5)}
print(f"multipliers {values}: stable for 1 < Y < sqrt(5) - 1 = {float(sp.sqrt(5) - 1):.6f}")

# (iv) at Y = 1: the line map h(g) = g(2 - g)^2 near g = 1: h(h(1 + e)) = 1 + e - k e^3 + O(e^4),
# k > 0, so over tau double steps e^-2 grows by 2k per double step: e ~ (2k tau)^(-1/2) = (k t)^(-1/2)
# after t = 2 tau steps; eta lambda = 2g swings by 4e peak to peak
e = sp.Symbol("e")
h = g * (2 - g) ** 2
twice = sp.series(h.subs(g, h).subs(g, 1 + e) - 1, e, 0, 4).removeO()
k = -twice.coeff(e, 3)
assert twice.coeff(e, 1) == 1 and twice.coeff(e, 2) == 0 and k > 0
assert k == 4  # 4 e = 4 (4 t)^(-1/2) = 2/sqrt(t)
print(f"Y = 1: h(h(1 + e)) = 1 + e - {k} e^3 + O(e^4): e ~ ({k} t)^(-1/2), eta lambda swings by 2/sqrt(t)")

edge = uv_edge()
assert edge.threshold == 1 and sp.expand(edge.mean - (1 + Y)) == 0 and edge.product == 4
assert sp.expand(edge.in_line - (7 - 4 * Y - 2 * Y**2)) == 0
assert sp.expand(edge.transverse - (2 * Y - 3) ** 2) == 0
assert sp.simplify(edge.period_four - (sp.sqrt(5) - 1)) == 0
print("the UV edge of stability: threshold, 2-cycle, multipliers (uv_edge): proved")
