"""Figures of analysis results; every function returns a matplotlib Figure.

Figures are built without pyplot, so no GUI backend is touched and nothing is kept in
pyplot's global state; save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.colors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .analysis import spectrum
from .analysis.arguments import EscapeWarning
from .analysis.basins import Basins
from .analysis.cascade import Cascade
from .analysis.lyapunov import LyapunovSweep
from .analysis.orbits import OrbitDiagram, orbit
from .analysis.periods import PeriodicOrbit, fixed_points
from .analysis.planes import ParameterPlane
from .definition.iterated_map import Map
from .errors import InputError

if TYPE_CHECKING:
    from .sweep.result import SweepResult

__all__ = [
    "orbit_diagram", "lyapunov_sweep", "diagram_with_lyapunov", "cascade", "cobweb", "phase_portrait",
    "basins", "parameter_plane", "PALETTE", "panels", "reference_line", "trajectory_on_diagram",
    "power_spectrum", "verify_results", "colour", "sweep", "continuation",
]

#: Okabe & Ito's colour-blind-safe palette (blue, vermilion, bluish green, orange, reddish purple,
#: sky blue, yellow, black): the colours of every multi-line figure.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

def colour(i: int) -> str:
    """The i-th colour of :data:`PALETTE`, cycling.

    Examples
    --------
    >>> from bifurc import plot
    >>> plot.colour(1) == plot.PALETTE[1], plot.colour(len(plot.PALETTE)) == plot.PALETTE[0]  # cycles
    (True, True)
    """
    return PALETTE[i % len(PALETTE)]


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
    ax.imshow(
        image[:, order], origin="lower", aspect="auto", cmap=_density_map(),
        vmin=-0.6 * image.max(), vmax=image.max(),  # a state visited once is still clearly grey
        extent=(*_outer_edges(v), edges[0], edges[-1]), interpolation="antialiased",
    )
    for value in d.values[d.escaped]:
        ax.axvline(value, color=PALETTE[1], lw=0.5, alpha=0.4)


def _outer_edges(centres: np.ndarray) -> tuple[float, float]:
    """The outer edges of a row of image cells centred on evenly spaced ``centres``: half a
    cell beyond each end (0.5 either side of a single value, whose limits would coincide)."""
    half = (centres[-1] - centres[0]) / (centres.size - 1) / 2 if centres.size > 1 else 0.5
    return float(centres[0] - half), float(centres[-1] + half)


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

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> with warnings.catch_warnings():  # beyond r = 4 almost every orbit leaves [0, 1] and escapes
    ...     warnings.simplefilter("ignore", bifurc.EscapeWarning)
    ...     d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", np.linspace(3.9, 4.1, 5), 0.3, keep=200)
    >>> ax = plot.orbit_diagram(d).axes[0]
    >>> ax.get_xlabel(), ax.get_title()
    ('r', 'logistic: orbit diagram (2 escaped, red)')
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
    """All Lyapunov exponents against the swept parameter, zero marked.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> s = bifurc.lyapunov_sweep(bifurc.maps.logistic, "r", [2.5, 3.2], 0.3, n=2000)
    >>> line = plot.lyapunov_sweep(s).axes[0].lines[0]
    >>> np.round(line.get_ydata(), 6)  # ln |2 - r| at r = 2.5; ln |4 + 2r - r^2| / 2 at r = 3.2
    array([-0.693147, -0.916291])
    """
    fig, ax = _figure(ax)
    colours = colour
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
    """Orbit diagram above the largest exponent, on a shared parameter axis.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> values = np.linspace(2.5, 3.2, 8)
    >>> d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", values, 0.3, keep=100)
    >>> s = bifurc.lyapunov_sweep(bifurc.maps.logistic, "r", values, 0.3, n=1000)
    >>> fig = plot.diagram_with_lyapunov(d, s)
    >>> top, bottom = fig.axes
    >>> bottom.get_xlabel(), bool(np.array_equal(bottom.lines[0].get_ydata(), s.largest))
    ('r', True)
    """
    fig = Figure(figsize=(8, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    orbit_diagram(d, component, ax=top)
    top.set_xlabel("")
    bottom.plot(s.values, s.largest, lw=0.7, color="black")
    bottom.axhline(0.0, color=PALETTE[1], lw=0.6)
    bottom.set_ylabel("$\\lambda_{max}$")
    bottom.set_xlabel(s.param)
    return fig


def cascade(c: Cascade) -> Figure:
    """Gaps between doublings on a log scale, with the Feigenbaum ratios annotated.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> c = bifurc.cascade(bifurc.maps.logistic, "r", 2.8, 3.5699, 0.3, count=4)
    >>> gaps = plot.cascade(c).axes[0].lines[0].get_ydata()
    >>> print(round(gaps[0], 9), round(np.sqrt(6) - 2, 9))  # r2 - r1 = (1 + sqrt 6) - 3
    0.449489743 0.449489743
    """
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


def cobweb(m: Map, x0: float, n: int = 60, params: Mapping[str, float] | None = None,
           bounds: tuple[float, float] | None = None, ax: Axes | None = None) -> Figure:
    """Cobweb plot of a 1D map: the graph of F, the diagonal and the orbit's staircase.

    Parameters
    ----------
    m
        A one-dimensional map.
    x0, n
        Initial state and number of steps drawn.
    params
        Parameter overrides.
    bounds
        The x range shown (default: the orbit's range, padded).
    ax
        Axes to draw in.

    Examples
    --------
    >>> import bifurc
    >>> from bifurc import plot
    >>> fig = plot.cobweb(bifurc.maps.logistic, 0.2, 60, {"r": 2.5})
    >>> graph, diagonal, stairs = fig.axes[0].lines
    >>> print(round(stairs.get_xdata()[-1], 9), round(stairs.get_ydata()[-1], 9))  # into 1 - 1/r
    0.6 0.6
    """
    if m.dim != 1:
        raise InputError(f"a cobweb plot needs a 1D map; {m.name!r} has dimension {m.dim}")
    xs = orbit(m, x0, n + 1, params=params)[:, 0]
    finite = xs[np.isfinite(xs)]
    lo, hi = bounds if bounds is not None else (finite.min(), finite.max())
    pad = 0.05 * (hi - lo) + 1e-12
    grid = np.linspace(lo - pad, hi + pad, 600)
    graph = np.array([m(g, params)[0] for g in grid])
    fig, ax = _figure(ax)
    ax.plot(grid, graph, color="black", lw=1.2, label=f"{m.state[0]}' = F({m.state[0]})")
    ax.plot(grid, grid, color="0.5", lw=0.8, ls="--", label="diagonal")
    stairs_x = np.repeat(finite, 2)[:-1]  # (x0, x0) -> (x0, x1) -> (x1, x1) -> (x1, x2) ...
    stairs_y = np.concatenate([finite[:1], np.repeat(finite[1:], 2)])
    ax.plot(stairs_x, stairs_y, color=PALETTE[0], lw=0.8, label=f"orbit from {x0:g}")
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel(m.state[0])
    ax.set_ylabel(f"{m.state[0]}'")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{m.name}: cobweb")
    return fig


_KIND_STYLE = {
    "stable": dict(marker="o", color=PALETTE[0], label="stable"),
    "unstable": dict(marker="o", mfc="white", color=PALETTE[1], label="unstable"),
    "saddle": dict(marker="X", color=PALETTE[3], label="saddle"),
    "neutral": dict(marker="D", color=PALETTE[4], label="neutral"),
}


def phase_portrait(m: Map, box: Sequence[tuple[float, float]], params: Mapping[str, float] | None = None,
                   starts: Sequence[Sequence[float]] = (), n: int = 200, arrows: int = 21,
                   fixed: Sequence[PeriodicOrbit] | None = None, ax: Axes | None = None) -> Figure:
    """Phase portrait of a 2D map: the step field F(x) - x, orbits, fixed points by type.

    Parameters
    ----------
    m
        A two-dimensional map.
    box
        ((xmin, xmax), (ymin, ymax)) shown.
    params
        Parameter overrides.
    starts
        Initial states of the orbits drawn (``n`` steps each, as dots: a map jumps).
    arrows
        Arrows per axis of the step field (normalised; colour = log step length).
    fixed
        Fixed points to mark (default: :func:`bifurc.fixed_points` in the box).
    ax
        Axes to draw in.

    Examples
    --------
    >>> import bifurc
    >>> from bifurc import plot
    >>> fig = plot.phase_portrait(bifurc.maps.henon, [(-2, 2), (-1, 1)], starts=[[0.1, 0.1]], n=100)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]  # both fixed points at (1.4, 0.3)
    ['saddle']
    """
    if m.dim != 2:
        raise InputError(f"a phase portrait needs a 2D map; {m.name!r} has dimension {m.dim}")
    (x0, x1), (y0, y1) = box
    fig, ax = _figure(ax)
    X, Y = np.meshgrid(np.linspace(x0, x1, arrows), np.linspace(y0, y1, arrows))
    steps = np.array([m([a, b], params) - [a, b] for a, b in zip(X.ravel(), Y.ravel())])
    length = np.hypot(steps[:, 0], steps[:, 1])
    safe = np.where(length > 0, length, 1.0)
    ax.quiver(X.ravel(), Y.ravel(), steps[:, 0] / safe, steps[:, 1] / safe, np.log10(length + 1e-300),
              cmap="cividis", angles="xy", pivot="mid", width=0.003, alpha=0.8)
    colours = colour
    for i, s in enumerate(starts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EscapeWarning)
            path = orbit(m, s, n, params=params)
        ax.plot(path[:, 0], path[:, 1], ".", ms=2, color=colours(i))
    points = fixed if fixed is not None else fixed_points(m, box, params, starts=24)
    shown = set()
    for fp in points:
        style = dict(_KIND_STYLE[fp.kind])
        label = style.pop("label")
        ax.plot(*fp.points[0], ls="none", ms=9, mec=style["color"], **style,
                label=None if label in shown else label)
        shown.add(label)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(m.state[0])
    ax.set_ylabel(m.state[1])
    if shown:
        ax.legend(loc="best", fontsize=8, title="fixed points")
    ax.set_title(f"{m.name}: phase portrait")
    return fig


def basins(b: Basins, ax: Axes | None = None) -> Figure:
    """Basin map: one colour per attractor (marked), grey for unresolved, white for escape.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    >>> b = bifurc.basins(m, np.linspace(-1.5, 1.5, 8), np.linspace(-1, 1, 4))
    >>> [t.get_text() for t in plot.basins(b).axes[0].get_legend().get_texts()]  # (-1, 0) and (1, 0)
    ['attractor 0 (period 1)', 'attractor 1 (period 1)']
    """
    fig, ax = _figure(ax)
    count = len(b.attractors)
    palette = colour
    colours = ["white", "0.6"] + [palette(i) for i in range(count)]
    cmap = matplotlib.colors.ListedColormap(colours)  # escape, unresolved, then each attractor
    image = np.where(b.labels == -1, 0, np.where(b.labels == -2, 1, b.labels + 2))
    ax.imshow(image, origin="lower", aspect="auto", cmap=cmap, vmin=-0.5, vmax=count + 1.5,
              extent=(*_outer_edges(b.xs), *_outer_edges(b.ys)), interpolation="nearest")
    for i, cycle in enumerate(b.attractors):
        ax.plot(cycle[:, 0], cycle[:, 1], "o", ms=6, mfc=palette(i), mec="black",
                label=f"attractor {i} (period {cycle.shape[0]})")
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel(b.axes[0])
    ax.set_ylabel(b.axes[1])
    shares = b.fractions
    ax.set_title(f"{b.map_name}: basins (escape {shares.get(-1, 0):.0%}, "
                 f"unresolved {shares.get(-2, 0):.0%})")
    return fig


def parameter_plane(plane: ParameterPlane, ax: Axes | None = None) -> Figure:
    """A parameter plane: period as discrete colours, or the largest exponent diverging at 0.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> plane = bifurc.parameter_plane(bifurc.maps.henon, "a", [0.1, 0.3, 0.55], "b", [0.2, 0.3], [0.1, 0.1])
    >>> shown = plot.parameter_plane(plane).axes[0].images[0].get_array()
    >>> np.asarray(shown).tolist()  # period 1 below a = 3 (1 - b)^2 / 4, period 2 up to 5 (1 - b)^2 / 4
    [[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]]
    """
    fig, ax = _figure(ax)
    extent = (*_outer_edges(plane.xs), *_outer_edges(plane.ys))
    if plane.quantity == "period":
        values = plane.values
        top = int(min(values.max(), 16)) if values.size else 1
        shown = np.where(values > 16, 16, values).astype(float)
        shown[values == -1] = np.nan
        cmap = matplotlib.colormaps["viridis"].resampled(top + 1).with_extremes(bad="white")
        im = ax.imshow(shown, origin="lower", aspect="auto", cmap=cmap, vmin=-0.5, vmax=top + 0.5,
                       extent=extent, interpolation="nearest")
        bar = fig.colorbar(im, ax=ax, label="period (0: none found, white: escaped)")
        bar.set_ticks(range(0, top + 1, max(1, top // 8)))
    else:
        # each sign gets the full half of the scale, from the finite exponents: a superstable cycle
        # has exponent -inf (drawn in the darkest blue); escaped orbits (NaN) are black, apart from
        # the white-ish centre at 0
        finite = plane.values[np.isfinite(plane.values)]
        low = min(float(finite.min()), -1e-3) if finite.size else -1.0
        high = max(float(finite.max()), 1e-3) if finite.size else 1.0
        norm = matplotlib.colors.TwoSlopeNorm(vcenter=0.0, vmin=low, vmax=high)
        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="black")
        shown = np.clip(plane.values, low, high)  # ±inf to the ends of the scale; NaN stays NaN
        im = ax.imshow(shown, origin="lower", aspect="auto", cmap=cmap, norm=norm,
                       extent=extent, interpolation="nearest")
        bar = fig.colorbar(im, ax=ax, label="largest Lyapunov exponent (black: escaped)")
        bar.set_ticks([low, low / 2, 0.0, high / 2, high])
    ax.set_xlabel(plane.params_xy[0])
    ax.set_ylabel(plane.params_xy[1])
    ax.set_title(f"{plane.map_name}: {plane.quantity}")
    return fig


def panels(rows: int = 1, cols: int = 1, width: float = 5.0, height: float = 3.8,
           **subplot_kw: object) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of ``rows`` x ``cols`` panels, each ``width`` x ``height`` inches.

    Returns
    -------
    fig, axes
        The figure and its axes as a 2D object array (``axes[i, j]``).

    Examples
    --------
    >>> from bifurc import plot
    >>> fig, axes = plot.panels(2, 3, width=4.0, height=3.0)
    >>> axes.shape, fig.get_size_inches().tolist()
    ((2, 3), [12.0, 6.0])
    """
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return fig, axes


def reference_line(ax: Axes, value: float, label: str, colour: str = "black", ls: str = "--",
                   vertical: bool = False) -> None:
    """A labelled horizontal (or vertical) reference line, e.g. a predicted limit like 2/η.

    Examples
    --------
    >>> from bifurc import plot
    >>> fig, axes = plot.panels()
    >>> plot.reference_line(axes[0, 0], 2 / 0.05, "2/eta")
    >>> line = axes[0, 0].lines[0]
    >>> line.get_label(), [float(y) for y in line.get_ydata()]
    ('2/eta', [40.0, 40.0])
    """
    line = ax.axvline if vertical else ax.axhline
    line(value, color=colour, ls=ls, lw=1.0, label=label, zorder=3)


def trajectory_on_diagram(d: OrbitDiagram, paths: Sequence[tuple[np.ndarray, np.ndarray]],
                          branch: tuple[np.ndarray, np.ndarray] | None = None, component: int = 0,
                          labels: Sequence[str] | None = None, ax: Axes | None = None) -> Figure:
    """Trajectories (parameter_t, state_t) drawn over a density-shaded orbit diagram.

    Parameters
    ----------
    d
        The orbit diagram (e.g. of Song & Yun's f_q against q).
    paths
        Pairs (parameter values, state values) along each trajectory, e.g. (q_t, p_t).
    branch
        Optional (parameter values, state values) of a derived branch, drawn as ±state
        (e.g. the period-2 orbit ±r̂(q)).
    component, labels, ax
        The state variable of the diagram, legend labels of the paths, axes to draw in.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> rs = np.linspace(2.2, 2.9, 8)
    >>> d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", rs, 0.3, keep=50)
    >>> fig = plot.trajectory_on_diagram(d, [(rs, 1 - 1 / rs)], labels=["x = 1 - 1/r"])
    >>> (path,) = fig.axes[0].lines
    >>> path.get_label(), bool(np.allclose(path.get_ydata(), d.points[:, -1, 0]))  # on the fixed point
    ('x = 1 - 1/r', True)
    """
    fig, ax = _figure(ax)
    _density(ax, d, component)
    if branch is not None:
        x, y = branch
        ax.plot(x, y, color=PALETTE[1], lw=1.4, ls="--", label="derived period-2 branch", zorder=4)
        ax.plot(x, -y, color=PALETTE[1], lw=1.4, ls="--", zorder=4)
    for i, (x, y) in enumerate(paths):
        ax.plot(x, y, ".", ms=2.5, color=PALETTE[(i + 2) % len(PALETTE)], zorder=5,
                label=None if labels is None else labels[i])
    ax.set_xlabel(d.param)
    ax.set_ylabel(d.state[component] if d.state else f"x[{component}]")
    return fig


def power_spectrum(series: np.ndarray, ax: Axes | None = None, label: str | None = None,
                   colour: str = PALETTE[0]) -> Figure:
    """Power spectrum |FFT|² of a series (mean removed, Hann window) against frequency in 1/step.

    A period-k oscillation shows as peaks at multiples of 1/k; chaos as a broad band.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> x = bifurc.orbit(bifurc.maps.logistic, 0.3, 256, transient=1000, params={"r": 3.2})[:, 0]
    >>> line = plot.power_spectrum(x).axes[0].lines[0]
    >>> print(line.get_xdata()[np.argmax(line.get_ydata())])  # period 2: the peak at frequency 1/2
    0.5
    """
    freq, power = spectrum.power_spectrum(series)
    fig, ax = _figure(ax)
    ax.semilogy(freq[1:], power[1:] / power[1:].max() + 1e-300, color=colour, lw=0.9, label=label)
    ax.set_xlabel("frequency (1/step)")
    ax.set_ylabel("power (normalised)")
    return fig


def verify_results(results: Sequence) -> Figure:
    """The checks of ``bifurc verify`` at a glance: one row each, coloured pass or fail.

    Bars are the seconds each check took; the label gives the measured value and, where
    the check measures one, the error order.

    Parameters
    ----------
    results
        :class:`~bifurc.verify.CheckResult` records, e.g. from
        :func:`bifurc.verify.run_checks`.

    Examples
    --------
    >>> from bifurc import plot
    >>> from bifurc.verify import CheckResult
    >>> results = [CheckResult("demo/holds", "p", "a claim", 1.0, 1.0, 0.1, True, 2.0, 0.5),
    ...            CheckResult("demo/fails", "p", "a claim", 1.0, 3.0, 0.1, False, None, 0.2)]
    >>> ax = plot.verify_results(results).axes[0]
    >>> ax.get_title(), [float(bar.get_width()) for bar in ax.patches]  # bars: seconds taken
    ('bifurc verify: 1 of 2 claims hold', [0.5, 0.2])
    """
    fig = Figure(figsize=(9, 0.35 * len(results) + 1.2), layout="constrained")
    ax = fig.subplots()
    rows = np.arange(len(results))[::-1]
    seconds = [r.seconds for r in results]
    ax.barh(rows, seconds, color=[PALETTE[2] if r.passed else PALETTE[1] for r in results])
    for row, r in zip(rows, results):
        order = "" if r.order is None else f", order {r.order:.2f}"
        verdict = "pass" if r.passed else f"FAIL{': ' + r.error if r.error else ''}"
        measured = f"{r.measured:.6g}" if isinstance(r.measured, float) else r.measured
        ax.text(max(seconds) * 0.02, row, f"{measured}{order} ({verdict})", va="center", fontsize=7)
    ax.set_yticks(rows, [r.id for r in results], fontsize=8)
    ax.set_xlabel("seconds")
    passed = sum(r.passed for r in results)
    ax.set_title(f"bifurc verify: {passed} of {len(results)} claims hold")
    return fig


def sweep(result: SweepResult, ax: Axes | None = None, max_side: int = 2048) -> Figure:
    """A stored sweep (:func:`bifurc.sweep.sweep`), read with a stride so that no side exceeds ``max_side``.

    Attractor labels are drawn as :func:`basins` draws them (each cycle marked where the
    axes are its state variables or the parameters of its first cell), periods and exponents
    as :func:`parameter_plane`; escape steps and observables on a sequential colour map.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import bifurc
    >>> from bifurc import plot
    >>> from bifurc.sweep import sweep
    >>> with tempfile.TemporaryDirectory() as folder:  # the values are read from the store when drawn
    ...     s = sweep(bifurc.maps.logistic, Path(folder) / "store", "r", [2.8, 3.2, 3.5], "x", [0.3, 0.6],
    ...               "period", progress=False)
    ...     fig = plot.sweep(s)
    >>> np.asarray(fig.axes[0].images[0].get_array()).tolist()  # periods 1, 2, 4
    [[1.0, 2.0, 4.0], [1.0, 2.0, 4.0]]
    """
    from .sweep.result import SweepResult

    if not isinstance(result, SweepResult):
        raise InputError(f"result must be a SweepResult (from bifurc.sweep), got {type(result).__name__}")
    stride = max(1, -(-max(result.values.shape) // max_side))
    values = result.values[::stride, ::stride]
    xs, ys = result.xs[::stride], result.ys[::stride]
    definition = result.definition
    if result.quantity == "attractor":
        state = definition["map"]["state"]
        marks = []
        for cycle, (i, j) in zip(result.attractors, result.attractor_cells):
            cell = dict(zip(result.axes, (result.xs[j], result.ys[i])))  # a parameter: the cycle's own
            marks.append(np.stack([cycle[:, state.index(a)] if a in state else np.full(len(cycle), cell[a])
                                   for a in result.axes], axis=1))
        b = Basins(result.map_name, result.axes, xs, ys, values, marks, definition["settings"]["tol"])
        fig, ax = _figure(ax)
        basins(b, ax)
        if len(marks) > len(PALETTE):  # colours repeat: a legend would not tell the attractors apart
            ax.get_legend().remove()
        return fig
    if result.quantity in ("period", "lyapunov"):
        plane = ParameterPlane(result.map_name, result.quantity, result.axes, xs, ys, values, definition)
        return parameter_plane(plane, ax)
    fig, ax = _figure(ax)
    shown = values.astype(float)
    extent = (*_outer_edges(xs), *_outer_edges(ys))
    if result.quantity == "escape":
        shown[values == 0] = np.nan
        label, note = "escape step", f"white: none within {definition['settings']['n']} steps"
    else:
        unsettled = result.period[::stride, ::stride] == 0
        shown[unsettled] = np.nan
        ax.imshow(np.where(unsettled, 1.0, np.nan), origin="lower", aspect="auto", cmap="Greys", vmin=0,
                  vmax=1.8, extent=extent, interpolation="nearest")
        label, note = "observable at the final state", "grey: no period found, white: escaped"
    cmap = matplotlib.colormaps["cividis"].with_extremes(bad=(1, 1, 1, 0))  # see-through: the grey shows
    im = ax.imshow(shown, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest", extent=extent)
    fig.colorbar(im, ax=ax, label=label)
    ax.set_xlabel(result.axes[0])
    ax.set_ylabel(result.axes[1])
    ax.set_title(f"{result.map_name}: {result.quantity} ({note})")
    return fig


#: Marker of each kind of special point (one-parameter branches and two-parameter curves).
_POINT_MARKERS = {"fold": "s", "flip": "o", "neimark-sacker": "D", "branch-point": "^"}


def _stability_runs(values: np.ndarray, ys: np.ndarray, stable: np.ndarray,
                    joints: Sequence[tuple[float, float]]) -> list[tuple[bool, np.ndarray, np.ndarray]]:
    """Split a branch into runs of equal stability, (stable, x, y) each.

    Neighbouring runs meet at the special point (x, y) of ``joints`` located between their
    end points (where the stability changes), or halfway between them if none was located there.
    """
    runs = []
    first = 0
    for i in range(1, values.size + 1):
        if i < values.size and stable[i] == stable[first]:
            continue
        x, y = list(values[first:i]), list(ys[first:i])
        if first > 0:
            x.insert(0, runs[-1][1][-1])
            y.insert(0, runs[-1][2][-1])
        if i < values.size:
            lo, hi = sorted((values[i - 1], values[i]))
            joint = [(jx, jy) for jx, jy in joints if lo <= jx <= hi]
            jx, jy = joint[0] if joint else (0.5 * (values[i - 1] + values[i]), None)
            x.append(jx)
            y.append(0.5 * (ys[i - 1] + ys[i]) if jy is None else jy)
        runs.append((bool(stable[first]), np.asarray(x, float), np.asarray(y, float)))
        first = i
    return runs


def _cycle(m: Map, param: str, value: float, state: np.ndarray, period: int, params: Mapping[str, float],
           component: int) -> np.ndarray:
    """``component`` of the ``period`` points of the cycle through ``state`` (iterating ``m``)."""
    p = {**params, param: value}
    out, x = np.empty(period), np.asarray(state, float)
    for j in range(period):
        out[j] = x[component]
        x = m(x, p)
    return out


def continuation(branches: object, component: int = 0, diagram: OrbitDiagram | None = None,
                 m: Map | None = None, ax: Axes | None = None) -> Figure:
    """Branches of a continuation: stable parts solid, unstable dashed, special points labelled.

    One-parameter branches are drawn as (parameter, state[component]) of the point each
    branch follows (one point of each cycle), one colour per branch; two-parameter curves
    (:class:`~bifurc.continuation.Curve`) are drawn in their parameter plane, one colour per
    kind, with their codimension-2 points. Each special point is marked and labelled by
    its kind.

    Parameters
    ----------
    branches
        A :class:`~bifurc.continuation.Branch`, a :class:`~bifurc.continuation.Curve`, a
        :class:`~bifurc.continuation.CascadeBranches`, or a sequence of branches or of curves.
    component
        Which state variable to show for one-parameter branches.
    diagram
        An orbit diagram over the same parameter to draw the branches on (one-parameter
        branches only).
    m
        The map continued: if given, every point of each cycle is drawn (its iterates of
        the point followed; a Python loop, k map steps per branch point), and the axis is
        named after the state variable.
    ax
        Axes to draw in (a new figure if None).

    Examples
    --------
    >>> import bifurc
    >>> from bifurc import plot
    >>> from bifurc.continuation import continuation
    >>> branch = continuation(bifurc.maps.logistic, "r", 0.6, 2.5, 3.6)
    >>> ax = plot.continuation(branch).axes[0]
    >>> stable, unstable = [line for line in ax.lines if line.get_label().startswith("period")]
    >>> stable.get_linestyle(), unstable.get_linestyle()  # solid, then dashed past the flip
    ('-', '--')
    >>> print(round(stable.get_xdata()[-1], 9))  # they meet at the flip r = 3
    3.0
    """
    from .continuation import Branch, CascadeBranches, Curve

    if isinstance(branches, CascadeBranches):
        items = list(branches.branches)
    elif isinstance(branches, (Branch, Curve)):
        items = [branches]
    elif isinstance(branches, Sequence) and not isinstance(branches, str):
        items = list(branches)
    else:
        raise InputError(f"branches must be a Branch, Curve, CascadeBranches or a sequence of them, "
                         f"got {type(branches).__name__}")
    curves = [c for c in items if isinstance(c, Curve)]
    ones = [b for b in items if isinstance(b, Branch)]
    if not items or len(curves) + len(ones) != len(items) or (curves and ones):
        raise InputError("branches must hold Branch objects only or Curve objects only, and at least one")
    if curves and diagram is not None:
        raise InputError("diagram can only be drawn under one-parameter branches, not under curves")
    fig, ax = _figure(ax)
    labelled = set()

    def mark(x: float, y: float, kind: str, text: bool = True) -> None:
        ax.plot([x], [y], ls="none", marker=_POINT_MARKERS.get(kind, "*"), ms=7, mfc="white", mec="black",
                mew=1.2, zorder=6, label=None if kind in labelled else kind)
        if text:
            ax.annotate(kind, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=6)
        labelled.add(kind)

    if curves:
        kinds = list(dict.fromkeys(c.kind for c in curves))
        for c in curves:
            name = f"{c.kind} (period {c.period})"
            ax.plot(c.values[:, 0], c.values[:, 1], color=colour(kinds.index(c.kind)), lw=1.4,
                    label=None if name in labelled else name)
            labelled.add(name)
            for p in c.points:
                mark(p.value, p.params[c.params[1]], p.kind)
        ax.set_xlabel(curves[0].params[0])
        ax.set_ylabel(curves[0].params[1])
        ax.set_title(f"{curves[0].map_name}: bifurcation curves")
    else:
        if diagram is not None:
            _density(ax, diagram, component)
        for i, b in enumerate(ones):
            if not 0 <= component < b.states.shape[1]:
                raise InputError(f"component must be in [0, {b.states.shape[1]}), got {component}")
            if m is None:
                ys = b.states[:, component, None]
                marks = [(p.value, p.state[component:component + 1], p.kind) for p in b.points]
            else:
                ys = np.array([_cycle(m, b.param, v, x, b.period, b.params, component)
                               for v, x in zip(b.values, b.states)]).reshape(b.values.size, b.period)
                marks = [(p.value, _cycle(m, p.param, p.value, p.state, p.period, p.params, component),
                          p.kind) for p in b.points]
            for j in range(ys.shape[1]):
                joints = [(v, y[j]) for v, y, _ in marks]
                for stable, x, y in _stability_runs(b.values, ys[:, j], b.stable, joints):
                    ax.plot(x, y, color=colour(i), lw=1.4, ls="-" if stable else "--", zorder=5,
                            label=f"period {b.period}, {'stable' if stable else 'unstable'}")
            for v, y, kind in marks:
                for j, y_j in enumerate(y):
                    mark(v, y_j, kind, text=j == 0)  # one label per point, on the cycle's first
        ax.set_xlabel(ones[0].param)
        names = m.state if m is not None else diagram.state if diagram is not None else ()
        ax.set_ylabel(names[component] if names else f"x[{component}]")
        ax.set_title(f"{ones[0].map_name}: continuation in {ones[0].param}")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="best", fontsize=7)
    return fig
