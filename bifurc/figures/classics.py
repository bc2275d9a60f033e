"""The classics as a gallery: logistic diagram with exponent, Hénon attractor, a basin map, a cascade."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import maps, plot
from ..analysis.basins import basins
from ..analysis.cascade import cascade
from ..analysis.lyapunov import lyapunov, lyapunov_sweep
from ..analysis.orbits import orbit, orbit_diagram
from ..definition.iterated_map import Map

__all__ = ["figure_logistic", "figure_henon", "figure_newton_basins", "figure_cascade", "NEWTON"]

#: Newton's method for z³ = 1 in real coordinates z = x + iy: z' = 2z/3 + 1/(3z²).
#: Three attracting roots, fractal basin boundaries.
NEWTON = Map.from_expressions(
    {"x": "2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2)", "y": "2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)"},
    {}, name="newton_z3",
)


def figure_logistic(quick: bool = False) -> Figure:
    """The logistic map's orbit diagram in r with its Lyapunov exponent beneath."""
    values = np.linspace(2.8, 4.0, 300 if quick else 1600)
    d = orbit_diagram(maps.logistic, "r", values, 0.3, transient=500 if quick else 2000,
                      keep=150 if quick else 600)
    s = lyapunov_sweep(maps.logistic, "r", values, 0.3, n=1000 if quick else 6000)
    fig = plot.diagram_with_lyapunov(d, s)
    fig.axes[0].set_title("logistic map $x' = rx(1 - x)$: orbit diagram "
                          "(periodic windows where $\\lambda < 0$)")
    fig.axes[1].set_xlabel("$r$")
    fig.axes[0].set_ylabel("$x$")
    return fig


def figure_henon(quick: bool = False) -> Figure:
    """The Hénon attractor at (a, b) = (1.4, 0.3), with its Lyapunov exponents."""
    points = orbit(maps.henon, (0.1, 0.1), 20_000 if quick else 200_000, transient=1000)
    exponents = lyapunov(maps.henon, (0.1, 0.1), 20_000 if quick else 200_000)
    fig, axes = plot.panels(1, 1, 7.0, 5.0)
    ax = axes[0, 0]
    ax.plot(points[:, 0], points[:, 1], ",", color="black", alpha=0.6)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title(r"Hénon attractor, $x' = 1 - ax^2 + y$, $y' = bx$, $(a, b) = (1.4, 0.3)$" "\n"
                 rf"Lyapunov exponents $\lambda_1 = {exponents[0]:.3f}$, $\lambda_2 = {exponents[1]:.3f}$")
    return fig


def figure_newton_basins(quick: bool = False) -> Figure:
    """Basins of the three roots of z³ = 1 under Newton's method: fractal boundaries."""
    n = 120 if quick else 600
    grid = np.linspace(-1.5, 1.5, n)
    b = basins(NEWTON, grid, grid, transient=60, max_period=1)
    fig, axes = plot.panels(1, 1, 6.0, 5.4)
    plot.basins(b, ax=axes[0, 0])
    axes[0, 0].set_aspect("equal")
    axes[0, 0].set_title("Newton's method for $z^3 = 1$: basins of the three roots")
    return fig


def figure_cascade(quick: bool = False) -> Figure:
    """The logistic period-doubling cascade: gaps r_{n+1} - r_n shrinking by Feigenbaum's δ."""
    c = cascade(maps.logistic, "r", 2.8, 3.57, 0.3, count=8 if quick else 11)
    fig = plot.cascade(c)
    fig.axes[0].set_title(f"logistic cascade: ratios of gaps → δ = 4.6692… (last: {c.delta[-1]:.5f})")
    return fig
