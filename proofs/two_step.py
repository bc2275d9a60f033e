"""Claim: Chen & Bruna's two-step updates. At a minimum x̄ of a loss f with λ = f''(x̄), f3 = f'''(x̄),
f4 = f''''(x̄), and GD F(δ) = δ - ηf'(x̄ + δ) at η = 2(1 + s)/λ:
(i) F(F(δ)) = (1 + 2s)²δ + k2 δ² + k3 δ³ + O(δ⁴), k2 = O(s), k3(0) = -2C/(3λ²), C = 3f3² - λf4
    (bifurc.eos.two_step_updates, derived from the quartic Taylor expansion);
(ii) the 2-cycle {m + a, m - a}: a² = 6sλ²/C + O(s²), m = -3sλf3/C + O(s²), multiplier 1 - 8s + O(s²):
     for C > 0 it exists beyond the edge (s > 0) and attracts; for C < 0 it exists below it and repels;
(iii) for the double well ¼(x² - 1)² at x̄ = 1 (λ = 2, f3 = f4 = 6, C = 96) the quartic expansion is
     the loss: the map is GD on it exactly; its 2-cycle near 1, in closed form (a quartic in x²),
     expands in s as (ii)'s half-width and centre;
(iv) Song & Yun's f_q(p) = p(1 - 2r(p)/q) is GD on ℓ with η = 2/q, and its period-2 curve q = r(p) gives
     s = ℓ''(0)/q - 1 = Cp²/(6ℓ''(0)²) + O(p⁴) (log-cosh: C = 2, λ = 1);
(v) on Zhu et al.'s manifolds of minima, C > 0 along the top eigenvector at the edge-of-stability
    minimum; the one-dimensional coefficient of e³ is the minimalist's c = -4 and -4η⁴ for the
    degree-2 model, whose c = -4η² comes from the drift along the manifold;
(vi) a transverse direction w of curvature μ > 0 coupled by κ = ∇³L[u, u, w] is slaved to the centre
     manifold w = -κδ²/(2μ), on which GD along u is (i) with f4 - 3κ²/μ: the effective condition is
     C + 3λκ²/μ (x²/2 + x⁴/4 + x²y + y²/4: C = -6 along the line, 18 in effect).

Run: python proofs/two_step.py
"""

import sympy as sp

from bifurc import losses
from bifurc.eos import degree2, minimalist
from bifurc.eos.song_yun import canonical_map
from bifurc.eos.two_step_updates import line_derivatives, manifold_instance, two_step_updates

model = two_step_updates()
for sentence, expr in model.derivation:
    print(f"{sentence}:\n    {expr}")
d, eta, lam, f3, f4, s = (sp.Symbol(n, real=True) for n in "delta eta lam f3 f4 s".split())
C = 3 * f3**2 - lam * f4

# (i)
(step,) = model.map.updates
assert sp.expand(step - (d - eta * (lam * d + f3 * d**2 / 2 + f4 * d**3 / 6))) == 0
twice = sp.expand(step.subs(d, step).subs(eta, 2 * (1 + s) / lam))
assert sp.expand(twice.coeff(d, 1) - (1 + 2 * s) ** 2) == 0
assert sp.expand(twice.coeff(d, 2).subs(s, 0)) == 0
assert sp.simplify(twice.coeff(d, 3).subs(s, 0) + 2 * C / (3 * lam**2)) == 0
print("(i) F(F(delta)) = (1 + 2s)^2 delta + O(s) delta^2 - 2C/(3 lam^2) delta^3 + ..., C = 3 f3^2 - lam f4")

# (ii) the stated results, and their sides: a^2 > 0 iff s C > 0; the multiplier below 1 iff s > 0
results = model.results
assert sp.simplify(results["2-cycle half-width squared"] - 6 * s * lam**2 / C) == 0
assert sp.simplify(results["2-cycle centre"] + 3 * s * lam * f3 / C) == 0
assert results["2-cycle multiplier"] == 1 - 8 * s
print("(ii) a^2 = 6 s lam^2/C, m = -3 s lam f3/C, multiplier 1 - 8s: C > 0 beyond the edge (attracting), "
      "C < 0 below it (repelling)")

# (iii) the double well: the quartic expansion is the loss; its 2-cycle exactly
x = sp.Symbol("x", real=True)
well = (x**2 - 1) ** 2 / 4
line = line_derivatives(well, "x", [1])
assert (line.lam, line.f3, line.f4, line.condition) == (2, 6, 6, 96)
assert sp.expand(well.subs(x, 1 + d) - (2 * d**2 / 2 + 6 * d**3 / 6 + 6 * d**4 / 24)) == 0
gd = x - eta * sp.diff(well, x)
period_two = sp.factor(sp.cancel((gd.subs(x, gd) - x) / (gd - x)))
# the loss is even: the symmetric 2-cycle {x, -x} (F(x) = -x) and a quartic in x^2 whose roots are
# the 2-cycle {x_a, x_b} near 1 and its mirror: x_a^2 + x_b^2 = -B/A, (x_a x_b)^2 = C0/A
symmetric = eta * x**2 - eta - 2
assert sp.expand(sp.numer(sp.together(gd.subs(x, sp.sqrt(1 + 2 / eta)) + sp.sqrt(1 + 2 / eta)))) == 0
_, factors = sp.factor_list(period_two)
(quartic,) = [f for f, _ in factors if sp.expand(f - symmetric) != 0 and sp.expand(f + symmetric) != 0]
X2 = sp.Symbol("X2")
A, B, C0 = (sp.Poly(quartic.subs(x**2, X2), X2).coeff_monomial(X2**k) for k in (2, 1, 0))
product = sp.sqrt(C0 / A)  # x_a x_b > 0 near x = 1
centre_sq = (-B / A / 2 + product) / 2  # (1 + m)^2 = ((x_a + x_b)/2)^2
eps = sp.Symbol("epsilon", positive=True)
edge = {eta: 1 + eps**2}  # eta = 2(1 + s)/lam with lam = 2, s = eps^2
centre = sp.series(sp.sqrt(centre_sq.subs(edge)) - 1, eps, 0, 4).removeO()
half2 = sp.series(((-B / A / 2 - product) / 2).subs(edge), eps, 0, 4).removeO()  # ((x_a - x_b)/2)^2
at = {lam: 2, f3: 6, f4: 6, s: eps**2}
assert sp.expand(centre - results["2-cycle centre"].subs(at)) == 0
assert sp.expand(half2 - results["2-cycle half-width squared"].subs(at)) == 0
print("(iii) double well (x^2 - 1)^2/4: the map is GD on it; its exact 2-cycle has centre "
      f"{sp.simplify(centre)} + O(s^2), half-width^2 {sp.simplify(half2)} + O(s^2) (s = eps^2)")

# (iv) Song & Yun's f_q for log-cosh
p, q = sp.Symbol("p", real=True), sp.Symbol("q", real=True)
canonical = canonical_map(losses.logcosh)
(f_q,) = canonical.map.updates
assert sp.simplify(f_q - (p - 2 / q * sp.tanh(p))) == 0
ell = line_derivatives(losses.logcosh.expression, "p", [0])
assert (ell.lam, ell.f3, ell.f4, ell.condition) == (1, 0, -2, 2)
s_of_p = sp.series(ell.lam / canonical.results["period-2 curve q(p)"] - 1, p, 0, 4).removeO()
assert sp.expand(s_of_p - ell.condition * p**2 / (6 * ell.lam**2)) == 0
print(f"(iv) f_q = p - (2/q) tanh p is GD on log cosh with eta = 2/q; on its period-2 curve s = {s_of_p} "
      "= C p^2/(6 lam^2) + O(p^4)")

# (v) Zhu's models
e = sp.Symbol("eta", real=True)
zhu_min, zhu_deg = manifold_instance(minimalist()), manifold_instance(degree2())
assert zhu_min.c_line == zhu_min.c_zhu == -4 and zhu_min.a_zhu == 4 and zhu_min.instance
assert zhu_deg.c_line == -4 * e**4 and zhu_deg.c_zhu == -4 * e**2 and not zhu_deg.instance
assert zhu_min.condition == 96 / e**3 and zhu_deg.condition == 48 * e
print("(v) along the top eigenvector at the EoS minimum: C = 96/eta^3 (minimalist), 48 eta (degree 2); "
      "the e^3 coefficient -4 = Zhu's c (parabola), -4 eta^4 << Zhu's -4 eta^2 (ellipse)")
# (vi) the centre manifold, checked on the 2-D loss: its GD restricted to y = -kappa x^2/(2 mu)
kappa, mu, w = (sp.Symbol(n, real=True) for n in ("kappa", "mu", "w"))
assert results["centre manifold"] == sp.Eq(w, -kappa * d**2 / (2 * mu))
assert sp.expand(results["effective f4"] - (f4 - 3 * kappa**2 / mu)) == 0
X, Y = sp.symbols("x y", real=True)
coupled = X**2 / 2 + X**4 / 4 + X**2 * Y + Y**2 / 4
on = {Y: -2 * X**2}  # kappa = 2, mu = 1/2
step_x = sp.expand((X - eta * sp.diff(coupled, X)).xreplace(on))
step_y = sp.expand((Y - eta * sp.diff(coupled, Y)).xreplace(on))
invariance = sp.expand(step_y.subs(eta, 2) + 2 * step_x.subs(eta, 2) ** 2)
assert invariance.coeff(X, 2) == 0  # y = -2x^2 is invariant to order x^2 at the edge
assert sp.expand(step_x - (X - eta * (X - 18 * X**3 / 6))) == 0  # f4_eff = 6 - 3*4/(1/2) = -18
ld = line_derivatives(coupled, "x, y", [0, 0])
assert (ld.condition, ld.coupling, ld.effective) == (-6, 24, 18)
print("(vi) centre manifold w = -kappa delta^2/(2 mu), f4 -> f4 - 3 kappa^2/mu: for "
      "x^2/2 + x^4/4 + x^2 y + y^2/4 the line's C = -6, the effective C = 18")
print("Chen & Bruna's two-step condition, 2-cycle and instances: proved")
