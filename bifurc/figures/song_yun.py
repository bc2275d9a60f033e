"""Song & Yun, trajectory alignment: the toy model, the bifurcation diagram of f_q, the limit.

Every curve is derived (r, r̂, h, the limiting sharpness come from :mod:`bifurc.losses`
and :mod:`bifurc.eos`); every trajectory is an orbit of a derived map.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from .. import eos, losses, plot
from ..analysis.orbits import orbit, orbit_diagram
from ..losses import Loss

__all__ = ["figure_toy_alignment", "figure_bifurcation", "figure_limit"]

_P, _ETA = sp.Symbol("p", real=True), sp.Symbol("eta", real=True)
#: Song & Yun's step size for the toy model.
TOY_ETA = 2 / 16
#: Starts (u0, w0) of the toy with u² + w² > 2/η (sharpness above 2/η: the EoS regime).
TOY_STARTS = ((4.4, 0.6), (0.4, 5.0), (-4.8, 1.2), (0.9, -4.3))
#: Starts (p0, q0) of the two-layer net, q0 < 1.
NET_STARTS = ((0.3, 0.6), (0.6, 0.8), (0.1, 0.4))
_LOSSES = (losses.logcosh, losses.pseudo_huber)
_TITLES = {"logcosh": r"$\ell(p) = \log\cosh p$", "pseudo_huber": r"$\ell(p) = \sqrt{1 + p^2} - 1$"}


def _numeric(expr: sp.Expr, *symbols: sp.Symbol):
    return sp.lambdify(symbols or (_P,), expr, modules="numpy")


def _r(loss: Loss, p: np.ndarray) -> np.ndarray:
    """r(p) = ℓ'(p)/p, with its removable value 1 at p = 0."""
    with np.errstate(all="ignore"):
        values = np.asarray(_numeric(loss.r)(p), dtype=np.float64) * np.ones_like(p)
    return np.where(p == 0, 1.0, values)


def net_runs(loss: Loss, eta: float, steps: float = 40.0) -> list[np.ndarray]:
    """Orbits (p_t, q_t) of the two-layer linear net (target y = 0) from :data:`NET_STARTS`,
    ``steps/η²`` steps each (long enough to converge: the theorems' time scale)."""
    m = eos.two_layer_linear(loss).map
    return [orbit(m, start, int(steps / eta**2), params={"eta": eta, "y": 0.0}) for start in NET_STARTS]


def figure_toy_alignment(quick: bool = False) -> Figure:
    """Song & Yun's toy ℓ = log cosh(uw) at η = 2/16: GD in (u, w), and in (p, q) on q = r(p).

    The toy is the width-1, target-0 case of the two-layer net; its GD map is
    :func:`bifurc.eos.single_neuron` with the linear activation, and (p, q) = (uw, 2/(η(u² + w²))).
    """
    model = eos.single_neuron(losses.logcosh, "linear")
    params = {"eta": TOY_ETA, "x": 1.0, "y": 0.0}
    steps = 400 if quick else 1500
    fig, axes = plot.panels(1, 2, 5.2, 4.4)
    left, right = axes[0]
    angle = np.linspace(0, 2 * np.pi, 400)
    radius = np.sqrt(2 / TOY_ETA)
    left.plot(radius * np.cos(angle), radius * np.sin(angle), color="0.45", ls=":", lw=1.0,
              label=r"$u^2 + w^2 = 2/\eta$ ($q = 1$)")
    left.axhline(0, color="0.75", lw=0.8)
    left.axvline(0, color="0.75", lw=0.8)
    p_max = 0.0
    for i, start in enumerate(TOY_STARTS):
        run = orbit(model.map, start, steps, params=params)
        p, q = eos.canonical_coordinates(model, run, params)
        colour = plot.PALETTE[i]
        left.plot(run[:, 0], run[:, 1], "-", color=colour, lw=0.4, alpha=0.6)
        left.plot(run[:, 0], run[:, 1], ".", color=colour, ms=2.5)
        left.plot(*start, "o", color=colour, mec="black", ms=6)
        right.plot(p, q, ".", color=colour, ms=2.5,
                   label=f"start $(u_0, w_0) = ({start[0]:g}, {start[1]:g})$")
        right.plot(p[0], q[0], "o", color=colour, mec="black", ms=6)
        p_max = max(p_max, float(np.abs(p).max()))
    left.set_aspect("equal")
    left.set_xlabel("$u$")
    left.set_ylabel("$w$")
    left.set_title(r"GD on $\log\cosh(uw)$, $\eta = 2/16$ (minima: the axes)")
    left.legend(loc="lower left", fontsize=8)
    grid = np.linspace(-1.05 * p_max, 1.05 * p_max, 801)
    right.plot(grid, _r(losses.logcosh, grid), color="black", lw=0.9, label=r"$q = r(p) = \tanh(p)/p$",
               zorder=5)
    right.axhline(1.0, color="0.45", ls=":", lw=1.0)
    right.set_xlabel(r"$p = uw$")
    right.set_ylabel(r"$q = 2/(\eta\,(u^2 + w^2))$")
    right.set_title("the same runs in $(p, q)$: trajectory alignment on $q = r(p)$")
    right.legend(loc="upper left", fontsize=7.5)
    right.set_ylim(0, 1.45)
    return fig


def figure_bifurcation(quick: bool = False) -> Figure:
    """The bifurcation diagram of f_q(p) = p(1 - 2r(p)/q) against q, log-cosh and pseudo-Huber,
    with the derived period-2 branch ±r̂(q) and two-layer net trajectories (q_t, p_t) on it."""
    eta = 0.1
    fig, axes = plot.panels(1, 2, 5.4, 4.2)
    qs = np.linspace(0.15, 1.2, 180 if quick else 900)
    branch_q = np.linspace(0.15, 0.999, 300)
    for ax, loss in zip(axes[0], _LOSSES):
        m = eos.canonical_map(loss).map
        d = orbit_diagram(m, "q", qs, 0.3, transient=300 if quick else 2000, keep=100 if quick else 400)
        runs = net_runs(loss, eta, 10.0 if quick else 40.0)
        paths = [(run[:, 1], run[:, 0]) for run in runs]
        labels = [f"two-layer net, $(p_0, q_0) = ({s[0]:g}, {s[1]:g})$" for s in NET_STARTS]
        plot.trajectory_on_diagram(d, paths, (branch_q, loss.r_hat(branch_q)), labels=labels, ax=ax)
        ax.set_xlabel("$q$")
        ax.set_ylabel("$p$")
        ax.set_title(f"$f_q(p) = p(1 - 2r(p)/q)$, {_TITLES[loss.name]}")
        ax.legend(loc="upper right", fontsize=7, markerscale=3)
    fig.suptitle(r"period doubling at $q = 1$, branch $\pm\hat r(q)$ (dashed); "
                 rf"net trajectories at $\eta = {eta:g}$, $y = 0$")
    return fig


def figure_limit(quick: bool = False) -> Figure:
    """The two-layer net: sharpness λ̃_t converging to 2/η - η/|r''(0)|, and q_t/r(p_t) on 1 + h(p_t)η².

    λ̃_t = ℓ''(p_t)·2/(η q_t) is Song & Yun's sharpness (Gauss-Newton, exact at the limit);
    it rises through the EoS phase (progressive sharpening) to the derived limit.
    """
    eta = 0.1
    loss = losses.logcosh
    al = eos.alignment(loss)
    runs = net_runs(loss, eta, 12.0 if quick else 40.0)
    second = _numeric(loss.second_derivative)
    h = _numeric(al.h)
    limit = float(al.limiting_sharpness.removeO().subs(_ETA, eta))
    fig, axes = plot.panels(1, 3, 4.4, 3.9)
    a, b, c = axes[0]
    for i, run in enumerate(runs):
        p, q = run[:, 0], run[:, 1]
        t = np.arange(p.size)
        sharp = second(p) * 2 / (eta * q)
        colour = plot.PALETTE[i + 2]
        label = f"$(p_0, q_0) = ({NET_STARTS[i][0]:g}, {NET_STARTS[i][1]:g})$"
        a.plot(t, sharp, color=colour, lw=1.0, label=label)
        b.plot(t, (sharp - 2 / eta) / eta, color=colour, lw=1.0)
        with np.errstate(all="ignore"):
            ratio = (q / _r(loss, p) - 1) / eta**2
            predicted = np.where(np.abs(p) > 1e-3, h(p), float(al.h0))
        c.plot(t, ratio, color=colour, lw=2.2, label="measured" if i == 0 else None)
        c.plot(t, predicted, color="black", lw=0.8, ls="--", label=r"$h(p_t)$, derived" if i == 0 else None)
    plot.reference_line(a, 2 / eta, r"$2/\eta$", colour="0.4", ls=":")
    plot.reference_line(a, limit, r"$2/\eta - \eta/|r''(0)|$", colour=plot.PALETTE[1])
    for ax in (a, b, c):
        ax.set_xlim(0, 600)
    a.set_ylim(0, 1.25 * 2 / eta)
    a.set_xlabel("step $t$")
    a.set_ylabel(r"$\tilde\lambda_t = \ell''(p_t)\,2/(\eta q_t)$")
    a.set_title(rf"sharpness, log-cosh, $\eta = {eta:g}$")
    a.legend(fontsize=7.5, loc="lower right")
    plot.reference_line(b, (limit - 2 / eta) / eta, r"$-1/|r''(0)| = -3/2$", colour=plot.PALETTE[1])
    b.set_ylim(-3, 0.5)
    b.set_xlabel("step $t$")
    b.set_ylabel(r"$(\tilde\lambda_t - 2/\eta)/\eta$")
    b.set_title("the limit, magnified")
    b.legend(fontsize=8, loc="lower right")
    c.set_ylim(0, 1.5)
    c.set_xlabel("step $t$")
    c.set_ylabel(r"$(q_t/r(p_t) - 1)/\eta^2$")
    c.set_title(r"alignment: $q_t/r(p_t) = 1 + h(p_t)\eta^2$")
    c.legend(fontsize=8, loc="lower right")
    return fig
