"""Chen & Bruna's two-step updates: GD beyond 2/λ settles on a 2-cycle iff C = 3f'''² - f''f'''' > 0.

Orbit diagrams of the derived map (:func:`bifurc.eos.two_step_updates.two_step_updates`, GD on
the quartic expansion at the minimum) against s = ηλ/2 - 1, with the derived 2-cycle m ± a drawn
over them: the double well ¼(x² - 1)² (C = 96, the 2-cycle beyond the edge attracts) and the
hardening loss x²/2 + x⁴/4 (C = -6: the 2-cycle lies below the edge and repels, bounding the
minimum's basin; beyond the edge GD leaves).
"""

from __future__ import annotations

import warnings

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from .. import plot
from ..analysis.arguments import EscapeWarning
from ..analysis.orbits import orbit_diagram
from ..eos.two_step_updates import line_derivatives, two_step_updates

__all__ = ["figure_two_step"]

#: (title, loss, minimum) of each panel
_PANELS = (("double well $(x^2-1)^2/4$ at $x=1$", "(x**2 - 1)**2/4", 1),
           ("hardening loss $x^2/2 + x^4/4$ at $x=0$", "x**2/2 + x**4/4", 0))


def figure_two_step(quick: bool = False) -> Figure:
    """GD's attractor near the minimum against s = ηλ/2 - 1, and the derived 2-cycle (dashed)."""
    model = two_step_updates()
    results = model.results
    s_sym = sp.Symbol("s", real=True)
    fig, axes = plot.panels(1, 2, 5.6, 4.2)
    values = np.linspace(-0.1, 0.3, 121 if quick else 401)
    for ax, (title, loss, minimum) in zip(axes[0], _PANELS):
        line = line_derivatives(loss, "x", [minimum])
        params = line.parameters
        at = {sp.Symbol(k, real=True): v for k, v in params.items()}
        etas = 2 * (1 + values) / params["lam"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EscapeWarning)  # the escapes are drawn (shaded)
            diagram = orbit_diagram(model.map, "eta", etas, 0.05, transient=400 if quick else 2000,
                                    keep=16 if quick else 64, params=params, escape=10.0)
        kept = diagram.points[:, :, 0]
        ax.plot(np.repeat(values, kept.shape[1]), kept.ravel(), ".", ms=1.5, color=plot.PALETTE[0],
                label="GD from 0.05, after the transient")
        width2 = sp.lambdify(s_sym, results["2-cycle half-width squared"].subs(at))
        centre = sp.lambdify(s_sym, results["2-cycle centre"].subs(at))
        side = values > 0 if line.condition > 0 else values < 0
        s_side = values[side]
        half = np.sqrt(np.asarray(width2(s_side), dtype=float))
        mid = np.broadcast_to(np.asarray(centre(s_side), dtype=float), s_side.shape)
        label = "derived 2-cycle " + ("(attracting)" if line.condition > 0 else "(repelling)")
        ax.plot(s_side, mid + half, "--", color=plot.PALETTE[1], lw=1.2, label=label)
        ax.plot(s_side, mid - half, "--", color=plot.PALETTE[1], lw=1.2)
        if diagram.escaped.any():
            ax.fill_between(values, -0.6, 0.6, where=diagram.escaped, color=plot.PALETTE[3], alpha=0.15,
                            label="GD from 0.05 leaves")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_ylim(-0.6, 0.6)
        ax.set_xlabel(r"$s = \eta\lambda/2 - 1$ (beyond the edge: $s > 0$)")
        ax.set_ylabel(r"$\delta = x - \bar{x}$")
        ax.set_title(f"{title}\n$C = 3f'''^2 - f''f'''' = {sp.latex(line.condition)}$", fontsize=10)
        ax.legend(loc="lower left", fontsize=8)
    fig.suptitle("Chen & Bruna: GD beyond 2/λ converges to a 2-cycle iff C > 0")
    return fig
