"""Zhu et al.'s minimalist model: adaptivity, concentration in the band, parabola against ellipse.

The runs are those of :mod:`bifurc.verify.checks.zhu` (Zhu's start region S_η, the two-step
branch from just above sharpness 2/η).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from .. import eos, plot
from ..analysis.basins import mesh, settle_cells
from ..analysis.orbits import orbit
from ..verify.checks.zhu import final_sharpness, region_starts, states_from_invariants, two_step_branch

__all__ = ["figure_adaptivity", "figure_concentration", "figure_parabola_ellipse", "hessian_sharpness",
           "figure_convergence_map", "convergence_map"]

_X, _Y = sp.symbols("x y", real=True)
#: The step sizes shown (the ladder of the checks without η = 0.2, which is too close to chaos).
ETAS = (0.1, 0.05, 0.025)


@cache
def _hessian(name: str):
    model = {"minimalist": eos.minimalist, "degree2": eos.degree2}[name]()
    return sp.lambdify((_X, _Y), sp.hessian(model.results["loss"], (_X, _Y)), modules="numpy")


def hessian_sharpness(states: np.ndarray, name: str = "minimalist") -> np.ndarray:
    """λmax(∇²L) at each state (x, y) of a run (the Hessian derived from the model's loss)."""
    H = np.array(_hessian(name)(states[:, 0], states[:, 1]), dtype=object)
    H = np.stack([np.stack([np.broadcast_to(np.asarray(H[i, j], dtype=np.float64), states.shape[:1])
                            for j in range(2)], axis=-1) for i in range(2)], axis=-2)
    return np.linalg.eigvalsh(H)[:, -1]


def figure_adaptivity(quick: bool = False) -> Figure:
    """Sharpness λ_t = λmax(∇²L) against step for several η, from one start of Zhu's region
    (sharpness above 2/η): each run settles just below its own 2/η."""
    fig, axes = plot.panels(1, 1, 7.0, 4.4)
    ax = axes[0, 0]
    for i, eta in enumerate(ETAS):
        start = states_from_invariants(np.array([1.05 / eta]), np.array([0.9]))[0]
        run = orbit(eos.minimalist().map, start, int((20 if quick else 60) / eta**2), params={"eta": eta})
        sharp = hessian_sharpness(run)
        colour = plot.PALETTE[i]
        ax.plot(np.arange(1, sharp.size + 1), sharp, color=colour, lw=0.8, label=rf"$\eta = {eta:g}$")
        ax.axhline(2 / eta, color=colour, ls="--", lw=1.0)
        ax.text(1.2, 2 / eta + 1.5, rf"$2/\eta = {2 / eta:g}$", color=colour, fontsize=10)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.45 * 2 / min(ETAS))
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"sharpness $\lambda_t = \lambda_{max}(\nabla^2 L)$")
    ax.set_title(r"Zhu et al., minimalist model: the final sharpness adapts to $2/\eta$ (dashed)")
    ax.legend(loc="upper right", fontsize=10)
    return fig


def figure_concentration(quick: bool = False) -> Figure:
    """Final sharpness of every start of Zhu's region, as the gap (2/η - λ_∞)/η against the
    start's η(x₀² + y₀²): all inside Zhu's band (0, 20/3), concentrated near 1/2."""
    fig, axes = plot.panels(1, 2, 5.0, 4.0)
    left, right = axes[0]
    etas = ETAS[:2] if quick else ETAS
    for i, eta in enumerate(etas):
        final = final_sharpness(float(eta), False)
        starts = region_starts(float(eta), False)
        gap = (2 / eta - final) / eta
        s0 = eta * (starts ** 2).sum(axis=1)
        colour = plot.PALETTE[i]
        for ax in (left, right):
            ax.plot(s0, gap, "o", ms=4, color=colour, alpha=0.8, label=rf"$\eta = {eta:g}$")
    left.axhspan(0, 20 / 3, color=plot.PALETTE[2], alpha=0.15, label=r"band $(2/\eta - 20\eta/3,\ 2/\eta)$")
    left.set_ylim(-1, 8)
    left.axhline(0, color="black", lw=0.8)
    left.axhline(20 / 3, color="black", lw=0.8)
    left.set_title("Zhu's band, in units of $\\eta$")
    right.set_title("magnified: the gap concentrates")
    for ax in (left, right):
        ax.set_xlabel(r"start $\eta\,(x_0^2 + y_0^2)$")
        ax.set_ylabel(r"$(2/\eta - \lambda_\infty)/\eta$")
        ax.legend(fontsize=8, loc="center right")
    fig.suptitle("sharpness concentration: final sharpness of every start of $S_\\eta$")
    return fig


def figure_parabola_ellipse(quick: bool = False) -> Figure:
    """The two-step orbit in (e, σ) = (1 - (xy)^k, ηλ/2 - 1): on a parabola for the minimalist
    model, on an ellipse for the degree-2 model (which ends far below 2/η)."""
    eta = 0.05
    fig, axes = plot.panels(1, 2, 4.8, 4.0)
    e, s = two_step_branch(eos.minimalist(), 2, eta, 0.1, 0.05)
    descent = slice(int(np.argmax(np.abs(e))), None)
    a, b = axes[0]
    a.plot(e, s, ".", ms=2, color=plot.PALETTE[0], label="two-step orbit")
    coef = np.polyfit(e[descent] ** 2, s[descent], 1)
    grid = np.linspace(e[descent].min(), e[descent].max(), 200)
    a.plot(grid, np.polyval(coef, grid**2), color=plot.PALETTE[1], lw=1.0, ls="--",
           label=rf"fit $\sigma = {coef[1]:.3f} {coef[0]:+.2f}\,e^2$")
    a.legend(fontsize=8, loc="lower right")
    a.set_title("minimalist model (degree 4): a parabola")
    for s0 in (0.05, 0.1, 0.2):
        e, s = two_step_branch(eos.degree2(), 1, eta, s0, 0.05)
        b.plot(e, s, ".-", ms=3, lw=0.4, label=rf"$\sigma_0 = {s0:g}$",
               color=plot.PALETTE[{0.05: 2, 0.1: 0, 0.2: 3}[s0]])
    b.set_title("degree-2 model: ellipses, ending near $-\\sigma_0$")
    for ax in (a, b):
        ax.axhline(0, color="0.4", lw=0.8, ls=":")
        ax.set_xlabel(r"residual $e = 1 - (xy)^k$")
        ax.set_ylabel(r"$\sigma = \eta\lambda/2 - 1$")
    b.legend(fontsize=8, loc="lower right")
    fig.suptitle(rf"two-step orbits at $\eta = {eta:g}$ ($\sigma = 0$: sharpness $2/\eta$)")
    return fig


def convergence_map(eta: float, n: int, transient: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts (x0, y0) on an n x n grid of [0, 3]² (the map is odd in x and in y): the period
    each settles to (-1 escaped, 0 not settled) and ηλ/2 of the minimum reached (NaN where none)."""
    grid = np.linspace(0.0, 3.0, n)
    X, Y = mesh(grid, grid)
    model = eos.minimalist()
    periods, finals = settle_cells(model.map, np.stack([X, Y], axis=1), np.full((X.size, 1), eta),
                                   transient, 1, 1e-10, 1e6)
    sharp = sp.lambdify((_X, _Y), model.results["sharpness at a minimum"], modules="numpy")
    level = np.where(periods == 1, eta * sharp(finals[:, 0], finals[:, 1]) / 2, np.nan)
    return grid, periods.reshape(n, n), level.reshape(n, n)


def figure_convergence_map(quick: bool = False) -> Figure:
    """Zhu et al.'s map of starts (x0, y0) that converge: coloured by ηλ/2 of the minimum
    reached (all ≤ 1: below 2/η), white where GD diverges, grey where it does not settle."""
    eta = 0.1
    grid, periods, level = convergence_map(eta, 150 if quick else 700, 1000 if quick else 4000)
    fig, axes = plot.panels(1, 1, 6.4, 5.2)
    ax = axes[0, 0]
    extent = (grid[0], grid[-1], grid[0], grid[-1])
    unsettled = np.where(periods == 0, 1.0, np.nan)
    ax.imshow(unsettled, origin="lower", extent=extent, cmap="Greys", vmin=0, vmax=1.8,
              interpolation="nearest")
    im = ax.imshow(level, origin="lower", extent=extent, cmap="cividis", vmin=0, vmax=1,
                   interpolation="nearest")
    fig.colorbar(im, ax=ax, label=r"$\eta\lambda/2$ at the minimum reached (1: $\lambda = 2/\eta$)")
    ax.set_aspect("equal")
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$y_0$")
    shares = [np.mean(periods == k) for k in (1, -1, 0)]
    ax.set_title(rf"minimalist model, $\eta = {eta:g}$: starts that converge ({shares[0]:.0%}),"
                 "\n" f"diverge (white, {shares[1]:.0%}), do not settle (grey, {shares[2]:.0%})",
                 fontsize=10)
    return fig
