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
cubic loss with 2/η = 20, κ = 1: the map is its Taylor truncation (the check measures O(ε²));
(vii) the constrained trajectory (bifurc.eos.constrained_trajectory) on the cubic loss: M is
{u·θ = 0, κ n·θ ≤ 0}; on its edge the projected step's correction p has -∇S·p = ηα, so GD around
θ† follows the map; and with v = x u + (y/β)∇S, x, y = O(s): L(θ† + v) = L(θ†) + x²/η + O(s³),
S(θ† + v) = 2/η + y + O(s²).

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
# (vii) the constrained trajectory on the cubic loss, in the frame coordinates (U, N, Mm) = (u, n, m).theta
U_, N_, M_ = sp.symbols("U N M_m", real=True)
framed = (2 / eta + kappa * N_) * U_**2 / 2 - tau * N_ + lam * M_**2 / 2
gradient = sp.Matrix([sp.diff(framed, v) for v in (U_, N_, M_)])
hessian = sp.hessian(framed, (U_, N_, M_))
# on U = 0 the Hessian is diag(2/eta + kappa N, 0, lambda) with u = (1, 0, 0) and grad L.u = 0: M is
# {U = 0, kappa N <= 0} (lambda < 2/eta), whose nearest point to (U, N, M) is (0, min(N, 0), M)
assert hessian.subs(U_, 0) == sp.diag(2 / eta + kappa * N_, 0, lam) and gradient[0].subs(U_, 0) == 0
edge_point = {U_: 0, N_: 0}
w = sp.Matrix([0, 0, M_]) - eta * gradient.subs(edge_point)  # one GD step from theta-dagger on the edge
assert w[1] == eta * tau  # it sharpens past the edge (N > 0), and the projection takes N back to 0
p = sp.Matrix([0, 0, w[2]]) - w
assert sp.simplify(-(kappa * sp.Matrix([0, 1, 0])).dot(p) - eta * tau * kappa) == 0  # -grad S.p = eta alpha
s_ = sp.Symbol("s", positive=True)
v = {U_: s_ * x, N_: s_ * y / kappa}  # v = x u + (y/beta) grad S with grad S = kappa n, beta = kappa^2
excess = sp.series((framed.subs(v) - framed.subs({U_: 0, N_: 0})).subs(tau, s_**2 * tau), s_, 0, 3).removeO()
assert sp.expand(excess - s_**2 * x**2 / eta) == 0  # L(theta-dagger + v) = L + x^2/eta + O(s^3)
a_ = 2 / eta + kappa * N_
top = (a_ + sp.sqrt(a_**2 + 4 * kappa**2 * U_**2)) / 2  # the larger root of the (U, N) block's polynomial
assert sp.expand((hessian[:2, :2] - top * sp.eye(2)).det()) == 0
positive_eta = sp.Symbol("eta", positive=True)
near = sp.series(top.subs(v).subs(eta, positive_eta), s_, 0, 2).removeO()
assert sp.expand(near - (2 / positive_eta + s_ * y)) == 0  # S = 2/eta + y + O(s^2)
print("(vii) M = {u.theta = 0, kappa n.theta <= 0}; on its edge -grad S.p = eta alpha (the map);")
print("      L(theta-dagger + v) = L(theta-dagger) + x^2/eta + O(s^3), S = 2/eta + y + O(s^2)")
print("self-stabilization map derived, exact for the cubic loss, stages, 2-cycle and constrained trajectory: "
      "proved")
