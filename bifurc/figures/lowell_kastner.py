"""Lowell & Kastner: plain GD at the edge of stability against exponential Euler and gradient flow.

Exponential Euler integrates the top Hessian directions exactly, so it follows gradient
flow at the same step; plain GD leaves the flow once its sharpness passes 2/η (on this
network: a catapult that drops the sharpness below 2/η).
"""

from __future__ import annotations

import warnings

from matplotlib.figure import Figure

from .. import losses, nets, plot

__all__ = ["figure_gd_vs_flow", "runs"]


def runs(quick: bool = False) -> dict[str, nets.Trajectory]:
    """The three runs on one small tanh MLP and synthetic data: GD, exponential Euler (same η),
    and gradient flow approximated by GD with η/20 for 20 times the steps."""
    eta = 0.65
    steps = 260 if quick else 400
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the squared loss has no bifurcation in q (not used here)
        loss = losses.get("p**2/2")
    net = nets.MLP(input_dim=4, width=16, depth=2, activation="tanh")
    objective = nets.Objective(net, nets.synthetic(16, 4, seed=0), loss)
    theta = net.initial(seed=0)
    every = 2 if quick else 5
    return {
        "gd": nets.train(objective, theta, eta, steps, sharpness_every=every),
        "exponential_euler": nets.train(objective, theta, eta, steps, method="exponential_euler", top_k=2),
        "flow": nets.train(objective, theta, eta / 20, 20 * steps, sharpness_every=20 * every),
    }


def figure_gd_vs_flow(quick: bool = False) -> Figure:
    """Sharpness against time ηt: exponential Euler and gradient flow sharpen past 2/η together;
    GD, at the same η, is thrown off the flow after crossing 2/η."""
    r = runs(quick)
    eta = r["gd"].eta
    fig, axes = plot.panels(1, 1, 7.0, 4.4)
    ax = axes[0, 0]
    names = {"gd": "gradient descent", "exponential_euler": "exponential Euler",
             "flow": "gradient flow (GD, η/20)"}
    for i, (key, run) in enumerate(r.items()):
        ax.plot(run.sharpness_steps * run.eta, run.sharpness, "-", color=plot.PALETTE[i], lw=1.3,
                label=f"{names[key]}, {'diverged' if run.diverged else 'trained'}")
    plot.reference_line(ax, 2 / eta, rf"$2/\eta = {2 / eta:g}$", colour="0.4", ls=":")
    ax.set_xlabel(r"time $\eta t$")
    ax.set_ylabel(r"sharpness $\lambda_{max}(\nabla^2 L)$")
    ax.set_title(rf"Lowell & Kastner: tanh MLP, squared loss, $\eta = {eta:g}$")
    ax.legend(fontsize=8)
    return fig
