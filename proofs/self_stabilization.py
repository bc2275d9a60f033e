"""Claim: Damian, Nichani & Lee's self-stabilization. At θ* with sharpness S = 2/η (top eigenvector
u), x = u·(θ - θ*), y = ∇S·(θ - θ*), α = -∇L·∇S, β = ‖∇S‖²:
(i) one GD step on the cubic Taylor expansion, under the paper's conditions, is
    x' = -(1 + ηy)x, y' = y + η(α - βx²/2)   (bifurc.eos.self_stabilization, derived);
(ii) the reduction is exact for the cubic loss ½(2/η + κ n·θ)(u·θ)² - τ n·θ + ½λ(m·θ)² in
parameter space (u, n, m orthonormal, none a coordinate axis): α = τκ, β = κ², for all θ;
(iii) the four stages: y rises iff x² < 2α/β, |x| grows iff y > 0 (while 1 + ηy > 0);
(iv) the 2-cycle x = ±√(2α/β), y = 0, with two-step multipliers 1 - 2αη² ± 2iη√(2α): modulus
1 + 2αη² (a weakly unstable focus: the stage cycles spiral out by O(η²α) per two steps);
(v) the cycle balance y_n - y_0 = η Σ (α - βx_t²/2): over a closed cycle the mean of x² is
2α/β, the cubic term's mean gradient ½⟨x²⟩∇S cancels the sharpening component of ∇L, and
the mean step is ∇L projected off ∇S (the paper's projected GD under S ≤ 2/η);
(vi) 10 e^{n·θ/20}(u·θ)² + (u·θ)⁴/24 - τ n·θ + ... has the same cubic expansion at 0 as the
cubic loss with 2/η = 20, κ = 1: the map is its Taylor truncation (the check measures O(ε²)).

Run: python proofs/self_stabilization.py
"""

import sympy as sp

from bifurc.eos.self_stabilization import reference_point, self_stabilization

model = self_stabilization()
for sentence, expr in model.derivation:
    print(f"{sentence}:\n    {expr}")
x, y, eta, alpha, beta = (sp.Symbol(n, real=True) for n in "x y eta alpha beta".split())
x1, y1 = model.map.updates

# (i)
assert sp.expand(x1 + (1 + eta * y) * x) == 0 and sp.expand(y1 - y - eta * (alpha - beta * x**2 / 2)) == 0
print("(i) x' = -(1 + eta y) x, y' = y + eta (alpha - beta x^2/2)")

# (ii) exactness for a cubic loss in parameter space, symbolic eta, kappa, tau, lambda
th = sp.symbols("th1 th2 th3", real=True)
kappa, tau, lam = sp.symbols("kappa tau lambda", positive=True)
u, n, m = (sp.Matrix(v) / 3 for v in ((1, 2, 2), (2, 1, -2), (2, -2, 1)))
assert u.dot(n) == u.dot(m) == n.dot(m) == 0 and u.norm() == n.norm() == m.norm() == 1
T = sp.Matrix(th)
L = (2 / eta + kappa * n.dot(T)) * u.dot(T) ** 2 / 2 - tau * n.dot(T) + lam * m.dot(T) ** 2 / 2
step = T - eta * sp.Matrix([sp.diff(L, t) for t in th])
grad_s = kappa * n  # d/d theta of the top eigenvalue 2/eta + kappa n.theta at theta = 0 (u.theta = 0)
on = {x: u.dot(T), y: grad_s.dot(T), alpha: tau * kappa, beta: kappa**2}
assert sp.expand(u.dot(step) - x1.xreplace(on)) == 0
assert sp.expand(grad_s.dot(step) - y1.xreplace(on)) == 0
print("(ii) exact for the cubic loss in parameter space, every theta: alpha = tau kappa, beta = kappa^2")

# (iii) the stages
assert sp.factor(y1 - y) == sp.factor(eta * (alpha - beta * x**2 / 2))
assert sp.expand(x1**2 - x**2 - eta * y * (2 + eta * y) * x**2) == 0
print("(iii) y' - y = eta (alpha - beta x^2/2): y rises iff x^2 < 2 alpha/beta;")
print("      x'^2 - x^2 = eta y (2 + eta y) x^2: |x| grows iff y > 0 (1 + eta y > 0)")

# (iv) the 2-cycle and its multipliers
amplitude = sp.sqrt(2 * alpha / beta)
for sign in (1, -1):
    at = {x: sign * amplitude, y: 0}
    assert sp.simplify(x1.xreplace(at) + sign * amplitude) == 0 and sp.simplify(y1.xreplace(at)) == 0
expected = {1 - 2 * alpha * eta**2 + s * 2 * sp.I * eta * sp.sqrt(2 * alpha) for s in (1, -1)}
got = set(model.results["two-step multipliers"])
assert {sp.expand(v) for v in got} == {sp.expand(v) for v in expected}, got
assert sp.expand(sp.prod(got) - (1 + 2 * alpha * eta**2) ** 2) == 0
print("(iv) 2-cycle x = +-sqrt(2 alpha/beta), y = 0; multipliers 1 - 2 alpha eta^2 +- 2i eta sqrt(2 alpha),"
      " |mu| = 1 + 2 alpha eta^2")

# (v) the cycle balance, from the y-update summed over n steps (telescoping), checked at n = 3
xs, ys = [sp.Symbol(f"x{t}", real=True) for t in range(3)], [sp.Symbol("y0", real=True)]
for t in range(3):
    ys.append(y1.xreplace({x: xs[t], y: ys[t]}))
assert sp.expand(ys[3] - ys[0] - eta * sum(alpha - beta * v**2 / 2 for v in xs)) == 0
g = sp.Matrix(sp.symbols("g1 g2 g3", real=True))
mean_step = -(g + (alpha / beta) * grad_s)  # grad L plus the cubic term's mean gradient <x^2>/2 grad S
projected = -(g - g.dot(grad_s) / grad_s.dot(grad_s) * grad_s)
constants = {alpha: -g.dot(grad_s), beta: grad_s.dot(grad_s)}
assert sp.simplify((mean_step - projected).xreplace(constants)) == sp.zeros(3, 1)
print("(v) y_n - y_0 = eta sum(alpha - beta x_t^2/2): over a closed cycle <x^2> = 2 alpha/beta, and the mean")
print("    step -(grad L + <x^2>/2 grad S) is grad L projected off grad S (PGD under S <= 2/eta)")

# (vi) the exp loss: same cubic expansion, derived constants
U, N, M = u.dot(T), n.dot(T), m.dot(T)
tau0 = sp.Rational(1, 100)
exp_loss = 10 * sp.exp(N / 20) * U**2 + U**4 / 24 - tau0 * N + 5 * M**2 / 2
cubic_loss = L.xreplace({eta: sp.Rational(1, 10), kappa: 1, tau: tau0, lam: 5})
s = sp.Symbol("s")
scaled = {t: s * t for t in th}
difference = sp.series((exp_loss - cubic_loss).xreplace(scaled), s, 0, 4).removeO()
assert sp.expand(difference) == 0
for loss in (cubic_loss, exp_loss):
    ref = reference_point(loss, [t.name for t in th], [0, 0, 0])
    assert ref.eta == sp.Rational(1, 10) and ref.alpha == tau0 and ref.beta == 1, ref
    assert all(v == 0 for v in ref.conditions.values()) and sp.Matrix(ref.u) == u, ref
print("(vi) the exp loss's cubic expansion is the cubic loss's: eta = 1/10, alpha = 1/100, beta = 1, "
      "the paper's conditions met (derived by reference_point)")
print("self-stabilization map derived, exact for the cubic loss, stages and 2-cycle: proved")
