"""Regenerate the small images the README shows (docs/*.png) from the package itself.

Run: python figures/readme_images.py
"""

from pathlib import Path

import numpy as np

import bifurc
from bifurc import figures, plot

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: The papers' figures the README shows, by their name in bifurc.figures.FIGURES.
PAPER_FIGURES = ("song-yun-bifurcation", "zhu-parabola-ellipse")


def main() -> None:
    """Write docs/logistic.png and the README's two paper figures."""
    DOCS.mkdir(exist_ok=True)
    values = np.linspace(2.8, 4.0, 1200)
    d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", values, 0.3, transient=2000, keep=600)
    s = bifurc.lyapunov_sweep(bifurc.maps.logistic, "r", values, 0.3, n=4000, transient=1000)
    plot.diagram_with_lyapunov(d, s).savefig(DOCS / "logistic.png", dpi=80)
    for name in PAPER_FIGURES:
        figures.FIGURES[name]().savefig(DOCS / f"{name}.png", dpi=60)
    print(f"wrote {', '.join(p.name for p in sorted(DOCS.glob('*.png')))} in {DOCS}")


if __name__ == "__main__":
    main()
