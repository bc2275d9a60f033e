"""The papers' claims on real networks: one figure per claim, from the runs of the network checks."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import losses, nets, plot
from ..nets.kalra import fcn_run
from ..nets.lowell_kastner import hessian_split, snapshots
from ..nets.numeric_loss import numeric
from ..nets.song_yun import digits_objective, multi_point
from ..nets.zhu import fit_parabola, oscillation_first
from ..verify.checks.networks import lk_alignment_growth, lk_network, lk_trainings, zhu_network

__all__ = [
    "figure_width_alignment",
    "figure_multi_point",
    "figure_kalra_fcn",
    "figure_lowell_kastner",
    "figure_jacobian_alignment",
    "figure_zhu_subspace",
]


def _curve(ax, p: np.ndarray, loss: losses.Loss) -> None:
    grid = np.linspace(p.min(), p.max(), 400)
    ax.plot(grid, numeric(loss).r(grid), "k--", lw=1, label="q = r(p)")


def figure_width_alignment(quick: bool = False) -> Figure:
    """Depth-3 tanh networks on one point (log-cosh, y = 8) in (p, q), widths 64 and 256."""
    steps = 300 if quick else 1000
    data = nets.one_point(10, 8.0, seed=0)
    fig, axes = plot.panels(1, 2, 5.0, 4.0)
    for ax, width in zip(axes[0], (64, 256)):
        objective = nets.Objective(nets.MLP(10, width, 3, "tanh"), data, losses.logcosh)
        for i, q0 in enumerate((0.3, 0.6)):
            theta = objective.net.initial(i)
            eta = 2 / (q0 * nets.ntk_max(nets.evaluate(objective, theta)))
            run = nets.train(objective, theta, eta, steps)
            ax.plot(run.p, run.q, ".", ms=2, color=plot.PALETTE[i], label=f"start q0 = {q0}, seed {i}")
        _curve(ax, np.linspace(-3, 3, 10), losses.logcosh)
        ax.set_xlim(-3, 3)
        ax.set_ylim(0, 1.2)
        ax.set(xlabel="p (residual)", ylabel=r"q = (2/$\eta$)/$\lambda_{max}$(NTK)", title=f"width {width}")
        ax.legend(fontsize=7)
    return fig


def figure_multi_point(quick: bool = False) -> Figure:
    """Multi-point (p, q) runs of a 3-layer MLP on digits from several starts: one curve late."""
    r = multi_point(
        digits_objective(),
        seeds=(0,) if quick else (0, 1, 2),
        q0s=(0.7, 0.9),
        steps=300 if quick else 800,
        split=150 if quick else 200,
    )
    fig, axes = plot.panels(1, 1, 6.0, 4.4)
    ax = axes[0, 0]
    for i, run in enumerate(r.runs):
        ax.plot(run.p[: r.split], run.q[: r.split], "-", lw=0.5, color=plot.PALETTE[i % 8], alpha=0.5)
        ax.plot(
            run.p[r.split :], run.q[r.split :], ".", ms=2, color=plot.PALETTE[i % 8], label=f"run {i}, late"
        )
    ax.set(
        xlabel="p = mean residual",
        ylabel=r"q = (2/$\eta$)/$\lambda_{max}$(NTK)",
        title=f"Song & Yun multi-point: spread {r.early:.2f} early, {r.late:.2f} late",
    )
    ax.legend(fontsize=7)
    return fig


def figure_kalra_fcn(quick: bool = False) -> Figure:
    """ηλ/2 along training of an FCN on digits, SP and μP: reduction, sharpening, the edge."""
    steps = 200 if quick else 1500
    fig, axes = plot.panels(1, 1, 6.5, 4.2)
    ax = axes[0, 0]
    for i, (name, init, c, width) in enumerate((("SP", "standard", 1.5, 16), ("μP", "mup", 5.0, 64))):
        r = fcn_run(init, c, width=width, steps=steps, every=10 if quick else 5)
        ax.plot(
            r.run.sharpness_steps,
            r.run.sharpness * r.run.eta / 2,
            "-",
            color=plot.PALETTE[i],
            label=f"{name}, c = {c:g}, width {width}",
        )
    plot.reference_line(ax, 1.0, r"$2/\eta$", colour="0.4", ls=":")
    ax.set(xlabel="step", ylabel=r"$\eta\lambda_{max}/2$", title="Kalra et al. in an FCN (digits 3 vs 5)")
    ax.legend(fontsize=8)
    return fig


def figure_lowell_kastner(quick: bool = False) -> Figure:
    """(a) GD against exponential Euler: sharpness; (b) the Hessian split along exponential Euler."""
    objective, theta, eta, steps = lk_network(quick)
    steps = 120 if quick else steps
    runs = lk_trainings(objective, theta, eta, steps)
    fig, axes = plot.panels(1, 2, 5.2, 4.0)
    a, b = axes[0]
    for i, (name, run) in enumerate(runs.items()):
        a.plot(run.sharpness_steps, run.sharpness, "-", color=plot.PALETTE[i], lw=1, label=name)
    plot.reference_line(a, 2 / eta, r"$2/\eta$", colour="0.4", ls=":")
    a.set(xlabel="step", ylabel=r"$\lambda_{max}(\nabla^2 L)$", title="GD vs exponential Euler")
    a.legend(fontsize=8)
    snap = snapshots(
        objective, theta, eta, steps, 20 if quick else 50, hessian_split, method="exponential_euler", top_k=2
    )
    for i, (key, label) in enumerate(
        (
            ("hessian", r"$\lambda_{max}$(Hessian)"),
            ("gauss_newton", r"$\lambda_{max}$(G)"),
            ("rest", r"$\|H\|$"),
        )
    ):
        b.plot(snap.steps, [getattr(s, key) for s in snap.values], "o-", color=plot.PALETTE[i], label=label)
    b.set(xlabel="step (exponential Euler)", ylabel="eigenvalue", title="Hessian = G + H")
    b.legend(fontsize=8)
    return fig


def figure_zhu_subspace(quick: bool = False) -> Figure:
    """The last iterates of a deep MLP at the edge in their principal plane, with the parabola fit."""
    r = zhu_network(quick)
    u, v = oscillation_first(r.plane.coords)
    fit = fit_parabola(u, v)
    fig, axes = plot.panels(1, 1, 5.5, 4.2)
    ax = axes[0, 0]
    ax.plot(u, v, ".", ms=3, color=plot.PALETTE[0], label="last iterates")
    grid = np.linspace(u.min(), u.max(), 200)
    ax.plot(
        grid,
        np.polynomial.polynomial.polyval(grid, fit.coefficients),
        "k--",
        lw=1,
        label=f"parabola, residual {fit.residual:.2f}",
    )
    ax.set(
        xlabel="oscillation direction",
        ylabel="drift direction",
        title=f"Zhu et al.: top-2 PCA variance {r.plane.fraction:.3f}",
    )
    ax.legend(fontsize=8)
    return fig


def figure_jacobian_alignment(quick: bool = False) -> Figure:
    """Lowell & Kastner: layerwise Jacobian alignment at θ₀ and at its peak over training against
    the data set size D (log-log, with the fitted power law and its R²), and per layer at the peak."""
    g = lk_alignment_growth(quick)
    fig, axes = plot.panels(1, 2, 5.0, 4.0)
    left, right = axes[0]
    left.loglog(g.sizes, g.initial, "o:", color=plot.PALETTE[1], label="at θ₀")
    left.loglog(g.sizes, g.peak, "o-", color=plot.PALETTE[0], label="peak over training")
    grid = np.geomspace(g.sizes[0], g.sizes[-1], 50)
    fit = f"fit ${g.fit.coefficient:.2g}\\,D^{{{g.fit.exponent:.2f}}}$, R² = {g.fit.r_squared:.2f}"
    left.loglog(grid, g.fit(grid), "k--", lw=1, label=fit)
    left.set(xlabel="data set size D", ylabel=r"network alignment $\prod_l r_l$", title="alignment against D")
    left.legend(fontsize=8)
    for i, (D, ratios) in enumerate(zip(g.sizes, g.layers)):
        right.plot(np.arange(1, ratios.size + 1), ratios, "o-", color=plot.colour(i), label=f"D = {D}")
    right.set(xlabel="hidden layer l", ylabel=r"$r_l$ at the peak", title="per layer",
              xticks=np.arange(1, g.layers.shape[1] + 1))
    right.legend(fontsize=8)
    return fig
