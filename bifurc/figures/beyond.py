"""EoS theory beyond the four papers: self-stabilization and the second-order regression model.

- Damian, Nichani & Lee: GD in parameter space on 10 e^{n·θ/20}(u·θ)² + (u·θ)⁴/24 - τ n·θ +
  5(m·θ)²/2 (u, n, m orthonormal, none a coordinate axis; η = 0.1, τ = ε²) against the derived
  map x' = -(1 + ηy)x, y' = y + η(α - βx²/2), with u, ∇S, α, β derived by
  :func:`bifurc.eos.reference_point`: the displacement x along u (its sign flipped every other
  step, so the envelope shows) and the sharpness S(θ) (the
  Hessian's top eigenvalue) against 2/η + y of the map, the four stages shaded; and GD's loss
  against the prediction L(θ†) + x²/η around the PGD-constrained trajectory θ† (projected GD on
  {S ≤ 2/η, ∇L·u = 0}, :mod:`bifurc.eos.constrained_trajectory`), with L(θ†) itself dashed.
- Agarwala, Pedregosa & Pennington: GD in parameter space on the two-parameter second-order
  regression model (Q = R diag(2, -1) Rᵀ, as ``bifurc verify``'s check) from starts below the
  edge with a small residual: ηλ rises to the derived limit 2 - √K (dashed), below 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from .. import plot
from ..analysis.orbits import orbit
from ..eos.constrained_trajectory import constrained_trajectory, loss_derivatives, predicted_dynamics
from ..eos.second_order_regression import edge_limit, gd_in_parameters
from ..eos.self_stabilization import reference_point, self_stabilization

__all__ = ["figure_self_stabilization", "figure_progressive_sharpening"]

#: Stage colours: 1 progressive sharpening, 2 blow-up, 3 self-stabilization, 4 return to stability.
_STAGE_NAMES = ("1 sharpening", "2 blow-up", "3 self-stabilization", "4 return")


def _frame_loss(tau: sp.Expr) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """The exp loss of the Damian check in three parameters."""
    th = sp.symbols("th1 th2 th3", real=True)
    U = (th[0] + 2 * th[1] + 2 * th[2]) / 3
    N = (2 * th[0] + th[1] - 2 * th[2]) / 3
    M = (2 * th[0] - 2 * th[1] + th[2]) / 3
    return 10 * sp.exp(N / 20) * U**2 + U**4 / 24 - tau * N + 5 * M**2 / 2, th


def figure_self_stabilization(quick: bool = False) -> Figure:
    """GD's displacement, sharpness and loss through the four stages against the derived predictions."""
    eps = 0.1
    loss, th = _frame_loss(sp.Rational(1, 100))
    ref = reference_point(loss, [t.name for t in th], [0, 0, 0])
    p = ref.parameters
    u = np.array([float(v) for v in ref.u])
    grad_s = np.array([float(v) for v in ref.grad_s])
    d = loss_derivatives(loss, th)
    steps = 400 if quick else 1200
    start = (0.5 * eps, -0.5 * eps)
    theta = start[0] * u + start[1] / p["beta"] * grad_s
    thetas = [theta]
    for _ in range(steps):
        theta = theta - p["eta"] * d.grad(theta)
        thetas.append(theta)
    thetas = np.array(thetas)
    xs, ys = thetas @ u, thetas @ grad_s
    sharp = np.array([np.linalg.eigvalsh(d.hess(t))[-1] for t in thetas])
    constrained = constrained_trajectory(d, thetas[0], p["eta"], steps)
    predicted = predicted_dynamics(constrained, thetas[0])
    mapped = orbit(self_stabilization().map, list(start), steps + 1, params=p)
    t = np.arange(steps + 1)
    high, up = xs**2 > 2 * p["alpha"] / p["beta"], ys > 0
    stage = np.where(up, np.where(high, 2, 1), np.where(high, 3, 0))
    fig, axes = plot.panels(1, 3, 5.6, 4.0)
    left, right, losses = axes[0]
    for ax in (left, right, losses):
        for k, name in enumerate(_STAGE_NAMES):
            ax.fill_between(t, 0, 1, where=stage == k, transform=ax.get_xaxis_transform(),
                            color=plot.PALETTE[k], alpha=0.12, lw=0, label=f"stage {name}")
    flip = (-1.0) ** t  # x changes sign every step: (-1)^t x shows its envelope
    left.plot(t, flip * xs, ".", ms=2.5, color="black", label=r"GD: $(-1)^t\,u\cdot\theta$")
    left.plot(t, flip * mapped[:, 0], "-", lw=0.8, color=plot.PALETTE[3], label="derived map")
    amplitude = np.sqrt(2 * p["alpha"] / p["beta"])
    left.axhline(amplitude, ls=":", color="gray", lw=0.8)
    left.axhline(-amplitude, ls=":", color="gray", lw=0.8, label=r"$\pm\sqrt{2\alpha/\beta}$")
    left.set_xlabel("step")
    left.set_ylabel(r"$(-1)^t x$, $x = u\cdot(\theta - \theta^*)$")
    left.legend(loc="lower left", fontsize=7)
    right.plot(t, sharp, ".", ms=2.5, color="black", label=r"GD: $S(\theta)$")
    right.plot(t, 2 / p["eta"] + mapped[:, 1], "-", lw=0.8, color=plot.PALETTE[3], label=r"map: $2/\eta + y$")
    right.axhline(2 / p["eta"], color="black", lw=0.8, ls="--", label=r"$2/\eta$")
    right.set_xlabel("step")
    right.set_ylabel("sharpness")
    right.legend(loc="lower left", fontsize=7)
    losses.plot(t, [d.value(v) for v in thetas], ".", ms=2.5, color="black", label=r"GD: $L(\theta)$")
    losses.plot(t, predicted.loss, "-", lw=0.8, color=plot.PALETTE[3],
                label=r"predicted: $L(\theta^\dagger) + x^2/\eta$")
    losses.plot(t, constrained.loss, "--", lw=0.8, color="gray", label=r"PGD: $L(\theta^\dagger)$")
    losses.set_xlabel("step")
    losses.set_ylabel("loss")
    losses.legend(loc="upper left", fontsize=7)
    fig.suptitle(f"Damian, Nichani & Lee: self-stabilization (η = {p['eta']:g}, α = {p['alpha']:g}, "
                 f"β = {p['beta']:g})")
    return fig


def figure_progressive_sharpening(quick: bool = False) -> Figure:
    """ηλ of GD on the second-order regression model rising to the derived limit below 2."""
    q, j, eta, scaled_target = (2.0, -1.0), (0.3, 0.3), 0.1, 0.25
    rotation = np.array([[3 / 5, -4 / 5], [4 / 5, 3 / 5]])
    Q, J = rotation @ np.diag(q) @ rotation.T, rotation @ np.array(j)
    y = scaled_target / eta - sum(c**2 / (2 * d) for c, d in zip(j, q))
    x_s, v_s = sp.Symbol("x", real=True), sp.Symbol("v", real=True)
    values = {sp.Symbol("Y", real=True): sp.Rational(1, 4), sp.Symbol("q1", real=True): 2,
              sp.Symbol("q2", real=True): -1}
    limit = sp.lambdify((x_s, v_s), edge_limit().limit.xreplace(values), modules="numpy")
    fig, axes = plot.panels(1, 2, 5.6, 4.0)
    left, right = axes[0]
    steps = 1500 if quick else 4000
    for k, eps in enumerate((0.2, 0.1, 0.05)):
        x0, v0 = -0.2 * eps, -eps
        G = np.linalg.solve([[1.0, 1.0], [1 / q[0], 1 / q[1]]], [2 + v0, 2 * (x0 + scaled_target)])
        theta = rotation @ ((np.sqrt(G / eta) - np.array(j)) / np.array(q))
        xs, ws = gd_in_parameters(Q, J, y, eta, theta, steps)
        colour = plot.PALETTE[k]
        left.plot(ws, ".", ms=1.5, color=colour, label=f"GD, ε = {eps:g}")
        left.axhline(float(limit(x0, v0)), color=colour, ls="--", lw=1.0,
                     label=r"derived limit $2 - \sqrt{K}$" if k == 0 else None)
        right.plot(np.abs(xs), "-", lw=0.8, color=colour, label=f"ε = {eps:g}")
    left.axhline(2, color="black", lw=0.8, label=r"$\eta\lambda = 2$")
    left.set_xscale("symlog", linthresh=10)
    left.set_xlabel("step")
    left.set_ylabel(r"$\eta\lambda$ (NTK)")
    left.legend(loc="lower right", fontsize=7)
    right.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel(r"$|\eta z|$ (residual)")
    right.legend(loc="upper right", fontsize=7)
    fig.suptitle("Agarwala, Pedregosa & Pennington: the NTK sharpens to a limit just below 2/η")
    return fig
