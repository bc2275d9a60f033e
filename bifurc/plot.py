"""Figures of analysis results; every function returns a matplotlib Figure.

Figures are built without pyplot, so no GUI backend is touched and nothing is kept in
pyplot's global state; save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .analysis.cascade import Cascade
from .analysis.lyapunov import LyapunovSweep
from .analysis.orbits import OrbitDiagram

__all__ = ["orbit_diagram", "lyapunov_sweep", "diagram_with_lyapunov", "cascade"]

_CMAP = "Greys"  # black on white: legible in print and for every kind of colour vision


def _density(ax: Axes, d: OrbitDiagram, component: int, rows: int = 600) -> None:
    """Shade the diagram by the density of visited states (log scale)."""
    ys = d.points[:, :, component]
    finite = np.isfinite(ys)
    if not finite.any():
        ax.text(0.5, 0.5, "every orbit escaped", transform=ax.transAxes, ha="center")
        return
    lo, hi = np.nanmin(ys), np.nanmax(ys)
    pad = 1e-9 + 0.02 * (hi - lo)
    edges = np.linspace(lo - pad, hi + pad, rows + 1)
    image = np.empty((rows, d.values.size))
    for i, row in enumerate(ys):
        image[:, i] = np.histogram(row[np.isfinite(row)], bins=edges)[0]
    image = np.ma.masked_equal(np.log1p(image), 0.0)  # unvisited cells stay white
    order = np.argsort(d.values)
    v = d.values[order]
    half = np.diff(v).min() / 2 if v.size > 1 else 0.5
    ax.imshow(
        image[:, order], origin="lower", aspect="auto", cmap=_density_map(),
        vmin=-0.6 * image.max(), vmax=image.max(),  # a state visited once is still clearly grey
        extent=(v[0] - half, v[-1] + half, edges[0], edges[-1]), interpolation="antialiased",
    )
    for value in d.values[d.escaped]:
        ax.axvline(value, color="tab:red", lw=0.5, alpha=0.4)


def _density_map() -> matplotlib.colors.Colormap:
    return matplotlib.colormaps[_CMAP].with_extremes(bad="white")


def orbit_diagram(d: OrbitDiagram, component: int = 0, ax: Axes | None = None) -> Figure:
    """Density-shaded orbit diagram; escaped parameter values are marked by red lines.

    Parameters
    ----------
    d
        The result of :func:`bifurc.orbit_diagram`.
    component
        Which state variable to show.
    ax
        Axes to draw in (a new figure if None).
    """
    fig, ax = _figure(ax)
    _density(ax, d, component)
    ax.set_xlabel(d.param)
    ax.set_ylabel(d.state[component] if d.state else f"x[{component}]")
    title = f"{d.map_name}: orbit diagram"
    if d.n_escaped:
        title += f" ({d.n_escaped} escaped, red)"
    ax.set_title(title)
    return fig


def lyapunov_sweep(s: LyapunovSweep, ax: Axes | None = None) -> Figure:
    """All Lyapunov exponents against the swept parameter, zero marked."""
    fig, ax = _figure(ax)
    colours = matplotlib.colormaps["tab10"]
    for i in range(s.exponents.shape[1]):
        ax.plot(s.values, s.exponents[:, i], lw=0.8, color=colours(i), label=f"$\\lambda_{i + 1}$")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel(s.param)
    ax.set_ylabel("Lyapunov exponent")
    if s.exponents.shape[1] > 1:
        ax.legend(loc="lower left")
    ax.set_title(f"{s.map_name}: Lyapunov exponents ({s.n} steps)")
    return fig


def diagram_with_lyapunov(d: OrbitDiagram, s: LyapunovSweep, component: int = 0) -> Figure:
    """Orbit diagram above the largest exponent, on a shared parameter axis."""
    fig = Figure(figsize=(8, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    orbit_diagram(d, component, ax=top)
    top.set_xlabel("")
    bottom.plot(s.values, s.largest, lw=0.7, color="black")
    bottom.axhline(0.0, color="tab:red", lw=0.6)
    bottom.set_ylabel("$\\lambda_{max}$")
    bottom.set_xlabel(s.param)
    return fig


def cascade(c: Cascade) -> Figure:
    """Gaps between doublings on a log scale, with the Feigenbaum ratios annotated."""
    fig, ax = _figure(None)
    gaps = c.gaps
    ax.semilogy(np.arange(1, gaps.size + 1), gaps, "o-", color="black")
    for i, delta in enumerate(c.delta):
        ax.annotate(f"{delta:.5f}", (i + 1.5, np.sqrt(gaps[i] * gaps[i + 1])), fontsize=8, ha="center")
    ax.set_xlabel("doubling n")
    ax.set_ylabel(f"{c.param}$_{{n+1}}$ - {c.param}$_n$")
    ax.set_title(f"{c.map_name}: period-doubling gaps and their ratios")
    return fig


def _figure(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    return fig, fig.subplots()
