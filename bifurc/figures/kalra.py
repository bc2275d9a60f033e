"""Kalra, He & Barkeshli: the UV model's phase portrait, its sharpness spectrum, the cubic map.

The UV runs are set up as in :mod:`bifurc.verify.checks.kalra`: SP and μP are scaled so that
the scaled target Y = η√κ y is the same in both, which makes them comparable: Y = 1 (the EoS
threshold) for the phase portrait, and Y = 1.2 for the sharpness series, where the 2-cycle
persists (at Y = 1 the oscillation is a transient decaying like t^(-1/2)).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from .. import eos, plot
from ..analysis.cascade import cascade
from ..analysis.lyapunov import lyapunov_sweep
from ..analysis.orbits import orbit, orbit_diagram
from ..analysis.periods import PeriodicOrbit, classify
from ..verify.checks.kalra import LOW_SHARPNESS_STARTS, NEAR_SADDLE_STARTS, UV_PARAMS, uv_scale

__all__ = ["figure_uv_phase_portrait", "figure_sharpness_spectrum", "figure_cubic_route_to_chaos",
           "uv_fixed_points"]

_NAMES = {"sp": "SP", "mup": r"$\mu$P"}


#: The scaled target of the sharpness series: inside 1 < Y < √5 - 1, where the 2-cycle is stable.
EDGE_Y = 1.2


def _params(parameterization: str, scaled_target: float = 1.0) -> dict[str, float]:
    return dict(UV_PARAMS, y=scaled_target / uv_scale(parameterization))


def uv_fixed_points(parameterization: str) -> list[PeriodicOrbit]:
    """The UV model's isolated fixed points (derived), evaluated, with their derived multipliers."""
    model = eos.uv_model(parameterization)
    m = model.map
    params = _params(parameterization)
    symbols = {s.name: s for s in (*m.param_symbols, *m.state_symbols)}
    values = {symbols[k]: v for k, v in params.items()}
    found = []
    for fp in eos.fixed_points(model)[0]:
        if fp.free:
            continue
        x = np.array([float(fp.point[s].xreplace(values)) for s in m.state_symbols])
        mult = np.array([complex(sp.N(e.xreplace(values))) for e in fp.eigenvalues])
        kind = classify(mult)
        found.append(PeriodicOrbit(x[None, :], mult, kind, 0.0))
    return found


def _label_fixed_points(ax: object, parameterization: str, params: dict[str, float], box: tuple) -> None:
    """Kalra et al.'s numerals I-IV beside the fixed points (at the frame, with an arrow, if outside)."""
    m = eos.uv_model(parameterization).map
    values = {s: params[s.name] for s in m.param_symbols}
    (x0, x1), (y0, y1) = box
    for name, fp in eos.uv_fixed_point_labels(parameterization).items():
        if fp.free:  # the line I: label it low on f = y
            point = np.array([params["y"], y0 + 0.12 * (y1 - y0)])
        else:
            point = np.array([float(fp.point[s].xreplace(values)) for s in m.state_symbols])
        inside = x0 <= point[0] <= x1 and y0 <= point[1] <= y1
        shown = np.clip(point, [x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)],
                        [x1 - 0.06 * (x1 - x0), y1 - 0.05 * (y1 - y0)])
        text = name if inside else f"{name} " + ("→" if point[0] > x1 else "←" if point[0] < x0 else "↑")
        ax.annotate(text, shown, xytext=(6, 6) if inside else (0, 0), textcoords="offset points",
                    fontsize=10, fontweight="bold", color="0.15")


def _uv_orbit(parameterization: str, start: tuple[float, float], steps: int,
              scaled_target: float = 1.0) -> np.ndarray:
    scale, eta = uv_scale(parameterization), UV_PARAMS["eta"]
    m = eos.uv_model(parameterization).map
    params = _params(parameterization, scaled_target)
    return orbit(m, (start[0] / scale, start[1] / eta), steps, params=params)


def figure_uv_phase_portrait(quick: bool = False) -> Figure:
    """The UV model's (f, λ) plane, SP and μP: step field, fixed points by type, the line of
    minima f = y (stable for ηλ < 2), and runs near the saddle and from low sharpness."""
    eta = UV_PARAMS["eta"]
    steps = 300 if quick else 600
    fig, axes = plot.panels(1, 2, 5.3, 4.4)
    for ax, parameterization in zip(axes[0], ("sp", "mup")):
        scale = uv_scale(parameterization)
        m = eos.uv_model(parameterization).map
        params = _params(parameterization)
        box = ((-1.4 / scale, 1.9 / scale), (-0.2 / eta, 3.3 / eta))
        plot.phase_portrait(m, box, params, starts=(), arrows=15 if quick else 23,
                            fixed=uv_fixed_points(parameterization), ax=ax)
        field = ax.collections[0]  # the step field (direction only) as a grey backdrop to the runs
        field.set_array(None)
        field.set_facecolor("0.55")
        field.set_alpha(0.5)
        y = params["y"]
        _label_fixed_points(ax, parameterization, params, box)
        ax.plot([y, y], [box[1][0], 2 / eta], color=plot.PALETTE[0], lw=2.2,
                label=r"minima $f = y$, $\eta\lambda < 2$")
        ax.plot([y, y], [2 / eta, box[1][1]], color=plot.PALETTE[0], lw=1.6, ls=":",
                label=r"$f = y$, $\eta\lambda > 2$")
        ax.axhline(2 / eta, color="0.4", lw=0.8, ls="--")
        ax.text(box[0][0] + 0.02 * (box[0][1] - box[0][0]), 2 / eta + 0.05 / eta, r"$\lambda = 2/\eta$",
                fontsize=8, color="0.3")
        for i, (start, name) in enumerate(((NEAR_SADDLE_STARTS[0], "near the saddle"),
                                           (LOW_SHARPNESS_STARTS[1], "low sharpness"))):
            run = _uv_orbit(parameterization, start, steps)
            colour = plot.PALETTE[1 + 3 * i]
            ax.plot(run[:, 0], run[:, 1], "-", color=colour, lw=0.6, alpha=0.8)
            ax.plot(run[:, 0], run[:, 1], ".", color=colour, ms=2.5, label=f"run from {name}")
            ax.plot(*run[0], "o", color=colour, mec="black", ms=6)
        ax.set_xlabel("$f$ (network output)")
        ax.set_ylabel(r"$\lambda$ (sharpness)")
        ax.set_title(f"UV model, {_NAMES[parameterization]}: "
                     rf"$\eta = {eta:g}$, $\eta\sqrt{{\kappa}}\,y = 1$")
        ax.legend(loc="upper left", fontsize=7)
    fig.suptitle("fixed points by type; runs drop near the saddle or sharpen, "
                 "then oscillate at $\\lambda = 2/\\eta$")
    return fig


def eos_sharpness(parameterization: str, steps: int = 4096, transient: int = 2000) -> np.ndarray:
    """The sharpness series ηλ_t at the edge of stability (after ``transient`` steps)."""
    run = _uv_orbit(parameterization, LOW_SHARPNESS_STARTS[1], transient + steps, EDGE_Y)
    return UV_PARAMS["eta"] * run[-steps:, 1]


def figure_sharpness_spectrum(quick: bool = False) -> Figure:
    """The sharpness at EoS: the series ηλ_t, and its power spectrum (a peak at 1/2: period 2)."""
    steps = 1024 if quick else 8192
    fig, axes = plot.panels(1, 2, 5.0, 3.8)
    left, right = axes[0]
    for i, parameterization in enumerate(("sp", "mup")):
        series = eos_sharpness(parameterization, steps)
        colour = plot.PALETTE[i]
        left.plot(np.arange(40), series[:40], "o-", color=colour, ms=3, lw=0.8,
                  label=_NAMES[parameterization])
        plot.power_spectrum(series, ax=right, label=_NAMES[parameterization], colour=colour)
        # SP drawn wide beneath μP: the two coincide
        right.lines[-1].set(lw=2.6 if i == 0 else 1.0, ls="-" if i == 0 else "--")
    plot.reference_line(left, 2.0, r"$\eta\lambda = 2$", colour="0.4", ls=":")
    left.set_xlabel("step $t$ (after 2000 steps)")
    left.set_ylabel(r"$\eta\lambda_t$")
    left.set_title("sharpness at the edge of stability")
    left.legend(fontsize=8, loc="upper left", ncols=3)
    left.set_ylim(left.get_ylim()[0], left.get_ylim()[1] + 0.6 * np.ptp(left.get_ylim()))
    plot.reference_line(right, 0.5, "period 2", colour=plot.PALETTE[1], ls=":", vertical=True)
    right.set_ylim(1e-12, 3)
    right.set_title(r"power spectrum of $\eta\lambda_t$: a peak at period 2")
    fig.suptitle(rf"Kalra et al., UV model at EoS ($\eta\sqrt{{\kappa}}\,y = {EDGE_Y:g}$: "
                 r"SP and $\mu$P coincide once scaled)")
    right.legend(fontsize=8)
    return fig


def first_doubling(model: eos.ReducedModel, params: dict[str, float]) -> float:
    """The derived first period doubling in b of the cubic map's positive fixed point."""
    b, a, eta, theta = (sp.Symbol(n, real=True) for n in ("b", "a", "eta", "theta"))
    (positive,) = [fp for fp in eos.fixed_points(model)[0] if fp.point[theta].subs({a: 1, b: 1}) > 0]
    flips = eos.stability(model, positive.eigenvalues[0], "b")["period_doubling"]
    return float(min(flips).xreplace({a: params["a"], eta: params["eta"]}))


def figure_cubic_route_to_chaos(quick: bool = False) -> Figure:
    """The cubic EoS map θ' = θ(1 + 2ηab - 2ηa²θ²): orbit diagram in b with its Lyapunov
    exponent beneath, the located doublings marked."""
    model = eos.cubic_map()
    m = model.map
    params = {"a": 1.0, "eta": 0.1}
    first = first_doubling(model, params)
    c = cascade(m, "b", 0.8 * first, 3 * first, 1.0, count=6, params=params)
    values = np.linspace(0.8 * first, c.points[-1] + 0.2 * first, 300 if quick else 1500)
    d = orbit_diagram(m, "b", values, 1.0, transient=400 if quick else 2000, keep=100 if quick else 400,
                      params=params)
    s = lyapunov_sweep(m, "b", values, 1.0, n=1000 if quick else 8000, params=params)
    fig = plot.diagram_with_lyapunov(d, s)
    top, bottom = fig.axes
    for point in c.points:
        top.axvline(point, color=plot.PALETTE[1], lw=0.6, ls=":")
    top.set_ylabel(r"$\theta$")
    top.set_title(r"cubic map $\theta' = \theta(1 + 2\eta ab - 2\eta a^2\theta^2)$, $a = 1$, $\eta = 0.1$:"
                  f" doublings (dotted), δ ≈ {c.delta[-1]:.3f}")
    bottom.set_xlabel("$b$")
    return fig
